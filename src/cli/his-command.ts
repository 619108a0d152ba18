// `haystack his`: a point's history from a server, streamed as it arrives, with a progress bar on a terminal.

import type { Command } from 'commander';
import { Dict, Grid, type GridCol, HDateTime, ValueError, type ZincStreamEvent } from '../core/index.js';
import { CliExit, type CliIo } from './io.js';
import { gridPrinter, type OutputFlags, withOutputOption } from './output.js';
import { createProgress } from './progress.js';
import { type RemoteFlags, withClient, withRemoteOptions } from './remote.js';

interface HisFlags extends RemoteFlags, OutputFlags {}

/** Register `haystack his --url URL ID RANGE [--to FORMAT]`. */
export function registerHis(program: Command, io: CliIo): void {
  const cmd = program
    .command('his')
    .description('print the history of a point (the hisRead op); a progress bar on a terminal')
    .argument('<id>', 'point id, e.g. @demo.s1.ahu1.dat or demo.s1.ahu1.dat')
    .argument(
      '<range>',
      'today, yesterday, 2026-01-15, 2026-01-01,2026-01-31, or DateTimes as the Ops chapter writes them',
    );
  withRemoteOptions(withOutputOption(cmd)).action(async (id: string, range: string, flags: HisFlags) => {
    const print = gridPrinter('his', flags.to, io);
    // Checked here: a malformed range is a usage error (2), not the server's error grid (1).
    const { checkHisRange } = await import('../app/transfer.js');
    try {
      checkHisRange(range);
    } catch (err) {
      if (err instanceof ValueError) throw new CliExit(2, `haystack his: ${err.message}`);
      throw err;
    }
    print(await withClient('his', flags, io, (client) => readHistory(client.hisReadStream(id, range), io)));
  });
}

/** Where a timestamp falls between the range's `hisStart` and `hisEnd`, for the bar (undefined if unknown). */
function ratioIn(meta: Dict, ts: unknown): number | undefined {
  const start = meta.get('hisStart');
  const end = meta.get('hisEnd');
  if (!(start instanceof HDateTime) || !(end instanceof HDateTime) || !(ts instanceof HDateTime)) return undefined;
  const span = end.epochMs - start.epochMs;
  return span > 0 ? (ts.epochMs - start.epochMs) / span : undefined;
}

async function readHistory(events: AsyncIterable<ZincStreamEvent>, io: CliIo): Promise<Grid> {
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
