// `haystack about` and `haystack his`: query a running server and print the answer in any format.

import type { Command } from 'commander';
import { CODECS, codecByName, type Grid } from '../core/index.js';
import { CliExit, type CliIo, writeOut } from './io.js';
import { type RemoteFlags, withClient, withRemoteOptions } from './remote.js';

const OUTPUT_FORMATS = CODECS.map((c) => c.name).join(', ');

interface OutputFlags extends RemoteFlags {
  readonly to: string;
}

function printer(command: string, to: string, io: CliIo): (grid: Grid) => void {
  const codec = codecByName(to);
  if (codec === undefined)
    throw new CliExit(2, `haystack ${command}: unknown --to format ${JSON.stringify(to)} (use ${OUTPUT_FORMATS})`);
  return (grid) => {
    writeOut(io, codec.encodeGrid(grid));
  };
}

/** Register `haystack about --url URL [--to FORMAT]`. */
export function registerAbout(program: Command, io: CliIo): void {
  const cmd = program
    .command('about')
    .description('print what a server says about itself (the about op)')
    .option('--to <format>', `output format: ${OUTPUT_FORMATS}`, 'zinc');
  withRemoteOptions(cmd).action(async (flags: OutputFlags) => {
    const print = printer('about', flags.to, io);
    print(await withClient('about', flags, io, (client) => client.call('about')));
  });
}

/** Register `haystack his --url URL ID RANGE [--to FORMAT]`. */
export function registerHis(program: Command, io: CliIo): void {
  const cmd = program
    .command('his')
    .description('print the history of a point (the hisRead op)')
    .argument('<id>', 'point id, e.g. @site.ahu1.dat or site.ahu1.dat')
    .argument(
      '<range>',
      'today, yesterday, 2026-01-15, 2026-01-01,2026-01-31, or DateTimes as the Ops chapter writes them',
    )
    .option('--to <format>', `output format: ${OUTPUT_FORMATS}`, 'zinc');
  withRemoteOptions(cmd).action(async (id: string, range: string, flags: OutputFlags) => {
    const print = printer('his', flags.to, io);
    print(await withClient('his', flags, io, (client) => client.hisRead(id, range)));
  });
}
