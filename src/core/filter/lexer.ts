// Filter tokenizer: turns filter text into tokens with their offsets; literals are read as Zinc scalars.

import { HaystackError, ParseError } from '../errors.js';
import { HDate } from '../kinds/date.js';
import { HDateTime } from '../kinds/date-time.js';
import { isValidUnit, Num } from '../kinds/number.js';
import { isRefChar, Ref } from '../kinds/ref.js';
import { Sym } from '../kinds/symbol.js';
import { HTime } from '../kinds/time.js';
import { Uri } from '../kinds/uri.js';
import type { FilterLiteral } from './ast.js';

/** Kind of a token. */
export type TokenKind =
  | 'id'
  | 'literal'
  | 'symbol'
  | 'lparen'
  | 'rparen'
  | 'arrow'
  | '=='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'eof';

/** A token: its kind, where it starts in the text, and its text (`id`) or value (`literal`, `symbol`). */
export interface Token {
  /** What the token is. */
  readonly kind: TokenKind;
  /** Offset of its first character in the filter text. */
  readonly start: number;
  /** The token's text as written. */
  readonly text: string;
  /** The value of a literal or symbol token. */
  readonly val: FilterLiteral | undefined;
}

// Zinc: <date> := YYYY "-" MM "-" DD
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
// Zinc: <time> := hh ":" mm ":" ss ["." FFFFFFFFF]; like Haxall, a one-digit hour and missing seconds are allowed.
const TIME_RE = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;
// Zinc: <dateTime> := <date> "T" <time> <tzOffset> [" " <tzName>]
const DATE_TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
// Zinc: <decimal> := ["-"] <digits> ["." <digits>] [<exp>]; "_" separates digits; the rest is the unit.
const NUMBER_RE = /^(-?\d(?:_?\d)*(?:\.\d(?:_?\d)*)?(?:[eE][+-]?\d+)?)(.*)$/s;
// Haxall extension: 0x hex integers (no unit).
const HEX_RE = /^0x[0-9a-fA-F](?:_?[0-9a-fA-F])*$/;

/** Locate `offset` in `text` as a 1-based line and column. */
export function position(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** A ParseError for the filter `text` at `offset`. */
export function filterError(text: string, offset: number, reason: string, cause?: unknown): ParseError {
  const { line, column } = position(text, offset);
  return new ParseError('filter', line, column, reason, cause === undefined ? undefined : { cause });
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isAlpha(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

function isIdChar(c: number): boolean {
  return isAlpha(c) || isDigit(c) || c === 95;
}

// Characters that may continue a number, date, time or dateTime token (units included).
function isNumberChar(c: number): boolean {
  return (
    isIdChar(c) ||
    c === 45 || // -
    c === 43 || // +
    c === 46 || // .
    c === 58 || // :
    c === 37 || // %
    c === 36 || // $
    c === 47 || // /
    (c > 127 && !isSpace(c) && !/\s/.test(String.fromCharCode(c)))
  );
}

/** Reads tokens one at a time, so a syntax error is reported before any lexical error further on. */
export class FilterLexer {
  readonly #text: string;
  #i = 0;

  constructor(text: string) {
    this.#text = text;
  }

  /** The next token; `eof` at the end (and on every call after). */
  next(): Token {
    const text = this.#text;
    const n = text.length;
    let i = this.#i;
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    const start = i;
    const tok = (kind: TokenKind, end: number, val?: FilterLiteral): Token => {
      this.#i = end;
      return { kind, start, text: text.slice(start, end), val };
    };
    if (i >= n) return tok('eof', n);
    const c = text.charCodeAt(i);
    const next = i + 1 < n ? text.charCodeAt(i + 1) : -1;
    if (isAlpha(c) || (c === 95 && next >= 0 && isIdChar(next))) {
      while (i < n && isIdChar(text.charCodeAt(i))) i++;
      return tok('id', i);
    }
    if (isDigit(c) || (c === 45 && next >= 0 && isDigit(next))) {
      const [end, val] = readNumber(text, start);
      return tok('literal', end, val);
    }
    switch (c) {
      case 34: {
        // "
        const [end, val] = readStr(text, start);
        return tok('literal', end, val);
      }
      case 96: {
        // `
        const [end, val] = readUri(text, start);
        return tok('literal', end, val);
      }
      case 64: // @
      case 94: {
        // ^
        i++;
        while (i < n && isRefChar(text.charCodeAt(i))) i++;
        const id = text.slice(start + 1, i);
        // Zinc: <ref> := "@" <refChar>+ ; <symbol> := "^" <refChar>+
        if (id.length === 0) throw filterError(text, start, c === 64 ? 'Empty Ref' : 'Empty Symbol');
        return c === 64 ? tok('literal', i, new Ref(id)) : tok('symbol', i, new Sym(id));
      }
      case 40:
        return tok('lparen', i + 1);
      case 41:
        return tok('rparen', i + 1);
      case 45: // -
        if (next === 62) return tok('arrow', i + 2);
        break;
      case 61: // =
      case 33: // !
        if (next === 61) return tok(c === 61 ? '==' : '!=', i + 2);
        break;
      case 60: // <
      case 62: // >
        if (next === 61) return tok(c === 60 ? '<=' : '>=', i + 2);
        return tok(c === 60 ? '<' : '>', i + 1);
      default:
    }
    const ch = String.fromCodePoint(text.codePointAt(i) ?? c);
    throw filterError(text, start, `Unexpected character ${JSON.stringify(ch)}`);
  }
}

function readNumber(text: string, start: number): [number, FilterLiteral] {
  const n = text.length;
  let i = start + 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    // A sign belongs to the token only after an exponent or inside a time-zone offset.
    if (c === 43 || c === 45) {
      const prev = text.charCodeAt(i - 1);
      if (!isDigit(prev) && prev !== 101 && prev !== 69) break;
    }
    if (!isNumberChar(c)) break;
    i++;
  }
  const s = text.slice(start, i);
  try {
    if (DATE_RE.test(s)) return [i, HDate.parse(s)];
    const t = TIME_RE.exec(s);
    if (t !== null) {
      const frac = t[4] ?? '';
      return [
        i,
        new HTime(Number(t[1]), Number(t[2]), Number(t[3] ?? 0), frac === '' ? 0 : Number(frac.padEnd(9, '0'))),
      ];
    }
    if (DATE_TIME_RE.test(s)) return readDateTime(text, start, i, s);
  } catch (err) {
    if (err instanceof ParseError) throw err;
    throw filterError(text, start, `Invalid date or time ${JSON.stringify(s)}`, err);
  }
  if (HEX_RE.test(s)) {
    const v = Number.parseInt(s.slice(2).replaceAll('_', ''), 16);
    if (!Number.isSafeInteger(v)) throw filterError(text, start, `Hex number out of range ${s}`);
    return [i, new Num(v)];
  }
  const m = NUMBER_RE.exec(s);
  if (m === null) throw filterError(text, start, `Invalid number ${JSON.stringify(s)}`);
  const v = Number((m[1] ?? '').replaceAll('_', ''));
  if (!Number.isFinite(v)) throw filterError(text, start, `Number out of range ${JSON.stringify(s)}`);
  const unit = m[2] ?? '';
  if (unit !== '' && !isValidUnit(unit)) throw filterError(text, start, `Invalid unit ${JSON.stringify(unit)}`);
  return [i, new Num(v, unit === '' ? undefined : unit)];
}

function readDateTime(text: string, start: number, end: number, iso: string): [number, FilterLiteral] {
  // Haxall: a zone name follows after one space and starts with an upper-case letter; "Z" alone means UTC.
  let i = end;
  let tz = '';
  if (text.charCodeAt(i) === 32 && /[A-Z]/.test(text.charAt(i + 1))) {
    const tzStart = i + 1;
    i = tzStart;
    while (i < text.length && /[A-Za-z0-9_+-]/.test(text.charAt(i))) i++;
    tz = text.slice(tzStart, i);
  } else if (iso.endsWith('Z')) {
    tz = 'UTC';
  } else {
    throw filterError(text, end, 'Expecting a time zone name after the DateTime offset');
  }
  try {
    return [i, HDateTime.parse(`${iso} ${tz}`)];
  } catch (err) {
    if (err instanceof HaystackError && err.code === 'HS_ERR_UNKNOWN_TZ') {
      throw filterError(text, end + 1, `Unknown time zone ${JSON.stringify(tz)}`, err);
    }
    throw filterError(text, start, `Invalid DateTime ${JSON.stringify(iso)}`, err);
  }
}

// Zinc: <escapeChar> := "\b" | "\f" | "\n" | "\r" | "\t" | "\\" | "\$" | "\"" | "\`" | <uEscape>
function readEscape(text: string, i: number): [number, string] {
  const e = text.charAt(i + 1);
  switch (e) {
    case 'b':
      return [i + 2, '\b'];
    case 'f':
      return [i + 2, '\f'];
    case 'n':
      return [i + 2, '\n'];
    case 'r':
      return [i + 2, '\r'];
    case 't':
      return [i + 2, '\t'];
    case '"':
    case '$':
    case "'":
    case '`':
    case '\\':
      return [i + 2, e];
    case 'u': {
      const hex = text.slice(i + 2, i + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw filterError(text, i, 'Invalid \\uXXXX escape');
      return [i + 6, String.fromCharCode(Number.parseInt(hex, 16))];
    }
    default:
      throw filterError(text, i, `Invalid escape sequence \\${e}`);
  }
}

function readStr(text: string, start: number): [number, string] {
  let i = start + 1;
  let out = '';
  let runStart = i;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      out += text.slice(runStart, i);
      return [i + 1, out];
    }
    if (c === 92) {
      out += text.slice(runStart, i);
      const [next, ch] = readEscape(text, i);
      out += ch;
      i = next;
      runStart = i;
      continue;
    }
    i++;
  }
  throw filterError(text, start, 'Unterminated string');
}

// Haxall keeps these escapes in a Uri as written (backslash included): they quote URI delimiters.
const URI_KEPT_ESCAPES = ':/?#[]@\\&=;';

function readUri(text: string, start: number): [number, Uri] {
  let i = start + 1;
  let out = '';
  while (i < text.length) {
    const ch = text.charAt(i);
    if (ch === '`') return [i + 1, new Uri(out)];
    if (ch === '\n' || ch === '\r') throw filterError(text, i, 'Newline in Uri');
    if (ch === '\\') {
      const e = text.charAt(i + 1);
      if (e !== '' && URI_KEPT_ESCAPES.includes(e)) {
        out += ch + e;
        i += 2;
      } else {
        const [next, decoded] = readEscape(text, i);
        out += decoded;
        i = next;
      }
      continue;
    }
    out += ch;
    i++;
  }
  throw filterError(text, start, 'Unterminated Uri');
}
