// Hayson (Haystack JSON v4) text reader: one pass over the characters straight into typed values.

import { LimitError, ParseError } from '../../errors.js';
import { Dict, type TagVal } from '../../grid/dict.js';
import { Grid, type GridCol } from '../../grid/grid.js';
import { ownString } from '../../grid/own-string.js';
import { RowAssembler } from '../../grid/row-assembler.js';
import { isTagName } from '../../grid/tag-name.js';
import type { HDateTime } from '../../kinds/date-time.js';
import type { List, Val } from '../../kinds/kind.js';
import { MARKER } from '../../kinds/marker.js';
import { Num } from '../../kinds/number.js';
import { isRefChar, type Ref, trustedRef } from '../../kinds/ref.js';
import { type DecodeLimits, limitExceeded, rowTooLong } from '../limits.js';
import type { DecodeSteps } from '../steps.js';
import { lineColumn } from '../text-position.js';
import { isKnownTagName, MemberError, makeScalar } from './hayson-kinds.js';
import { describeAt, escapeEnd, escapeExpected } from './json-syntax.js';

/**
 * JSON text as the readers take it: a leading byte-order mark dropped, and a LimitError (`maxLength`) past the
 * limit before any of it is read.
 */
export function jsonTextBody(text: string, limits: DecodeLimits): string {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (body.length > limits.maxLength) limitExceeded('json', 'maxLength', limits.maxLength);
  return body;
}

/**
 * Read Hayson text. Measured faster than `JSON.parse` followed by a typed walk (no intermediate
 * objects, and `{"_kind":"marker"}` costs no allocation), and every error has an exact position.
 * The grammar is RFC 8259 JSON: whatever `JSON.parse` rejects, this rejects too. Limits are
 * enforced as the characters are read.
 */
export function readHaysonText(text: string, limits: DecodeLimits): Val {
  const r = new HaysonTextReader(text, limits);
  const v = r.value(0);
  r.end();
  return v;
}

/**
 * Read Hayson text that must be a grid, pausing after every `sliceChars` of rows (see {@link DecodeSteps}): the
 * rows array is read a row at a time, the other members (meta, cols) in one step each. Limits (rows, columns,
 * depth, token length) are enforced as the text is read, so a body past a limit fails at that point; so is
 * `maxRowChars`, for each row and each other member (a value starting past it fails). The result
 * is the grid {@link readHaysonText} reads from the same text; a value that is not a grid is a ParseError.
 */
export function* readHaysonGridSteps(
  text: string,
  limits: DecodeLimits,
  sliceChars: number,
  maxRowChars = Number.POSITIVE_INFINITY,
): DecodeSteps<Grid> {
  const r = new HaysonTextReader(text, limits);
  const g = yield* r.topGrid(sliceChars, maxRowChars);
  r.end();
  return g;
}

/**
 * Read the text of a WebSocket message (an envelope object, or an array of them) pausing after every `sliceChars`:
 * each envelope member named `grid` is read as {@link readHaysonGridSteps} reads a grid, a row at a time; every other
 * member, and any value that is no envelope, in one step, failing when it starts past `maxRowChars` of its start.
 * The value is the one {@link readHaysonText} reads from the same text; an array of more than `maxBatch` elements
 * fails there ({@link batchTooLong}).
 */
export function* readHaysonMessageSteps(
  text: string,
  limits: DecodeLimits,
  sliceChars: number,
  maxRowChars: number,
  maxBatch = Number.POSITIVE_INFINITY,
): DecodeSteps<Val> {
  const r = new HaysonTextReader(text, limits);
  const v = yield* r.message(sliceChars, maxRowChars, maxBatch);
  r.end();
  return v;
}

/** The error for a WebSocket batch of more than `max` members, thrown before any more of it is read. */
export function batchTooLong(max: number): never {
  throw new LimitError('maxBatch', `A batch may hold at most ${String(max)} requests`);
}

/**
 * Reads the dicts of Hayson text that arrives in pieces (a file read in chunks): the rows of a grid, or the elements
 * of a list of dicts, each as soon as its text is complete. Only the text of the row being read is held, and the
 * text around the rows (meta, cols) is read as {@link readHaysonText} reads it, so malformed text fails with its
 * line and column in the whole text. Limits apply as in a whole-text decode.
 */
export class HaysonDictStream {
  readonly #r: HaysonTextReader;
  readonly #steps: Generator<Dict | undefined, boolean, undefined>;
  #done = false;
  #started = false;
  // Text pushed while the reader waits for as much again as it holds of the row it is inside (rereading a long
  // row as its text arrives stays linear).
  #pending: string[] = [];
  #pendingChars = 0;
  #need = 0;

  constructor(limits: DecodeLimits) {
    this.#r = new HaysonTextReader('', limits, false);
    this.#steps = this.#r.dicts(new GridParts(limits.maxCols), true, Number.POSITIVE_INFINITY);
  }

  /** More text; the dicts it completes. */
  push(text: string): Dict[] {
    // A byte-order mark before the value is no part of it.
    this.#pending.push(this.#started || text.charCodeAt(0) !== 0xfeff ? text : text.slice(1));
    this.#started ||= text.length > 0;
    this.#pendingChars += text.length;
    return this.#pendingChars < this.#need ? [] : this.#run(false);
  }

  /** The end of the text: the dicts it completes; a ParseError if the text is not a whole grid or list of dicts. */
  end(): Dict[] {
    const out = this.#run(true);
    this.#r.end();
    return out;
  }

  #run(final: boolean): Dict[] {
    this.#r.feed(this.#pending.join(''), final);
    this.#pending = [];
    this.#pendingChars = 0;
    const out: Dict[] = [];
    while (!this.#done) {
      const r = this.#steps.next();
      if (r.done === true) this.#done = true;
      else if (r.value === undefined) break;
      else out.push(r.value);
    }
    this.#need = this.#r.held();
    return out;
  }
}

// DateTimes a reader keeps for reuse (see scalar), at most.
const MAX_DATE_TIMES = 256;

// Thrown by the reader of text that is still arriving, where the text so far ends inside a value.
const MORE = new Error('more text needed');

// Member names seen before, by hash: a small direct-mapped cache shared by every decode.
const KEY_MASK = 4095;
const KEYS: (string | undefined)[] = new Array<string | undefined>(KEY_MASK + 1);
// Per slot, the grid (by generation) that has the slot's name as a column: rows test it without hashing; and the
// name's slot in that grid's RowAssembler (-1: put by name), so that rows put their cells without a lookup.
const KEY_GRID = new Int32Array(KEY_MASK + 1);
const KEY_COL = new Int32Array(KEY_MASK + 1);
let gridGeneration = 0;

function nextGridGeneration(): number {
  if (gridGeneration === 0x7fffffff) {
    KEY_GRID.fill(0);
    gridGeneration = 0;
  }
  return ++gridGeneration;
}

// `s.startsWith(w, at)` for short `w`, compared here: measured cheaper than the builtin call on this hot path.
function sameAt(s: string, at: number, w: string): boolean {
  const n = w.length;
  for (let k = 0; k < n; k++) if (s.charCodeAt(at + k) !== w.charCodeAt(k)) return false;
  return true;
}

// The words readers test most, spelt out char by char: with constant codes each compiles to a few compares, which
// measured cheaper than a loop over a constant word (sameAt).

// `"_kind"` at `at`, the quote aside (the caller has seen it).
function isKindName(s: string, at: number): boolean {
  return three(s, at + 1, 0x5f, 0x6b, 0x69) && three(s, at + 4, 0x6e, 0x64, 0x22);
}

// `"marker"` at `at`, the quote aside: the commonest kind of all.
function isMarkerKind(s: string, at: number): boolean {
  return three(s, at + 1, 0x6d, 0x61, 0x72) && three(s, at + 4, 0x6b, 0x65, 0x72) && s.charCodeAt(at + 7) === 0x22;
}

// A quoted three-letter word at `at` (`"ref"`, `"val"`, `"dis"`).
function isWord3(s: string, at: number, a: number, b: number, c: number): boolean {
  return s.charCodeAt(at) === 0x22 && three(s, at + 1, a, b, c) && s.charCodeAt(at + 4) === 0x22;
}

function three(s: string, at: number, a: number, b: number, c: number): boolean {
  return s.charCodeAt(at) === a && s.charCodeAt(at + 1) === b && s.charCodeAt(at + 2) === c;
}

// RFC 8259: ws = *( %x20 / %x09 / %x0A / %x0D ); the index of the first char after it.
function skipWs(s: string, i: number): number {
  let c = s.charCodeAt(i);
  while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = s.charCodeAt(++i);
  return i;
}

// From `at` (past a ','): the opening quote of the string value of the member named by the quoted three-letter
// word `abc`, or -1 when something else is there.
function stringMemberAt(s: string, at: number, a: number, b: number, c: number): number {
  let i = skipWs(s, at);
  if (!isWord3(s, i, a, b, c)) return -1;
  i = skipWs(s, i + 5);
  if (s.charCodeAt(i) !== 0x3a) return -1;
  i = skipWs(s, i + 1);
  return s.charCodeAt(i) === 0x22 ? i : -1;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

class HaysonTextReader {
  #s: string;
  #i = 0;
  readonly #maxDepth: number;
  readonly #maxRows: number;
  readonly #maxCols: number;
  readonly #maxToken: number;
  // The KEYS slot of the name key() returned last, or -1.
  #slot = -1;
  // Stepped reads: a value may not start past #rowEnd, the end allowed to the row (or member) being read.
  #rowEnd = Number.POSITIVE_INFINITY;
  #maxRowChars = Number.POSITIVE_INFINITY;
  // Text still arriving (see feed): false until its end; the line and column where the text held starts.
  #final: boolean;
  #line0 = 1;
  #col0 = 1;
  // DateTimes read so far, by `val`, with the `tz` they were read with.
  #dateTimes: Map<string, { readonly tz: string; readonly dt: HDateTime }> | undefined;

  constructor(text: string, limits: DecodeLimits, final = true) {
    this.#s = text;
    this.#maxDepth = limits.maxDepth;
    this.#maxRows = limits.maxRows;
    this.#maxCols = limits.maxCols;
    this.#maxToken = limits.maxTokenLength;
    this.#final = final;
  }

  /** Text that arrives in pieces: drops what was read and appends `text` (`final`: the last of it). */
  feed(text: string, final: boolean): void {
    const at = this.where(this.#i);
    this.#line0 = at.line;
    this.#col0 = at.column;
    this.#s = this.#s.slice(this.#i) + text;
    this.#i = 0;
    // The DateTimes kept are keyed by views into the text let go.
    this.#dateTimes = undefined;
    this.#final = final;
  }

  /** Chars held from the reader on: for text still arriving, the start of a row or member it is waiting to end. */
  held(): number {
    return this.#s.length - this.#i;
  }

  // ----- errors -----

  /** Line and column of `at` in the whole text (the text held may start past its beginning). */
  where(at: number): { line: number; column: number } {
    const { line, column } = lineColumn(this.#s, at);
    return { line: line + this.#line0 - 1, column: line === 1 ? column + this.#col0 - 1 : column };
  }

  fail(at: number, reason: string): never {
    // Text still arriving with nothing but whitespace from here on may go on: the caller reads the unit again.
    if (!this.#final) {
      const s = this.#s;
      let i = at;
      for (let c = s.charCodeAt(i); c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09; ) c = s.charCodeAt(++i);
      if (i >= s.length) throw MORE;
    }
    const { line, column } = this.where(at);
    throw new ParseError('json', line, column, reason);
  }

  unexpected(expected: string): never {
    return this.fail(this.#i, `expected ${expected} but found ${describeAt(this.#s, this.#i)}`);
  }

  // ----- lexical -----

  // RFC 8259: ws = *( %x20 / %x09 / %x0A / %x0D ); returns the next significant char (NaN at the end).
  ws(): number {
    const s = this.#s;
    let i = this.#i;
    let c = s.charCodeAt(i);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = s.charCodeAt(++i);
    this.#i = i;
    return c;
  }

  colon(): void {
    if (this.ws() !== 0x3a) this.unexpected("':' after the member name");
    this.#i++;
  }

  /** After the top-level value only whitespace may follow. */
  end(): void {
    this.ws();
    if (this.#i < this.#s.length) this.unexpected('end of input after the JSON value');
  }

  // RFC 8259: string = quotation-mark *char quotation-mark; the reader stands on the opening quote.
  string(): string {
    const s = this.#s;
    const start = ++this.#i;
    let i = start;
    let escaped = false;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) {
        escaped = true;
        const end = escapeEnd(s, i);
        if (end < 0) {
          this.#i = ~end;
          this.unexpected(escapeExpected(s, ~end));
        }
        i = end;
        continue;
      }
      if (!(c >= 0x20)) {
        this.#i = i;
        if (i >= s.length) this.unexpected("'\"' to end the string");
        this.unexpected("an escape such as '\\n' (control characters must be escaped in strings)");
      }
      i++;
    }
    if (i - start > this.#maxToken) limitExceeded('json', 'maxTokenLength', this.#maxToken);
    this.#i = i + 1;
    // The escapes are valid by now; the platform decodes them.
    return escaped ? (JSON.parse(s.slice(start - 1, i + 1)) as string) : s.slice(start, i);
  }

  /**
   * A member name: like {@link string}, but names repeat, so a name seen before comes back as the
   * same string without allocating (keeps garbage down and the decoded dicts sharing their keys).
   */
  key(): string {
    const s = this.#s;
    const start = this.#i + 1;
    let i = start;
    let h = 0;
    for (;;) {
      const c = s.charCodeAt(i);
      if (c === 0x22) break;
      // Escapes, control characters and the end of input take the general path.
      if (c === 0x5c || !(c >= 0x20)) {
        this.#slot = -1;
        return this.string();
      }
      h = (Math.imul(h, 31) + c) | 0;
      i++;
    }
    const len = i - start;
    const slot = (h ^ len) & KEY_MASK;
    const known = KEYS[slot];
    this.#i = i + 1;
    if (known !== undefined && known.length === len && sameAt(s, start, known)) {
      this.#slot = slot;
      return known;
    }
    if (len > this.#maxToken) limitExceeded('json', 'maxTokenLength', this.#maxToken);
    // Only short names are worth keeping; a colliding name simply replaces the old one.
    if (len > 64) {
      this.#slot = -1;
      return s.slice(start, i);
    }
    // A name of its own: the cache outlives the text, and comparing with a flat string is the cheaper compare.
    const k = ownString(s.slice(start, i));
    KEYS[slot] = k;
    KEY_GRID[slot] = 0;
    this.#slot = slot;
    return k;
  }

  // RFC 8259: number = [ minus ] int [ frac ] [ exp ]
  number(): number {
    const s = this.#s;
    const start = this.#i;
    let i = start;
    let c = s.charCodeAt(i);
    const neg = c === 0x2d;
    if (neg) c = s.charCodeAt(++i);
    let v = 0;
    let digits = 0;
    if (c === 0x30) {
      c = s.charCodeAt(++i);
      digits = 1;
    } else if (c >= 0x31 && c <= 0x39) {
      do {
        v = v * 10 + (c - 0x30);
        digits++;
        c = s.charCodeAt(++i);
      } while (isDigit(c));
    } else {
      this.#i = i;
      this.unexpected('a digit');
    }
    // Up to 15 digits an integer accumulated in a double is exact.
    let exact = digits <= 15;
    if (c === 0x2e) {
      exact = false;
      c = s.charCodeAt(++i);
      if (!isDigit(c)) {
        this.#i = i;
        this.unexpected('a digit after the decimal point');
      }
      while (isDigit(c)) c = s.charCodeAt(++i);
    }
    if (c === 0x65 || c === 0x45) {
      exact = false;
      c = s.charCodeAt(++i);
      if (c === 0x2b || c === 0x2d) c = s.charCodeAt(++i);
      if (!isDigit(c)) {
        this.#i = i;
        this.unexpected('a digit in the exponent');
      }
      while (isDigit(c)) c = s.charCodeAt(++i);
    }
    if (i - start > this.#maxToken) limitExceeded('json', 'maxTokenLength', this.#maxToken);
    this.#i = i;
    if (exact) return neg ? -v : v;
    return Number(s.slice(start, i));
  }

  word<T>(w: string, v: T): T {
    const s = this.#s;
    const i = this.#i;
    if (!s.startsWith(w, i)) {
      let k = 0;
      while (s.charCodeAt(i + k) === w.charCodeAt(k)) k++;
      this.#i = i + k;
      this.unexpected(`'${w}'`);
    }
    this.#i = i + w.length;
    return v;
  }

  // ----- values -----

  /** The value at the reader; `depth` counts the lists, dicts and grids around it. */
  value(depth: number): Val {
    if (this.#i > this.#rowEnd) rowTooLong('json', this.#maxRowChars);
    const c = this.ws();
    if (c === 0x22) return this.string();
    if (c === 0x7b) return this.object(depth);
    if (c === 0x5b) return this.list(depth + 1);
    // Json: a bare number is a unitless Number
    if (c === 0x2d || isDigit(c)) return new Num(this.number());
    if (c === 0x74) return this.word('true', true);
    if (c === 0x66) return this.word('false', false);
    if (c === 0x6e) return this.word('null', null);
    return this.unexpected('a JSON value (object, array, string, number, true, false or null)');
  }

  /** Read and drop a value, checking its grammar (members a `_kind` object does not use). */
  skip(depth: number): void {
    if (this.#i > this.#rowEnd) rowTooLong('json', this.#maxRowChars);
    const c = this.ws();
    if (c === 0x22) this.string();
    else if (c === 0x2d || isDigit(c)) this.number();
    else if (c === 0x7b || c === 0x5b) {
      if (depth + 1 > this.#maxDepth) limitExceeded('json', 'maxDepth', this.#maxDepth);
      const close = c === 0x7b ? 0x7d : 0x5d;
      this.#i++;
      if (this.ws() === close) {
        this.#i++;
        return;
      }
      for (;;) {
        if (c === 0x7b) {
          if (this.ws() !== 0x22) this.unexpected('a double-quoted member name');
          this.string();
          this.colon();
        }
        this.skip(depth + 1);
        const d = this.ws();
        if (d === close) break;
        if (d !== 0x2c)
          this.unexpected(c === 0x7b ? "',' or '}' after an object member" : "',' or ']' after an array element");
        this.#i++;
      }
      this.#i++;
    } else this.value(depth);
  }

  list(depth: number): List {
    if (depth > this.#maxDepth) limitExceeded('json', 'maxDepth', this.#maxDepth);
    this.#i++;
    const out: Val[] = [];
    if (this.ws() === 0x5d) {
      this.#i++;
      return Object.freeze(out);
    }
    for (;;) {
      out.push(this.value(depth));
      const c = this.ws();
      if (c === 0x2c) this.#i++;
      else if (c === 0x5d) {
        this.#i++;
        return Object.freeze(out);
      } else this.unexpected("',' or ']' after an array element");
    }
  }

  // Moves past the ',' between members; true at the closing '}' (consumed).
  nextMember(): boolean {
    const c = this.ws();
    if (c === 0x7d) {
      this.#i++;
      return true;
    }
    if (c !== 0x2c) this.unexpected("',' or '}' after an object member");
    this.#i++;
    if (this.ws() !== 0x22) this.unexpected('a double-quoted member name');
    return false;
  }

  object(depth: number): Val {
    const s = this.#s;
    const start = this.#i++;
    const c = this.ws();
    if (c === 0x7d) {
      if (depth + 1 > this.#maxDepth) limitExceeded('json', 'maxDepth', this.#maxDepth);
      this.#i++;
      return Dict.EMPTY;
    }
    if (c !== 0x22) this.unexpected('a double-quoted member name');
    if (!isKindName(s, this.#i)) return this.dict(start, depth + 1);
    this.#i += 7;
    this.colon();
    this.ws();
    const kindAt = this.#i;
    if (this.ws() !== 0x22) {
      this.skip(depth);
      return this.fail(kindAt, 'expected a string _kind');
    }
    // The commonest object of all costs one comparison and no allocation.
    if (isMarkerKind(s, this.#i)) {
      this.#i += 8;
      if (this.ws() === 0x7d) {
        this.#i++;
        return MARKER;
      }
      return this.scalar('marker', start, kindAt, depth, false);
    }
    if (isWord3(s, this.#i, 0x72, 0x65, 0x66)) {
      const after = this.#i + 5;
      const ref = this.quickRef(after);
      if (ref !== undefined) return ref;
      this.#i = after;
      return this.scalar('ref', start, kindAt, depth, false);
    }
    const kind = this.key();
    if (kind === 'dict')
      return this.nextMember() ? this.checkDepth(Dict.EMPTY, depth + 1) : this.dict(start, depth + 1);
    if (kind === 'grid') return this.grid(start, depth + 1);
    return this.scalar(kind, start, kindAt, depth, false);
  }

  /**
   * The rest of a ref from just after `"_kind":"ref"`, when it is `"val"` (then perhaps `"dis"`) as writers put
   * them, read in place with its id checked as it is scanned; undefined for anything else, which the general path
   * reads again from `at`, errors included.
   */
  quickRef(at: number): Ref | undefined {
    const s = this.#s;
    let i = skipWs(s, at);
    if (s.charCodeAt(i) !== 0x2c) return undefined;
    i = stringMemberAt(s, i + 1, 0x76, 0x61, 0x6c);
    if (i < 0) return undefined;
    const idStart = ++i;
    // Zinc: <ref> := "@" <refChar>+
    while (isRefChar(s.charCodeAt(i))) i++;
    if (s.charCodeAt(i) !== 0x22 || i === idStart || i - idStart > this.#maxToken) return undefined;
    const id = s.slice(idStart, i);
    i = skipWs(s, i + 1);
    const c = s.charCodeAt(i);
    if (c === 0x7d) {
      this.#i = i + 1;
      return trustedRef(id);
    }
    if (c !== 0x2c) return undefined;
    i = stringMemberAt(s, i + 1, 0x64, 0x69, 0x73);
    if (i < 0) return undefined;
    this.#i = i;
    const dis = this.string();
    i = skipWs(s, this.#i);
    if (s.charCodeAt(i) !== 0x7d) return undefined;
    this.#i = i + 1;
    return trustedRef(id, dis);
  }

  checkDepth<T>(v: T, depth: number): T {
    if (depth > this.#maxDepth) limitExceeded('json', 'maxDepth', this.#maxDepth);
    return v;
  }

  /**
   * The members of a typed scalar after its `_kind` (or, when `_kind` came later, all of them again
   * with `_kind` and other unused members skipped), then the value.
   */
  scalar(kind: string, start: number, kindAt: number, depth: number, fromOpen: boolean): Val {
    let val: unknown;
    let dis: unknown;
    let unit: unknown;
    let tz: unknown;
    let lat: unknown;
    let lng: unknown;
    let type: unknown;
    let valAt = start;
    let disAt = start;
    let unitAt = start;
    let tzAt = start;
    let latAt = start;
    let lngAt = start;
    let typeAt = start;
    for (let more = fromOpen ? this.openMembers() : !this.nextMember(); more; more = !this.nextMember()) {
      const k = this.key();
      this.colon();
      this.ws();
      const at = this.#i;
      switch (k) {
        case 'val':
          val = this.primitive(depth);
          valAt = at;
          break;
        case 'dis':
          dis = this.primitive(depth);
          disAt = at;
          break;
        case 'unit':
          unit = this.primitive(depth);
          unitAt = at;
          break;
        case 'tz':
          tz = this.primitive(depth);
          tzAt = at;
          break;
        case 'lat':
          lat = this.primitive(depth);
          latAt = at;
          break;
        case 'lng':
          lng = this.primitive(depth);
          lngAt = at;
          break;
        case 'type':
          type = this.primitive(depth);
          typeAt = at;
          break;
        default:
          // `_kind` itself when the object is read again after a late `_kind`, or members no kind uses.
          this.skip(depth);
      }
    }
    // Timestamps repeat (a `mod` shared by a batch of records): one parsed is kept for the rest of the text.
    const stamp = kind === 'dateTime' && typeof val === 'string' && typeof tz === 'string' ? val : undefined;
    const zone = typeof tz === 'string' ? tz : '';
    if (stamp !== undefined) {
      const known = this.#dateTimes?.get(stamp);
      if (known !== undefined && known.tz === zone) return known.dt;
    }
    try {
      const v = makeScalar(kind, val, dis, unit, tz, lat, lng, type);
      if (stamp !== undefined) this.rememberDateTime(stamp, zone, v as HDateTime);
      return v;
    } catch (e) {
      if (!(e instanceof MemberError)) throw e;
      const at: Record<string, number> = {
        val: valAt,
        dis: disAt,
        unit: unitAt,
        tz: tzAt,
        lat: latAt,
        lng: lngAt,
        type: typeAt,
        _kind: kindAt,
      };
      return this.fail(at[e.member] ?? start, e.reason);
    }
  }

  rememberDateTime(val: string, tz: string, dt: HDateTime): void {
    let m = this.#dateTimes;
    if (m === undefined) this.#dateTimes = m = new Map();
    // Bounded: a text of distinct timestamps starts over rather than keep them all.
    else if (m.size >= MAX_DATE_TIMES) m.clear();
    m.set(val, { tz, dt });
  }

  // A member of a typed scalar: JSON scalars stay raw (a number stays a JS number); containers are read as values.
  primitive(depth: number): unknown {
    const c = this.ws();
    if (c === 0x22) return this.string();
    if (c === 0x2d || isDigit(c)) return this.number();
    return this.value(depth);
  }

  /**
   * Members of a dict from the one at the reader (a name's opening quote) to the closing '}'.
   * Json: keys that are not tag names are skipped; null values mean absent.
   */
  dict(start: number, depth: number): Val {
    if (depth > this.#maxDepth) limitExceeded('json', 'maxDepth', this.#maxDepth);
    const m = new Map<string, TagVal>();
    do {
      const k = this.key();
      this.colon();
      if (k === '_kind') return this.lateKind(start, m, depth);
      this.member(m, k, depth);
    } while (!this.nextMember());
    return m.size === 0 ? Dict.EMPTY : Dict.fromTrustedMap(m);
  }

  // At a '{': moves into the object; false when it is empty (the '}' consumed).
  openMembers(): boolean {
    this.#i++;
    const c = this.ws();
    if (c === 0x7d) {
      this.#i++;
      return false;
    }
    if (c !== 0x22) this.unexpected('a double-quoted member name');
    return true;
  }

  // One dict member's value; Json: a key that is not a tag name is skipped (its value is not interpreted).
  member(m: Map<string, TagVal>, k: string, depth: number): void {
    if (!isKnownTagName(k)) {
      this.skip(depth);
      return;
    }
    const v = this.value(depth);
    if (v !== null) m.set(k, v);
  }

  // `_kind` after other members (rare): a dict goes on; a grid reuses the members read so far; a scalar
  // reads the object again from its '{' (members it does not use are only skipped, so nesting cannot make
  // the re-reading grow exponentially).
  lateKind(start: number, m: Map<string, TagVal>, depth: number): Val {
    const kindAt = this.ws() === 0x22 ? this.#i : -1;
    if (kindAt < 0) {
      const at = this.#i;
      this.skip(depth);
      return this.fail(at, 'expected a string _kind');
    }
    const kind = this.string();
    if (kind === 'dict') {
      while (!this.nextMember()) {
        const k = this.key();
        this.colon();
        this.member(m, k, depth);
      }
      return m.size === 0 ? Dict.EMPTY : Dict.fromTrustedMap(m);
    }
    if (kind === 'grid') return this.grid(start, depth, m);
    this.#i = start;
    return this.scalar(kind, start, kindAt, depth - 1, true);
  }

  /** A grid's members (meta, cols, rows in any order) to the closing '}'; `early` holds members read before `_kind`. */
  grid(start: number, depth: number, early?: Map<string, TagVal>): Grid {
    if (depth > this.#maxDepth) limitExceeded('json', 'maxDepth', this.#maxDepth);
    const g = new GridParts(this.#maxCols);
    if (early !== undefined) this.earlyGridMembers(g, early, start);
    while (!this.nextMember()) {
      const k = this.key();
      this.colon();
      this.ws();
      this.gridMember(g, k, this.#i, depth);
    }
    return g.build();
  }

  // One member of a grid object (the reader at its value, which starts at `at`).
  gridMember(g: GridParts, k: string, at: number, depth: number): void {
    if (k === 'meta') this.gridMeta(g, at, depth);
    else if (k === 'cols') this.gridCols(g, depth);
    else if (k === 'rows') this.gridRows(g, depth);
    else if (k === '_kind') this.fail(at, 'duplicate _kind member');
    else this.skip(depth);
  }

  /**
   * The top-level value as a grid, pausing between slices of its rows. `_kind` may come anywhere among the
   * members, as in {@link grid}; until it has been read, the members are read as a grid's (a value that turns
   * out not to be a grid fails at its `_kind`, or at its end when it has none).
   */
  *topGrid(sliceChars: number, maxRowChars: number): DecodeSteps<Grid> {
    const g = new GridParts(this.#maxCols);
    // The text is whole: the reader never waits for more, so what it yields are the pauses between slices.
    yield* this.dicts(g, false, maxRowChars, sliceChars) as Generator<undefined, boolean, undefined>;
    return g.build();
  }

  /** A message's value in steps: an array of envelopes, an envelope, or another value in one bounded step. */
  *message(sliceChars: number, maxRowChars: number, maxBatch: number): DecodeSteps<Val> {
    this.#maxRowChars = maxRowChars;
    if (this.ws() !== 0x5b) return yield* this.envelope(0, sliceChars);
    // As `value(0)` reads an array: its elements are values at depth 1.
    this.checkDepth(0, 1);
    this.#i++;
    const out: Val[] = [];
    if (this.ws() === 0x5d) {
      this.#i++;
      return Object.freeze(out);
    }
    let mark = this.#i;
    for (;;) {
      if (out.length >= maxBatch) batchTooLong(maxBatch);
      out.push(yield* this.envelope(1, sliceChars));
      const c = this.ws();
      if (c === 0x5d) {
        this.#i++;
        return Object.freeze(out);
      }
      if (c !== 0x2c) this.unexpected("',' or ']' after an array element");
      this.#i++;
      if (this.#i - mark >= sliceChars) {
        mark = this.#i;
        yield;
      }
    }
  }

  // The value at the reader as `value(depth)` reads it; an object whose first member is not `_kind` (an envelope)
  // a member at a time, its `grid` in steps.
  *envelope(depth: number, sliceChars: number): DecodeSteps<Val> {
    const s = this.#s;
    const start = this.#i;
    let plain = this.ws() !== 0x7b;
    if (!plain) {
      this.#i++;
      plain = this.ws() !== 0x22 || isKindName(s, this.#i);
      this.#i = start;
    }
    if (plain) return this.bounded(() => this.value(depth));
    this.checkDepth(0, depth + 1);
    const m = new Map<string, TagVal>();
    let mark = this.#i;
    for (let more = this.openMembers(); more; more = !this.nextMember()) {
      const k = this.key();
      this.colon();
      if (k === '_kind') {
        // A typed value after all (rare): read again from its '{', whole, within the row bound.
        this.#i = start;
        return this.bounded(() => this.value(depth));
      }
      if (k === 'grid' && this.ws() === 0x7b && this.gridFirst()) {
        // As `member` reads it: a value at depth + 1, so a grid at depth + 2.
        this.checkDepth(0, depth + 2);
        const g = new GridParts(this.#maxCols);
        yield* this.dicts(g, false, this.#maxRowChars, sliceChars, depth + 2) as DecodeSteps<boolean>;
        m.set(k, g.build());
        mark = this.#i;
      } else {
        this.bounded(() => {
          this.member(m, k, depth + 1);
        });
      }
      if (this.#i - mark >= sliceChars) {
        mark = this.#i;
        yield;
      }
    }
    return m.size === 0 ? Dict.EMPTY : Dict.fromTrustedMap(m);
  }

  // At a '{': true when it opens with `"_kind": "grid"`, as writers put it; any other object is read as a value
  // (one that is no grid is refused by the envelope's reader, with the request's id).
  gridFirst(): boolean {
    const at = this.#i;
    this.#i++;
    let grid = this.ws() === 0x22 && isKindName(this.#s, this.#i);
    if (grid) {
      this.#i += 7;
      grid = this.ws() === 0x3a;
      this.#i++;
      grid &&= this.ws() === 0x22 && sameAt(this.#s, this.#i, '"grid"');
    }
    this.#i = at;
    return grid;
  }

  // `read` from the reader on, as one row of a stepped read: no value of it may start past `#maxRowChars`.
  bounded<T>(read: () => T): T {
    this.startRow();
    const v = read();
    this.endRow();
    return v;
  }

  /**
   * The rows of the top-level grid (or with `lists`, the elements of a top-level list of dicts), yielded one at a
   * time, meta and cols read into `g`; true for a grid. A row, meta or cols longer than `maxRowChars` fails. Text
   * still arriving (see {@link feed}): yields undefined where the text so far ends inside a member or row, which
   * is read again from its start once more has come, so that nothing is read twice into `g`. With `sliceChars`
   * (whole text), rows go into `g` and it yields undefined after each `sliceChars` of rows.
   */
  *dicts(
    g: GridParts,
    lists: boolean,
    maxRowChars: number,
    sliceChars?: number,
    depth = 1,
  ): Generator<Dict | undefined, boolean, undefined> {
    this.#maxRowChars = maxRowChars;
    const open = yield* this.unit(() => {
      const start = this.#i;
      const c = this.ws();
      if (c !== 0x7b && !(lists && c === 0x5b))
        this.unexpected(`a JSON object holding a grid${lists ? ' or an array' : ''}`);
      // Text still arriving is re-based as it comes, so its position is taken now; in whole text only on failure
      // (counting lines up to a grid deep in a message, for every grid of a batch, would be quadratic).
      return this.#final ? start : this.where(start);
    });
    if (this.#s.charCodeAt(this.#i) === 0x5b) {
      yield* this.rows(g, 0, true);
      return false;
    }
    let kind = false;
    for (
      let more = yield* this.unit(() => this.openMembers());
      more;
      more = !(yield* this.unit(() => this.nextMember()))
    ) {
      const k = yield* this.unit(() => {
        const k = this.key();
        this.colon();
        this.ws();
        return k;
      });
      if (k === 'rows') yield* this.rows(g, depth, false, sliceChars);
      else if (
        yield* this.unit(() => {
          const at = this.#i;
          this.whole();
          this.startRow();
          const first = k === '_kind' && !kind;
          if (!first) this.gridMember(g, k, at, depth);
          else if (this.ws() !== 0x22 || this.string() !== 'grid') this.fail(at, 'expected a grid (_kind "grid")');
          this.endRow();
          return first;
        })
      )
        kind = true;
    }
    if (!kind) {
      const at = typeof open === 'number' ? this.where(open) : open;
      throw new ParseError('json', at.line, at.column, 'expected a grid (_kind "grid")');
    }
    return true;
  }

  // The rows of a grid (or the dicts of a list) at the reader, each yielded. A row cut short by the end of the text
  // so far is read again whole: reading a row into `g` in part adds nothing that reading it again would not.
  *rows(g: GridParts, depth: number, list: boolean, sliceChars?: number): Generator<Dict | undefined, void, undefined> {
    let n = 0;
    // `[` at the end of the text so far: whether rows follow is not known yet.
    const open = (): boolean => {
      const more = this.openRows(depth);
      if (more && !this.#final && this.#i >= this.#s.length) throw MORE;
      return more;
    };
    let more = yield* this.unit(open);
    let mark = this.#i;
    while (more) {
      if (n >= this.#maxRows) limitExceeded('json', 'maxRows', this.#maxRows);
      const start = this.#i;
      let row: Dict;
      try {
        this.startRow();
        const c = this.ws();
        const at = this.#i;
        if (c !== 0x7b) this.fail(at, list ? 'expected an object (a dict)' : 'expected a row object');
        const v = list ? this.value(depth + 1) : this.row(g, depth);
        if (!(v instanceof Dict)) this.fail(at, 'expected an object (a dict)');
        row = v;
        more = !this.afterElement();
        this.endRow();
      } catch (e) {
        if (e !== MORE) throw e;
        this.#i = start;
        this.#rowEnd = Number.POSITIVE_INFINITY;
        yield undefined;
        continue;
      }
      n++;
      if (sliceChars === undefined) yield row;
      else {
        g.rows.push(row);
        if (this.#i - mark >= sliceChars) {
          mark = this.#i;
          yield undefined;
        }
      }
    }
  }

  /**
   * Runs `read` from the reader's position; where the text so far ends inside it (text still arriving), yields
   * undefined for more and runs it again from the same start.
   */
  *unit<T>(read: () => T): Generator<undefined, T, undefined> {
    for (;;) {
      const start = this.#i;
      try {
        return read();
      } catch (e) {
        if (e !== MORE) throw e;
      }
      this.#i = start;
      this.#rowEnd = Number.POSITIVE_INFINITY;
      yield undefined;
    }
  }

  // Text still arriving: the value at the reader must be there whole before it is read for real, so that it is not
  // read into a grid in part (its grammar is checked, its kinds are not).
  whole(): void {
    if (this.#final) return;
    const at = this.#i;
    try {
      this.skip(0);
    } catch (e) {
      // Malformed (not cut short): the real read reports it, as it would in a one-piece read.
      if (e === MORE) throw e;
    } finally {
      this.#i = at;
    }
  }

  gridMeta(g: GridParts, at: number, depth: number): void {
    if (this.ws() !== 0x7b) {
      if (this.primitive(depth) === null) return;
      this.fail(at, 'expected an object for grid meta');
    }
    const meta = this.object(depth - 1);
    if (!(meta instanceof Dict)) this.fail(at, 'expected an object for grid meta');
    g.setMeta(meta, (reason) => this.fail(at, reason));
  }

  gridCols(g: GridParts, depth: number): void {
    const c = this.ws();
    if (c !== 0x5b) {
      const at = this.#i;
      if (this.primitive(depth) === null) return;
      this.fail(at, 'expected an array of columns');
    }
    this.#i++;
    if (this.ws() === 0x5d) {
      this.#i++;
      return;
    }
    for (;;) {
      const colAt = this.#i;
      if (this.ws() !== 0x7b) this.fail(colAt, 'expected a column object');
      this.#i++;
      let name: unknown;
      let nameAt = colAt;
      let meta = Dict.EMPTY;
      if (this.ws() === 0x7d) this.#i++;
      else {
        if (this.ws() !== 0x22) this.unexpected('a double-quoted member name');
        do {
          const k = this.key();
          this.colon();
          this.ws();
          const at = this.#i;
          if (k === 'name') {
            name = this.primitive(depth);
            nameAt = at;
          } else if (k === 'meta') {
            const mv = this.ws() === 0x7b ? this.object(depth - 1) : this.primitive(depth);
            if (mv instanceof Dict) meta = mv;
            else if (mv !== null) this.fail(at, 'expected an object');
          } else this.skip(depth);
        } while (!this.nextMember());
      }
      if (typeof name !== 'string' || !isTagName(name)) this.fail(nameAt, 'expected a tag name');
      if (!g.declare(name, meta)) this.fail(nameAt, `duplicate column ${name}`);
      const d = this.ws();
      if (d === 0x5d) {
        this.#i++;
        return;
      }
      if (d !== 0x2c) this.unexpected("',' or ']' after an array element");
      this.#i++;
    }
  }

  gridRows(g: GridParts, depth: number): void {
    if (this.openRows(depth)) while (!this.nextRow(g, depth));
  }

  // A row (or grid member) read in steps starts here: no value of it may start more than #maxRowChars later.
  startRow(): void {
    this.#rowEnd = this.#i + this.#maxRowChars;
  }

  // ... and ends here: one that ended past its end is refused too (a long last value, or whitespace).
  endRow(): void {
    if (this.#i > this.#rowEnd) rowTooLong('json', this.#maxRowChars);
    this.#rowEnd = Number.POSITIVE_INFINITY;
  }

  // At the value of `rows`: moves into the array; false when there are no rows (null, or `[]` consumed).
  openRows(depth: number): boolean {
    if (this.ws() !== 0x5b) {
      const at = this.#i;
      if (this.primitive(depth) === null) return false;
      this.fail(at, 'expected an array of rows');
    }
    this.#i++;
    if (this.ws() === 0x5d) {
      this.#i++;
      return false;
    }
    return true;
  }

  // One row and the ',' or ']' after it; true after the closing ']'.
  nextRow(g: GridParts, depth: number): boolean {
    if (this.ws() !== 0x7b) this.fail(this.#i, 'expected a row object');
    if (g.rows.length >= this.#maxRows) limitExceeded('json', 'maxRows', this.#maxRows);
    g.rows.push(this.row(g, depth));
    return this.afterElement();
  }

  // The ',' or ']' after an array element; true after the closing ']'.
  afterElement(): boolean {
    const d = this.ws();
    if (d === 0x5d) {
      this.#i++;
      return true;
    }
    if (d !== 0x2c) this.unexpected("',' or ']' after an array element");
    this.#i++;
    return false;
  }

  // A grid row: like a dict, and a tag the cols array did not declare becomes a column at the end.
  row(g: GridParts, depth: number): Dict {
    this.#i++;
    if (this.ws() === 0x7d) {
      this.#i++;
      return Dict.EMPTY;
    }
    if (this.ws() !== 0x22) this.unexpected('a double-quoted member name');
    const index = g.index;
    const gen = g.generation;
    const row = g.rowAssembler();
    do {
      const k = this.key();
      const slot = this.#slot;
      this.colon();
      let col: number;
      if (slot >= 0 && KEY_GRID[slot] === gen) {
        col = KEY_COL[slot] as number;
        // A column that joined the shape since it was marked (a late column, after a reshape).
        if (col < 0) KEY_COL[slot] = col = row.slotOf(k);
      } else {
        if (!index.has(k)) {
          if (!isTagName(k)) {
            this.skip(depth);
            continue;
          }
          const v = this.value(depth);
          if (v === null) continue;
          g.extra(k);
          row.put(k, v);
          // value() may have read other names (nested values): the slot is only marked if it still holds k.
          if (slot >= 0 && KEYS[slot] === k) {
            KEY_GRID[slot] = gen;
            KEY_COL[slot] = -1;
          }
          continue;
        }
        col = row.slotOf(k);
        if (slot >= 0) {
          KEY_GRID[slot] = gen;
          KEY_COL[slot] = col;
        }
      }
      const v = this.value(depth);
      if (v === null) continue;
      if (col >= 0) row.putAt(col, v);
      else row.put(k, v);
    } while (!this.nextMember());
    return row.end();
  }

  // Members of a grid read as plain values before its `_kind` showed up.
  earlyGridMembers(g: GridParts, early: Map<string, TagVal>, start: number): void {
    const fail: (reason: string) => never = (reason) => this.fail(start, reason);
    const meta = early.get('meta');
    if (meta !== undefined) {
      if (!(meta instanceof Dict)) fail('expected an object for grid meta');
      g.setMeta(meta, fail);
    }
    const cols = early.get('cols');
    if (cols !== undefined) {
      if (!Array.isArray(cols)) fail('expected an array of columns');
      for (const c of cols as readonly Val[]) {
        if (!(c instanceof Dict)) fail('expected a column object');
        const name = c.get('name');
        const cm = c.get('meta') ?? Dict.EMPTY;
        if (typeof name !== 'string' || !isTagName(name)) fail('expected a tag name');
        if (!(cm instanceof Dict)) fail('expected an object');
        if (!g.declare(name, cm)) fail(`duplicate column ${name}`);
      }
    }
    const rows = early.get('rows');
    if (rows !== undefined) {
      if (!Array.isArray(rows)) fail('expected an array of rows');
      for (const r of rows as readonly Val[]) {
        if (!(r instanceof Dict)) fail('expected a row object');
        if (g.rows.length >= this.#maxRows) limitExceeded('json', 'maxRows', this.#maxRows);
        for (const k of r.keys()) if (!g.index.has(k)) g.extra(k);
        g.rows.push(r);
      }
    }
  }
}

/** A grid in the making: declared columns, columns only rows named, and the rows. */
class GridParts {
  meta: Dict = Dict.EMPTY;
  /** Unique to this grid, for the column marks on the name cache. */
  readonly generation = nextGridGeneration();
  readonly rows: Dict[] = [];
  /** Every column name so far, declared or not. */
  readonly index = new Set<string>();
  readonly #declared: GridCol[] = [];
  readonly #declaredNames = new Set<string>();
  readonly #extras: string[] = [];
  readonly #maxCols: number;
  #rows: RowAssembler | undefined;

  constructor(maxCols: number) {
    this.#maxCols = maxCols;
  }

  // The model keeps no version: `ver` is checked, then dropped.
  setMeta(meta: Dict, fail: (reason: string) => never): void {
    const ver = meta.get('ver');
    if (ver === null) this.meta = meta;
    else if (ver === '3.0' || ver === '2.0') this.meta = meta.remove('ver');
    else fail('expected grid version "3.0" or "2.0"');
  }

  /** Add a column of the `cols` array; false when the name is already declared. */
  declare(name: string, meta: Dict): boolean {
    if (this.#declaredNames.has(name)) return false;
    if (this.#declaredNames.size >= this.#maxCols) limitExceeded('json', 'maxCols', this.#maxCols);
    this.#declaredNames.add(name);
    this.index.add(name);
    this.#declared.push(Object.freeze({ name, meta }));
    return true;
  }

  /** Builds the rows on one shape of the columns known at the first row. */
  rowAssembler(): RowAssembler {
    this.#rows ??= new RowAssembler(this.index);
    return this.#rows;
  }

  // Lenient: a row tag the cols array forgot becomes a column at the end (nothing is lost).
  extra(name: string): void {
    if (this.index.size >= this.#maxCols) limitExceeded('json', 'maxCols', this.#maxCols);
    this.index.add(name);
    this.#extras.push(name);
  }

  build(): Grid {
    const cols = this.#declared;
    for (const name of this.#extras) {
      if (!this.#declaredNames.has(name)) cols.push(Object.freeze({ name, meta: Dict.EMPTY }));
    }
    return Grid.fromTrustedParts(this.meta, Object.freeze(cols), Object.freeze(this.rows));
  }
}
