// `haystack watch`: subscribe to entities (by filter or ids) and print their changes as they come, until Ctrl-C.

import type { Command } from 'commander';
import type { CliIo } from './io.js';
import { type OutputFlags, withOutputOption } from './output.js';
import { type RemoteFlags, withRemoteOptions } from './remote.js';

/** Options of `haystack watch`. */
export interface WatchFlags extends RemoteFlags, OutputFlags {
  /** Seconds between polls. */
  readonly interval: string;
  /** Lease asked of the server, in seconds. */
  readonly lease?: string;
  /** Stop after this many batches of changes. */
  readonly count?: string;
  /** Receive changes pushed over the WebSocket endpoint instead of polling over HTTP. */
  readonly ws?: boolean;
}

/** Register `haystack watch (FILTER | ID...) [--interval S] [--lease S] [--count N] [--to FORMAT]`. */
export function registerWatch(program: Command, io: CliIo): void {
  const cmd = program
    .command('watch')
    .description(
      'subscribe to the entities a filter matches (or to ids) and print their current state, then every change, ' +
        'until Ctrl-C (watchSub/watchPoll/watchUnsub)',
    )
    .argument('<target...>', "a filter such as 'point and zone and temp', or ids such as @demo.s1.ahu1.dat")
    .option('--interval <seconds>', 'seconds between polls', '1')
    .option('--lease <seconds>', 'lease to ask the server for (it closes a watch nobody polls)')
    .option('--count <n>', 'stop after n batches of changes')
    .option('--ws', 'receive changes as the server pushes them over its WebSocket endpoint (/api/ws), not by polling');
  withRemoteOptions(withOutputOption(cmd)).action(async (targets: string[], flags: WatchFlags) => {
    const { runWatch } = await import('./watch-action.js');
    await runWatch(targets, flags, io);
  });
}
