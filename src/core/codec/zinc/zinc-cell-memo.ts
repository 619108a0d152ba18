// Zinc grids as UTF-8 bytes, with the encoded cells of entities kept between calls: a server encodes the same
// store entities in response after response, and encoding their values was most of what a read or nav cost.

import type { Dict } from '../../grid/dict.js';
import type { Grid, GridCol } from '../../grid/grid.js';
import { ByteSink, putBytes, utf8Encoder } from './byte-sink.js';
import { HisRows } from './his-columns.js';
import {
  encodeZincHeader,
  encodeZincValue,
  noColumn,
  type ShapePlan,
  ShapePlans,
  zincBytesInto,
} from './zinc-writer.js';

/**
 * The encoded cells of one Dict, packed in bytes: first, for each slot of its shape, where that slot's bytes end
 * (two bytes, little-endian, counted from the end of this table; an absent slot has no bytes, as no encoded value
 * is empty), then the UTF-8 bytes of each slot's value in slot order. A view of a slab shared by many records:
 * measured on Alpha + Bravo, 407 bytes per entity kept against 1.1 KB with an array each for bytes and
 * offsets; a string of chars 0-255 took 309 bytes but copying out of it was twice as slow.
 */
type Cells = Uint8Array;

/**
 * What is kept of one Dict: its cells, and its whole Zinc line (commas and newline included) as last written in
 * `layout`, and the one before in `layout2` (an entity answered by two queries of different columns in turn, such
 * as a read of points and the nav level holding them, would otherwise rebuild its line each time). Layouts are
 * made once per column names (see {@link ZincCellMemo.plans}) and a line is kept only under a plan its layout
 * keeps, so the same layout object means the same columns and plan: the line is then copied in one step, where
 * placing cell by cell cost a byte loop per cell (measured: 8x slower than one `set` of the line).
 */
interface Entry {
  readonly cells: Cells;
  layout: ColumnLayout | undefined;
  line: Uint8Array | undefined;
  layout2: ColumnLayout | undefined;
  line2: Uint8Array | undefined;
}

// Cells longer than this (offsets are two bytes) are not kept: such an entity is encoded every time.
const MAX_CELL_BYTES = 0xffff;
// Records are cut from slabs of this size (a larger record gets an array of its own).
const SLAB_BYTES = 64 * 1024;
// Bytes kept since the last turn, per entry of the bound, past which the generations turn anyway: lines rewritten
// under changing layouts would otherwise pin slabs that hold little else.
const TURN_BYTES_PER_ENTRY = 2048;
// Column layouts whose plans are kept (then they start afresh): the distinct column sets a server answers with.
const MAX_LAYOUTS = 256;

const COMMA = 44;
const NEWLINE = 10;

/** The shape plans of one column layout, kept across grids with the same column names in the same order. */
export class ColumnLayout extends ShapePlans {
  /** The column names. */
  readonly names: readonly string[];
  #line: Uint8Array | undefined;

  constructor(cols: readonly GridCol[]) {
    super(cols);
    this.names = Object.freeze(cols.map((c) => c.name));
  }

  /**
   * The Zinc column line of these names when no column has meta (names, commas, newline) in UTF-8: made once, as
   * a grid's header was a tenth of encoding a nav level.
   */
  namesLine(): Uint8Array {
    this.#line ??= utf8Encoder.encode(`${this.names.join(',')}\n`);
    return this.#line;
  }
}

/**
 * The encoded cells of Dicts that are encoded again and again (the entities a store keeps), by Dict: Dicts are
 * immutable, so a changed entity is a new Dict, never an outdated entry. Bounded: past `maxEntries` Dicts encoded
 * since the last turn (or that many times 2 KB kept), the entries not used since the turn before are let go (two
 * generations), so it holds at most about twice that; the GC drops entries of Dicts nobody else holds, and a slab
 * once all its records are gone (a record used again after a turn is copied to the current slab, so old slabs do
 * not stay for one record).
 */
export class ZincCellMemo {
  readonly #max: number;
  #young = new WeakMap<Dict, Entry>();
  #old = new WeakMap<Dict, Entry>();
  #count = 0;
  #kept = 0;
  #slab = new Uint8Array(SLAB_BYTES);
  #used = 0;
  // Where a record is built (reused: only its copy is kept).
  readonly #scratch = new ByteSink(1024);
  readonly #layouts = new Map<string, ColumnLayout>();
  readonly #byCols = new WeakMap<readonly GridCol[], ColumnLayout>();
  // Dicts without an id met once: kept only when met again (the rows an op keeps, such as the ops and defs grids),
  // so that rows made for one response (about, errors) do not push out entities.
  #seen = new WeakSet<Dict>();
  #seenCount = 0;

  /** A memo keeping at most about `maxEntries` Dicts' cells (twice that at worst). */
  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  /** The cells of `row`, kept for the next call; undefined for an entity too large to keep. */
  cells(row: Dict): Cells | undefined {
    return this.#entry(row, true)?.cells;
  }

  /**
   * The shape plans of grids with these columns: the same object for the same column names in the same order,
   * so that a row's line written under one of its plans can be reused by the next grid of that layout.
   */
  plans(cols: readonly GridCol[]): ColumnLayout {
    // Grids that share their columns array (an op's kept level, a read of the same shapes) skip the key.
    const same = this.#byCols.get(cols);
    if (same !== undefined) return same;
    const layout = this.#layout(cols);
    this.#byCols.set(cols, layout);
    return layout;
  }

  #layout(cols: readonly GridCol[]): ColumnLayout {
    let key = '';
    for (let i = 0; i < cols.length; i++) key += i === 0 ? (cols[i] as GridCol).name : `,${(cols[i] as GridCol).name}`;
    const layout = this.#layouts.get(key);
    // Names are compared too: a trusted grid's column name holding a comma would otherwise share a key.
    if (layout !== undefined && sameNames(layout.names, cols)) return layout;
    const made = new ColumnLayout(cols);
    if (this.#layouts.size >= MAX_LAYOUTS) this.#layouts.clear();
    this.#layouts.set(key, made);
    return made;
  }

  /**
   * The whole line of `row` (commas, newline) in a grid of `n` columns laid out by `plans`, kept for the next
   * grid of that layout; undefined when the row is too large to keep, or is met for the first time and has no
   * `id` (an entity is kept at once; another row once it comes again). Throws when a tag of the row has no
   * column.
   */
  line(row: Dict, plans: ColumnLayout, n: number): Uint8Array | undefined {
    const entry = this.#entry(row, undefined);
    if (entry === undefined) return undefined;
    // The row's shape is its own: in the same layout, the same plan (no lookup of it on the way to a kept line).
    if (entry.layout === plans && entry.line !== undefined) return entry.line;
    if (entry.layout2 === plans && entry.line2 !== undefined) return entry.line2;
    const sink = this.#scratch;
    sink.len = 0;
    writeLine(sink, row, entry.cells, plans.of(row.shape), n);
    // A plan made for this row only (a grid of very many shapes) would never be met again.
    if (!plans.kept(row.shape)) return sink.buf.subarray(0, sink.len);
    const line = this.#keep(sink.buf.subarray(0, sink.len));
    entry.layout2 = entry.layout;
    entry.line2 = entry.line;
    entry.layout = plans;
    entry.line = line;
    return line;
  }

  // `entity` undefined: told by the row's id, looked at only when the row is not kept (most rows are).
  #entry(row: Dict, entity: boolean | undefined): Entry | undefined {
    let e = this.#young.get(row);
    if (e !== undefined) return e;
    const old = this.#old.get(row);
    if (old === undefined) {
      if (!(entity ?? row.has('id')) && this.#firstSight(row)) return undefined;
      const cells = this.#encode(row);
      if (cells === undefined) return undefined;
      e = { cells, layout: undefined, line: undefined, layout2: undefined, line2: undefined };
    } else {
      // Moved to the current slab, so that the old generation's slabs can go.
      const line = old.line === undefined ? undefined : this.#keep(old.line);
      const line2 = old.line2 === undefined ? undefined : this.#keep(old.line2);
      e = {
        cells: this.#keep(old.cells),
        layout: line === undefined ? undefined : old.layout,
        line,
        layout2: line2 === undefined ? undefined : old.layout2,
        line2,
      };
    }
    this.#young.set(row, e);
    if (++this.#count >= this.#max || this.#kept >= this.#max * TURN_BYTES_PER_ENTRY) this.#turn();
    return e;
  }

  // True the first time `row` is met (within a bound: past `maxEntries` rows met once, they are forgotten).
  #firstSight(row: Dict): boolean {
    if (this.#seen.has(row)) return false;
    if (++this.#seenCount >= this.#max) {
      this.#seen = new WeakSet();
      this.#seenCount = 0;
    }
    this.#seen.add(row);
    return true;
  }

  #turn(): void {
    this.#old = this.#young;
    this.#young = new WeakMap();
    this.#count = 0;
    this.#kept = 0;
  }

  #encode(row: Dict): Cells | undefined {
    const sink = this.#scratch;
    const n = row.shape.size;
    const table = 2 * n;
    sink.len = 0;
    sink.ensure(table);
    sink.len = table;
    for (let slot = 0; slot < n; slot++) {
      const v = row.valueAt(slot);
      if (v !== undefined) sink.utf8(encodeZincValue(v));
      const end = sink.len - table;
      if (end > MAX_CELL_BYTES) return undefined;
      sink.buf[2 * slot] = end & 0xff;
      sink.buf[2 * slot + 1] = end >> 8;
    }
    return this.#keep(sink.buf.subarray(0, sink.len));
  }

  // A copy of `bytes` in the current slab.
  #keep(bytes: Uint8Array): Uint8Array {
    const n = bytes.length;
    this.#kept += n;
    if (n > SLAB_BYTES / 4) return bytes.slice();
    if (this.#used + n > SLAB_BYTES) {
      this.#slab = new Uint8Array(SLAB_BYTES);
      this.#used = 0;
    }
    const kept = this.#slab.subarray(this.#used, this.#used + n);
    kept.set(bytes);
    this.#used += n;
    return kept;
  }
}

// The first line of a grid without meta.
const VER_LINE = utf8Encoder.encode('ver:"3.0"\n');

// The line of a row in a grid without columns.
const NULL_ROW = utf8Encoder.encode('N\n');

function noMeta(col: GridCol): boolean {
  return col.meta.isEmpty;
}

function sameNames(names: readonly string[], cols: readonly GridCol[]): boolean {
  if (names.length !== cols.length) return false;
  for (let i = 0; i < names.length; i++) if (names[i] !== (cols[i] as GridCol).name) return false;
  return true;
}

// The output buffer when the caller gives none, reused across calls (the result is then a copy): growing it again on
// every response cost more.
const shared = new ByteSink(64 * 1024);

/**
 * A grid as Zinc in UTF-8, the same bytes as `encodeZincBytes`: the lines of rows with an `id` (entities) and of
 * other rows met before come from `memo`, rows met the first time are encoded as they come. Written into `into`
 * when given (emptied first; the result is then a view of its buffer, valid until it is written again: a server
 * reuses output buffers once their response is sent), else returned as a fresh array.
 */
export function encodeZincGridMemo(grid: Grid, memo: ZincCellMemo, into?: ByteSink): Uint8Array {
  if (grid.rowSource instanceof HisRows) return zincBytesInto(grid, into);
  const out = into ?? shared;
  const cols = grid.cols;
  const n = cols.length;
  out.len = 0;
  const plans = n > 0 ? memo.plans(cols) : undefined;
  // The usual header (no grid or column meta) from bytes kept with the layout.
  if (plans !== undefined && grid.meta.isEmpty && cols.every(noMeta)) {
    putBytes(out, VER_LINE);
    putBytes(out, plans.namesLine());
  } else out.utf8(encodeZincHeader(grid.meta, cols));
  const src = grid.rowSource;
  if (plans !== undefined && src.size > 0) {
    // A lone row that is no entity (about, an error) is made for its response: not worth a look in the memo.
    const many = src.size > 1;
    for (let r = 0; r < src.size; r++) {
      const row = src.row(r);
      const line = many || row.has('id') ? memo.line(row, plans, n) : undefined;
      if (line === undefined) writeLine(out, row, undefined, plans.of(row.shape), n);
      else putBytes(out, line);
    }
  } else if (n === 0) {
    // A row under the placeholder column `empty` is its null (N), as encodeZincGrid writes it.
    for (let r = 0; r < src.size; r++) putBytes(out, NULL_ROW);
  }
  return into === undefined ? out.buf.slice(0, out.len) : out.buf.subarray(0, out.len);
}

// One row's line: its cells in column order (from `cells` when given, else encoded now), each after the commas
// since the last, then the commas to the end and a newline; a row of nulls is `N` in a one-column grid, as an empty
// line would end the grid.
function writeLine(sink: ByteSink, row: Dict, cells: Cells | undefined, plan: ShapePlan, n: number): void {
  const last = cells === undefined ? writeValues(sink, row, plan) : writeCells(sink, row, cells, plan, n);
  commas(sink, last < 0 ? n - 1 : n - 1 - last);
  if (last < 0 && n === 1) sink.byte(78);
  sink.byte(NEWLINE);
}

// The cells of one row in column order, each after the commas since the last; returns the last column written.
function writeCells(sink: ByteSink, row: Dict, cells: Cells, plan: ShapePlan, n: number): number {
  const { slots, cols } = plan;
  const table = 2 * row.shape.size;
  sink.ensure(cells.length + n);
  const buf = sink.buf;
  let p = sink.len;
  let last = -1;
  for (let j = 0; j < slots.length; j++) {
    const slot = slots[j] as number;
    const at = 2 * slot;
    const from = table + (slot === 0 ? 0 : (cells[at - 2] as number) | ((cells[at - 1] as number) << 8));
    const to = table + ((cells[at] as number) | ((cells[at + 1] as number) << 8));
    if (from === to) continue;
    const col = cols[j] as number;
    if (col < 0) throw noColumn(row, slot);
    for (let k = last < 0 ? col : col - last; k > 0; k--) buf[p++] = COMMA;
    // A loop beats TypedArray#set for the few bytes of a cell.
    for (let i = from; i < to; i++) buf[p++] = cells[i] as number;
    last = col;
  }
  sink.len = p;
  return last;
}

// A row encoded as it comes (not an entity): the same cells, without keeping them.
function writeValues(sink: ByteSink, row: Dict, plan: ShapePlan): number {
  const { slots, cols } = plan;
  let last = -1;
  for (let j = 0; j < slots.length; j++) {
    const slot = slots[j] as number;
    const v = row.valueAt(slot);
    if (v === undefined) continue;
    const col = cols[j] as number;
    if (col < 0) throw noColumn(row, slot);
    commas(sink, last < 0 ? col : col - last);
    sink.utf8(encodeZincValue(v));
    last = col;
  }
  return last;
}

function commas(sink: ByteSink, n: number): void {
  sink.ensure(n);
  const buf = sink.buf;
  let p = sink.len;
  for (let k = 0; k < n; k++) buf[p++] = COMMA;
  sink.len = p;
}
