// Zinc writer: any value or grid as Zinc text (grids as `ver:"3.0"`), with fast paths for sparse rows and histories.
// Values, headers and rows written one by one live in zinc-value-writer.ts, so that a bundle that needs only those
// (the client's requests) does not reach the history byte writer and its buffer.

import { Grid } from '../../grid/grid.js';
import type { Val } from '../../kinds/kind.js';
import { ByteSink, utf8Encoder } from './byte-sink.js';
import { type HisRows, hisRowsOf } from './his-columns.js';
import { writeHisRows } from './his-writer.js';
import { encodeZincGridRows, encodeZincHeader, encodeZincValue, RowWriter, rowsByRow } from './zinc-value-writer.js';

export {
  encodeZincGridRows,
  encodeZincHeader,
  encodeZincRow,
  encodeZincValue,
  noColumn,
  planShape,
  RowWriter,
  type ShapePlan,
  ShapePlans,
} from './zinc-value-writer.js';

/** Encode any value as Zinc: a grid as a whole `ver:"3.0"` grid, anything else as one Zinc value. */
export function encodeZinc(val: Val): string {
  if (val instanceof Grid) return encodeZincGrid(val);
  return encodeZincValue(val);
}

/** {@link encodeZinc} as UTF-8 bytes (what a server sends); a history's rows go straight to bytes. */
export function encodeZincBytes(val: Val): Uint8Array {
  return zincBytesInto(val, undefined);
}

/**
 * {@link encodeZincBytes} writing a history into `into` when given (emptied first; the result is then a view of its
 * buffer, valid until it is written again). Internal: for the output buffers a server reuses.
 */
export function zincBytesInto(val: Val, into: ByteSink | undefined): Uint8Array {
  const sink = val instanceof Grid ? hisGrid(val, into) : undefined;
  return sink === undefined ? utf8Encoder.encode(encodeZinc(val)) : sink.buf.subarray(0, sink.len);
}

/** Encode a grid as Zinc text (`ver:"3.0"`, meta, columns, one line per row). */
export function encodeZincGrid(grid: Grid): string {
  const sink = hisGrid(grid);
  return sink === undefined ? encodeZincGridRows(grid) : sink.toString();
}

/** A whole history grid as UTF-8 in one buffer (its text then comes out flat, not as header + rows). */
function hisGrid(grid: Grid, into?: ByteSink): ByteSink | undefined {
  const his = hisRowsOf(grid);
  if (his === undefined) return undefined;
  const sink = into ?? new ByteSink(grid.size * 48 + 256);
  sink.len = 0;
  sink.utf8(encodeZincHeader(grid.meta, grid.cols));
  writeHis(sink, his, 0, grid.size);
  return sink;
}

/** Rows `from`..`to` of a grid as Zinc lines (the history fast path included), for writing in chunks. */
export function encodeZincRows(grid: Grid, from: number, to: number, writer?: RowWriter): string {
  const his = hisRowsOf(grid);
  if (his !== undefined) {
    const sink = new ByteSink((to - from) * 48 + 64);
    writeHis(sink, his, from, to);
    return sink.toString();
  }
  return rowsByRow(grid, from, to, writer ?? new RowWriter(grid.cols));
}

/** The columnar history behind a `ts,val` grid, if that is what holds its rows. */
function writeHis(sink: ByteSink, src: HisRows, from: number, to: number): void {
  writeHisRows(sink, src, from, to, (s, i) => {
    const v = src.val(i);
    if (v !== null) s.utf8(encodeZincValue(v));
  });
}
