// Command output in any wire format: the `--to` option every printing command shares, and the grid printer.

import type { Command } from 'commander';
import { FORMAT_NAMES } from '../core/codec/negotiate.js';
import type { Codec, Grid } from '../core/index.js';
import { CliExit, type CliIo, writeOut } from './io.js';

/** The names `--to` accepts. */
export const OUTPUT_FORMATS = FORMAT_NAMES.join(', ');

/** The names of the formats that are read as well as written (CSV is written only). */
export const INPUT_FORMAT_NAMES: readonly string[] = FORMAT_NAMES.filter((n) => n !== 'csv');

/** {@link INPUT_FORMAT_NAMES} for a message. */
export const INPUT_FORMATS = INPUT_FORMAT_NAMES.join(', ');

/** Options of a command that prints grids. */
export interface OutputFlags {
  /** Output format name. */
  readonly to: string;
}

/** Add `--to <format>` (default Zinc) to a command. */
export function withOutputOption(cmd: Command): Command {
  return cmd.option('--to <format>', `output format: ${OUTPUT_FORMATS}`, 'zinc');
}

/**
 * The codec `--to` names; an unknown name is a usage error (exit 2) that lists the valid ones. The codecs are loaded
 * here, by the command that prints, so that `--help` and the commands' registration stay without them.
 */
export async function outputCodec(command: string, to: string): Promise<Codec> {
  const { codecByName } = await import('../core/codec/media-types.js');
  const codec = codecByName(to);
  if (codec === undefined)
    throw new CliExit(2, `haystack ${command}: unknown --to format ${JSON.stringify(to)} (use ${OUTPUT_FORMATS})`);
  return codec;
}

/** A function printing a grid in the `--to` format, checked before any work is done. */
export async function gridPrinter(command: string, to: string, io: CliIo): Promise<(grid: Grid) => void> {
  const codec = await outputCodec(command, to);
  return (grid) => {
    writeOut(io, codec.encodeGrid(grid));
  };
}
