// What `haystack read` does: evaluate the filter over a local file's entities (or ask a server) and print the matches.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describeErrno } from '../core/errno-text.js';
import { codecForExtension, Dict, Grid, HaystackError, isList, refResolver, type Val } from '../core/index.js';
import { parseFilterArg } from './filter-arg.js';
import { CliExit, type CliIo, writeOut } from './io.js';
import { INPUT_FORMATS, outputCodec } from './output.js';
import type { ReadOptions } from './read-command.js';
import { withClient } from './remote.js';

/** Print the entities of the file or server that match the filter, as `haystack read` was asked. */
export async function runRead(filterText: string, options: ReadOptions, io: CliIo): Promise<void> {
  const output = await outputCodec('read', options.to);
  const limit = parseLimit(options.limit);
  const filter = await parseFilterArg('read', filterText);
  if (options.data === undefined) {
    // Remote: the filter was checked here first, so a typo fails with its position before any network call.
    const grid = await withClient('read', options, io, (client) =>
      client.read(filter.toString(), Number.isFinite(limit) ? { limit } : {}),
    );
    writeOut(io, output.encodeGrid(grid));
    return;
  }
  if (options.url !== undefined) throw new CliExit(2, 'haystack read: give --data or --url, not both');
  const source = await load(options.data, io);
  const entities = source instanceof Grid ? source.rows : source;
  const resolve = refResolver(entities);
  const matches: Dict[] = [];
  for (const e of entities) {
    if (matches.length >= limit) break;
    if (filter.matches(e, resolve)) matches.push(e);
  }
  writeOut(io, output.encodeGrid(resultGrid(source, matches)));
}

function parseLimit(raw: string | undefined): number {
  if (raw === undefined) return Number.POSITIVE_INFINITY;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) {
    throw new CliExit(2, `haystack read: --limit must be a whole number, not ${JSON.stringify(raw)}`);
  }
  return n;
}

async function load(file: string, io: CliIo): Promise<Grid | readonly Dict[]> {
  const full = path.resolve(io.cwd, file);
  const read = codecForExtension(full)?.decode;
  if (read === undefined) {
    throw new CliExit(2, `haystack read: cannot tell the format of ${file} from its extension (${INPUT_FORMATS})`);
  }
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (err) {
    throw new CliExit(1, `haystack read: cannot read ${file}: ${describeErrno(err)}`);
  }
  let val: Val;
  try {
    val = read(text);
  } catch (err) {
    if (err instanceof HaystackError) throw new CliExit(1, `haystack read: ${file}: ${err.message}`);
    throw err;
  }
  if (val instanceof Grid) return val;
  if (isList(val) && val.every((v) => v instanceof Dict)) return val;
  throw new CliExit(1, `haystack read: ${file} holds no grid or list of dicts`);
}

// The matches keep the source grid's column order and column meta; columns no match uses are left out.
function resultGrid(source: Grid | readonly Dict[], rows: readonly Dict[]): Grid {
  if (!(source instanceof Grid)) return Grid.fromDicts(rows);
  const used = new Set<string>();
  for (const r of rows) for (const k of r.keys()) used.add(k);
  return Grid.make({
    cols: source.cols.filter((c) => used.has(c.name)).map((c) => ({ name: c.name, meta: c.meta })),
    rows,
    addMissingCols: true,
  });
}
