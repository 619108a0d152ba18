// `haystack defs`: print, query (subtypes, supertypes, reflect) and validate (check) with a def namespace.

import path from 'node:path';
import type { Command } from 'commander';
import { CODECS, Dict, type Filter, Grid, HaystackError } from '../core/index.js';
import { type Def, Namespace } from '../core/ontology/index.js';
import { parseFilterArg } from './filter-arg.js';
import { CliExit, type CliIo } from './io.js';
import { gridPrinter as printer } from './output.js';
import { REMOTE_ENV, type RemoteFlags, withClient, withRemoteOptions } from './remote.js';

/** Environment variable naming the def libs directory when `--defs` is not given. */
export const DEFS_ENV = 'HAYSTACK_DEFS';

const OUTPUT_FORMATS = CODECS.map((c) => c.name).join(', ');

interface DefsFlags extends RemoteFlags {
  readonly defs?: string;
  readonly to: string;
}

interface QueryFlags extends DefsFlags {
  readonly all?: boolean;
}

interface DataFlags extends DefsFlags {
  readonly data?: string;
}

function withDefsOptions(cmd: Command): Command {
  cmd
    .option('--defs <dir>', `directory of Trio def libraries, e.g. the standard ph libs (default $${DEFS_ENV})`)
    .option('--to <format>', `output format: ${OUTPUT_FORMATS}`, 'zinc');
  return withRemoteOptions(cmd);
}

/**
 * The namespace to use (see {@link defsSource}): the libs of a folder, or the `defs` op of a server. Bad libs, or a
 * server's defs without lib ph, exit 1 with the first problem.
 */
async function namespaceFor(command: string, flags: DefsFlags, io: CliIo): Promise<Namespace> {
  const where = `haystack defs ${command}`.trimEnd();
  const source = defsSource(where, flags, io);
  if ('dir' in source) {
    const resolved = path.resolve(io.cwd, source.dir);
    const { defsProblem, loadDefsNamespace } = await import('../app/index.js');
    try {
      return await loadDefsNamespace(resolved);
    } catch (err) {
      // Bad libs (DefError), bad Trio (ParseError) and a folder that cannot be read (HS_ERR_STARTUP) alike.
      if (err instanceof HaystackError) throw new CliExit(1, `${where}: --defs ${defsProblem(resolved, err)}`);
      throw err;
    }
  }
  const url = source.url;
  // A server's defs are normalized already; what does not compile is left out rather than refused.
  const grid = await withClient(`defs ${command}`.trimEnd(), flags, io, (client) => client.defs());
  const ns = Namespace.fromDefs(grid, { lenient: true });
  // A server started without libs serves only its own ops and formats: checked against those, every tag of every
  // entity would be a finding.
  if (ns.lib('ph') === undefined) {
    throw new CliExit(1, `${where}: the defs of ${url} have no lib ph (a haystack-ts server needs serve --defs DIR)`);
  }
  return ns;
}

/**
 * Where the defs come from: a flag beats the environment (`--url` is not overridden by a `$HAYSTACK_DEFS` set in a
 * shell profile), and between two of the same rank the folder wins; both flags together are a usage error.
 */
function defsSource(where: string, flags: DefsFlags, io: CliIo): { readonly dir: string } | { readonly url: string } {
  if (flags.defs !== undefined && flags.url !== undefined)
    throw new CliExit(2, `${where}: give --defs or --url, not both`);
  if (flags.defs !== undefined) return { dir: flags.defs };
  if (flags.url !== undefined) return { url: flags.url };
  const dir = io.env[DEFS_ENV] ?? '';
  if (dir !== '') return { dir };
  const url = io.env[REMOTE_ENV.url] ?? '';
  if (url !== '') return { url };
  throw new CliExit(2, `${where}: give --defs DIR (or set $${DEFS_ENV}) or --url (or set $${REMOTE_ENV.url})`);
}

function defsGrid(defs: readonly Def[]): Grid {
  return Grid.make({ cols: ['def'], rows: defs.map((d) => d.dict), addMissingCols: true });
}

function taxonomyQuery(ns: Namespace, command: string, name: string, all: boolean): readonly Def[] {
  if (!ns.has(name)) throw new CliExit(1, `haystack defs ${command}: no def ^${name}`);
  if (command === 'subtypes') return all ? ns.allSubtypes(name) : ns.subtypes(name);
  return all ? ns.allSupertypes(name) : ns.supertypes(name);
}

async function entities(command: string, flags: DataFlags, io: CliIo): Promise<readonly Dict[]> {
  if (flags.data === undefined) throw new CliExit(2, `haystack defs ${command}: give --data FILE`);
  const { loadEntities } = await import('../app/seed.js');
  try {
    return await loadEntities(flags.data, io.cwd);
  } catch (err) {
    if (err instanceof HaystackError) throw new CliExit(1, `haystack defs ${command}: ${err.message}`);
    throw err;
  }
}

/** Register `haystack defs` and its subcommands `subtypes`, `supertypes`, `reflect` and `check`. */
export function registerDefs(program: Command, io: CliIo): void {
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
    const print = printer('defs', flags.to, io);
    // Checked here, also for --url, so a typo is a usage error (2) and not the server's error grid (1).
    const filter = flags.filter === undefined ? undefined : parseFilterArg('defs', flags.filter);
    if ('url' in defsSource('haystack defs', flags, io)) {
      print(
        await withClient('defs', flags, io, (client) =>
          client.defs(flags.filter === undefined ? {} : { filter: flags.filter }),
        ),
      );
      return;
    }
    const ns = await namespaceFor('', flags, io);
    const grid = ns.toGrid();
    print(filter === undefined ? grid : filtered(grid, filter));
  });

  for (const command of ['subtypes', 'supertypes'] as const) {
    const cmd = defs
      .command(command)
      .description(`print the ${command} of a def (direct; --all: transitively)`)
      .argument('<def>', 'def symbol, e.g. equip or hot-water (with or without ^)')
      .option('--all', `every ${command.slice(0, -1)}, transitively`);
    withDefsOptions(cmd).action(async (name: string, flags: QueryFlags) => {
      const print = printer(`defs ${command}`, flags.to, io);
      const ns = await namespaceFor(command, flags, io);
      print(defsGrid(taxonomyQuery(ns, command, name.replace(/^\^/, ''), flags.all === true)));
    });
  }

  const reflect = defs
    .command('reflect')
    .description('reflect each entity of a file: its entity types, the defs it implements and the choices it makes')
    .option('--data <file>', 'file of entities (Zinc, JSON, Trio, by extension)');
  withDefsOptions(reflect).action(async (flags: DataFlags) => {
    const print = printer('defs reflect', flags.to, io);
    const ns = await namespaceFor('reflect', flags, io);
    const rows = (await entities('reflect', flags, io)).map((d) => ns.reflect(d).toDict());
    print(Grid.make({ cols: ['id', 'dis', 'entityTypes', 'defs', 'choices'], rows, addMissingCols: true }));
  });

  const check = defs
    .command('check')
    .description(
      'validate each entity of a file: tags with no def, missing mandatory or required tags; exit 1 on findings',
    )
    .option('--data <file>', 'file of entities (Zinc, JSON, Trio, by extension)');
  withDefsOptions(check).action(async (flags: DataFlags) => {
    const print = printer('defs check', flags.to, io);
    const ns = await namespaceFor('check', flags, io);
    const rows: Dict[] = [];
    for (const d of await entities('check', flags, io)) {
      for (const i of ns.reflect(d).validate()) {
        rows.push(
          Dict.of({
            id: d.id ?? null,
            issue: i.kind,
            tag: i.tag,
            def: i.def === undefined ? null : i.def,
            msg: i.message,
          }),
        );
      }
    }
    print(Grid.make({ cols: ['id', 'issue', 'tag', 'def', 'msg'], rows, addMissingCols: true }));
    if (rows.length > 0) throw new CliExit(1, `haystack defs check: ${rows.length} findings`);
  });
}

function filtered(grid: Grid, filter: Filter): Grid {
  return Grid.make({ cols: ['def'], rows: grid.rows.filter((r) => filter.matches(r)), addMissingCols: true });
}
