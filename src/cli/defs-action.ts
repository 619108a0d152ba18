// What `haystack defs` and its subcommands do: load the namespace (a folder's libs or a server's defs) and query it.

import path from 'node:path';
import { Dict, type Filter, Grid, HaystackError } from '../core/index.js';
import { type Def, Namespace } from '../core/ontology/index.js';
import type { DataFlags, DefsFlags, QueryFlags } from './defs-command.js';
import { DEFS_ENV } from './defs-env.js';
import { parseFilterArg } from './filter-arg.js';
import { CliExit, type CliIo } from './io.js';
import { gridPrinter as printer } from './output.js';
import { REMOTE_ENV, withClient } from './remote.js';

/** `haystack defs`: print the namespace's defs (or the server's), those matching `--filter` when given. */
export async function runDefs(flags: DefsFlags & { readonly filter?: string }, io: CliIo): Promise<void> {
  const print = await printer('defs', flags.to, io);
  // Checked here, also for --url, so a typo is a usage error (2) and not the server's error grid (1).
  const filter = flags.filter === undefined ? undefined : await parseFilterArg('defs', flags.filter);
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
}

/** `haystack defs subtypes|supertypes DEF`: the def's direct (or, with `--all`, every) subtypes or supertypes. */
export async function runTaxonomy(
  command: 'subtypes' | 'supertypes',
  name: string,
  flags: QueryFlags,
  io: CliIo,
): Promise<void> {
  const print = await printer(`defs ${command}`, flags.to, io);
  const ns = await namespaceFor(command, flags, io);
  print(defsGrid(taxonomyQuery(ns, command, name.replace(/^\^/, ''), flags.all === true)));
}

/** `haystack defs reflect --data FILE`: each entity's entity types, defs and choices. */
export async function runReflect(flags: DataFlags, io: CliIo): Promise<void> {
  const print = await printer('defs reflect', flags.to, io);
  const ns = await namespaceFor('reflect', flags, io);
  const rows = (await entities('reflect', flags, io)).map((d) => ns.reflect(d).toDict());
  print(Grid.make({ cols: ['id', 'dis', 'entityTypes', 'defs', 'choices'], rows, addMissingCols: true }));
}

/** `haystack defs check --data FILE`: each entity's findings as a grid; exit 1 when there are any. */
export async function runCheck(flags: DataFlags, io: CliIo): Promise<void> {
  const print = await printer('defs check', flags.to, io);
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

function filtered(grid: Grid, filter: Filter): Grid {
  return Grid.make({ cols: ['def'], rows: grid.rows.filter((r) => filter.matches(r)), addMissingCols: true });
}
