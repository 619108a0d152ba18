// Zinc writer: any value or grid as Zinc text (grids as `ver:"3.0"`), with fast paths for sparse rows and histories.

import { ValueError } from '../../errors.js';
import { Dict, type DictShape, type TagVal } from '../../grid/dict.js';
import { Grid, type GridCol } from '../../grid/grid.js';
import type { Val } from '../../kinds/kind.js';
import { MARKER } from '../../kinds/marker.js';
import { Ref } from '../../kinds/ref.js';
import { ByteSink } from './byte-sink.js';
import { HisRows } from './his-columns.js';
import { writeHisRows } from './his-writer.js';
import { zincScalar, zincStr } from './zinc-scalar.js';

// Measured: strings built with `+=` beat a UTF-8 byte buffer here, because turning bytes into a string
// (TextDecoder) costs more than the rope; histories, made of many tiny pieces, are the opposite (his-writer).

// Runs of commas for the empty cells between two values of a sparse row.
const COMMAS: string[] = [''];
for (let i = 1; i <= 256; i++) COMMAS.push(`${COMMAS[i - 1] as string},`);

function commas(n: number): string {
  return n <= 256 ? (COMMAS[n] as string) : ','.repeat(n);
}

const encoder = new TextEncoder();

/** Encode any value as Zinc: a grid as a whole `ver:"3.0"` grid, anything else as one Zinc value. */
export function encodeZinc(val: Val): string {
  if (val instanceof Grid) return encodeZincGrid(val);
  return encodeZincValue(val);
}

/** {@link encodeZinc} as UTF-8 bytes (what a server sends); a history's rows go straight to bytes. */
export function encodeZincBytes(val: Val): Uint8Array {
  const his = val instanceof Grid ? hisRows(val) : undefined;
  if (his !== undefined && val instanceof Grid) {
    const sink = new ByteSink(val.size * 48 + 256);
    sink.utf8(encodeZincHeader(val.meta, val.cols));
    writeHis(sink, his, 0, val.size);
    return sink.toBytes();
  }
  return encoder.encode(encodeZinc(val));
}

/** Encode a grid as Zinc text (`ver:"3.0"`, meta, columns, one line per row). */
export function encodeZincGrid(grid: Grid): string {
  return encodeZincHeader(grid.meta, grid.cols) + encodeZincRows(grid, 0, grid.size);
}

/** Rows `from`..`to` of a grid as Zinc lines (the history fast path included), for writing in chunks. */
export function encodeZincRows(grid: Grid, from: number, to: number, writer?: RowWriter): string {
  const his = hisRows(grid);
  if (his !== undefined) {
    const sink = new ByteSink((to - from) * 48 + 64);
    writeHis(sink, his, from, to);
    return sink.toString();
  }
  const w = writer ?? new RowWriter(grid.cols);
  const src = grid.rowSource;
  let out = '';
  for (let i = from; i < to; i++) out += w.row(src.row(i));
  return out;
}

/** The columnar history behind a `ts,val` grid, if that is what holds its rows. */
function hisRows(grid: Grid): HisRows | undefined {
  const src = grid.rowSource;
  return src instanceof HisRows && grid.cols.length === 2 ? src : undefined;
}

function writeHis(sink: ByteSink, src: HisRows, from: number, to: number): void {
  writeHisRows(sink, src, from, to, (s, i) => {
    const v = src.val(i);
    if (v !== null) s.utf8(encodeZincValue(v));
  });
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
  // Zinc needs a column: a grid without any is written with one named `empty`, as Haxall does.
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
  readonly #names: readonly string[];
  readonly #n: number;
  // The last row shape seen, and whether its slots are exactly these columns in order.
  #shape: DictShape | undefined;
  #shapeIsCols = false;
  readonly #cells: string[];
  #line = '';
  #last = -1;
  #ordered = true;
  readonly #append: (v: TagVal, k: string) => void;
  readonly #place: (v: TagVal, k: string) => void;

  constructor(cols: readonly GridCol[]) {
    this.#n = cols.length;
    this.#names = cols.map((c) => c.name);
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
      this.#line += commas(this.#last < 0 ? i : i - this.#last) + encodeZincValue(v);
      this.#last = i;
    };
    // Other rows fill a cell array that is joined.
    this.#place = (v, k) => {
      this.#cells[this.#colIndex(k)] = encodeZincValue(v);
    };
  }

  #colIndex(name: string): number {
    const i = this.#index.get(name);
    if (i === undefined) throw new ValueError(`Row tag ${name} has no column`);
    return i;
  }

  #bySlot(row: Dict): string {
    let line = '';
    let last = -1;
    for (let i = 0; i < this.#n; i++) {
      const v = row.valueAt(i);
      if (v === undefined) continue;
      line += commas(last < 0 ? i : i - last) + encodeZincValue(v);
      last = i;
    }
    return `${line}${commas(this.#n - 1 - last)}\n`;
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
    // Rows read from Zinc or JSON share a shape of the grid's columns: cells are read by slot, no name lookups.
    const shape = row.shape;
    if (shape !== this.#shape) {
      this.#shape = shape;
      this.#shapeIsCols = sameNames(shape.names, this.#names);
    }
    if (this.#shapeIsCols) return this.#bySlot(row);
    this.#reset();
    row.forEach(this.#append);
    if (this.#ordered) return `${this.#line}${commas(n - 1 - this.#last)}\n`;
    row.forEach(this.#place);
    const line = `${this.#cells.join(',')}\n`;
    this.#cells.fill('');
    return line;
  }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `name` for a Marker, else `name:val`. */
function tag(name: string, v: Val): string {
  return v === MARKER ? name : `${name}:${encodeZincValue(v)}`;
}

/** One value as Zinc (a grid as a nested `<<...>>` grid); `N` for null. */
export function encodeZincValue(v: Val): string {
  if (typeof v === 'string') return zincStr(v);
  if (v === MARKER) return 'M';
  if (v instanceof Ref) return v.dis === undefined ? `@${v.id}` : `@${v.id} ${zincStr(v.dis)}`;
  if (v instanceof Dict) return zincDict(v);
  if (Array.isArray(v)) return zincList(v as readonly Val[]);
  if (v instanceof Grid) return `<<\n${encodeZincGrid(v)}>>`;
  const s = zincScalar(v);
  if (s === undefined) throw new ValueError(`Cannot encode ${Object.prototype.toString.call(v)} as Zinc`);
  return s;
}

function zincList(items: readonly Val[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out += ',';
    out += encodeZincValue(items[i] ?? null);
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
