// Zinc reader: a hand-written scanner over char codes that decodes Zinc values and grids, within limits.

import { LimitError, ParseError } from '../../errors.js';
import { CompactRows, Dict, DictShape, type TagVal, trustedDict } from '../../grid/dict.js';
import { Grid, type GridCol } from '../../grid/grid.js';
import {
  asPlainAsked,
  type DecodeOptions,
  type PlainDecodeOptions,
  type PlainObject,
  type PlainValue,
  type ValDecodeOptions,
} from '../../grid/plain.js';
import { daysFromCivil, daysInMonth, MS_PER_DAY } from '../../kinds/calendar.js';
import { Coord } from '../../kinds/coord.js';
import { HDate } from '../../kinds/date.js';
import { HDateTime, instantOffset, MAX_LOCAL_MS, MIN_LOCAL_MS } from '../../kinds/date-time.js';
import type { List, Val } from '../../kinds/kind.js';
import { MARKER, NA, REMOVE } from '../../kinds/marker.js';
import { Num } from '../../kinds/number.js';
import { isRefChar, type Ref, trustedRef } from '../../kinds/ref.js';
import { Sym } from '../../kinds/symbol.js';
import { HTime } from '../../kinds/time.js';
import { Uri } from '../../kinds/uri.js';
import { XStr } from '../../kinds/xstr.js';
import { TimeZone } from '../../tz/time-zone.js';
import { type DecodeLimits, limitExceeded, resolveLimits } from '../limits.js';
import { lineColumn } from '../text-position.js';
import { HisColumnsBuilder } from './his-columns.js';
import { hexVal, isAlphaHi, isAlphaLo, isDigit, isIdPart, isTzChar, isUnitChar, isUriReserved } from './zinc-chars.js';

/** Options of a {@link ZincReader}. */
export interface ZincReaderOptions {
  /** Decode limits; missing fields take {@link DEFAULT_LIMITS}. */
  readonly limits?: Partial<DecodeLimits>;
  /** Format named in errors (default `zinc`); the Trio reader passes `trio`. */
  readonly format?: string;
  /** Index of the first char to read (default 0); errors still count lines from the start of the text. */
  readonly start?: number;
  /** Index after the last char to read (default the text's length). */
  readonly end?: number;
  /** Store `ts,val` history grids in columns (default true). */
  readonly columnar?: boolean;
  /** Lines before the text, added to error line numbers (stream readers; default 0). */
  readonly lineOffset?: number;
}

/** Thrown by a reader in partial mode that ran out of text; stream readers catch it and wait for more. */
export class NeedMoreInput extends Error {
  /** The one instance (made once, so throwing it costs no stack capture). */
  static readonly INSTANCE: NeedMoreInput = new NeedMoreInput('zinc: more input needed');
}

const NEED_MORE_INPUT = NeedMoreInput.INSTANCE;

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16];
const EMPTY_LIST: List = Object.freeze([]);
// Tags of a dict checked for a repeated name by a scan; a Set takes over beyond.
const DUP_SCAN = 16;
// The chars of a Zinc <strEscChar> after the backslash (`u` aside), and what each stands for.
const STR_ESC_CHARS = 'bfnrt"\\$';
const STR_ESC_VALS = '\b\f\n\r\t"\\$';
const C_TAB = 9;
const C_NL = 10;
const C_CR = 13;
const C_SP = 32;
const C_QUOTE = 34;
const C_LPAREN = 40;
const C_RPAREN = 41;
const C_PLUS = 43;
const C_COMMA = 44;
const C_MINUS = 45;
const C_DOT = 46;
const C_COLON = 58;
const C_LT = 60;
const C_GT = 62;
const C_AT = 64;
const C_LBRACKET = 91;
const C_BACKSLASH = 92;
const C_RBRACKET = 93;
const C_CARET = 94;
const C_BACKTICK = 96;
const C_LBRACE = 123;
const C_RBRACE = 125;

/**
 * Reads Zinc from a string: one value ({@link readVal}), a whole grid ({@link readGrid}) or either
 * ({@link readTop}). Reusable by other text formats (Trio) that embed Zinc values: set {@link pos},
 * call {@link readVal}, read {@link pos} again.
 */
export class ZincReader {
  readonly #s: string;
  readonly #end: number;
  readonly #format: string;
  readonly #limits: DecodeLimits;
  readonly #columnar: boolean;
  readonly #lineOffset: number;
  #pos: number;
  #depth = 0;
  #ver = 3;
  #partial = false;
  // Results of the allocation-free scanners (numbers and DateTimes), read right after a scan.
  #num = 0;
  #unit: string | undefined = undefined;
  #dtMs = 0;
  #dtSub = 0;
  #dtOffset = 0;
  #dtTz: TimeZone = TimeZone.UTC;
  // Caches: the last unit and zone name seen, compared in place so repeated ones allocate nothing.
  #lastUnit = '';
  #lastTzName = 'UTC';
  #lastTz: TimeZone = TimeZone.UTC;
  #dictShape: DictShape | undefined = undefined;

  constructor(text: string, options?: ZincReaderOptions) {
    this.#s = text;
    this.#limits = resolveLimits(options?.limits);
    this.#format = options?.format ?? 'zinc';
    this.#pos = options?.start ?? 0;
    this.#end = Math.min(options?.end ?? text.length, text.length);
    this.#columnar = options?.columnar ?? true;
    this.#lineOffset = options?.lineOffset ?? 0;
    if (this.#end - this.#pos > this.#limits.maxLength)
      limitExceeded(this.#format, 'maxLength', this.#limits.maxLength);
  }

  /** Index of the next char to read. */
  get pos(): number {
    return this.#pos;
  }

  set pos(p: number) {
    this.#pos = p;
  }

  /** Index after the last char this reader reads. */
  get end(): number {
    return this.#end;
  }

  /** True when only spaces, tabs and newlines remain. */
  atEnd(): boolean {
    const p = this.#skipBlank(this.#pos);
    return p >= this.#end;
  }

  /** Require that only spaces, tabs and newlines remain (the whole input is consumed). */
  expectEnd(): void {
    const p = this.#skipBlank(this.#pos);
    if (p < this.#end) this.#fail(p, 'end of input');
    this.#pos = p;
  }

  /** Skip spaces and tabs (not newlines). */
  skipSpaces(): void {
    this.#pos = this.#sp(this.#pos);
  }

  /**
   * Read a whole input: a grid when it starts with `ver:`, else one value; then require the end of
   * the input (trailing spaces and newlines allowed).
   */
  readTop(): Val {
    this.#skipBom();
    this.#pos = this.#skipBlank(this.#pos);
    const v = this.#startsGrid(this.#pos) ? this.#readGrid(false) : this.readVal();
    this.expectEnd();
    return v;
  }

  /** Read one value at {@link pos} (spaces before it skipped): a scalar, list, dict or `<<grid>>`. */
  readVal(): Val {
    return this.#val(this.#sp(this.#pos));
  }

  /** Read the value that starts at `p` (no spaces before it). */
  #val(p: number): Val {
    const s = this.#s;
    const c = p < this.#end ? s.charCodeAt(p) : -1;
    if (c >= 48 && c <= 57) return this.#readDigitStart(p);
    switch (c) {
      case C_QUOTE:
        return this.#readStr(p);
      case C_AT:
        return this.#readRef(p);
      case C_MINUS:
        return this.#readMinus(p);
      case C_CARET:
        return this.#readSymbol(p);
      case C_BACKTICK:
        return this.#readUri(p);
      case C_LBRACKET:
        return this.#readList(p);
      case C_LBRACE:
        this.#pos = p + 1;
        return this.#readDict(true);
      case C_LT:
        if (this.#ch(p + 1) === C_LT) {
          this.#pos = p + 2;
          return this.#readGrid(true);
        }
        break;
      default:
        if (c >= 65 && c <= 90) {
          // One-letter keywords (M, N, T, F, R) are most cells of a sparse grid: decide them on the next char (or,
          // after a space, on the next char that is not one: `M (` starts an XStr). The only place they are read.
          const n = this.#ch(p + 1);
          if (!isIdPart(n) && n !== C_LPAREN && (n !== C_SP || this.#ch(this.#sp(p + 1)) !== C_LPAREN)) {
            this.#pos = p + 1;
            switch (c) {
              case 77:
                return MARKER;
              case 78:
                return null;
              case 84:
                return true;
              case 70:
                return false;
              case 82:
                return REMOVE;
              default:
            }
          }
          return this.#readUpper(p);
        }
    }
    return this.#fail(p, 'a value');
  }

  /** Read a grid at {@link pos}: `ver:"3.0"` (or `"2.0"`), meta, columns and rows. */
  readGrid(): Grid {
    this.#pos = this.#skipBlank(this.#pos);
    return this.#readGrid(false);
  }

  // ---------------------------------------------------------------------------------------------
  // Streaming support (used by ZincStreamReader): header and rows one at a time.

  /** @internal In partial mode, running out of text throws {@link NEED_MORE_INPUT} instead of failing. */
  setStreamState(partial: boolean, version: number, depth: number): void {
    this.#partial = partial;
    this.#ver = version;
    this.#depth = depth;
  }

  /** @internal Zinc version of the grid being read (3, or 2 for `ver:"2.0"`). */
  get version(): number {
    return this.#ver;
  }

  /** @internal Read `ver:...` meta line and the column line of a top-level grid. */
  readHeader(): { readonly meta: Dict; readonly cols: readonly GridCol[] } {
    this.#skipBom();
    this.#pos = this.#skipBlank(this.#pos);
    this.#enter(this.#pos);
    this.#readVer();
    const meta = this.#readMetaLine();
    const cols = this.#readCols();
    return { meta, cols };
  }

  /**
   * @internal Read one row of a top-level grid into `rows` (made of its columns, {@link CompactRows}): the row's
   * Dict, or undefined at the end of the grid (a blank line or the end of the text). A stream passes the same
   * `rows` for every chunk, so that all rows share one shape and rows with the same cells one layout.
   */
  readRow(rows: CompactRows): Dict | undefined {
    const s = this.#s;
    let p = this.#sp(this.#pos);
    const c = p < this.#end ? s.charCodeAt(p) : -1;
    if (c === -1) {
      if (this.#partial) throw NEED_MORE_INPUT;
      this.#pos = p;
      return undefined;
    }
    if (c === C_NL || c === C_CR) {
      this.#pos = this.#nl(p);
      return undefined;
    }
    this.#pos = p;
    const row = this.#readRowCells(rows, false);
    p = this.#pos;
    if (p >= this.#end) {
      if (this.#partial) throw NEED_MORE_INPUT;
    } else this.#pos = this.#expectRowEnd(p, false);
    return row;
  }

  // ---------------------------------------------------------------------------------------------
  // Errors

  /**
   * Raise a ParseError at `p`: `expected <what> but found <found>`, by default the char at `p`; a caller gives
   * `found` when the char alone does not show what is wrong (a value out of range).
   */
  #fail(p: number, expected: string, found: string | number = this.#describe(p)): never {
    if (this.#partial && p >= this.#end) throw NEED_MORE_INPUT;
    throw this.#error(p, `expected ${expected} but found ${found}`);
  }

  /** Raise a ParseError at `p` with a given reason. */
  #failMsg(p: number, reason: string): never {
    if (this.#partial && p >= this.#end) throw NEED_MORE_INPUT;
    throw this.#error(p, reason);
  }

  #error(p: number, reason: string): ParseError {
    const { line, column } = lineColumn(this.#s, p);
    return new ParseError(this.#format, line + this.#lineOffset, column, reason);
  }

  #describe(p: number): string {
    if (p >= this.#end) return 'end of input';
    const c = this.#s.charCodeAt(p);
    if (c === C_NL || c === C_CR) return 'newline';
    const cp = this.#s.codePointAt(p) ?? c;
    return JSON.stringify(String.fromCodePoint(cp));
  }

  // ---------------------------------------------------------------------------------------------
  // Low-level scanning

  #ch(p: number): number {
    return p < this.#end ? this.#s.charCodeAt(p) : -1;
  }

  /** A byte-order mark may start a text decoded without removing it. */
  #skipBom(): void {
    if (this.#ch(this.#pos) === 0xfeff) this.#pos++;
  }

  /** Skip spaces and tabs from `p`. */
  #sp(p: number): number {
    const s = this.#s;
    const end = this.#end;
    while (p < end) {
      const c = s.charCodeAt(p);
      if (c !== C_SP && c !== C_TAB) break;
      p++;
    }
    return p;
  }

  /** Skip spaces, tabs and newlines from `p`. */
  #skipBlank(p: number): number {
    const s = this.#s;
    const end = this.#end;
    while (p < end) {
      const c = s.charCodeAt(p);
      if (c !== C_SP && c !== C_TAB && c !== C_NL && c !== C_CR) break;
      p++;
    }
    return p;
  }

  /** Consume the newline at `p` (`\n`, `\r\n` or `\r`). */
  #nl(p: number): number {
    const c = this.#ch(p);
    if (c === C_NL) return p + 1;
    if (c === C_CR) return this.#ch(p + 1) === C_NL ? p + 2 : p + 1;
    return this.#fail(p, 'newline');
  }

  #enter(p: number): void {
    if (++this.#depth > this.#limits.maxDepth) {
      const e = this.#error(p, '');
      throw new LimitError(
        'maxDepth',
        `${this.#format} ${e.line}:${e.column}: nesting deeper than ${this.#limits.maxDepth}`,
      );
    }
  }

  #checkToken(start: number, p: number): void {
    if (p - start > this.#limits.maxTokenLength)
      limitExceeded(this.#format, 'maxTokenLength', this.#limits.maxTokenLength);
  }

  // ---------------------------------------------------------------------------------------------
  // Scalars

  /** Zinc: <str> := `"` <strChar>* `"` ; the fast path slices when there is no escape. */
  #readStr(p: number): string {
    const s = this.#s;
    const end = this.#end;
    const start = p + 1;
    let i = start;
    while (i < end) {
      const c = s.charCodeAt(i);
      if (c === C_QUOTE) {
        this.#checkToken(start, i);
        this.#pos = i + 1;
        return s.slice(start, i);
      }
      if (c === C_BACKSLASH || c < C_SP) break;
      i++;
    }
    return this.#readStrSlow(start, i);
  }

  #readStrSlow(start: number, from: number): string {
    const s = this.#s;
    const end = this.#end;
    let out = s.slice(start, from);
    let i = from;
    let run = i;
    for (;;) {
      if (i >= end) this.#fail(i, 'a closing "');
      const c = s.charCodeAt(i);
      if (c === C_QUOTE) break;
      if (c < C_SP) this.#fail(i, 'a string char or a closing "');
      if (c === C_BACKSLASH) {
        out += s.slice(run, i);
        const e = this.#ch(i + 1);
        // Zinc: <strEscChar> := "\b" | "\f" | "\n" | "\r" | "\t" | "\"" | "\\" | "\$" | <uEscChar>
        const k = e === 117 ? -1 : STR_ESC_CHARS.indexOf(String.fromCharCode(e));
        if (k >= 0) out += STR_ESC_VALS.charAt(k);
        else if (e === 117) {
          out += String.fromCharCode(this.#hex4(i + 2));
          i += 4;
        } else this.#fail(i + 1, 'an escape char (b f n r t " \\ $ u)');
        i += 2;
        run = i;
        continue;
      }
      i++;
    }
    out += s.slice(run, i);
    this.#checkToken(start, i);
    this.#pos = i + 1;
    return out;
  }

  /** Zinc: <uEscChar> := "\u" <hexDigit> <hexDigit> <hexDigit> <hexDigit> */
  #hex4(p: number): number {
    let v = 0;
    for (let k = 0; k < 4; k++) {
      const h = hexVal(this.#ch(p + k));
      if (h < 0) this.#fail(p + k, 'a hex digit');
      v = v * 16 + h;
    }
    return v;
  }

  /** Zinc: <uri> := "`" <uriChar>* "`" ; reserved-char escapes keep their backslash (Zinc#uriNotes). */
  #readUri(p: number): Uri {
    const s = this.#s;
    const end = this.#end;
    const start = p + 1;
    let out = '';
    let run = start;
    let i = start;
    for (;;) {
      if (i >= end) this.#fail(i, 'a closing `');
      const c = s.charCodeAt(i);
      if (c === C_BACKTICK) break;
      if (c < C_SP) this.#fail(i, 'a URI char or a closing `');
      if (c === C_BACKSLASH) {
        const e = this.#ch(i + 1);
        // Zinc: <uriEscChar> := "\:" | "\/" | "\?" | "\#" | "\[" | "\]" | "\@" | "\`" | "\\" | "\&" | "\=" | "\;"
        if (isUriReserved(e)) {
          i += 2;
          continue;
        }
        switch (e) {
          case C_BACKTICK:
            // Haxall decodes \` to a backtick (the only way to write one); see conformance uri/escaped-backtick.
            out += `${s.slice(run, i)}\``;
            i += 2;
            run = i;
            continue;
          case 117:
            out += s.slice(run, i) + String.fromCharCode(this.#hex4(i + 2));
            i += 6;
            run = i;
            continue;
          default:
            this.#fail(i + 1, 'a URI escape char (: / ? # [ ] @ ` \\ & = ; u)');
        }
      }
      i++;
    }
    out += s.slice(run, i);
    this.#checkToken(start, i);
    this.#pos = i + 1;
    return new Uri(out);
  }

  /** Zinc: <ref> := "@" <refChar>+ [ " " <str> ] */
  #readRef(p: number): Ref {
    const s = this.#s;
    const end = this.#end;
    const start = p + 1;
    let i = start;
    while (i < end && isRefChar(s.charCodeAt(i))) i++;
    if (i === start) this.#fail(i, 'a Ref id char');
    this.#checkToken(start, i);
    const id = s.slice(start, i);
    const q = this.#sp(i);
    if (q > i && this.#ch(q) === C_QUOTE) {
      const dis = this.#readStr(q);
      return trustedRef(id, dis);
    }
    this.#pos = i;
    return trustedRef(id);
  }

  /** Zinc: <symbol> := "^" <refChar>+ */
  #readSymbol(p: number): Sym {
    const s = this.#s;
    const end = this.#end;
    const start = p + 1;
    let i = start;
    while (i < end && isRefChar(s.charCodeAt(i))) i++;
    if (i === start) this.#fail(i, 'a Symbol char');
    this.#checkToken(start, i);
    this.#pos = i;
    return new Sym(s.slice(start, i));
  }

  /** `-INF` or a negative number. */
  #readMinus(p: number): Num {
    const c = this.#ch(p + 1);
    if (isDigit(c)) {
      this.#pos = this.#scanNumber(p);
      return new Num(this.#num, this.#unit);
    }
    if (this.#s.startsWith('INF', p + 1)) {
      const v = this.#readInf(p + 1, Number.NEGATIVE_INFINITY);
      if (v !== undefined) return v;
    }
    return this.#fail(p + 1, 'a digit or INF after -');
  }

  /**
   * `INF` at `p`, with a unit when one follows: the grammar gives INF no unit, but the value model
   * allows one, so the writer emits `INF°F` and this reads it back. Undefined if not INF.
   */
  #readInf(p: number, v: number): Num | undefined {
    const i = this.#scanUnit(p + 3);
    if (isIdPart(this.#ch(i))) return undefined;
    this.#pos = i;
    return new Num(v, this.#unit);
  }

  /** A token starting with a digit: Date, Time, DateTime or Number (Zinc#numberNotes). */
  #readDigitStart(p: number): Val {
    const c2 = this.#ch(p + 2);
    if (c2 === C_COLON && isDigit(this.#ch(p + 1))) {
      const q = this.#scanTime(p);
      const t = new HTime(this.#tH, this.#tM, this.#tS, this.#tNanos);
      this.#pos = q;
      return t;
    }
    if (this.#ch(p + 4) === C_MINUS && isDigit(this.#ch(p + 1)) && isDigit(c2) && isDigit(this.#ch(p + 3))) {
      if (this.#ch(p + 10) === 84) {
        this.#pos = this.#scanDateTime(p);
        return new HDateTime(this.#dtMs, this.#dtSub, this.#dtOffset, this.#dtTz);
      }
      const q = this.#scanDate(p);
      if (isIdPart(this.#ch(q))) this.#fail(q, 'the end of a Date');
      this.#pos = q;
      return new HDate(this.#dY, this.#dMo, this.#dD);
    }
    this.#pos = this.#scanNumber(p);
    return new Num(this.#num, this.#unit);
  }

  /**
   * Zinc: <decimal> := ["-"] <digits> ["." <digits>] [<exp>] [<unit>] ; <digits> := <digit> (<digit> | "_")*
   * Sets #num and #unit; returns the index after the token. Up to 15 digits and no exponent are
   * converted exactly by one division (Clinger's fast path); the rest by the platform's parser.
   */
  #scanNumber(p: number): number {
    const s = this.#s;
    const end = this.#end;
    let i = p;
    let neg = false;
    if (s.charCodeAt(i) === C_MINUS) {
      neg = true;
      i++;
    }
    let mant = 0;
    let digits = 0;
    let scale = 0;
    let underscore = false;
    // Callers start it at a digit (or a minus and a digit).
    let c = s.charCodeAt(i);
    for (;;) {
      if (c >= 48 && c <= 57) {
        mant = mant * 10 + (c - 48);
        digits++;
      } else if (c === 95 && isDigit(this.#ch(i + 1))) underscore = true;
      else break;
      c = ++i < end ? s.charCodeAt(i) : -1;
    }
    if (c === C_DOT && isDigit(this.#ch(i + 1))) {
      c = ++i < end ? s.charCodeAt(i) : -1;
      for (;;) {
        if (c >= 48 && c <= 57) {
          mant = mant * 10 + (c - 48);
          digits++;
          scale++;
        } else if (c === 95 && isDigit(this.#ch(i + 1))) underscore = true;
        else break;
        c = ++i < end ? s.charCodeAt(i) : -1;
      }
    }
    let exp = false;
    if (c === 101 || c === 69) {
      // Zinc: <exp> := ("e"|"E") ["+"|"-"] <digits> ; an "e" not followed by digits starts a unit.
      const n1 = this.#ch(i + 1);
      const j = n1 === C_PLUS || n1 === C_MINUS ? i + 2 : i + 1;
      if (isDigit(this.#ch(j))) {
        exp = true;
        i = j;
        c = s.charCodeAt(i);
        for (;;) {
          if (c >= 48 && c <= 57) {
            /* digit */
          } else if (c === 95 && isDigit(this.#ch(i + 1))) underscore = true;
          else break;
          c = ++i < end ? s.charCodeAt(i) : -1;
        }
      }
    }
    let v: number;
    if (!exp && digits <= 15) {
      v = scale === 0 ? mant : mant / (POW10[scale] as number);
      if (neg) v = -v;
    } else {
      const text = s.slice(p, i);
      v = Number(underscore ? text.replaceAll('_', '') : text);
    }
    this.#num = v;
    return this.#scanUnit(i);
  }

  /** Zinc: <unit> := <unitChar>* ; sets #unit (undefined when empty), reusing the last unit seen without allocating. */
  #scanUnit(start: number): number {
    const s = this.#s;
    const end = this.#end;
    let i = start;
    while (i < end && isUnitChar(s.charCodeAt(i))) i++;
    if (i === start) {
      this.#unit = undefined;
      return i;
    }
    const last = this.#lastUnit;
    const n = i - start;
    let same = n === last.length;
    for (let k = 0; same && k < n; k++) same = s.charCodeAt(start + k) === last.charCodeAt(k);
    if (same) this.#unit = last;
    else {
      this.#checkToken(start, i);
      const u = s.slice(start, i);
      this.#lastUnit = u;
      this.#unit = u;
    }
    return i;
  }

  // Where the last DateTime's date was read, and its day number (see #scanDateTime).
  #lastDatePos = -1;
  #lastDay = 0;
  #dY = 0;
  #dMo = 0;
  #dD = 0;
  #tH = 0;
  #tM = 0;
  #tS = 0;
  #tNanos = 0;

  #digits2(p: number, what: string): number {
    const a = this.#ch(p);
    const b = this.#ch(p + 1);
    if (!(isDigit(a) && isDigit(b))) this.#fail(isDigit(a) ? p + 1 : p, `two digits of ${what}`);
    return (a - 48) * 10 + (b - 48);
  }

  /** Zinc: <date> := YYYY-MM-DD ; sets #dY, #dMo, #dD. */
  #scanDate(p: number): number {
    const y = this.#digits2(p, 'a year') * 100 + this.#digits2(p + 2, 'a year');
    const mo = this.#digits2(p + 5, 'a month');
    if (this.#ch(p + 7) !== C_MINUS) this.#fail(p + 7, '- in a Date');
    const d = this.#digits2(p + 8, 'a day');
    if (mo < 1 || mo > 12) this.#fail(p + 5, 'a month 01-12', this.#s.slice(p + 5, p + 7));
    if (d < 1 || d > daysInMonth(y, mo)) this.#fail(p + 8, `a day of ${this.#s.slice(p, p + 7)}`, d);
    this.#dY = y;
    this.#dMo = mo;
    this.#dD = d;
    return p + 10;
  }

  /** Zinc: <time> := hh:mm:ss.FFFFFFFFF (seconds optional, 1-9 fraction digits); sets #tH, #tM, #tS, #tNanos. */
  #scanTime(p: number): number {
    const h = this.#digits2(p, 'an hour');
    if (this.#ch(p + 2) !== C_COLON) this.#fail(p + 2, ': in a Time');
    const m = this.#digits2(p + 3, 'a minute');
    if (h > 23) this.#fail(p, 'an hour 00-23', h);
    if (m > 59) this.#fail(p + 3, 'a minute 00-59', m);
    let sec = 0;
    let nanos = 0;
    let i = p + 5;
    if (this.#ch(i) === C_COLON) {
      sec = this.#digits2(i + 1, 'a second');
      if (sec > 59) this.#fail(i + 1, 'a second 00-59', sec);
      i += 3;
      if (this.#ch(i) === C_DOT) {
        i++;
        const start = i;
        let c = this.#ch(i);
        if (!isDigit(c)) this.#fail(i, 'a digit of a fraction');
        while (isDigit(c)) {
          if (i - start >= 9) this.#fail(i, 'at most 9 fraction digits');
          nanos = nanos * 10 + (c - 48);
          c = this.#ch(++i);
        }
        nanos *= POW10[9 - (i - start)] as number;
      }
    }
    this.#tH = h;
    this.#tM = m;
    this.#tS = sec;
    this.#tNanos = nanos;
    return i;
  }

  /**
   * Zinc: <dateTime> := YYYY-MM-DD'T'hh:mm:ss.FFFFFFFFFz zzzz ; the zone name may be left out only after
   * `Z` (meaning UTC). Sets #dtMs, #dtSub, #dtOffset, #dtTz; allocates nothing for a zone seen last time.
   */
  #scanDateTime(p: number): number {
    // Consecutive timestamps usually share their date: reuse the last day number when the 10 chars match.
    const s = this.#s;
    const lp = this.#lastDatePos;
    let same = lp >= 0;
    for (let k = 0; same && k < 10; k++) same = s.charCodeAt(p + k) === s.charCodeAt(lp + k);
    if (!same) {
      this.#scanDate(p);
      this.#lastDay = daysFromCivil(this.#dY, this.#dMo, this.#dD);
      this.#lastDatePos = p;
    }
    let i = this.#scanTime(p + 11);
    const c = this.#ch(i);
    let offset = 0;
    if (c === 90) i++;
    else if (c === C_PLUS || c === C_MINUS) {
      const oh = this.#digits2(i + 1, 'an offset hour');
      if (this.#ch(i + 3) !== C_COLON) this.#fail(i + 3, ': in an offset');
      const om = this.#digits2(i + 4, 'an offset minute');
      if (oh > 18 || om > 59) this.#fail(i, 'an offset within ±18:00', this.#s.slice(i, i + 6));
      offset = (oh * 3600 + om * 60) * (c === C_MINUS ? -1 : 1);
      i += 6;
    } else this.#fail(i, 'Z or an offset ±hh:mm');
    let tz: TimeZone;
    if (this.#ch(i) === C_SP && isAlphaHi(this.#ch(i + 1))) {
      const start = i + 1;
      const end = this.#end;
      let j = start + 1;
      while (j < end && isTzChar(s.charCodeAt(j))) j++;
      const last = this.#lastTzName;
      if (j - start === last.length && s.startsWith(last, start)) tz = this.#lastTz;
      else {
        const name = s.slice(start, j);
        const found = name.length <= 64 ? TimeZone.find(name) : undefined;
        if (found === undefined || found.name.includes('/'))
          this.#fail(start, 'a time zone name', JSON.stringify(name));
        tz = found;
        this.#lastTzName = name;
        this.#lastTz = found;
      }
      i = j;
    } else if (c === 90) tz = TimeZone.UTC;
    else return this.#fail(i, 'a space and a time zone name after the offset');
    const local =
      this.#lastDay * MS_PER_DAY +
      ((this.#tH * 60 + this.#tM) * 60 + this.#tS) * 1000 +
      Math.floor(this.#tNanos / 1_000_000);
    let ms = local - offset * 1000;
    // The stated offset fixes the instant and the zone gives the offset shown (HDateTime.fromParts, as Haxall):
    // a contradicting offset costs a second look, a consistent one only the zone's cached offset.
    let zoneOffset = tz.fixedOffset ?? tz.offsetAt(ms);
    if (zoneOffset !== offset) {
      ms = local - instantOffset(local, offset, tz) * 1000;
      zoneOffset = tz.offsetAt(ms);
      const shown = ms + zoneOffset * 1000;
      if (shown < MIN_LOCAL_MS || shown > MAX_LOCAL_MS)
        this.#failMsg(p, `expected a DateTime within years 0000-9999 in ${tz.name}`);
    }
    this.#dtMs = ms;
    this.#dtSub = this.#tNanos % 1_000_000;
    this.#dtOffset = zoneOffset;
    this.#dtTz = tz;
    return i;
  }

  /** A token starting with an uppercase letter: a keyword, an XStr `Type("...")` or a Coord `C(lat,lng)`. */
  #readUpper(p: number): Val {
    const s = this.#s;
    const end = this.#end;
    let i = p + 1;
    while (i < end && isIdPart(s.charCodeAt(i))) i++;
    const q = this.#sp(i);
    if (this.#ch(q) === C_LPAREN) {
      const r = this.#sp(q + 1);
      const c = this.#ch(r);
      if (i === p + 1 && s.charCodeAt(p) === 67 && (isDigit(c) || c === C_MINUS)) return this.#readCoord(r);
      const type = s.slice(p, i);
      if (c !== C_QUOTE && this.#ver < 3 && type === 'Bin') return this.#readOldBin(r);
      if (c !== C_QUOTE) this.#fail(r, `a string in ${type}(...)`);
      const val = this.#readStr(r);
      const t = this.#sp(this.#pos);
      if (this.#ch(t) !== C_RPAREN) this.#fail(t, `) after ${type}("...")`);
      this.#pos = t + 1;
      return new XStr(type, val);
    }
    if (s.startsWith('INF', p)) {
      const v = this.#readInf(p, Number.POSITIVE_INFINITY);
      if (v !== undefined) return v;
    }
    this.#pos = i;
    switch (i - p) {
      case 2:
        if (s.startsWith('NA', p)) return NA;
        break;
      case 3:
        if (s.startsWith('NaN', p)) return new Num(Number.NaN);
        break;
      default:
    }
    return this.#fail(p, 'a value', `identifier ${JSON.stringify(s.slice(p, i))}`);
  }

  /** Zinc: <coord> := "C(" <coordDeg> "," <coordDeg> ")" ; <coordDeg> := ["-"] <digits> ["." <digits>] */
  #readCoord(p: number): Coord {
    const latEnd = this.#scanCoordDeg(p);
    const lat = this.#num;
    let i = this.#sp(latEnd);
    if (this.#ch(i) !== C_COMMA) this.#fail(i, ', in a Coord');
    i = this.#sp(i + 1);
    const lngEnd = this.#scanCoordDeg(i);
    const lng = this.#num;
    i = this.#sp(lngEnd);
    if (this.#ch(i) !== C_RPAREN) this.#fail(i, ') to close a Coord');
    if (!(lat >= -90 && lat <= 90)) this.#fail(p, 'a latitude within ±90', lat);
    if (!(lng >= -180 && lng <= 180)) this.#fail(i, 'a longitude within ±180', lng);
    this.#pos = i + 1;
    return new Coord(lat, lng);
  }

  #scanCoordDeg(p: number): number {
    const s = this.#s;
    let i = p;
    if (this.#ch(i) === C_MINUS) i++;
    if (!isDigit(this.#ch(i))) this.#fail(i, 'a digit of a Coord');
    while (isDigit(this.#ch(i)) || (this.#ch(i) === 95 && isDigit(this.#ch(i + 1)))) i++;
    if (this.#ch(i) === C_DOT) {
      if (!isDigit(this.#ch(i + 1))) this.#fail(i + 1, 'a digit after .');
      i++;
      while (isDigit(this.#ch(i)) || (this.#ch(i) === 95 && isDigit(this.#ch(i + 1)))) i++;
    }
    this.#num = Number(s.slice(p, i).replaceAll('_', ''));
    return i;
  }

  /** Zinc 2.0: `Bin(mime)` with an unquoted MIME type, read as the XStr `Bin("mime")`. */
  #readOldBin(p: number): XStr {
    const close = this.#s.indexOf(')', p);
    const nl = this.#s.indexOf('\n', p);
    if (close < 0 || close >= this.#end || (nl >= 0 && nl < close)) this.#fail(p, ') to close Bin(...)');
    this.#pos = close + 1;
    return new XStr('Bin', this.#s.slice(p, close).trim());
  }

  // ---------------------------------------------------------------------------------------------
  // Collections

  /** Zinc: <list> := "[" (<val> ",")* "]" (trailing comma optional). */
  #readList(p: number): List {
    this.#enter(p);
    let i = this.#sp(p + 1);
    if (this.#ch(i) === C_RBRACKET) {
      this.#pos = i + 1;
      this.#depth--;
      return EMPTY_LIST;
    }
    const out: Val[] = [];
    this.#pos = i;
    for (;;) {
      out.push(this.readVal());
      i = this.#sp(this.#pos);
      const c = this.#ch(i);
      if (c === C_COMMA) {
        i = this.#sp(i + 1);
        if (this.#ch(i) === C_RBRACKET) break;
        this.#pos = i;
        continue;
      }
      if (c === C_RBRACKET) break;
      this.#fail(i, ', or ]');
    }
    this.#pos = i + 1;
    this.#depth--;
    return Object.freeze(out);
  }

  /**
   * Zinc: <dict> := "{" <tagsCommaOk> "}" when `braces`, else <tagsNoComma> up to the end of the line
   * (grid and column meta). Starts after the `{`.
   */
  #readDict(braces: boolean): Dict {
    this.#enter(this.#pos);
    const s = this.#s;
    const end = this.#end;
    // Names and values in arrays rather than a Map: most dicts have a few tags, whose duplicates a scan finds
    // faster than a Map inserts them (with the shape below, Alpha + Bravo decode 3.5 % faster); a Set takes over
    // past DUP_SCAN names, so that a dict of many tags is not quadratic.
    const names: string[] = [];
    const vals: TagVal[] = [];
    let seen: Set<string> | undefined;
    let any = false;
    let i = this.#sp(this.#pos);
    for (;;) {
      const c = i < end ? s.charCodeAt(i) : -1;
      if (!isAlphaLo(c)) {
        if (braces) {
          if (c === C_RBRACE) {
            i++;
            break;
          }
          this.#fail(i, any ? 'a tag name, , or }' : 'a tag name or }');
        }
        break;
      }
      const start = i;
      i++;
      while (i < end && isIdPart(s.charCodeAt(i))) i++;
      const name = s.slice(start, i);
      any = true;
      const j = this.#sp(i);
      let v: Val = MARKER;
      if (this.#ch(j) === C_COLON) {
        this.#pos = j + 1;
        v = this.readVal();
        i = this.#sp(this.#pos);
      } else i = j;
      if (v !== null) {
        const n = names.length;
        if (n === DUP_SCAN) seen = new Set(names);
        if (seen === undefined ? names.includes(name) : seen.size === seen.add(name).size) {
          this.#failMsg(start, `duplicate tag name ${name}`);
        }
        names.push(name);
        vals.push(v);
      }
      if (braces && this.#ch(i) === C_COMMA) i = this.#sp(i + 1);
    }
    this.#pos = i;
    this.#depth--;
    // The values are kept by the Dict: an exact-size copy, not the grown array with its spare capacity.
    if (names.length === 0) return Dict.EMPTY;
    // Dicts in one column mostly repeat their names: the last one's shape is tried before the shared shapes.
    const d = trustedDict(names, vals.slice(), this.#dictShape);
    this.#dictShape = d.shape;
    return d;
  }

  // ---------------------------------------------------------------------------------------------
  // Grids

  #startsGrid(p: number): boolean {
    const s = this.#s;
    return s.startsWith('ver', p) && this.#ch(this.#sp(p + 3)) === C_COLON;
  }

  /** Zinc: <ver> := "ver:" <str> ; 3.0, or 2.0 (read the same, except the old `Bin(mime)` form). */
  #readVer(): void {
    const p = this.#pos;
    if (!this.#startsGrid(p)) this.#fail(p, 'ver:"3.0"');
    const q = this.#sp(this.#sp(p + 3) + 1);
    if (this.#ch(q) !== C_QUOTE) this.#fail(q, 'a version string such as "3.0"');
    const ver = this.#readStr(q);
    if (ver === '3.0') this.#ver = 3;
    else if (ver === '2.0') this.#ver = 2;
    else this.#fail(q, 'version "3.0" or "2.0"', JSON.stringify(ver));
  }

  /** Grid meta tags after `ver`, then the newline. */
  #readMetaLine(): Dict {
    const p = this.#sp(this.#pos);
    let meta = Dict.EMPTY;
    if (isAlphaLo(this.#ch(p))) {
      this.#pos = p;
      meta = this.#readDict(false);
    }
    const q = this.#sp(this.#pos);
    this.#pos = this.#nl(q);
    return meta;
  }

  /** Zinc: <cols> := <col> ("," <col>)* <nl> ; <col> := <id> <tagsNoComma> */
  #readCols(): readonly GridCol[] {
    const s = this.#s;
    const end = this.#end;
    const cols: GridCol[] = [];
    const names = new Set<string>();
    let i = this.#sp(this.#pos);
    for (;;) {
      if (!isAlphaLo(this.#ch(i))) this.#fail(i, 'a column name');
      const start = i;
      i++;
      while (i < end && isIdPart(s.charCodeAt(i))) i++;
      const name = s.slice(start, i);
      if (names.has(name)) this.#failMsg(start, `duplicate column name ${name}`);
      names.add(name);
      if (names.size > this.#limits.maxCols) limitExceeded(this.#format, 'maxCols', this.#limits.maxCols);
      i = this.#sp(i);
      let meta = Dict.EMPTY;
      if (isAlphaLo(this.#ch(i))) {
        this.#pos = i;
        meta = this.#readDict(false);
        i = this.#sp(this.#pos);
      }
      cols.push(Object.freeze({ name, meta }));
      const c = this.#ch(i);
      if (c === C_COMMA) {
        i = this.#sp(i + 1);
        continue;
      }
      if (c === C_NL || c === C_CR || c === -1) break;
      this.#fail(i, ', or a newline after a column');
    }
    this.#pos = i < end ? this.#nl(i) : i;
    return Object.freeze(cols);
  }

  /** Zinc: <grid> := <gridMeta> <cols> [<row>]* ; nested grids sit between `<<` and `>>`. */
  #readGrid(nested: boolean): Grid {
    const startPos = this.#pos;
    this.#enter(startPos);
    const outerVer = this.#ver;
    if (nested) {
      let p = this.#sp(this.#pos);
      if (this.#ch(p) === C_NL || this.#ch(p) === C_CR) p = this.#nl(p);
      this.#pos = this.#sp(p);
    }
    this.#readVer();
    const meta = this.#readMetaLine();
    const cols = this.#readCols();
    let grid: Grid | undefined;
    if (this.#columnar && cols.length === 2 && cols[0]?.name === 'ts' && cols[1]?.name === 'val') {
      const his = new HisRead();
      this.#readHisRows(nested, his);
      const b = his.builder;
      if (his.ended) grid = Grid.fromTrustedParts(meta, cols, b === undefined || b.size === 0 ? [] : b.build());
      else grid = Grid.fromTrustedParts(meta, cols, this.#readRows(cols, nested, b));
    } else grid = Grid.fromTrustedParts(meta, cols, this.#readRows(cols, nested, undefined));
    this.#finishGrid(nested);
    this.#ver = outerVer;
    this.#depth--;
    return grid;
  }

  /** After the rows: a nested grid needs `>>` (blank lines before it are allowed). */
  #finishGrid(nested: boolean): void {
    if (!nested) return;
    const p = this.#skipBlank(this.#pos);
    if (this.#ch(p) !== C_GT || this.#ch(p + 1) !== C_GT) this.#fail(p, '>> to close a nested grid');
    this.#pos = p + 2;
  }

  /**
   * At a row start (after spaces): true if the grid ends here, consuming a blank line. The end is
   * the end of the text, a blank line, or `>>` in a nested grid.
   */
  #atGridEnd(p: number, nested: boolean): boolean {
    const c = this.#ch(p);
    if (c === -1) {
      if (nested) this.#fail(p, '>> to close a nested grid');
      this.#pos = p;
      return true;
    }
    if (c === C_NL || c === C_CR) {
      this.#pos = this.#nl(p);
      return true;
    }
    if (nested && c === C_GT && this.#ch(p + 1) === C_GT) {
      this.#pos = p;
      return true;
    }
    return false;
  }

  #readRows(cols: readonly GridCol[], nested: boolean, his: HisColumnsBuilder | undefined): Dict[] {
    const rows: Dict[] = [];
    const compact = new CompactRows(rowShape(cols));
    if (his !== undefined && his.size > 0) {
      const src = his.build();
      for (let i = 0; i < src.size; i++) rows.push(src.row(i));
    }
    const maxRows = this.#limits.maxRows;
    for (;;) {
      const p = this.#sp(this.#pos);
      if (this.#atGridEnd(p, nested)) break;
      this.#pos = p;
      rows.push(this.#readRowCells(compact, nested));
      if (rows.length > maxRows) limitExceeded(this.#format, 'maxRows', maxRows);
      const q = this.#pos;
      if (q >= this.#end) {
        if (nested) this.#fail(q, '>> to close a nested grid');
        break;
      }
      this.#pos = this.#expectRowEnd(q, nested);
    }
    return rows;
  }

  /** After a row's last cell: a newline, or `>>` in a nested grid (left for #finishGrid). */
  #expectRowEnd(p: number, nested: boolean): number {
    const c = this.#ch(p);
    if (c === C_NL || c === C_CR) return this.#nl(p);
    if (nested && c === C_GT && this.#ch(p + 1) === C_GT) return p;
    return this.#fail(p, ', or a newline after a cell');
  }

  /**
   * Zinc: <row> := <cell> ("," <cell>)* ; an empty cell is null. Leaves #pos after the last cell's spaces. Rows
   * share the grid's shape, so lookups can cache a slot per grid, but hold only their non-null cells.
   */
  #readRowCells(rows: CompactRows, nested: boolean): Dict {
    const s = this.#s;
    const end = this.#end;
    const cells = rows.values;
    const slots = rows.slots;
    const last = rows.shape.size - 1;
    let n = 0;
    let hash = 0;
    let i = this.#pos;
    let k = 0;
    for (;;) {
      let c = i < end ? s.charCodeAt(i) : -1;
      if (c === C_COMMA && k < last) {
        // A run of empty cells (most of a sparse grid): only the index moves, up to the last cell's comma.
        const from = i;
        const lim = Math.min(end, i + last - k);
        do i++;
        while (i < lim && s.charCodeAt(i) === C_COMMA);
        k += i - from;
        c = i < end ? s.charCodeAt(i) : -1;
      }
      while (c === C_SP || c === C_TAB) c = ++i < end ? s.charCodeAt(i) : -1;
      if (
        c !== C_COMMA &&
        c !== C_NL &&
        c !== C_CR &&
        c !== -1 &&
        !(nested && c === C_GT && this.#ch(i + 1) === C_GT)
      ) {
        let v: Val;
        // Markers and strings are most cells of entity grids: read them here without the dispatch.
        if (c === 77 && !isIdPart((c = i + 1 < end ? s.charCodeAt(i + 1) : -1)) && c !== C_LPAREN && c !== C_SP) {
          v = MARKER;
          i++;
        } else {
          v = s.charCodeAt(i) === C_QUOTE ? this.#readStr(i) : this.#val(i);
          i = this.#pos;
          c = i < end ? s.charCodeAt(i) : -1;
        }
        while (c === C_SP || c === C_TAB) c = ++i < end ? s.charCodeAt(i) : -1;
        if (v !== null) {
          cells[n] = v;
          slots[n++] = k;
          hash = (hash * 31 + k + 1) | 0;
        }
      }
      if (k === last) break;
      if (c !== C_COMMA) this.#fail(i, `, before cell ${k + 2} of ${last + 1}`);
      i++;
      k++;
    }
    this.#pos = i;
    if (n === 0) return Dict.EMPTY;
    return rows.row(n, hash);
  }

  /**
   * History fast path for a `ts,val` grid: rows go into typed columns while every `ts` is a DateTime
   * in the first row's zone (#scanDateTime gives every DateTime its zone's offset, so any stated offset fits). At the first row that does not
   * fit, it stops before that row and the generic loop goes on (with the rows read so far).
   */
  #readHisRows(nested: boolean, out: HisRead): void {
    const s = this.#s;
    const end = this.#end;
    const maxRows = this.#limits.maxRows;
    let his: HisColumnsBuilder | undefined;
    for (;;) {
      const rowStart = this.#pos;
      let p = this.#sp(rowStart);
      if (this.#atGridEnd(p, nested)) {
        out.ended = true;
        break;
      }
      // ts: a DateTime in the grid's zone.
      if (!(isDigit(this.#ch(p)) && this.#ch(p + 4) === C_MINUS && this.#ch(p + 10) === 84)) break;
      p = this.#scanDateTime(p);
      const ms = this.#dtMs;
      const sub = this.#dtSub;
      const tz = this.#dtTz;
      if (his === undefined) out.builder = his = new HisColumnsBuilder(tz);
      else if (tz !== his.tz) break;
      p = this.#sp(p);
      if (this.#ch(p) !== C_COMMA) break;
      p = this.#sp(p + 1);
      // val: a Number scanned without allocating; Strs and Bools are read without allocating anyway.
      const c = p < end ? s.charCodeAt(p) : -1;
      let isNum = false;
      let other: Val = null;
      if (
        (c >= 48 && c <= 57 && this.#ch(p + 2) !== C_COLON && this.#ch(p + 4) !== C_MINUS) ||
        (c === C_MINUS && isDigit(this.#ch(p + 1)))
      ) {
        p = this.#scanNumber(p);
        isNum = true;
      } else if (
        !(c === C_COMMA || c === C_NL || c === C_CR || c === -1 || (nested && c === C_GT && this.#ch(p + 1) === C_GT))
      ) {
        this.#pos = p;
        other = this.readVal();
        p = this.#pos;
      }
      p = this.#sp(p);
      // Row end: a newline, the end of the text, or `>>` of a nested grid; anything else goes back to the generic loop.
      const e = p < end ? s.charCodeAt(p) : -1;
      if (e === C_NL) this.#pos = p + 1;
      else if (e === C_CR) this.#pos = this.#nl(p);
      else if (e === -1 && !nested) this.#pos = p;
      else if (nested && e === C_GT && this.#ch(p + 1) === C_GT) this.#pos = p;
      else {
        this.#pos = rowStart;
        break;
      }
      if (isNum) his.addNum(ms, sub, this.#num, this.#unit);
      else if (typeof other === 'string') his.addStr(ms, sub, other);
      else if (typeof other === 'boolean') his.addBool(ms, sub, other);
      else his.addOther(ms, sub, other);
      if (his.size > maxRows) limitExceeded(this.#format, 'maxRows', maxRows);
      if (e === -1 || e === C_GT) {
        out.ended = true;
        break;
      }
    }
  }
}

/** The shape of a grid's rows: its column names in order. */
function rowShape(cols: readonly GridCol[]): DictShape {
  return DictShape.of(cols.map((c) => c.name));
}

/** What the history fast path read: its rows, and whether it reached the end of the grid. */
class HisRead {
  builder: HisColumnsBuilder | undefined = undefined;
  ended = false;
}

/**
 * Decode Zinc text: a whole grid (starting `ver:`) or a single value (scalar, list, dict, `<<grid>>`).
 * The whole input must be consumed. Throws ParseError (with line and column) or LimitError.
 * With `{ plain: true }` (or {@link PlainOptions}) the result is ordinary JS values ({@link toPlain}).
 */
export function decodeZinc(text: string, limits?: Partial<DecodeLimits>, options?: ValDecodeOptions): Val;
export function decodeZinc(
  text: string,
  limits: Partial<DecodeLimits> | undefined,
  options: PlainDecodeOptions,
): PlainValue;
export function decodeZinc(text: string, limits?: Partial<DecodeLimits>, options?: DecodeOptions): Val | PlainValue;
export function decodeZinc(text: string, limits?: Partial<DecodeLimits>, options?: DecodeOptions): Val | PlainValue {
  const v = new ZincReader(text, limits === undefined ? undefined : { limits }).readTop();
  return options?.plain === undefined ? v : asPlainAsked(v, options.plain);
}

/** Decode one Zinc value (not a top-level `ver:` grid); the whole input must be consumed. `plain` as in {@link decodeZinc}. */
export function decodeZincValue(text: string, options?: ZincReaderOptions & ValDecodeOptions): Val;
export function decodeZincValue(text: string, options: ZincReaderOptions & PlainDecodeOptions): PlainValue;
export function decodeZincValue(text: string, options?: ZincReaderOptions & DecodeOptions): Val | PlainValue;
export function decodeZincValue(text: string, options?: ZincReaderOptions & DecodeOptions): Val | PlainValue {
  const r = new ZincReader(text, options);
  const v = r.readVal();
  r.expectEnd();
  return options?.plain === undefined ? v : asPlainAsked(v, options.plain);
}

/** Decode a Zinc grid; throws ParseError if the text is not a grid. With `plain`, its rows as plain objects. */
export function decodeZincGrid(text: string, limits?: Partial<DecodeLimits>, options?: ValDecodeOptions): Grid;
export function decodeZincGrid(
  text: string,
  limits: Partial<DecodeLimits> | undefined,
  options: PlainDecodeOptions,
): PlainObject[];
export function decodeZincGrid(
  text: string,
  limits?: Partial<DecodeLimits>,
  options?: DecodeOptions,
): Grid | PlainObject[];
export function decodeZincGrid(
  text: string,
  limits?: Partial<DecodeLimits>,
  options?: DecodeOptions,
): Grid | PlainObject[] {
  const r = new ZincReader(text, limits === undefined ? undefined : { limits });
  const g = r.readGrid();
  r.expectEnd();
  return options?.plain === undefined || options.plain === false
    ? g
    : (asPlainAsked(g, options.plain) as PlainObject[]);
}
