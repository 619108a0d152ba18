// Command output in any wire format: the `--to` option every printing command shares, and the grid printer.

import type { Command } from 'commander';
import { CODECS, type Codec, codecByName, type Grid } from '../core/index.js';
import { CliExit, type CliIo, writeOut } from './io.js';

/** The names `--to` accepts. */
export const OUTPUT_FORMATS = CODECS.map((c) => c.name).join(', ');

/** Options of a command that prints grids. */
export interface OutputFlags {
  /** Output format name. */
  readonly to: string;
}

/** Add `--to <format>` (default Zinc) to a command. */
export function withOutputOption(cmd: Command): Command {
  return cmd.option('--to <format>', `output format: ${OUTPUT_FORMATS}`, 'zinc');
}

/** The codec `--to` names; an unknown name is a usage error (exit 2) that lists the valid ones. */
export function outputCodec(command: string, to: string): Codec {
  const codec = codecByName(to);
  if (codec === undefined)
    throw new CliExit(2, `haystack ${command}: unknown --to format ${JSON.stringify(to)} (use ${OUTPUT_FORMATS})`);
  return codec;
}

/** A function printing a grid in the `--to` format, checked before any work is done. */
export function gridPrinter(command: string, to: string, io: CliIo): (grid: Grid) => void {
  const codec = outputCodec(command, to);
  return (grid) => {
    writeOut(io, codec.encodeGrid(grid));
  };
}
