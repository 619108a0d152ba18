// `haystack write`: command a writable point at a priority level (the pointWrite op), or print its priority array.

import type { Command } from 'commander';
import type { CliIo } from './io.js';
import { type OutputFlags, withOutputOption } from './output.js';
import { type RemoteFlags, withRemoteOptions } from './remote.js';

/** Options of `haystack write`. */
export interface WriteFlags extends RemoteFlags, OutputFlags {
  readonly level?: string;
  readonly who?: string;
  readonly duration?: string;
  readonly array?: boolean;
}

/** Register `haystack write ID [VALUE] --level N [--who NAME] [--duration DUR] [--array]`. */
export function registerWrite(program: Command, io: CliIo): void {
  const cmd = program
    .command('write')
    .description(
      'write VALUE to a writable point at a priority level (the pointWrite op; null releases the level), ' +
        'and/or print its priority array (--array)',
    )
    .argument('<id>', 'point id, e.g. @demo.s1.ahu1.sp')
    .argument('[value]', 'a Zinc value: 72.5°F, 68, T, F, "text"; true/false/null also work; null releases')
    .option('--level <n>', 'priority level 1-17 (1 highest; 8 is manual operator, 17 the default)')
    .option('--who <name>', 'who is writing, kept in the priority array (default: the server says, e.g. the user)')
    .option('--duration <dur>', 'how long the write holds, a Zinc duration such as 30min or 2h (level 8 only)')
    .option('--array', 'print the priority array (after the write when a value is given)');
  withRemoteOptions(withOutputOption(cmd)).action(async (id: string, value: string | undefined, flags: WriteFlags) => {
    const { runWrite } = await import('./write-action.js');
    await runWrite(id, value, flags, io);
  });
}
