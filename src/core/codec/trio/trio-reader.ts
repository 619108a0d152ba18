// Trio reader: records of `name: value` lines, values in Zinc (read by the Zinc reader), multi-line text, nesting.

import { ParseError } from '../../errors.js';
import { Dict, type TagVal } from '../../grid/dict.js';
import { Grid, type GridCol } from '../../grid/grid.js';
import {
  asPlainAsked,
  type DecodeOptions,
  type PlainDecodeOptions,
  type PlainObject,
  type ValDecodeOptions,
} from '../../grid/plain.js';
import { isTagName } from '../../grid/tag-name.js';
import type { Val } from '../../kinds/kind.js';
import { MARKER, NA, REMOVE } from '../../kinds/marker.js';
import { Num } from '../../kinds/number.js';
import { TimeZone } from '../../tz/time-zone.js';
import { type DecodeLimits, limitExceeded, resolveLimits, rowTooLong } from '../limits.js';
import { type DecodeSteps, drainSteps } from '../steps.js';
import { decodeZinc, ZincReader } from '../zinc/index.js';

const C_TAB = 9;
const C_SP = 32;

function isSp(c: number): boolean {
  return c === C_SP || c === C_TAB;
}

// Words that are values when written bare (Trio chapter; T and F as Haxall reads them).
const KEYWORDS = new Map<string, Val>([
  ['true', true],
  ['false', false],
  ['T', true],
  ['F', false],
  ['NA', NA],
  ['NaN', new Num(Number.NaN)],
  ['INF', new Num(Number.POSITIVE_INFINITY)],
  ['R', REMOVE],
]);

/** Where a nested block's text sits in the outer text, to report errors at their true place. */
export interface TrioOrigin {
  /** Lines before the block's first line. */
  readonly lines: number;
  /** Columns removed from the start of every line of the block. */
  readonly columns: number;
}

const TOP: TrioOrigin = { lines: 0, columns: 0 };

// Zinc: <dateTime> with its zone name captured.
const DATE_TIME_ZONE =
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}) ([A-Za-z][\w+-]*)$/;

/** True for DateTime text whose zone name is no zone of this platform. */
function hasUnknownZone(text: string): boolean {
  const zone = DATE_TIME_ZONE.exec(text)?.[1];
  return zone !== undefined && TimeZone.find(zone) === undefined;
}

/**
 * Reads Trio text into dicts. Follows Haxall's TrioReader: a line starting with `-` ends a record,
 * `//` lines and blank lines are skipped, `name` alone is a Marker, `name:` followed by indented
 * lines is multi-line text (the smallest indent removed; blank lines inside kept, trailing ones
 * dropped), `name: Zinc:` / `name: Trio:` / `name: [` start indented Zinc, a nested Trio dict or an
 * indented Zinc list, and a value is otherwise read as Zinc unless it is a bare string (it starts
 * with a letter or a non-ASCII char and is not a keyword such as `true`, `NA`, `INF`). Values that
 * only look like a Date, Time or DateTime but are not one, and numbers followed by a space and
 * more text, are Strs, as in Haxall.
 */
export class TrioReader {
  readonly #s: string;
  readonly #limits: DecodeLimits;
  readonly #userLimits: Partial<DecodeLimits> | undefined;
  readonly #depth: number;
  readonly #origin: TrioOrigin;
  // Limits for the Zinc inside: nesting counts against the same depth (undefined: the defaults).
  readonly #zincLimits: Partial<DecodeLimits> | undefined;
  // The current line: [#ls, #le) without its newline; #ln is its 1-based number; #next the start of the next.
  #ls = 0;
  #le = 0;
  #ln = 0;
  #next = 0;
  #pushedBack = false;
  #recordLine = 0;
  // Stepped reads: no line of the record being read may end past #recordEnd (see readAllDictsSteps).
  #recordEnd = Number.POSITIVE_INFINITY;
  #maxRecordChars = Number.POSITIVE_INFINITY;

  /** Reader over `text`; `limits` as for every decoder (maxLength, maxDepth, maxRows for records, ...). */
  constructor(text: string, limits?: Partial<DecodeLimits>, depth = 0, origin: TrioOrigin = TOP) {
    this.#s = text;
    this.#userLimits = limits;
    this.#limits = resolveLimits(limits);
    this.#depth = depth;
    this.#origin = origin;
    if (text.length > this.#limits.maxLength) limitExceeded('trio', 'maxLength', this.#limits.maxLength);
    if (depth > this.#limits.maxDepth) limitExceeded('trio', 'maxDepth', this.#limits.maxDepth);
    if (text.charCodeAt(0) === 0xfeff) this.#next = 1;
    this.#zincLimits = depth === 0 ? limits : { ...limits, maxDepth: Math.max(0, this.#limits.maxDepth - depth) };
  }

  /** Every record, in order; empty records (separators in a row) are skipped. */
  readAllDicts(): Dict[] {
    return drainSteps(this.readAllDictsSteps(Number.POSITIVE_INFINITY));
  }

  /**
   * {@link readAllDicts}, pausing (see {@link DecodeSteps}) each time another `sliceChars` of text has been read. A
   * record whose lines (its separator and the blank and comment lines before it included) run longer than
   * `maxRecordChars` is refused (LimitError `maxRowLength`) as soon as a line passes that length, before the tag
   * on that line is read.
   */
  *readAllDictsSteps(sliceChars: number, maxRecordChars = Number.POSITIVE_INFINITY): DecodeSteps<Dict[]> {
    const out: Dict[] = [];
    let mark = this.#next;
    this.#maxRecordChars = maxRecordChars;
    const next = (): Dict | undefined => {
      // A line pushed back starts the next record: it counts from its own start.
      this.#recordEnd = (this.#pushedBack ? this.#ls : this.#next) + maxRecordChars;
      return this.readDict();
    };
    for (let d = next(); d !== undefined; d = next()) {
      if (out.length >= this.#limits.maxRows) limitExceeded('trio', 'maxRows', this.#limits.maxRows);
      out.push(d);
      if (this.#next - mark >= sliceChars) {
        mark = this.#next;
        yield;
      }
    }
    return out;
  }

  /** 1-based line of the first tag of the record {@link readDict} last returned (0 before any): for messages. */
  get recordLine(): number {
    return this.#recordLine;
  }

  /** The next non-empty record, or undefined at the end of the text. */
  readDict(): Dict | undefined {
    const tags = new Map<string, TagVal>();
    while (this.#nextLine()) {
      const s = this.#s;
      const ls = this.#ls;
      const le = this.#le;
      const c = s.charCodeAt(ls);
      // Trio: entities are separated by lines beginning with "-"
      if (c === 45) {
        if (tags.size > 0) break;
        continue;
      }
      if (ls === le || (c === 47 && s.charCodeAt(ls + 1) === 47) || this.#blank(ls, le)) continue;
      if (tags.size === 0) this.#recordLine = this.#ln + this.#origin.lines;
      this.#readTag(tags);
    }
    return tags.size === 0 ? undefined : Dict.fromTrustedMap(tags);
  }

  #blank(from: number, to: number): boolean {
    for (let i = from; i < to; i++) if (!isSp(this.#s.charCodeAt(i))) return false;
    return true;
  }

  /** Advance to the next line (or the one pushed back); false at the end of the text. */
  #nextLine(): boolean {
    if (this.#pushedBack) {
      this.#pushedBack = false;
      return true;
    }
    const s = this.#s;
    const start = this.#next;
    if (start >= s.length) return false;
    let nl = s.indexOf('\n', start);
    if (nl < 0) nl = s.length;
    if (nl > this.#recordEnd) rowTooLong('trio', this.#maxRecordChars);
    this.#ls = start;
    this.#le = nl > start && s.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    this.#next = nl + 1;
    this.#ln++;
    return true;
  }

  #fail(line: number, column: number, reason: string): never {
    const o = this.#origin;
    throw new ParseError('trio', line + o.lines, column + o.columns, reason);
  }

  #column(p: number): number {
    return p - this.#ls + 1;
  }

  #readTag(tags: Map<string, TagVal>): void {
    const s = this.#s;
    const ls = this.#ls;
    const le = this.#le;
    const line = this.#ln;
    const colon = s.indexOf(':', ls);
    const nameEnd = colon >= 0 && colon < le ? colon : le;
    let ne = nameEnd;
    while (ne > ls && isSp(s.charCodeAt(ne - 1))) ne--;
    const name = s.slice(ls, ne);
    if (!isTagName(name)) {
      this.#fail(line, 1, `expected a tag name but found ${JSON.stringify(name)}`);
    }
    if (tags.has(name)) this.#fail(line, 1, `duplicate tag ${name}`);
    if (!tags.has(name) && tags.size >= this.#limits.maxCols) limitExceeded('trio', 'maxCols', this.#limits.maxCols);
    let val: Val = MARKER;
    if (nameEnd < le) {
      let vs = nameEnd + 1;
      let ve = le;
      while (vs < ve && isSp(s.charCodeAt(vs))) vs++;
      while (ve > vs && isSp(s.charCodeAt(ve - 1))) ve--;
      // Trio: if a newline follows the colon, the value is an indented multi-line string
      val = vs === ve ? this.#indented().text : this.#value(vs, ve, line);
    }
    // A null value (Zinc `N`) means the tag is absent.
    if (val !== null) tags.set(name, val);
  }

  /** The value of a one-line tag at [vs, ve) of line `line`. */
  #value(vs: number, ve: number, line: number): Val {
    const s = this.#s;
    const c = s.charCodeAt(vs);
    const len = ve - vs;
    if ((c >= 48 && c <= 57) || c === 45) {
      // Haxall's leniencies: Dates, Times and DateTimes that do not parse, and numbers followed by a space and
      // more text, are Strs; a Time may have a one-digit hour.
      const looksDate = len === 10 && s.charCodeAt(vs + 4) === 45;
      const looksDateTime = len > 20 && s.charCodeAt(vs + 4) === 45;
      const looksTime = len > 3 && (s.charCodeAt(vs + 1) === 58 || s.charCodeAt(vs + 2) === 58);
      if (looksDate || looksDateTime || looksTime) {
        try {
          if (!looksTime || s.charCodeAt(vs + 1) !== 58) return this.#zinc(vs, ve);
          const r = new ZincReader(`0${s.slice(vs, ve)}`, { format: 'trio' });
          const v = r.readVal();
          r.expectEnd();
          return v;
        } catch (e) {
          // A well-formed DateTime whose zone this platform does not know is an error, not a Str: silently
          // changing its kind would lose it (Haxall's leniency stops there).
          if (e instanceof ParseError && !(looksDateTime && hasUnknownZone(s.slice(vs, ve)))) return s.slice(vs, ve);
          throw e;
        }
      }
      if (s.indexOf(' ', vs) >= 0 && s.indexOf(' ', vs) < ve) return s.slice(vs, ve);
      return this.#zinc(vs, ve);
    }
    // Quoted Strs and Uris, Refs, Symbols, Dicts, Lists and the `Type(...)` forms are Zinc.
    const last = s.charCodeAt(ve - 1);
    if (c === 34 || c === 96) {
      if (len < 2 || last !== c)
        this.#fail(line, this.#column(ve), `expected ${c === 34 ? "'\"'" : "'`'"} to end the value`);
      return this.#zinc(vs, ve);
    }
    if (c === 64 || c === 94 || c === 123 || last === 41) return this.#zinc(vs, ve);
    if (c === 91) {
      // Trio: "[" alone on the tag line starts a Zinc list over the indented lines below
      if (len === 1) return this.#indentedList(line);
      return this.#zinc(vs, ve);
    }
    const word = s.slice(vs, ve);
    const kw = KEYWORDS.get(word);
    if (kw !== undefined) return kw;
    // Trio: nested data may be encoded with Zinc or Trio as an indented block prefixed with "Zinc:" or "Trio:"
    if (word === 'Zinc:') return this.#nestedZinc();
    if (word === 'Trio:') return this.#nestedTrio();
    if (last === 58)
      this.#fail(line, this.#column(ve - 1), `expected "Zinc:" or "Trio:" but found ${JSON.stringify(word)}`);
    return word;
  }

  /** One Zinc value that must fill [vs, ve) of the current line. */
  #zinc(vs: number, ve: number): Val {
    const lim = this.#zincLimits;
    const r = new ZincReader(this.#s, {
      format: 'trio',
      start: vs,
      end: ve,
      ...(lim === undefined ? {} : { limits: lim }),
    });
    try {
      const v = r.readVal();
      r.expectEnd();
      return v;
    } catch (e) {
      throw this.#shift(e, TOP);
    }
  }

  // A ParseError from text at `origin` inside this reader's text (TOP: the text itself), moved to the outer text.
  #shift(e: unknown, origin: TrioOrigin): unknown {
    if (!(e instanceof ParseError)) return e;
    const o = this.#origin;
    return new ParseError('trio', e.line + origin.lines + o.lines, e.column + origin.columns + o.columns, e.reason, {
      cause: e,
    });
  }

  /**
   * The indented lines after the current one, with the smallest indent removed: Haxall's rules, except
   * that blank lines at the end of the block are not part of it.
   */
  #indented(): { readonly text: string; readonly origin: TrioOrigin } {
    const s = this.#s;
    const firstLine = this.#ln + 1;
    const starts: number[] = [];
    const ends: number[] = [];
    let minIndent = Number.MAX_SAFE_INTEGER;
    while (this.#nextLine()) {
      const ls = this.#ls;
      let le = this.#le;
      if (ls < le && !isSp(s.charCodeAt(ls))) {
        this.#pushedBack = true;
        break;
      }
      while (le > ls && isSp(s.charCodeAt(le - 1))) le--;
      starts.push(ls);
      ends.push(le);
      if (le > ls) {
        let i = ls;
        while (isSp(s.charCodeAt(i))) i++;
        minIndent = Math.min(minIndent, i - ls);
      }
    }
    let n = starts.length;
    while (n > 0 && starts[n - 1] === ends[n - 1]) n--;
    let text = '';
    for (let k = 0; k < n; k++) {
      const ls = starts[k] as number;
      const le = ends[k] as number;
      if (k > 0) text += '\n';
      if (le - ls > minIndent) text += s.slice(ls + minIndent, le);
    }
    return { text, origin: { lines: firstLine - 1, columns: n === 0 ? 0 : minIndent } };
  }

  #nestedZinc(): Val {
    const { text, origin } = this.#indented();
    try {
      return decodeZinc(text, this.#zincLimits);
    } catch (e) {
      throw this.#shift(e, origin);
    }
  }

  #nestedTrio(): Dict {
    const { text, origin } = this.#indented();
    const at = this.#origin;
    const nested = new TrioReader(text, this.#userLimits, this.#depth + 1, {
      lines: at.lines + origin.lines,
      columns: at.columns + origin.columns,
    });
    const d = nested.readDict() ?? Dict.EMPTY;
    if (nested.readDict() !== undefined) {
      this.#fail(origin.lines + 1, 1, 'expected one dict in a "Trio:" block but found several');
    }
    return d;
  }

  // Trio: 1) skip lines starting with "//", 2) strip newlines, and 3) parse a zinc <val> production
  #indentedList(line: number): Val {
    const { text } = this.#indented();
    let zinc = '[';
    for (const l of text.split('\n')) if (!l.trimStart().startsWith('//')) zinc += `${l} `;
    try {
      return decodeZinc(zinc, this.#zincLimits);
    } catch (e) {
      if (e instanceof ParseError) this.#fail(line, 1, `in the indented list: ${e.reason}`);
      throw e;
    }
  }
}

/**
 * Decode Trio text into its records, in order. Throws ParseError (line and column) or LimitError. With
 * `{ plain: true }` (or {@link PlainOptions}) the records are plain objects ({@link toPlain}).
 */
export function decodeTrioDicts(text: string, limits?: Partial<DecodeLimits>, options?: ValDecodeOptions): Dict[];
export function decodeTrioDicts(
  text: string,
  limits: Partial<DecodeLimits> | undefined,
  options: PlainDecodeOptions,
): PlainObject[];
export function decodeTrioDicts(
  text: string,
  limits?: Partial<DecodeLimits>,
  options?: DecodeOptions,
): Dict[] | PlainObject[];
export function decodeTrioDicts(
  text: string,
  limits?: Partial<DecodeLimits>,
  options?: DecodeOptions,
): Dict[] | PlainObject[] {
  const dicts = new TrioReader(text, limits).readAllDicts();
  if (options?.plain === undefined || options.plain === false) return dicts;
  const plain = options.plain;
  return dicts.map((d) => asPlainAsked(d, plain) as PlainObject);
}

/**
 * Decode Trio text into a Grid: one row per record, one column per tag name in order of first
 * appearance, no meta (as Haxall's TrioReader.readGrid).
 */
export function decodeTrio(text: string, limits?: Partial<DecodeLimits>, options?: ValDecodeOptions): Grid;
export function decodeTrio(
  text: string,
  limits: Partial<DecodeLimits> | undefined,
  options: PlainDecodeOptions,
): PlainObject[];
export function decodeTrio(text: string, limits?: Partial<DecodeLimits>, options?: DecodeOptions): Grid | PlainObject[];
export function decodeTrio(
  text: string,
  limits?: Partial<DecodeLimits>,
  options?: DecodeOptions,
): Grid | PlainObject[] {
  // A Trio grid has no meta and its rows are the records: plain, it is the plain records.
  if (options?.plain !== undefined && options.plain !== false)
    return decodeTrioDicts(text, limits, { plain: options.plain });
  return trioGrid(decodeTrioDicts(text, limits));
}

/**
 * {@link decodeTrio} in steps: the decode pauses (yields) each time another `sliceChars` of text has been read, at
 * a record's end, so that a caller can let other work run. Limits are enforced as the records are read.
 */
export function* decodeTrioSteps(
  text: string,
  limits?: Partial<DecodeLimits>,
  sliceChars = Number.POSITIVE_INFINITY,
  maxRecordChars = Number.POSITIVE_INFINITY,
): DecodeSteps<Grid> {
  return trioGrid(yield* new TrioReader(text, limits).readAllDictsSteps(sliceChars, maxRecordChars));
}

// Haxall's TrioReader.readGrid: one row per record, one column per tag name in order of first appearance, no meta.
function trioGrid(rows: readonly Dict[]): Grid {
  const cols: GridCol[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    for (const name of r.keys()) {
      if (seen.has(name)) continue;
      seen.add(name);
      cols.push(Object.freeze({ name, meta: Dict.EMPTY }));
    }
  }
  return Grid.fromTrustedParts(Dict.EMPTY, Object.freeze(cols), Object.freeze(rows));
}
