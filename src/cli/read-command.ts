// `haystack read`: evaluate a filter over the entities of a local Zinc, JSON or Trio file and print the matches.

import type { Command } from 'commander';
import type { CliIo } from './io.js';
import { INPUT_FORMATS, withOutputOption } from './output.js';
import { type RemoteFlags, withRemoteOptions } from './remote.js';

/** Options of `haystack read`. */
export interface ReadOptions extends RemoteFlags {
  readonly data?: string;
  readonly to: string;
  readonly limit?: string;
}

/** Register `haystack read (--data FILE | --url URL) [--to FORMAT] [--limit N] FILTER`. */
export function registerRead(program: Command, io: CliIo): void {
  const cmd = program
    .command('read')
    .description(
      'print the entities that match a filter, from a local Zinc, JSON or Trio file (--data; -> resolved in the file) or a server (--url)',
    )
    .argument('<filter>', 'Haystack filter, e.g. \'point and siteRef->dis == "Alpha"\'')
    .option('--data <file>', `file of entities, read by its extension (${INPUT_FORMATS}; .json is v4)`)
    .option('--limit <n>', 'print at most n matches');
  withRemoteOptions(withOutputOption(cmd)).action(async (filterText: string, options: ReadOptions) => {
    const { runRead } = await import('./read-action.js');
    await runRead(filterText, options, io);
  });
}
