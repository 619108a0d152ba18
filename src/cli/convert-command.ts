// `haystack convert`: read Zinc, JSON (v4 or v3) or Trio and write it as Zinc, JSON, JSON v3, Trio or CSV.

import type { Command } from 'commander';
import { FORMAT_NAMES } from '../core/codec/negotiate.js';
import type { CliIo } from './io.js';
import { INPUT_FORMAT_NAMES } from './output.js';

/** Options of `haystack convert`. */
export interface ConvertOptions {
  readonly from?: string;
  readonly to?: string;
}

/** Register `haystack convert [--from FORMAT] [--to FORMAT] [IN] [OUT]`. */
export function registerConvert(program: Command, io: CliIo): void {
  program
    .command('convert')
    .description(
      'convert a grid, a Trio document or a single Zinc value (45°F, [1,2], {a:M}) between formats; ' +
        'stdin/stdout when IN/OUT are absent or -',
    )
    .argument('[in]', 'input file (default: stdin)')
    .argument('[out]', 'output file (default: stdout)')
    .option(
      '--from <format>',
      `input format: ${INPUT_FORMAT_NAMES.join(', ')} (default: from IN's extension, else zinc)`,
    )
    .option('--to <format>', `output format: ${FORMAT_NAMES.join(', ')} (default: from OUT's extension, else zinc)`)
    .action(async (input: string | undefined, output: string | undefined, options: ConvertOptions) => {
      const { runConvert } = await import('./convert-action.js');
      await runConvert(fileArg(input), fileArg(output), options, io);
    });
}

// `-` means the standard stream, as for most Unix tools.
function fileArg(arg: string | undefined): string | undefined {
  return arg === undefined || arg === '-' ? undefined : arg;
}
