// Reading a file named by a command-line flag, failing with a message that names the command, the flag and the file.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describeErrno } from '../core/errno-text.js';
import { CliExit, type CliIo } from './io.js';

/** The bytes of `file` (relative to the command's cwd); a read error exits 1 with `<command>: cannot read <flag> <file>: <why>`. */
export async function readFileArg(io: CliIo, command: string, flag: string, file: string): Promise<Buffer> {
  try {
    return await readFile(path.resolve(io.cwd, file));
  } catch (err) {
    throw new CliExit(1, `${command}: cannot read ${flag} ${file}: ${describeErrno(err)}`);
  }
}
