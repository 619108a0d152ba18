// Runs the `haystack` CLI in-process with captured output, for command tests.

import { PassThrough } from 'node:stream';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';

/** What a CLI run produced. */
export interface CliRun {
  /** Exit code. */
  readonly code: number;
  /** Everything written to stdout. */
  readonly stdout: string;
  /** Everything written to stderr. */
  readonly stderr: string;
}

/**
 * Run `haystack ...args` in `cwd` with `stdin` (default empty) and environment `env`, capturing stdout and stderr;
 * `signal` stands for Ctrl-C.
 */
export async function runCliCaptured(
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string | undefined>> = {},
  stdin = '',
  signal: AbortSignal = new AbortController().signal,
): Promise<CliRun> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const input = new PassThrough();
  input.end(stdin);
  const io: CliIo = { stdin: input, stdout, stderr, env, cwd, signal };
  const code = await runCli(args, io);
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}
