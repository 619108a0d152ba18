// Runs `haystack serve` in-process until it prints its URL, for tests that then call the server and stop it.

import { PassThrough } from 'node:stream';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';

/** A `haystack serve` started in-process. */
export interface StartedServe {
  /** The URL it listens on, or `exited N: <stderr>` when it stopped before listening. */
  readonly url: string;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Abort the signal (Ctrl-C) and resolve with the exit code. */
  readonly stop: () => Promise<number>;
}

/** Run `haystack serve ...args` in `cwd` with `env` until it prints its URL (or exits). */
export async function startServe(
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<StartedServe> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stderr.on('data', (c: Buffer) => {
    err += c.toString('utf8');
  });
  const controller = new AbortController();
  const io: CliIo = { stdin: new PassThrough(), stdout, stderr, env, cwd, signal: controller.signal };
  const urlSeen = new Promise<string>((resolve) => {
    stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
  });
  const done = runCli(['serve', ...args], io);
  const url = await Promise.race([urlSeen, done.then((code) => `exited ${code}: ${err}`)]);
  return {
    url,
    stdout: () => out,
    stderr: () => err,
    stop: () => {
      controller.abort();
      return done;
    },
  };
}

/** Run `haystack serve ...args` expecting it to exit at once (bad flags); its exit code and stderr. */
export async function serveExit(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<{ code: number; stderr: string }> {
  const stderr = new PassThrough();
  let err = '';
  stderr.on('data', (c: Buffer) => {
    err += c.toString('utf8');
  });
  const io: CliIo = {
    stdin: new PassThrough(),
    stdout: new PassThrough(),
    stderr,
    env,
    cwd: process.cwd(),
    signal: new AbortController().signal,
  };
  return { code: await runCli(['serve', ...args], io), stderr: err };
}
