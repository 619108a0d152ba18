// Runs `haystack serve` in-process until it prints its URL, for tests that then call the server and stop it.

import { type ChildProcess, spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import { cliNodeArgs } from './run-cli.js';

/** A `haystack serve` started in-process. */
export interface StartedServe {
  /** The URL it listens on, or `exited N: <stderr>` when it stopped before listening. */
  readonly url: string;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Abort the signal (Ctrl-C) and resolve with the exit code. */
  readonly stop: () => Promise<number>;
  /** Send what SIGHUP sends (to the listeners `haystack serve` installed through `io.onHangup`); how many there were. */
  readonly hangup: () => number;
  /** Resolve once stdout + stderr match `pattern` (matched on what has come so far, then on each new chunk). */
  readonly output: (pattern: RegExp) => Promise<string>;
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
  const hangups = new Set<() => void>();
  const onHangup = (listener: () => void): (() => void) => {
    hangups.add(listener);
    return () => hangups.delete(listener);
  };
  const io: CliIo = { stdin: new PassThrough(), stdout, stderr, env, cwd, signal: controller.signal, onHangup };
  const output = (pattern: RegExp): Promise<string> =>
    new Promise((resolve) => {
      const check = (): void => {
        if (!pattern.test(out + err)) return;
        stdout.off('data', check);
        stderr.off('data', check);
        resolve(out + err);
      };
      // After the stream's own listeners (above), so that `out` and `err` hold the new chunk.
      stdout.on('data', check);
      stderr.on('data', check);
      check();
    });
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
    hangup: () => {
      for (const listener of hangups) listener();
      return hangups.size;
    },
    output,
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

/** A `haystack serve` started as a child process (for SIGKILL, cluster workers and other process-level tests). */
export interface SpawnedServe {
  readonly child: ChildProcess;
  /** The URL it listens on. */
  readonly url: string;
  readonly stdout: () => string;
  readonly stderr: () => string;
}

/**
 * Spawn `haystack serve ...args` (built or from the sources, see `cliNodeArgs`) in `cwd`; resolves once it prints its URL, rejects
 * with its stderr when it exits first. The caller kills the child.
 */
export function spawnServe(
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<SpawnedServe> {
  const child = spawn(process.execPath, cliNodeArgs(['serve', ...args]), {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '', ...env },
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString('utf8');
  });
  return new Promise<SpawnedServe>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1] !== undefined) resolve({ child, url: m[1], stdout: () => out, stderr: () => err });
    });
    child.once('exit', (code, signal) => {
      reject(new Error(`serve exited ${String(code ?? signal)}: ${err}`));
    });
  });
}
