// A filter given on the command line, parsed before any file, store or server is reached: a typo is a usage error.

import { LimitError, ParseError } from '../core/errors.js';
import type { Filter } from '../core/index.js';
import { CliExit } from './io.js';

/**
 * `text` as a Filter; a malformed one exits 2 (a command-line mistake, as README "Exit codes" says) with the
 * position and a caret under the offending character, before anything else runs.
 */
export async function parseFilterArg(command: string, text: string): Promise<Filter> {
  // Loaded by the command that filters, so that `--help` and the other commands start without the filter modules.
  const { parseFilter } = await import('../core/filter/index.js');
  try {
    return parseFilter(text);
  } catch (err) {
    if (err instanceof ParseError) {
      // Point at the offending character under the filter (one-line filters are the common case).
      const lines = text.split(/\r\n|\r|\n/);
      const line = lines[err.line - 1] ?? '';
      const caret = `${' '.repeat(Math.max(0, err.column - 1))}^`;
      throw new CliExit(
        2,
        `haystack ${command}: invalid filter at line ${err.line}, column ${err.column}: ${err.reason}\n  ${line}\n  ${caret}`,
      );
    }
    if (err instanceof LimitError) throw new CliExit(2, `haystack ${command}: invalid filter: ${err.message}`);
    throw err;
  }
}
