// Filter tokenizer: turns filter text into tokens with their offsets; literals are read as Zinc scalars.

import { lineColumn } from '../codec/text-position.js';
import { isAlphaHi, isAlphaLo, isDigit, isIdPart } from '../codec/zinc/zinc-chars.js';
import { ZincReader } from '../codec/zinc/zinc-reader.js';
import { ParseError } from '../errors.js';
import type { Val } from '../kinds/kind.js';
import { isValidUnit, Num } from '../kinds/number.js';
import { isRefChar, Ref } from '../kinds/ref.js';
import { Sym } from '../kinds/symbol.js';
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

/** A ParseError for the filter `text` at `offset`. */
export function filterError(text: string, offset: number, reason: string, cause?: unknown): ParseError {
  const { line, column } = lineColumn(text, offset);
  return new ParseError('filter', line, column, reason, cause === undefined ? undefined : { cause });
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 0xa0;
}

function isAlpha(c: number): boolean {
  return isAlphaLo(c) || isAlphaHi(c);
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
    if (isAlpha(c) || (c === 95 && isIdPart(next))) {
      while (i < n && isIdPart(text.charCodeAt(i))) i++;
      return tok('id', i);
    }
    // Filters: literals are Zinc scalars, read by the Zinc reader itself (one grammar, one set of errors).
    if (isDigit(c) || (c === 45 && isDigit(next)) || c === 34 || c === 96) {
      const [end, val] = readScalar(text, start);
      return tok('literal', end, val);
    }
    switch (c) {
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
      case 60: // <
      case 62: // >
        // Each operator is its own token kind: == != <= >= < >
        if (next === 61) return tok(text.slice(i, i + 2) as TokenKind, i + 2);
        if (c === 60 || c === 62) return tok(text.charAt(i) as TokenKind, i + 1);
        break;
      default:
    }
    const ch = String.fromCodePoint(text.codePointAt(i) ?? c);
    // A lone = or ! is the SQL habit of one character: name the Haystack operator.
    throw filterError(
      text,
      start,
      `Unexpected character ${JSON.stringify(ch)}${c === 61 || c === 33 ? ` (use ${ch}=)` : ''}`,
    );
  }
}

/** The Zinc scalar (Number, Date, Time, DateTime, Str or Uri) at `start`, and the offset after it. */
function readScalar(text: string, start: number): [number, FilterLiteral] {
  if (text.charCodeAt(start) === 48 && (text.charCodeAt(start + 1) | 32) === 120) return readHex(text, start);
  let val: Val;
  let end: number;
  // Haxall accepts a one-digit hour (`8:30`) in filters, as Trio does; Zinc wants two, so one is added.
  const shortHour = isDigit(text.charCodeAt(start)) && text.charCodeAt(start + 1) === 58;
  try {
    const reader = shortHour
      ? new ZincReader(`0${text.slice(start)}`, { format: 'filter' })
      : new ZincReader(text, { format: 'filter', start });
    val = reader.readVal();
    end = shortHour ? start + reader.pos - 1 : reader.pos;
  } catch (err) {
    if (shortHour && err instanceof ParseError) throw filterError(text, start, err.reason, err);
    throw err;
  }
  if (val instanceof Num) {
    // Filters: <number> has no INF or NaN, and a unit must be one the unit database knows.
    if (!Number.isFinite(val.val)) throw filterError(text, start, `Number out of range ${text.slice(start, end)}`);
    if (val.unit !== undefined && !isValidUnit(val.unit)) {
      throw filterError(text, start, `Invalid unit ${JSON.stringify(val.unit)}`);
    }
  }
  return [end, val as FilterLiteral];
}

// Haxall extension (filters only, as in Haxall's filter tokenizer): 0x hex integers, no unit.
const HEX_RE = /0x[0-9a-fA-F](?:_?[0-9a-fA-F])*/y;

function readHex(text: string, start: number): [number, Num] {
  HEX_RE.lastIndex = start;
  const m = HEX_RE.exec(text);
  const end = m === null ? start + 2 : start + m[0].length;
  if (m === null || isIdPart(text.charCodeAt(end))) throw filterError(text, start, 'Invalid hex number');
  const v = Number.parseInt(m[0].slice(2).replaceAll('_', ''), 16);
  if (!Number.isSafeInteger(v)) throw filterError(text, start, `Hex number out of range ${m[0]}`);
  return [end, new Num(v)];
}
