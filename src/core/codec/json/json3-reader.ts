// Haystack JSON v3 reader: a typed walk over parsed JSON whose scalars are type-prefixed strings ("n:72 °F").

import { HaystackError, ParseError } from '../../errors.js';
import { Dict, type TagVal } from '../../grid/dict.js';
import { Grid, type GridCol } from '../../grid/grid.js';
import { RowAssembler } from '../../grid/row-assembler.js';
import { isTagName } from '../../grid/tag-name.js';
import { Coord } from '../../kinds/coord.js';
import { HDate } from '../../kinds/date.js';
import { HDateTime } from '../../kinds/date-time.js';
import type { List, Val } from '../../kinds/kind.js';
import { MARKER, NA, REMOVE } from '../../kinds/marker.js';
import { Num } from '../../kinds/number.js';
import { Ref } from '../../kinds/ref.js';
import { Sym } from '../../kinds/symbol.js';
import { HTime } from '../../kinds/time.js';
import { Uri } from '../../kinds/uri.js';
import { XStr } from '../../kinds/xstr.js';
import { type DecodeLimits, limitExceeded, rowTooLong } from '../limits.js';
import { type DecodeSteps, drainSteps } from '../steps.js';
import { lineColumn } from '../text-position.js';
import { findPath, JsonShapeError, shapeError, shapeToParseError } from './json-shape-error.js';
import { describeAt, findJsonSyntaxError, type JsonPathStep } from './json-syntax.js';

type JsonObject = Record<string, unknown>;

// Json v3: "n:<float> [unit]"; the float is a JSON-like decimal or INF, -INF, NaN.
const FLOAT_RE = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
// Spaces around the degrees are allowed: the Kinds chapter writes `"c: 37.5458266,-77.4491888` (Haxall reads it).
const COORD_RE = /^ *(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?) *, *(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?) *$/;

/**
 * Read parsed Haystack JSON v3 into a value. Throws {@link JsonShapeError} for input that breaks the
 * v3 encoding and LimitError past `limits`.
 */
export function readJson3(json: unknown, limits: DecodeLimits): Val {
  return new Json3Walk(limits).val(json, 0, undefined, undefined);
}

class Json3Walk {
  readonly #maxDepth: number;
  readonly #maxRows: number;
  readonly #maxCols: number;
  readonly #maxToken: number;

  constructor(limits: DecodeLimits) {
    this.#maxDepth = limits.maxDepth;
    this.#maxRows = limits.maxRows;
    this.#maxCols = limits.maxCols;
    this.#maxToken = limits.maxTokenLength;
  }

  // `container[key]` is `j`, kept for error reports; `depth` counts the enclosing lists, dicts and grids.
  val(j: unknown, depth: number, container: object | undefined, key: JsonPathStep | undefined): Val {
    if (typeof j === 'string') {
      if (j.length > this.#maxToken) limitExceeded('json', 'maxTokenLength', this.#maxToken);
      // Json v3: any string without a colon as the second char is a Str
      if (j.length < 2 || j.charCodeAt(1) !== 0x3a) return j;
      try {
        return scalar(j);
      } catch (e) {
        if (e instanceof HaystackError)
          return shapeError(container, key, `invalid v3 value ${JSON.stringify(j)}: ${e.message}`);
        throw e;
      }
    }
    if (typeof j === 'object') {
      if (j === null) return null;
      if (Array.isArray(j)) return this.list(j, depth + 1);
      const o = j as JsonObject;
      // Json v3: an object with meta, cols and rows is a grid; any other object is a dict
      if (isPresent(o['meta']) && isPresent(o['cols']) && isPresent(o['rows'])) return this.grid(o, depth + 1);
      return this.dict(o, depth + 1, undefined);
    }
    if (typeof j === 'number') return new Num(j);
    if (typeof j === 'boolean') return j;
    return shapeError(container, key, `not a JSON value: ${typeof j}`);
  }

  list(a: readonly unknown[], depth: number): List {
    if (depth > this.#maxDepth) limitExceeded('json', 'maxDepth', this.#maxDepth);
    const out = new Array<Val>(a.length);
    for (let i = 0; i < a.length; i++) out[i] = this.val(a[i], depth, a, i);
    return Object.freeze(out);
  }

  // Keys that are not tag names are skipped (as in v4); `skip` is a key that is not a tag here (a column's name).
  dict(o: JsonObject, depth: number, skip: string | undefined): Dict {
    if (depth > this.#maxDepth) limitExceeded('json', 'maxDepth', this.#maxDepth);
    const m = new Map<string, TagVal>();
    for (const k in o) {
      const v = o[k];
      if (v === null || v === undefined || k === skip || !isTagName(k)) continue;
      m.set(k, this.val(v, depth, o, k) as TagVal);
    }
    return m.size === 0 ? Dict.EMPTY : Dict.fromTrustedMap(m);
  }

  // A grid row: a dict built on the grid's shape.
  row(o: JsonObject, depth: number, row: RowAssembler): Dict {
    if (depth > this.#maxDepth) limitExceeded('json', 'maxDepth', this.#maxDepth);
    for (const k in o) {
      const v = o[k];
      if (v === null || v === undefined || !isTagName(k)) continue;
      row.put(k, this.val(v, depth, o, k) as TagVal);
    }
    return row.end();
  }

  grid(o: JsonObject, depth: number): Grid {
    return drainSteps(this.gridSteps(o, depth, undefined));
  }

  /**
   * {@link grid}, pausing after row `i` when `pauseAfter(i)` says so (the stepped text reader pauses after each
   * slice of text the rows took). `o.rows` may be any array of the row objects, in order.
   */
  *gridSteps(o: JsonObject, depth: number, pauseAfter: ((row: number) => boolean) | undefined): DecodeSteps<Grid> {
    if (depth > this.#maxDepth) limitExceeded('json', 'maxDepth', this.#maxDepth);
    const metaJson = o['meta'];
    if (typeof metaJson !== 'object' || metaJson === null || Array.isArray(metaJson)) {
      return shapeError(o, 'meta', 'expected an object for grid meta');
    }
    const ver = (metaJson as JsonObject)['ver'];
    if (ver !== undefined && ver !== '3.0' && ver !== '2.0') {
      return shapeError(metaJson, 'ver', 'expected grid version "3.0" or "2.0"');
    }
    let meta = this.dict(metaJson as JsonObject, depth, undefined);
    if (meta.has('ver')) meta = meta.remove('ver');

    const colsJson = o['cols'];
    if (!Array.isArray(colsJson)) return shapeError(o, 'cols', 'expected an array of columns');
    if (colsJson.length > this.#maxCols) limitExceeded('json', 'maxCols', this.#maxCols);
    const cols: GridCol[] = [];
    const index = new Set<string>();
    for (let i = 0; i < colsJson.length; i++) {
      const c: unknown = colsJson[i];
      if (typeof c !== 'object' || c === null || Array.isArray(c)) {
        return shapeError(colsJson, i, 'expected a column object');
      }
      const name = (c as JsonObject)['name'];
      if (typeof name !== 'string' || !isTagName(name)) return shapeError(c, 'name', 'expected a tag name');
      if (index.has(name)) return shapeError(c, 'name', `duplicate column ${name}`);
      index.add(name);
      // Json v3: column meta sits beside 'name' in the column object
      cols.push(Object.freeze({ name, meta: this.dict(c as JsonObject, depth, 'name') }));
    }

    const rowsJson = o['rows'];
    if (!Array.isArray(rowsJson)) return shapeError(o, 'rows', 'expected an array of rows');
    if (rowsJson.length > this.#maxRows) limitExceeded('json', 'maxRows', this.#maxRows);
    const rows = new Array<Dict>(rowsJson.length);
    const assembler = new RowAssembler(index);
    for (let i = 0; i < rowsJson.length; i++) {
      const r: unknown = rowsJson[i];
      if (typeof r !== 'object' || r === null || Array.isArray(r)) {
        return shapeError(rowsJson, i, 'expected a row object');
      }
      const row = this.row(r as JsonObject, depth, assembler);
      for (const name of row.keys()) {
        if (index.has(name)) continue;
        if (index.size >= this.#maxCols) limitExceeded('json', 'maxCols', this.#maxCols);
        index.add(name);
        cols.push(Object.freeze({ name, meta: Dict.EMPTY }));
      }
      rows[i] = row;
      if (pauseAfter?.(i) === true) yield;
    }
    return Grid.fromTrustedParts(meta, Object.freeze(cols), Object.freeze(rows));
  }
}

function isPresent(v: unknown): boolean {
  return v !== undefined && v !== null;
}

/** Decode one type-prefixed v3 string (its second char is ':'); throws a HaystackError when invalid. */
export function scalar(s: string): Val {
  const body = s.slice(2);
  switch (s.charCodeAt(0)) {
    case 0x73: // s:
      return body;
    case 0x6d: // m:
      return singleton(body, MARKER);
    case 0x6e: // n:
      return number(body);
    case 0x72: {
      // r: the first space splits the id from the dis
      const sp = body.indexOf(' ');
      return sp < 0 ? new Ref(body) : new Ref(body.slice(0, sp), body.slice(sp + 1));
    }
    case 0x64: // d:
      return HDate.parse(body);
    case 0x68: // h: Haxall pads a one-digit hour
      return HTime.parse(body.charCodeAt(1) === 0x3a ? `0${body}` : body);
    case 0x74: // t:
      return HDateTime.parse(body);
    case 0x75: // u:
      return new Uri(body);
    case 0x79: // y:
      return new Sym(body);
    case 0x63: {
      // c:<lat>,<lng>
      const m = COORD_RE.exec(body);
      if (m === null) throw new HaystackError('HS_ERR_PARSE', 'expected c:<lat>,<lng>');
      return new Coord(Number(m[1]), Number(m[2]));
    }
    case 0x78: {
      // x:Type:val; the type ends at the first colon, the value may hold more
      const c = body.indexOf(':');
      if (c < 0) throw new HaystackError('HS_ERR_PARSE', 'expected x:<Type>:<val>');
      return new XStr(body.slice(0, c), body.slice(c + 1));
    }
    case 0x62: // b: Haystack 2 Bin, kept as the XStr it became in Haystack 3
      return new XStr('Bin', body);
    case 0x7a: // z:
      return singleton(body, NA);
    case 0x2d: // -:
      return singleton(body, REMOVE);
    default:
      throw new HaystackError('HS_ERR_PARSE', `unknown type code '${s.charAt(0)}:'`);
  }
}

function singleton<T>(body: string, v: T): T {
  if (body !== '') throw new HaystackError('HS_ERR_PARSE', 'expected nothing after the type code');
  return v;
}

function number(body: string): Num {
  const sp = body.indexOf(' ');
  const text = sp < 0 ? body : body.slice(0, sp);
  const unit = sp < 0 ? undefined : body.slice(sp + 1);
  let f: number;
  if (text === 'INF') f = Number.POSITIVE_INFINITY;
  else if (text === '-INF') f = Number.NEGATIVE_INFINITY;
  else if (text === 'NaN') f = Number.NaN;
  else if (FLOAT_RE.test(text)) f = Number(text);
  else throw new HaystackError('HS_ERR_PARSE', 'expected n:<number> [unit]');
  return new Num(f, unit);
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function wsFrom(text: string, i: number): number {
  while (isWs(text.charCodeAt(i))) i++;
  return i;
}

// Index just after the string whose opening quote is at `i` (the text's length when it never ends).
function stringEnd(text: string, i: number): number {
  for (let q = text.indexOf('"', i + 1); q >= 0; q = text.indexOf('"', q + 1)) {
    let b = q - 1;
    while (text.charCodeAt(b) === 0x5c) b--;
    // An even number of backslashes before the quote: it is not escaped.
    if ((q - 1 - b) % 2 === 0) return q + 1;
  }
  return text.length;
}

// Index just after the JSON value that starts at `i`: a string, object or array runs to its matching end
// (strings skipped), anything else to the next ',', '}', ']' or whitespace. Only the extent is found here:
// JSON.parse of the span checks the grammar, so invalid text merely gives some span that JSON.parse rejects.
// The scan stops at `stop` (a value that long is refused unread), returning at most `stop`.
function valueEnd(text: string, i: number, stop: number): number {
  const n = Math.min(text.length, stop);
  let depth = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      i = stringEnd(text, i);
      if (depth === 0) return Math.min(i, n);
      continue;
    }
    if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      if (depth === 0) return i;
      if (--depth === 0) return i + 1;
    } else if (depth === 0 && (c === 0x2c || isWs(c))) return i;
    i++;
  }
  return n;
}

/**
 * Read Haystack JSON v3 text that must hold a grid, pausing after every `sliceChars` of rows (see
 * {@link DecodeSteps}). The top-level object's members are found by a scan, and each of them but `rows`, and
 * each element of `rows`, is parsed on its own by `JSON.parse`, so that no step parses more than one of them;
 * the rows are then walked into typed values, pausing in the same way. Limits are enforced as it goes, and a
 * row or other member longer than `maxRowChars` is refused before it is parsed. The result is the grid
 * `decodeJson(text, { version: 3 })` gives; a value that is not a grid is a ParseError.
 */
export function* readJson3GridSteps(
  text: string,
  limits: DecodeLimits,
  sliceChars: number,
  maxRowChars: number,
): DecodeSteps<Grid> {
  // The end of the value at `i`, refusing one longer than a row may be before parsing it.
  const extent = (i: number): number => {
    const stop = i + maxRowChars;
    const end = valueEnd(text, i, stop + 1);
    if (end > stop) rowTooLong('json', maxRowChars);
    return end;
  };
  const fail = (at: number, expected: string): never => {
    const { line, column } = lineColumn(text, at);
    throw new ParseError('json', line, column, `expected ${expected} but found ${describeAt(text, at)}`);
  };
  const parse = (start: number, end: number): unknown => {
    if (end === start) fail(start, 'a JSON value');
    const span = text.slice(start, end);
    try {
      return JSON.parse(span);
    } catch (e) {
      const problem = findJsonSyntaxError(span);
      const { line, column } = lineColumn(text, start + (problem?.offset ?? 0));
      throw new ParseError('json', line, column, problem?.reason ?? 'invalid JSON', { cause: e });
    }
  };
  // JSON.parse keeps the last of duplicated member names: so does this.
  const members = new Map<string, unknown>();
  let rowStarts: number[] = [];
  let rowEnds: number[] = [];
  let i = wsFrom(text, 0);
  if (text.charCodeAt(i) !== 0x7b) fail(i, 'a JSON object holding a grid');
  i = wsFrom(text, i + 1);
  let mark = i;
  if (text.charCodeAt(i) === 0x7d) i++;
  else {
    for (;;) {
      if (text.charCodeAt(i) !== 0x22) fail(i, 'a double-quoted member name');
      const keyEnd = stringEnd(text, i);
      if (keyEnd - i > maxRowChars) rowTooLong('json', maxRowChars);
      const key = parse(i, keyEnd) as string;
      i = wsFrom(text, keyEnd);
      if (text.charCodeAt(i) !== 0x3a) fail(i, "':' after the member name");
      i = wsFrom(text, i + 1);
      if (key === 'rows' && text.charCodeAt(i) === 0x5b) {
        const rows: unknown[] = [];
        rowStarts = [];
        rowEnds = [];
        i = wsFrom(text, i + 1);
        if (text.charCodeAt(i) === 0x5d) i++;
        else {
          for (;;) {
            if (rows.length >= limits.maxRows) limitExceeded('json', 'maxRows', limits.maxRows);
            const end = extent(i);
            rows.push(parse(i, end));
            rowStarts.push(i);
            rowEnds.push(end);
            i = wsFrom(text, end);
            const d = text.charCodeAt(i);
            if (d === 0x5d) {
              i++;
              break;
            }
            if (d !== 0x2c) fail(i, "',' or ']' after an array element");
            i = wsFrom(text, i + 1);
            if (i - mark >= sliceChars) {
              mark = i;
              yield;
            }
          }
        }
        members.set(key, rows);
      } else {
        const end = extent(i);
        members.set(key, parse(i, end));
        i = end;
      }
      i = wsFrom(text, i);
      const d = text.charCodeAt(i);
      if (d === 0x7d) {
        i++;
        break;
      }
      if (d !== 0x2c) fail(i, "',' or '}' after an object member");
      i = wsFrom(text, i + 1);
    }
  }
  i = wsFrom(text, i);
  if (i < text.length) fail(i, 'end of input after the JSON value');
  // Json v3: an object with meta, cols and rows is a grid; any other object is a dict.
  const root = { meta: members.get('meta'), cols: members.get('cols'), rows: members.get('rows') };
  if (!isPresent(root.meta) || !isPresent(root.cols) || !isPresent(root.rows)) {
    throw new ParseError('json', 1, 1, 'expected a grid but found a dict');
  }
  let walked = 0;
  mark = 0;
  const pauseAfter = (row: number): boolean => {
    walked = row + 1;
    const end = rowEnds[row] ?? 0;
    if (end - mark < sliceChars) return false;
    mark = end;
    return true;
  };
  try {
    return yield* new Json3Walk(limits).gridSteps(root, 1, pauseAfter);
  } catch (e) {
    if (!(e instanceof JsonShapeError)) throw e;
    // A row's error is found and placed within that row's text: the cost of reporting it is the row's.
    const rows = root.rows as readonly unknown[];
    const row: unknown = rows[walked];
    const start = rowStarts[walked];
    const end = rowEnds[walked];
    const inRow = e.container === rows || (e.container !== undefined && findPath(row, e.container) !== undefined);
    if (inRow && start !== undefined && end !== undefined) {
      const span = { prefix: ['rows', walked], text, offset: start };
      // Not a row object at all: the error is the row's own (its container is the rows array).
      if (e.container === rows)
        throw shapeToParseError(new JsonShapeError(undefined, undefined, e.reason), row, '', span);
      throw shapeToParseError(e, row, text.slice(start, end), span);
    }
    // Meta and cols: their rows need not be searched.
    throw shapeToParseError(e, { ...root, rows: [] }, text);
  }
}
