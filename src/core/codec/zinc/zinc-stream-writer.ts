// Streaming Zinc writers: a grid, or rows from an iterable, as a sequence of text chunks. Apart from the stream
// reader (zinc-stream.ts), whose bundle (the client's) then does not reach the history byte writer.

import { OptionError } from '../../errors.js';
import type { Dict } from '../../grid/dict.js';
import type { Grid, GridCol } from '../../grid/grid.js';
import { checkOptionNames, type OptionNames } from '../../options.js';
import { encodeZincHeader, encodeZincRows, RowWriter } from './zinc-writer.js';

/** Options of the stream writers. */
export interface ZincEncodeStreamOptions {
  /** Rows per chunk, a positive integer (default 1000). */
  readonly rowsPerChunk?: number;
}

const STREAM_OPTIONS: OptionNames<ZincEncodeStreamOptions> = { rowsPerChunk: true };

/** `rowsPerChunk` of `options`, checked when it is called (not on the generator's first step); an `OptionError` for bad options. */
function rowsPerChunk(options: ZincEncodeStreamOptions | undefined): number {
  if (options === undefined) return 1000;
  checkOptionNames('Zinc stream options', options, STREAM_OPTIONS);
  const per: unknown = options.rowsPerChunk ?? 1000;
  if (typeof per === 'number' && Number.isSafeInteger(per) && per > 0) return per;
  const code = typeof per === 'number' ? 'HS_ERR_OPTION_RANGE' : 'HS_ERR_OPTION_TYPE';
  throw new OptionError(code, 'rowsPerChunk', 'Zinc stream options: rowsPerChunk must be a positive integer');
}

/** A grid as Zinc text in chunks of `rowsPerChunk` rows (the header is the first chunk); options checked at the call. */
export function encodeZincChunks(grid: Grid, options?: ZincEncodeStreamOptions): Generator<string, void, undefined> {
  return gridChunks(grid, rowsPerChunk(options));
}

function* gridChunks(grid: Grid, per: number): Generator<string, void, undefined> {
  yield encodeZincHeader(grid.meta, grid.cols);
  const w = new RowWriter(grid.cols);
  const n = grid.size;
  for (let i = 0; i < n; i += per) yield encodeZincRows(grid, i, Math.min(n, i + per), w);
}

/**
 * Zinc text of a grid whose rows come from a (possibly async) iterable, in chunks of `rowsPerChunk`
 * rows: a server can send a history as it reads it from storage, never holding it all.
 */
export function encodeZincStream(
  meta: Dict,
  cols: readonly GridCol[],
  rows: AsyncIterable<Dict> | Iterable<Dict>,
  options?: ZincEncodeStreamOptions,
): AsyncGenerator<string, void, undefined> {
  return streamChunks(meta, cols, rows, rowsPerChunk(options));
}

async function* streamChunks(
  meta: Dict,
  cols: readonly GridCol[],
  rows: AsyncIterable<Dict> | Iterable<Dict>,
  per: number,
): AsyncGenerator<string, void, undefined> {
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
