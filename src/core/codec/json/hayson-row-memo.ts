// Hayson grids as UTF-8 bytes with the encoded rows of entities kept between calls: a server sends the same store
// entities in answer after answer, and in JSON (no column layout: a row is its own object) a row's bytes can be
// reused whole. Measured before: nav of an equip with 32 wide points answered 5x haystack-py's server in JSON
// against 16x in Zinc, whose cell memo does this.

import type { Dict } from '../../grid/dict.js';
import type { Grid } from '../../grid/grid.js';
import { ByteSink, putBytes, utf8Encoder } from '../zinc/byte-sink.js';
import { hisRowsOf } from '../zinc/his-columns.js';
import { HAYSON_GRID_TAIL, writeHaysonDict, writeHaysonGridHead, writeHaysonHisRows } from './hayson-writer.js';

const COMMA = 44;
const TAIL = utf8Encoder.encode(HAYSON_GRID_TAIL);

/**
 * The Hayson bytes of Dicts encoded again and again (the entities a store keeps, and rows an op keeps such as the
 * ops grid's), by Dict: Dicts are immutable, so a changed entity is a new Dict, never a stale entry. Bounded like
 * the Zinc cell memo: past `maxEntries` Dicts kept since the last turn, those not used since the turn before are
 * let go (two generations), so it holds at most about twice that, and the GC drops entries of Dicts nobody holds.
 */
export class HaysonRowMemo {
  readonly #max: number;
  #young = new WeakMap<Dict, Uint8Array>();
  #old = new WeakMap<Dict, Uint8Array>();
  #count = 0;
  // Dicts without an id met once: kept only when met again, so rows made for one answer do not push out entities.
  #seen = new WeakSet<Dict>();

  /** A memo keeping at most about `maxEntries` Dicts' bytes (twice that at worst). */
  constructor(maxEntries: number) {
    this.#max = maxEntries;
  }

  /** The Hayson bytes of `row`, kept for the next call when it is an entity or was met before. */
  row(row: Dict): Uint8Array {
    const young = this.#young.get(row);
    if (young !== undefined) return young;
    const bytes = this.#old.get(row) ?? utf8Encoder.encode(writeHaysonDict(row));
    if (row.id === undefined && !this.#seen.has(row)) {
      this.#seen.add(row);
      return bytes;
    }
    if (this.#count >= this.#max) {
      this.#old = this.#young;
      this.#young = new WeakMap();
      this.#seen = new WeakSet();
      this.#count = 0;
    }
    this.#young.set(row, bytes);
    this.#count++;
    return bytes;
  }
}

/**
 * `grid` as Hayson UTF-8 bytes, the same as `encodeJson(grid)`'s text, with the rows' bytes kept in `memo`. Written
 * into `into` when given (emptied first; the result is then a view of its buffer, valid until it is written again:
 * a server reuses output buffers once their response is sent), else into a fresh array.
 */
export function encodeHaysonGridMemo(grid: Grid, memo: HaysonRowMemo, into?: ByteSink): Uint8Array {
  const head = writeHaysonGridHead(grid.meta, grid.cols);
  // A columnar history has its own fast path, and its rows are made afresh: nothing to keep.
  const his = hisRowsOf(grid);
  if (his !== undefined) {
    const sink = sinkFor(into, head.length * 3 + his.size * 128 + TAIL.length);
    sink.utf8(head);
    writeHaysonHisRows(sink, his, true);
    putBytes(sink, TAIL);
    return sink.buf.subarray(0, sink.len);
  }
  const src = grid.rowSource;
  const n = src.size;
  const rows: Uint8Array[] = new Array<Uint8Array>(n);
  let len = head.length * 3 + TAIL.length + n;
  for (let i = 0; i < n; i++) {
    const bytes = memo.row(src.row(i));
    rows[i] = bytes;
    len += bytes.length;
  }
  const sink = sinkFor(into, len);
  sink.utf8(head);
  for (let i = 0; i < n; i++) {
    if (i > 0) sink.byte(COMMA);
    putBytes(sink, rows[i] as Uint8Array);
  }
  putBytes(sink, TAIL);
  return sink.buf.subarray(0, sink.len);
}

// `into` emptied with room for `n` bytes, or a fresh sink of that size.
function sinkFor(into: ByteSink | undefined, n: number): ByteSink {
  if (into === undefined) return new ByteSink(n);
  into.len = 0;
  into.ensure(n);
  return into;
}
