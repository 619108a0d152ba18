// `haystack his`: a point's history from a server, streamed as it arrives, with a progress bar on a terminal.

import type { Command } from 'commander';
import { ValueError } from '../core/errors.js';
import { CliExit, type CliIo } from './io.js';
import { gridPrinter, type OutputFlags, withOutputOption } from './output.js';
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
    const print = await gridPrinter('his', flags.to, io);
    // Checked here: a malformed range is a usage error (2), not the server's error grid (1).
    const { checkHisRange } = await import('../app/transfer.js');
    try {
      checkHisRange(range);
    } catch (err) {
      if (err instanceof ValueError) throw new CliExit(2, `haystack his: ${err.message}`);
      throw err;
    }
    const { readHistory } = await import('./his-action.js');
    print(await withClient('his', flags, io, (client) => readHistory(client.hisReadStream(id, range), io)));
  });
}
