// Zinc writer: encodes any value or grid as Zinc text (grids as `ver:"3.0"`), with fast paths for sparse rows and histories.

import { ValueError } from '../../errors.js';
import { Dict, type TagVal } from '../../grid/dict.js';
import { Grid, type GridCol } from '../../grid/grid.js';
import { civilFromDays, fractionString, MS_PER_DAY, pad2, pad4 } from '../../kinds/calendar.js';
import { Coord } from '../../kinds/coord.js';
import { HDate } from '../../kinds/date.js';
import { HDateTime, offsetString } from '../../kinds/date-time.js';
import type { Val } from '../../kinds/kind.js';
import { MARKER, NA, REMOVE } from '../../kinds/marker.js';
import { Num } from '../../kinds/number.js';
import { Ref } from '../../kinds/ref.js';
import { Sym } from '../../kinds/symbol.js';
import { HTime } from '../../kinds/time.js';
import { Uri } from '../../kinds/uri.js';
import { XStr } from '../../kinds/xstr.js';
import type { TimeZone } from '../../tz/time-zone.js';
import { HisRows } from './his-columns.js';
import { writeHisRows } from './his-writer.js';

// Runs of commas for the empty cells between two values of a sparse row.
const COMMAS: string[] = [''];
for (let i = 1; i <= 256; i++) COMMAS.push(`${COMMAS[i - 1] as string},`);

function commas(n: number): string {
  return n <= 256 ? (COMMAS[n] as string) : ','.repeat(n);
}

// Two-digit strings 00-59 for times.
const D2: string[] = [];
for (let i = 0; i < 60; i++) D2.push(pad2(i));

/** Encode any value as Zinc: a grid as a whole `ver:"3.0"` grid, anything else as one Zinc value. */
export function encodeZinc(val: Val): string {
  if (val instanceof Grid) return encodeZincGrid(val);
  return zincVal(val);
}

/** Encode a grid as Zinc text (`ver:"3.0"`, meta, columns, one line per row). */
export function encodeZincGrid(grid: Grid): string {
  let out = encodeZincHeader(grid.meta, grid.cols);
  const src = grid.rowSource;
  if (src instanceof HisRows && grid.cols.length === 2) return out + encodeHisRows(src, 0, src.size);
  const w = new RowWriter(grid.cols);
  const n = src.size;
  for (let i = 0; i < n; i++) out += w.row(src.row(i));
  return out;
}

/**
 * The first two lines of a grid: `ver:"3.0"` with the meta tags, then the columns with their meta,
 * each ending in a newline. A `ver` tag in the meta is not written twice.
 */
export function encodeZincHeader(meta: Dict, cols: readonly GridCol[]): string {
  let out = 'ver:"3.0"';
  meta.forEach((v, k) => {
    if (k !== 'ver') out += ` ${tag(k, v)}`;
  });
  out += '\n';
  if (cols.length === 0) return `${out}empty\n`;
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i] as GridCol;
    if (i > 0) out += ',';
    out += c.name;
    c.meta.forEach((v, k) => {
      out += ` ${tag(k, v)}`;
    });
  }
  return `${out}\n`;
}

/** One row of a grid with these columns, as a Zinc line ending in a newline (for writing row by row). */
export function encodeZincRow(cols: readonly GridCol[], row: Dict): string {
  return new RowWriter(cols).row(row);
}

/**
 * Writes rows of one grid. Cells are placed by column index, so a sparse row costs its tags, not its
 * columns; a one-column grid writes `N` for a null cell (an empty line would end the grid).
 */
export class RowWriter {
  readonly #index = new Map<string, number>();
  readonly #n: number;
  readonly #cells: string[];
  #line = '';
  #last = -1;
  #ordered = true;
  readonly #append: (v: TagVal, k: string) => void;
  readonly #place: (v: TagVal, k: string) => void;

  constructor(cols: readonly GridCol[]) {
    this.#n = cols.length;
    for (let i = 0; i < cols.length; i++) this.#index.set((cols[i] as GridCol).name, i);
    this.#cells = new Array<string>(cols.length).fill('');
    // Rows read from Zinc keep column order, so cells are appended with the commas between them.
    this.#append = (v, k) => {
      if (!this.#ordered) return;
      const i = this.#colIndex(k);
      if (i <= this.#last) {
        this.#ordered = false;
        return;
      }
      this.#line += commas(this.#last < 0 ? i : i - this.#last) + zincVal(v);
      this.#last = i;
    };
    // Other rows fill a cell array that is joined.
    this.#place = (v, k) => {
      this.#cells[this.#colIndex(k)] = zincVal(v);
    };
  }

  #colIndex(name: string): number {
    const i = this.#index.get(name);
    if (i === undefined) throw new ValueError(`Row tag ${name} has no column`);
    return i;
  }

  #reset(): void {
    this.#line = '';
    this.#last = -1;
    this.#ordered = true;
  }

  /** The row as a line ending in a newline. */
  row(row: Dict): string {
    const n = this.#n;
    if (n === 0) return '';
    if (row.size === 0) return n === 1 ? 'N\n' : `${commas(n - 1)}\n`;
    this.#reset();
    row.forEach(this.#append);
    if (this.#ordered) return `${this.#line}${commas(n - 1 - this.#last)}\n`;
    row.forEach(this.#place);
    const line = `${this.#cells.join(',')}\n`;
    this.#cells.fill('');
    return line;
  }
}

/** `name` for a Marker, else `name:val`. */
function tag(name: string, v: Val): string {
  return v === MARKER ? name : `${name}:${zincVal(v)}`;
}

/** One value in Zinc form (`N` for null). */
export function zincVal(v: Val): string {
  if (v === null) return 'N';
  switch (typeof v) {
    case 'string':
      return zincStr(v);
    case 'boolean':
      return v ? 'T' : 'F';
    default:
  }
  if (v === MARKER) return 'M';
  if (v instanceof Ref) return v.dis === undefined ? `@${v.id}` : `@${v.id} ${zincStr(v.dis)}`;
  if (v instanceof Num) return zincNum(v.val, v.unit);
  if (v instanceof HDateTime) return zincDateTime(v.epochMs, v.subMsNanos, v.offset, v.tz);
  if (Array.isArray(v)) return zincList(v as readonly Val[]);
  if (v instanceof Uri) return zincUri(v.val);
  if (v instanceof HDate) return v.toString();
  if (v instanceof HTime) return v.toString();
  if (v instanceof Dict) return zincDict(v);
  if (v instanceof Sym) return `^${v.val}`;
  if (v instanceof Coord) return `C(${plainDecimal(v.lat)},${plainDecimal(v.lng)})`;
  if (v instanceof XStr) return `${v.type}(${zincStr(v.val)})`;
  if (v === NA) return 'NA';
  if (v === REMOVE) return 'R';
  if (v instanceof Grid) return `<<\n${encodeZincGrid(v)}>>`;
  throw new ValueError(`Cannot encode ${Object.prototype.toString.call(v)} as Zinc`);
}

function zincList(items: readonly Val[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    out += zincVal(items[i] ?? null);
  }
  return `${out}]`;
}

function zincDict(d: Dict): string {
  let out = '{';
  let first = true;
  d.forEach((v, k) => {
    if (first) first = false;
    else out += ' ';
    out += tag(k, v);
  });
  return `${out}}`;
}

/** Zinc: <number> := <decimal> | "INF" | "-INF" | "NaN" ; JS exponent form (`1e+21`) is valid Zinc. */
export function zincNum(v: number, unit: string | undefined): string {
  let s: string;
  if (v === Number.POSITIVE_INFINITY) s = 'INF';
  else if (v === Number.NEGATIVE_INFINITY) s = '-INF';
  else if (Number.isNaN(v)) return 'NaN';
  else s = String(v);
  return unit === undefined ? s : s + unit;
}

/** Zinc: <str> with escapes for `"`, `\`, control chars and lone surrogates (kept intact through UTF-8). */
export function zincStr(s: string): string {
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff)) return `"${escapeStr(s, i)}"`;
  }
  return `"${s}"`;
}

function escapeStr(s: string, from: number): string {
  let out = s.slice(0, from);
  let run = from;
  const n = s.length;
  for (let i = from; i < n; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c < 32) {
      if (c === 10) esc = '\\n';
      else if (c === 13) esc = '\\r';
      else if (c === 9) esc = '\\t';
      else if (c === 8) esc = '\\b';
      else if (c === 12) esc = '\\f';
      else esc = uEsc(c);
    } else if (c === 34) esc = '\\"';
    else if (c === 92) esc = '\\\\';
    else if (c >= 0xd800 && c <= 0xdfff) {
      if (c <= 0xdbff && i + 1 < n) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          i++;
          continue;
        }
      }
      esc = uEsc(c);
    }
    if (esc !== undefined) {
      out += s.slice(run, i) + esc;
      run = i + 1;
    }
  }
  return out + s.slice(run);
}

function uEsc(c: number): string {
  return `\\u${c.toString(16).padStart(4, '0')}`;
}

/**
 * Zinc: <uri> := "`" <uriChar>* "`". A backslash before a reserved char stays as written (readers keep
 * it, Zinc#uriNotes); any other backslash is written `\u005c`, a backtick `` \` ``.
 */
export function zincUri(s: string): string {
  let out = '`';
  let run = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c === 96) esc = '\\`';
    else if (c < 32) esc = uEsc(c);
    else if (c === 92) {
      if (isUriReserved(i + 1 < n ? s.charCodeAt(i + 1) : -1)) {
        i++;
        continue;
      }
      esc = '\\u005c';
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < n ? s.charCodeAt(i + 1) : -1;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
      esc = uEsc(c);
    }
    if (esc !== undefined) {
      out += s.slice(run, i) + esc;
      run = i + 1;
    }
  }
  return `${out}${s.slice(run)}\``;
}

// : / ? # [ ] @ \ & = ;
function isUriReserved(c: number): boolean {
  return (
    c === 58 ||
    c === 47 ||
    c === 63 ||
    c === 35 ||
    c === 91 ||
    c === 93 ||
    c === 64 ||
    c === 92 ||
    c === 38 ||
    c === 61 ||
    c === 59
  );
}

/** A float in plain decimal notation (Zinc <coordDeg> has no exponent), exact to the shortest round-trip digits. */
export function plainDecimal(x: number): string {
  const s = String(x);
  const e = s.indexOf('e');
  if (e < 0) return s;
  const neg = s.charCodeAt(0) === 45;
  const m = s.slice(neg ? 1 : 0, e);
  const dot = m.indexOf('.');
  const digits = dot < 0 ? m : m.slice(0, dot) + m.slice(dot + 1);
  const point = (dot < 0 ? m.length : dot) + Number(s.slice(e + 1));
  let body: string;
  if (point <= 0) body = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) body = digits + '0'.repeat(point - digits.length);
  else body = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return neg ? `-${body}` : body;
}

// Cache of the date and zone parts of the last DateTime written: consecutive timestamps of a history
// usually share the day, the offset and the zone, so only the time of day is formatted.
let dtDay = Number.NaN;
let dtOffset = Number.NaN;
let dtTz: TimeZone | undefined;
let dtPrefix = '';
let dtSuffix = '';

/** Zinc: <dateTime> := YYYY-MM-DD'T'hh:mm:ss.FFFFFFFFFz zzzz */
export function zincDateTime(epochMs: number, subMsNanos: number, offset: number, tz: TimeZone): string {
  const local = epochMs + offset * 1000;
  const day = Math.floor(local / MS_PER_DAY);
  if (day !== dtDay || offset !== dtOffset || tz !== dtTz) {
    const [y, mo, d] = civilFromDays(day);
    dtPrefix = `${pad4(y)}-${D2[mo] as string}-${D2[d] as string}T`;
    dtSuffix = `${offsetString(offset)} ${tz.name}`;
    dtDay = day;
    dtOffset = offset;
    dtTz = tz;
  }
  const msOfDay = local - day * MS_PER_DAY;
  const secs = Math.floor(msOfDay / 1000);
  const ms = msOfDay - secs * 1000;
  const hms = `${D2[Math.floor(secs / 3600)] as string}:${D2[Math.floor(secs / 60) % 60] as string}:${D2[secs % 60] as string}`;
  if (ms === 0 && subMsNanos === 0) return dtPrefix + hms + dtSuffix;
  return dtPrefix + hms + fractionString(ms * 1_000_000 + subMsNanos) + dtSuffix;
}

/** Rows `from`..`to` of a columnar history as Zinc lines, straight from the typed arrays. */
export function encodeHisRows(src: HisRows, from: number, to: number): string {
  return writeHisRows(src, from, to, (i) => {
    const v = src.val(i);
    return v === null ? '' : zincVal(v);
  });
}
