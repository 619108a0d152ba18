// What `haystack write` does: read the value, level and duration given, write them, print the priority array.

import { decodeZincValue, HaystackError, Num, type Val } from '../core/index.js';
import { CliExit, type CliIo, writeOut } from './io.js';
import { gridPrinter } from './output.js';
import { withClient } from './remote.js';
import type { WriteFlags } from './write-command.js';

// Words people type for the Zinc scalars T, F and N.
const ALIASES: ReadonlyMap<string, Val> = new Map<string, Val>([
  ['true', true],
  ['false', false],
  ['null', null],
]);

/** Write a point's level and/or print its priority array, as `haystack write` was asked. */
export async function runWrite(id: string, value: string | undefined, flags: WriteFlags, io: CliIo): Promise<void> {
  const print = await gridPrinter('write', flags.to, io);
  if (value === undefined) {
    if (flags.array !== true) throw new CliExit(2, 'haystack write: give a VALUE (with --level) or --array');
    // Without a VALUE nothing is written: a --level given with --array would pass for a write that never happened.
    if (flags.level !== undefined || flags.who !== undefined || flags.duration !== undefined) {
      throw new CliExit(2, 'haystack write: --level, --who and --duration need a VALUE to write');
    }
    print(await withClient('write', flags, io, (client) => client.pointWriteArray(id)));
    return;
  }
  const level = parseLevel(flags.level);
  const val = parseValue('value', value);
  const duration = flags.duration === undefined ? undefined : parseDuration(flags.duration);
  // The Ops chapter gives a duration to level 8 (manual override) only; a server may keep it at any level.
  if (duration !== undefined && level !== 8) {
    throw new CliExit(2, `haystack write: --duration applies to level 8 only, not --level ${String(level)}`);
  }
  const array = await withClient('write', flags, io, async (client) => {
    await client.pointWrite(id, level, val, {
      ...(flags.who === undefined ? {} : { who: flags.who }),
      ...(duration === undefined ? {} : { duration }),
    });
    return flags.array === true ? client.pointWriteArray(id) : undefined;
  });
  if (array !== undefined) print(array);
  else writeOut(io, `haystack write: ${val === null ? 'released' : 'wrote'} level ${level} of ${id}`);
}

function parseLevel(raw: string | undefined): number {
  if (raw === undefined) throw new CliExit(2, 'haystack write: give --level 1-17 (8 is manual operator)');
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > 17) throw new CliExit(2, `haystack write: --level must be 1-17, not ${raw}`);
  return n;
}

function parseValue(what: string, raw: string): Val {
  const alias = ALIASES.get(raw);
  if (alias !== undefined) return alias;
  try {
    return decodeZincValue(raw);
  } catch (err) {
    if (!(err instanceof HaystackError)) throw err;
    throw new CliExit(
      2,
      `haystack write: cannot read the ${what} ${JSON.stringify(raw)} as Zinc (e.g. 72.5°F, T, F, null, or "text" in quotes)`,
    );
  }
}

function parseDuration(raw: string): Num {
  const val = parseValue('--duration', raw);
  if (!(val instanceof Num) || val.unit === undefined)
    throw new CliExit(2, `haystack write: --duration must be a number with a unit, e.g. 30min, not ${raw}`);
  return val;
}
