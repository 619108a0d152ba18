// Streaming Zinc writers: a grid, or rows from an iterable, as a sequence of text chunks. Apart from the stream
// reader (zinc-stream.ts), whose bundle (the client's) then does not reach the history byte writer.

import type { Dict } from '../../grid/dict.js';
import type { Grid, GridCol } from '../../grid/grid.js';
import { encodeZincHeader, encodeZincRows, RowWriter } from './zinc-writer.js';

/** Options of the stream writers. */
export interface ZincEncodeStreamOptions {
  /** Rows per chunk (default 1000). */
  readonly rowsPerChunk?: number;
}

/** A grid as Zinc text in chunks of `rowsPerChunk` rows (the header is the first chunk). */
export function* encodeZincChunks(grid: Grid, options?: ZincEncodeStreamOptions): Generator<string, void, undefined> {
  const per = Math.max(1, options?.rowsPerChunk ?? 1000);
  yield encodeZincHeader(grid.meta, grid.cols);
  const w = new RowWriter(grid.cols);
  const n = grid.size;
  for (let i = 0; i < n; i += per) yield encodeZincRows(grid, i, Math.min(n, i + per), w);
}

/**
 * Zinc text of a grid whose rows come from a (possibly async) iterable, in chunks of `rowsPerChunk`
 * rows: a server can send a history as it reads it from storage, never holding it all.
 */
export async function* encodeZincStream(
  meta: Dict,
  cols: readonly GridCol[],
  rows: AsyncIterable<Dict> | Iterable<Dict>,
  options?: ZincEncodeStreamOptions,
): AsyncGenerator<string, void, undefined> {
  const per = Math.max(1, options?.rowsPerChunk ?? 1000);
  yield encodeZincHeader(meta, cols);
  const w = new RowWriter(cols);
  let out = '';
  let k = 0;
  for await (const row of rows) {
    out += w.row(row);
    if (++k === per) {
      yield out;
      out = '';
      k = 0;
    }
  }
  if (k > 0) yield out;
}
