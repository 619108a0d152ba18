// Zinc grids as UTF-8 bytes, with the encoded cells of entities kept between calls: a server encodes the same
// store entities in response after response, and encoding their values was most of what a read or nav cost.

import type { Dict } from '../../grid/dict.js';
import type { Grid } from '../../grid/grid.js';
import { ByteSink } from './byte-sink.js';
import { HisRows } from './his-columns.js';
import {
  encodeZincBytes,
  encodeZincHeader,
  encodeZincValue,
  noColumn,
  type ShapePlan,
  ShapePlans,
} from './zinc-writer.js';

/**
 * The encoded cells of one Dict, packed in bytes: first, for each slot of its shape, where that slot's bytes end
 * (two bytes, little-endian, counted from the end of this table; an absent slot has no bytes, as no encoded value
 * is empty), then the UTF-8 bytes of each slot's value in slot order. A view of a slab shared by many records:
 * measured on Alpha + Bravo, 407 bytes per entity kept against 1.1 KB with an array each for bytes and
 * offsets; a string of chars 0-255 took 309 bytes but copying out of it was twice as slow.
 */
type Cells = Uint8Array;

// Cells longer than this (offsets are two bytes) are not kept: such an entity is encoded every time.
const MAX_CELL_BYTES = 0xffff;
// Records are cut from slabs of this size (a larger record gets an array of its own).
const SLAB_BYTES = 64 * 1024;

const COMMA = 44;
const NEWLINE = 10;

/**
 * The encoded cells of Dicts that are encoded again and again (the entities a store keeps), by Dict: Dicts are
 * immutable, so a changed entity is a new Dict, never an outdated entry. Bounded: past `maxEntries` Dicts encoded
 * since the last turn, the entries not used since the turn before are let go (two generations), so it holds at
 * most twice that many; the GC drops entries of Dicts nobody else holds, and a slab once all its records are gone
 * (a record used again after a turn is copied to the current slab, so old slabs do not stay for one record).
 */
export class ZincCellMemo {
  readonly #max: number;
  #young = new WeakMap<Dict, Cells>();
  #old = new WeakMap<Dict, Cells>();
  #count = 0;
  #slab = new Uint8Array(SLAB_BYTES);
  #used = 0;
  // Where a record is built (reused: only its copy is kept).
  readonly #scratch = new ByteSink(1024);

  /** A memo keeping at most about `maxEntries` Dicts' cells (twice that at worst). */
  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  /** The cells of `row`, kept for the next call; undefined for an entity too large to keep. */
  cells(row: Dict): Cells | undefined {
    let c = this.#young.get(row);
    if (c !== undefined) return c;
    const old = this.#old.get(row);
    c = old === undefined ? this.#encode(row) : this.#keep(old);
    if (c === undefined) return undefined;
    this.#young.set(row, c);
    if (++this.#count >= this.#max) {
      this.#old = this.#young;
      this.#young = new WeakMap();
      this.#count = 0;
    }
    return c;
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
  #keep(bytes: Uint8Array): Cells {
    const n = bytes.length;
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

// The output buffer, reused across calls (the result is a copy): growing it again on every response cost more.
const out = new ByteSink(64 * 1024);

/**
 * A grid as Zinc in UTF-8, the same bytes as `encodeZincBytes`: the cells of rows with an `id` (entities) come
 * from `memo`, other rows are encoded as they come. Returns a fresh array.
 */
export function encodeZincGridMemo(grid: Grid, memo: ZincCellMemo): Uint8Array {
  if (grid.rowSource instanceof HisRows) return encodeZincBytes(grid);
  const cols = grid.cols;
  const n = cols.length;
  out.len = 0;
  out.utf8(encodeZincHeader(grid.meta, cols));
  const src = grid.rowSource;
  const plans = new ShapePlans(cols);
  for (let r = 0; r < src.size && n > 0; r++) {
    const row = src.row(r);
    const plan = plans.of(row.shape);
    const cells = row.has('id') ? memo.cells(row) : undefined;
    const last = cells === undefined ? writeValues(row, plan) : writeCells(row, cells, plan, n);
    // A row of nulls: `N` in a one-column grid, as an empty line would end the grid.
    commas(last < 0 ? n - 1 : n - 1 - last);
    if (last < 0 && n === 1) out.byte(78);
    out.byte(NEWLINE);
  }
  return out.buf.slice(0, out.len);
}

// The cells of one row in column order, each after the commas since the last; returns the last column written.
function writeCells(row: Dict, cells: Cells, plan: ShapePlan, n: number): number {
  const { slots, cols } = plan;
  const table = 2 * row.shape.size;
  out.ensure(cells.length + n);
  const buf = out.buf;
  let p = out.len;
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
  out.len = p;
  return last;
}

// A row encoded as it comes (not an entity): the same cells, without keeping them.
function writeValues(row: Dict, plan: ShapePlan): number {
  const { slots, cols } = plan;
  let last = -1;
  for (let j = 0; j < slots.length; j++) {
    const slot = slots[j] as number;
    const v = row.valueAt(slot);
    if (v === undefined) continue;
    const col = cols[j] as number;
    if (col < 0) throw noColumn(row, slot);
    commas(last < 0 ? col : col - last);
    out.utf8(encodeZincValue(v));
    last = col;
  }
  return last;
}

function commas(n: number): void {
  out.ensure(n);
  const buf = out.buf;
  let p = out.len;
  for (let k = 0; k < n; k++) buf[p++] = COMMA;
  out.len = p;
}
