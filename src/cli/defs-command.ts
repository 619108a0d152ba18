// `haystack defs`: print, query (subtypes, supertypes, reflect) and validate (check) with a def namespace.

import type { Command } from 'commander';
import { DEFS_ENV } from './defs-env.js';
import type { CliIo } from './io.js';
import { withOutputOption } from './output.js';
import { type RemoteFlags, withRemoteOptions } from './remote.js';

/** Options of `haystack defs` and its subcommands. */
export interface DefsFlags extends RemoteFlags {
  readonly defs?: string;
  readonly to: string;
}

/** Options of `haystack defs subtypes|supertypes`. */
export interface QueryFlags extends DefsFlags {
  readonly all?: boolean;
}

/** Options of `haystack defs reflect|check`. */
export interface DataFlags extends DefsFlags {
  readonly data?: string;
}

function withDefsOptions(cmd: Command): Command {
  cmd.option('--defs <dir>', `directory of Trio def libraries, e.g. the standard ph libs (default $${DEFS_ENV})`);
  return withRemoteOptions(withOutputOption(cmd));
}

/** Register `haystack defs` and its subcommands `subtypes`, `supertypes`, `reflect` and `check`. */
export function registerDefs(program: Command, io: CliIo): void {
  // The namespace code is loaded by the subcommand that runs, so that `--help` stays without it.
  const action = () => import('./defs-action.js');
  const defs = program
    .command('defs')
    .description(
      `print the defs of a namespace: the libs of --defs DIR ($${DEFS_ENV}) or a server's defs op (--url); subcommands query and validate`,
    )
    .option(
      '--filter <filter>',
      'only the defs that match this filter, e.g. "def==^ahu" (with --url: the server filters)',
    );
  withDefsOptions(defs).action(async (flags: DefsFlags & { readonly filter?: string }) => {
    await (await action()).runDefs(flags, io);
  });

  for (const command of ['subtypes', 'supertypes'] as const) {
    const cmd = defs
      .command(command)
      .description(`print the ${command} of a def (direct; --all: transitively)`)
      .argument('<def>', 'def symbol, e.g. equip or hot-water (with or without ^)')
      .option('--all', `every ${command.slice(0, -1)}, transitively`);
    withDefsOptions(cmd).action(async (name: string, flags: QueryFlags) => {
      await (await action()).runTaxonomy(command, name, flags, io);
    });
  }

  const reflect = defs
    .command('reflect')
    .description('reflect each entity of a file: its entity types, the defs it implements and the choices it makes')
    .option('--data <file>', 'file of entities (Zinc, JSON, Trio, by extension)');
  withDefsOptions(reflect).action(async (flags: DataFlags) => {
    await (await action()).runReflect(flags, io);
  });

  const check = defs
    .command('check')
    .description(
      'validate each entity of a file: tags with no def, missing mandatory or required tags; exit 1 on findings',
    )
    .option('--data <file>', 'file of entities (Zinc, JSON, Trio, by extension)');
  withDefsOptions(check).action(async (flags: DataFlags) => {
    await (await action()).runCheck(flags, io);
  });
}
