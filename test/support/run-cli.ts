// Runs the `haystack` CLI with captured output, for command tests: in-process, or as the real process.

import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import { REPO_ROOT } from './shared.js';

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

/**
 * True when `npm run build` ran after the last change to the CLI's sources: every src/ module outside src/ui has its
 * dist/ output, written no earlier than the module (tsc rewrites the output of each module that changed).
 */
export function builtCliFresh(): boolean {
  const src = path.join(REPO_ROOT, 'src');
  for (const entry of readdirSync(src, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts') || entry.name.endsWith('.d.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    const rel = path.relative(src, file);
    if (rel.startsWith(`ui${path.sep}`)) continue;
    try {
      if (statSync(path.join(REPO_ROOT, 'dist', rel.replace(/\.ts$/, '.js'))).mtimeMs < statSync(file).mtimeMs)
        return false;
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * The arguments of `node` that run `haystack ...args`: the built dist/ when it is up to date with the sources (as in
 * CI, which builds first), else the sources through tsx. Both run the same code; tsx compiles every module at each
 * start, which made a process start take 3-4 s instead of about 1 s on the shared 2-core machine.
 */
export function cliNodeArgs(args: readonly string[]): string[] {
  if (builtCliFresh()) return [path.join(REPO_ROOT, 'dist/cli/main.js'), ...args];
  return tsxNodeArgs(path.join(REPO_ROOT, 'src/cli/main.ts'), args);
}

/**
 * The arguments of `node` that run the TypeScript file `file` through tsx's loader: one process, where the `tsx`
 * command starts a second `node` with that loader.
 */
export function tsxNodeArgs(file: string, args: readonly string[] = []): string[] {
  // tsx by its file URL: the child may run in a scratch folder, where the bare name does not resolve.
  const tsx = pathToFileURL(path.join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
  return ['--import', tsx, file, ...args];
}

/**
 * Run the real `haystack` process (see `cliNodeArgs`) with `args` in `cwd`, `env` added to this process's
 * environment, and `stdin` (default: none, a closed pipe); its exit code and output. A process whose output comes
 * to match `stopWhen` (a server that started when it should not have) gets SIGTERM, so that it cannot outlive the test.
 */
export function spawnCli(
  args: readonly string[],
  cwd: string,
  env: Readonly<Record<string, string | undefined>> = {},
  stdin = '',
  stopWhen?: RegExp,
): Promise<CliRun> {
  const child = spawn(process.execPath, cliNodeArgs(args), {
    cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '', ...env },
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const check = (): void => {
    if (stopWhen?.test(Buffer.concat([...out, ...err]).toString('utf8')) === true) child.kill('SIGTERM');
  };
  child.stdout.on('data', (c: Buffer) => {
    out.push(c);
    check();
  });
  child.stderr.on('data', (c: Buffer) => {
    err.push(c);
    check();
  });
  child.stdin.end(stdin);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      resolve({
        code: code ?? (signal === null ? -1 : 128),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}
