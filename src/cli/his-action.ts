// What `haystack his` does once its arguments are checked: read the streamed history into a grid, showing progress.

import { Dict, Grid, type GridCol, HDateTime, type ZincStreamEvent } from '../core/index.js';
import type { CliIo } from './io.js';
import { createProgress } from './progress.js';

/** Where a timestamp falls between the range's `hisStart` and `hisEnd`, for the bar (undefined if unknown). */
function ratioIn(meta: Dict, ts: unknown): number | undefined {
  const start = meta.get('hisStart');
  const end = meta.get('hisEnd');
  if (!(start instanceof HDateTime) || !(end instanceof HDateTime) || !(ts instanceof HDateTime)) return undefined;
  const span = end.epochMs - start.epochMs;
  return span > 0 ? (ts.epochMs - start.epochMs) / span : undefined;
}

/** The grid of a history read as it streams in, with a progress bar on a terminal. */
export async function readHistory(events: AsyncIterable<ZincStreamEvent>, io: CliIo): Promise<Grid> {
  const progress = createProgress(io.stderr, 'his', 'rows');
  let meta = Dict.EMPTY;
  let cols: readonly GridCol[] = [];
  const rows: Dict[] = [];
  try {
    for await (const e of events) {
      if (e.type === 'header') {
        meta = e.meta;
        cols = e.cols;
      } else {
        rows.push(e.row);
        progress.update(rows.length, ratioIn(meta, e.row.get('ts')));
      }
    }
  } finally {
    progress.finish();
  }
  return Grid.fromTrustedParts(meta, cols, rows);
}
