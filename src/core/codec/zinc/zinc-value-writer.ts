// Zinc text of values, grid headers and rows, grids row by row: the Zinc writer without the byte writer of
// histories (zinc-writer.ts), which is all that requests, nested grids, Trio and the stream decoder's bundle need.

import { ValueError } from '../../errors.js';
import { Dict, type DictShape } from '../../grid/dict.js';
import { Grid, type GridCol } from '../../grid/grid.js';
import type { Val } from '../../kinds/kind.js';
import { MARKER } from '../../kinds/marker.js';
import { Ref } from '../../kinds/ref.js';
import { zincScalar, zincStr } from './zinc-scalar.js';

// Measured: strings built with `+=` beat a UTF-8 byte buffer here, because turning bytes into a string
// (TextDecoder) costs more than the rope; histories, made of many tiny pieces, are the opposite (his-writer).

// Runs of commas for the empty cells between two values of a sparse row.
const COMMAS: string[] = [''];
for (let i = 1; i <= 256; i++) COMMAS.push(`${COMMAS[i - 1] as string},`);

function commas(n: number): string {
  return n <= 256 ? (COMMAS[n] as string) : ','.repeat(n);
}

/**
 * A grid as Zinc text row by row, without the history fast path: what nested grids and small request grids need,
 * so that a bundle writing only those (the client's requests) leaves the byte writer of histories out.
 */
export function encodeZincGridRows(grid: Grid): string {
  return encodeZincHeader(grid.meta, grid.cols) + rowsByRow(grid, 0, grid.size, new RowWriter(grid.cols));
}

/** Rows `from`..`to` of a grid as Zinc lines, written one by one with `w`. */
export function rowsByRow(grid: Grid, from: number, to: number, w: RowWriter): string {
  const src = grid.rowSource;
  let out = '';
  for (let i = from; i < to; i++) out += w.row(src.row(i));
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
 * Where the tags of one row shape go in a grid: the slots of the shape in column order, with the column of each
 * (-1: a tag with no column, an error if a row has it). Made once per shape, so a row costs its present tags.
 */
export interface ShapePlan {
  /** The shape's slots, in column order. */
  readonly slots: readonly number[];
  /** The column of each of those slots, -1 for none. */
  readonly cols: readonly number[];
}

/** The plan of a row shape for a grid whose columns are indexed by name in `index`. */
export function planShape(names: readonly string[], index: ReadonlyMap<string, number>): ShapePlan {
  const slots: number[] = [];
  const cols: number[] = [];
  for (let slot = 0; slot < names.length; slot++) {
    const col = index.get(names[slot] as string) ?? -1;
    // Insertion sort by column: shapes mostly follow the column order already, so this rarely moves anything.
    let j = cols.length;
    slots.push(slot);
    cols.push(col);
    while (j > 0 && (cols[j - 1] as number) > col) {
      slots[j] = slots[j - 1] as number;
      cols[j] = cols[j - 1] as number;
      j--;
    }
    slots[j] = slot;
    cols[j] = col;
  }
  return { slots, cols };
}

// Past this many shapes in one grid (rows of a store query come in a few), further shapes are planned per row.
const MAX_PLANNED_SHAPES = 1024;

/** The plans of the row shapes met in one grid, made once per shape (see {@link planShape}). */
export class ShapePlans {
  readonly #index = new Map<string, number>();
  // The last shape seen and its plan: rows of a grid or a store query mostly come in runs of one shape.
  #shape: DictShape | undefined;
  #plan: ShapePlan | undefined;
  readonly #plans = new Map<DictShape, ShapePlan>();

  /** Plans for a grid with these columns. */
  constructor(cols: readonly GridCol[]) {
    for (let i = 0; i < cols.length; i++) this.#index.set((cols[i] as GridCol).name, i);
  }

  /** The plan of rows of this shape. */
  of(shape: DictShape): ShapePlan {
    if (shape === this.#shape && this.#plan !== undefined) return this.#plan;
    let plan = this.#plans.get(shape);
    if (plan === undefined) {
      plan = planShape(shape.names, this.#index);
      if (this.#plans.size < MAX_PLANNED_SHAPES) this.#plans.set(shape, plan);
    }
    this.#shape = shape;
    this.#plan = plan;
    return plan;
  }

  /** True when the plan of `shape` is kept (a line written under it can be met again). */
  kept(shape: DictShape): boolean {
    return this.#plans.has(shape);
  }
}

/** The error of a row whose tag in `slot` has no column in the grid. */
export function noColumn(row: Dict, slot: number): ValueError {
  return new ValueError(`Row tag ${row.shape.names[slot] as string} has no column`);
}

/**
 * Writes rows of one grid. Cells are placed by column index, so a sparse row costs its tags, not its
 * columns; a one-column grid writes `N` for a null cell (an empty line would end the grid).
 */
export class RowWriter {
  readonly #n: number;
  readonly #plans: ShapePlans;

  constructor(cols: readonly GridCol[]) {
    this.#n = cols.length;
    this.#plans = new ShapePlans(cols);
  }

  /** The row as a line ending in a newline. */
  row(row: Dict): string {
    const n = this.#n;
    // The header wrote the placeholder column `empty`: each row is its null, or the rows would be lost.
    if (n === 0) return 'N\n';
    if (row.size === 0) return n === 1 ? 'N\n' : `${commas(n - 1)}\n`;
    const { slots, cols } = this.#plans.of(row.shape);
    let line = '';
    let last = -1;
    for (let j = 0; j < slots.length; j++) {
      const v = row.valueAt(slots[j] as number);
      if (v === undefined) continue;
      const col = cols[j] as number;
      if (col < 0) throw noColumn(row, slots[j] as number);
      line += commas(last < 0 ? col : col - last) + encodeZincValue(v);
      last = col;
    }
    return `${line}${commas(n - 1 - last)}\n`;
  }
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
  if (v instanceof Grid) return `<<\n${encodeZincGridRows(v)}>>`;
  const s = zincScalar(v);
  if (s === undefined) throw new ValueError(`Not a Haystack value: ${typeof v} ${String(v)}`);
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
