// The Grid kind: immutable meta, columns with meta, and rows of Dicts.

import { ValueError } from '../errors.js';
import { compare, equals, hash } from '../kinds/equality.js';
import { hashString, mix } from '../kinds/hash.js';
import type { Val } from '../kinds/kind.js';
import { registerValueClass } from '../kinds/value-class.js';
import { Dict, type DictInit, type DictShape } from './dict.js';
import { isTagName } from './tag-name.js';

/** A grid column: a tag name and its meta. */
export interface GridCol {
  /** Column (tag) name. */
  readonly name: string;
  /** Column meta, e.g. `dis` or `unit`. */
  readonly meta: Dict;
}

/**
 * Where a Grid's rows come from. Arrays of Dicts are the common case; readers of long histories
 * supply columnar sources that make a row's Dict only when it is asked for.
 */
export interface RowSource {
  /** Number of rows. */
  readonly size: number;
  /** Row `i` (0 <= i < size). */
  row(i: number): Dict;
}

class ArrayRows implements RowSource {
  readonly rows: readonly Dict[];
  // Frozen so that `grid.rows` cannot be used to change the grid.
  constructor(rows: readonly Dict[]) {
    this.rows = Object.isFrozen(rows) ? rows : Object.freeze(rows);
  }
  get size(): number {
    return this.rows.length;
  }
  row(i: number): Dict {
    return this.rows[i] ?? Dict.EMPTY;
  }
}

/** The Grid kind. Build one with {@link GridBuilder}, {@link Grid.fromDicts} or {@link Grid.make}. */
export class Grid implements Iterable<Dict> {
  /** Grid meta. */
  readonly meta: Dict;
  /** Columns in order. */
  readonly cols: readonly GridCol[];
  readonly #source: RowSource;
  #colIndex: Map<string, GridCol> | undefined;

  private constructor(meta: Dict, cols: readonly GridCol[], source: RowSource) {
    this.meta = meta;
    this.cols = cols;
    this.#source = source;
  }

  /** The grid with no meta, columns or rows. */
  static readonly EMPTY: Grid = new Grid(Dict.EMPTY, Object.freeze([]), new ArrayRows([]));

  /**
   * A grid from its parts. Column names must be unique valid tag names; a row tag with no column
   * is an error (set `addMissingCols` to add such columns at the end instead).
   */
  static make(parts: {
    readonly meta?: DictInit | null;
    readonly cols: readonly (string | { readonly name: string; readonly meta?: DictInit | null })[];
    readonly rows?: readonly (Dict | DictInit)[];
    readonly addMissingCols?: boolean;
  }): Grid {
    const cols: GridCol[] = [];
    const seen = new Set<string>();
    for (const c of parts.cols) {
      const name = typeof c === 'string' ? c : c.name;
      const meta = typeof c === 'string' ? Dict.EMPTY : Dict.of(c.meta);
      if (!isTagName(name)) throw new ValueError(`Invalid column name ${JSON.stringify(name)}`);
      if (seen.has(name)) throw new ValueError(`Duplicate column ${name}`);
      seen.add(name);
      cols.push(Object.freeze({ name, meta }));
    }
    const rows = (parts.rows ?? []).map((r) => Dict.of(r));
    // A row holding every name of its shape adds nothing once another such row of that shape was seen (the
    // entities of a store query come in a few shapes).
    const fullShapes = new Set<DictShape>();
    for (const r of rows) {
      const shape = r.shape;
      const full = r.size === shape.size;
      if (full) {
        if (fullShapes.has(shape)) continue;
        fullShapes.add(shape);
      }
      for (const name of r.keys()) {
        if (seen.has(name)) continue;
        if (parts.addMissingCols !== true) throw new ValueError(`Row tag ${name} has no column`);
        seen.add(name);
        cols.push(Object.freeze({ name, meta: Dict.EMPTY }));
      }
    }
    return new Grid(Dict.of(parts.meta), Object.freeze(cols), new ArrayRows(Object.freeze(rows)));
  }

  /** A grid of these rows, with a column per tag name in order of first appearance. */
  static fromDicts(rows: readonly (Dict | DictInit)[], meta?: DictInit | null): Grid {
    return Grid.make({
      meta: meta ?? null,
      cols: [],
      rows,
      addMissingCols: true,
    });
  }

  /**
   * Wrap prepared parts without copying or checking: for readers that have validated the input.
   * Columns must be unique valid names and every row's tags must be columns.
   */
  static fromTrustedParts(meta: Dict, cols: readonly GridCol[], rows: RowSource | readonly Dict[]): Grid {
    const frozenCols = Object.isFrozen(cols) ? cols : Object.freeze(cols.map((c) => Object.freeze(c)));
    return new Grid(meta, frozenCols, Array.isArray(rows) ? new ArrayRows(rows) : (rows as RowSource));
  }

  /** Kind name. */
  get kind(): 'grid' {
    return 'grid';
  }

  /** Number of rows. */
  get size(): number {
    return this.#source.size;
  }

  /** True if there are no rows. */
  get isEmpty(): boolean {
    return this.#source.size === 0;
  }

  /** True if this is an error grid (meta has `err`). */
  get isError(): boolean {
    return this.meta.has('err');
  }

  /** Row `i`; throws a RangeError outside 0..size-1. */
  row(i: number): Dict {
    if (!Number.isInteger(i) || i < 0 || i >= this.#source.size) throw new ValueError(`Row ${i} out of range`);
    return this.#source.row(i);
  }

  /** The first row, if any. */
  get first(): Dict | undefined {
    return this.#source.size > 0 ? this.#source.row(0) : undefined;
  }

  /** All rows as an array (made on demand for columnar sources). */
  get rows(): readonly Dict[] {
    if (this.#source instanceof ArrayRows) return this.#source.rows;
    return Array.from(this, (r) => r);
  }

  /** The row source (for writers that can take a columnar fast path). */
  get rowSource(): RowSource {
    return this.#source;
  }

  /** Rows in order. */
  *[Symbol.iterator](): IterableIterator<Dict> {
    const src = this.#source;
    for (let i = 0; i < src.size; i++) yield src.row(i);
  }

  /** Column names in order. */
  get colNames(): readonly string[] {
    return this.cols.map((c) => c.name);
  }

  /** The column with this name, if any. */
  col(name: string): GridCol | undefined {
    if (this.#colIndex === undefined) this.#colIndex = new Map(this.cols.map((c) => [c.name, c]));
    return this.#colIndex.get(name);
  }

  /** True if the grid has this column. */
  hasCol(name: string): boolean {
    return this.col(name) !== undefined;
  }

  /** The values of one column, null where a row lacks the tag. */
  column(name: string): Val[] {
    const out: Val[] = [];
    for (const r of this) out.push(r.get(name));
    return out;
  }

  /**
   * A grid of the mapped rows with the same meta. Columns are recomputed from the results (as Haxall's
   * `Grid.map`): existing columns that some row still uses keep their order and meta, new ones follow.
   */
  map(fn: (row: Dict, index: number) => Dict | DictInit): Grid {
    const rows: Dict[] = [];
    const used = new Set<string>();
    let i = 0;
    for (const r of this) {
      const d = Dict.of(fn(r, i++));
      for (const name of d.keys()) used.add(name);
      rows.push(d);
    }
    const cols: GridCol[] = this.cols.filter((c) => used.has(c.name));
    for (const c of cols) used.delete(c.name);
    for (const name of used) cols.push(Object.freeze({ name, meta: Dict.EMPTY }));
    return new Grid(this.meta, Object.freeze(cols), new ArrayRows(rows));
  }

  /** A grid of the rows that pass `fn`, with the same meta and columns. */
  filter(fn: (row: Dict, index: number) => boolean): Grid {
    const rows: Dict[] = [];
    let i = 0;
    for (const r of this) if (fn(r, i++)) rows.push(r);
    return new Grid(this.meta, this.cols, new ArrayRows(rows));
  }

  /** Same meta, columns (names and meta, in order) and rows (in order). */
  equals(other: unknown): boolean {
    if (other === this) return true;
    if (!(other instanceof Grid)) return false;
    if (!this.meta.equals(other.meta) || this.cols.length !== other.cols.length || this.size !== other.size)
      return false;
    for (let i = 0; i < this.cols.length; i++) {
      const a = this.cols[i] as GridCol;
      const b = other.cols[i] as GridCol;
      if (a.name !== b.name || !a.meta.equals(b.meta)) return false;
    }
    for (let i = 0; i < this.size; i++) if (!equals(this.#source.row(i), other.#source.row(i))) return false;
    return true;
  }

  /** Orders by columns, then rows, then meta. */
  compareTo(other: Grid): number {
    const n = Math.min(this.cols.length, other.cols.length);
    for (let i = 0; i < n; i++) {
      const a = this.cols[i] as GridCol;
      const b = other.cols[i] as GridCol;
      if (a.name !== b.name) return a.name < b.name ? -1 : 1;
      const c = a.meta.compareTo(b.meta);
      if (c !== 0) return c;
    }
    if (this.cols.length !== other.cols.length) return this.cols.length - other.cols.length;
    const m = Math.min(this.size, other.size);
    for (let i = 0; i < m; i++) {
      const c = compare(this.#source.row(i), other.#source.row(i));
      if (c !== 0) return c;
    }
    if (this.size !== other.size) return this.size - other.size;
    return this.meta.compareTo(other.meta);
  }

  /** Hash of meta, columns and rows. */
  hash(): number {
    let h = this.meta.hash();
    for (const c of this.cols) h = mix(h, mix(hashString(c.name), c.meta.hash()));
    for (const r of this) h = mix(h, hash(r));
    return h;
  }

  /** Debug form. */
  toString(): string {
    return `Grid(${this.cols.length} cols, ${this.size} rows)`;
  }
}
registerValueClass(Grid);

/** Fluent builder of an immutable Grid. */
export class GridBuilder {
  #meta: Dict = Dict.EMPTY;
  readonly #cols: GridCol[] = [];
  readonly #index = new Map<string, number>();
  readonly #rows: Dict[] = [];

  /** Merge tags into the grid meta. */
  meta(init: DictInit): this {
    this.#meta = this.#meta.merge(init);
    return this;
  }

  /** Add a column (an error if it exists). */
  addCol(name: string, meta?: DictInit | null): this {
    if (!isTagName(name)) throw new ValueError(`Invalid column name ${JSON.stringify(name)}`);
    if (this.#index.has(name)) throw new ValueError(`Duplicate column ${name}`);
    this.#index.set(name, this.#cols.length);
    this.#cols.push(Object.freeze({ name, meta: Dict.of(meta) }));
    return this;
  }

  /** Add several columns with no meta. */
  addCols(names: readonly string[]): this {
    for (const n of names) this.addCol(n);
    return this;
  }

  /** Add a row of cells in column order (missing trailing cells are null). */
  addRow(cells: readonly unknown[]): this {
    if (cells.length > this.#cols.length)
      throw new ValueError(`Row has ${cells.length} cells for ${this.#cols.length} columns`);
    const m: [string, unknown][] = [];
    for (let i = 0; i < cells.length; i++) m.push([(this.#cols[i] as GridCol).name, cells[i]]);
    this.#rows.push(Dict.of(m));
    return this;
  }

  /** Add a row from a Dict or record; columns it names that do not exist yet are added. */
  addDict(row: Dict | DictInit): this {
    const d = Dict.of(row);
    for (const name of d.keys()) if (!this.#index.has(name)) this.addCol(name);
    this.#rows.push(d);
    return this;
  }

  /** Add several rows with {@link addDict}. */
  addDicts(rows: Iterable<Dict | DictInit>): this {
    for (const r of rows) this.addDict(r);
    return this;
  }

  /** Number of rows so far. */
  get size(): number {
    return this.#rows.length;
  }

  /** The grid (the builder may go on being used; the grid does not change). */
  build(): Grid {
    return Grid.fromTrustedParts(this.#meta, Object.freeze([...this.#cols]), Object.freeze([...this.#rows]));
  }
}
