// python3 for the interop tests: finds it (loud skip outside CI), runs scripts, and caches haystack-py's venv.

import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT, sharedPath } from './shared.js';

const run = promisify(execFile);

/** phable's sources, put on `sys.path` by the phable driver. */
export const PHABLE_SRC: string = sharedPath('interop/phable/src');

/** haystack-py as published (installed into a cached virtual environment). */
export const HAYSTACK_PY_DIR: string = sharedPath('interop/haystack-py');

/** The interop driver scripts of this repository. */
export const SCRIPTS_DIR: string = path.join(REPO_ROOT, 'test/interop/python');

let available: boolean | undefined;

/**
 * True when `python3` runs. When it does not: throws in CI (`CI` set), where the interop tests must run;
 * otherwise warns loudly once and returns false so the caller can skip.
 */
export function pythonAvailable(): boolean {
  if (available !== undefined) return available;
  const probe = spawnSync('python3', ['-c', 'import sys; assert sys.version_info >= (3, 11)'], { stdio: 'ignore' });
  available = probe.status === 0;
  if (!available) {
    const message = 'python3 (>= 3.11) not found: the interop tests with phable and haystack-py need it';
    if (process.env.CI) throw new Error(`${message}; CI requires it (see .ci/run)`);
    console.warn(`\n!!!!! SKIPPING: ${message} !!!!!\n`);
  }
  return available;
}

/** Run `python script args...` and return its stdout (throws with stderr on a non-zero exit). */
export async function runPython(
  python: string,
  script: string,
  args: readonly string[],
  timeoutMs = 120_000,
): Promise<string> {
  const { stdout } = await run(python, [path.join(SCRIPTS_DIR, script), ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout;
}

// A hash of everything the venv is built from: the Python version and haystack-py's files.
function venvKey(): string {
  const h = createHash('sha256');
  h.update(spawnSync('python3', ['--version'], { encoding: 'utf8' }).stdout);
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      if (name === '__pycache__') continue;
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else h.update(`${path.relative(HAYSTACK_PY_DIR, file)}\n`).update(readFileSync(file));
    }
  };
  walk(HAYSTACK_PY_DIR);
  return h.digest('hex').slice(0, 16);
}

/**
 * The Python of a virtual environment holding haystack-py with its `[server]` extra, built as its README in
 * `../shared/interop` says (about a minute) the first time and kept under the OS temp folder, keyed by a hash of
 * its sources, so later runs start at once. Built beside and renamed into place, so concurrent runs never see
 * a half-built one.
 */
export async function haystackPyPython(): Promise<string> {
  const root = path.join(tmpdir(), 'haystack-ts-interop');
  const dir = path.join(root, `haystack-py-${venvKey()}`);
  const python = path.join(dir, 'venv', 'bin', 'python');
  if (existsSync(path.join(dir, 'ready'))) return python;
  mkdirSync(root, { recursive: true });
  const build = `${dir}.build-${randomBytes(4).toString('hex')}`;
  try {
    cpSync(HAYSTACK_PY_DIR, path.join(build, 'src'), { recursive: true });
    await run('python3', ['-m', 'venv', path.join(build, 'venv')], { timeout: 120_000 });
    await run(
      path.join(build, 'venv', 'bin', 'python'),
      [
        '-m',
        'pip',
        'install',
        '-q',
        '--retries',
        '0',
        '--ignore-requires-python',
        `${path.join(build, 'src')}[server]`,
      ],
      { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
    );
    cpSync(path.join(build, 'src', 'pyproject.toml'), path.join(build, 'ready'));
    // The venv's python finds its packages relative to itself, so the renamed folder works.
    rmSync(dir, { recursive: true, force: true });
    renameSync(build, dir);
  } catch (err) {
    rmSync(build, { recursive: true, force: true });
    // Another run may have finished the same build first.
    if (existsSync(path.join(dir, 'ready'))) return python;
    throw err;
  }
  return python;
}

/** A Python server started by {@link startPythonServer}. */
export interface PythonServer {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** Stop it (SIGTERM) and wait for it to exit. */
  stop(): Promise<void>;
}

/** Start a driver script that prints `LISTENING <port>` once it accepts connections. */
export async function startPythonServer(
  python: string,
  script: string,
  args: readonly string[],
): Promise<PythonServer> {
  const child: ChildProcess = spawn(python, [path.join(SCRIPTS_DIR, script), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
  });
  const exited = once(child, 'exit');
  let out = '';
  const port = await new Promise<number | undefined>((resolve) => {
    // Reading on after the line keeps the pipe drained, so the child never blocks on it.
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /LISTENING (\d+)/.exec(out);
      if (m !== null) resolve(Number(m[1]));
    });
    child.once('exit', () => {
      resolve(undefined);
    });
  });
  if (port === undefined) throw new Error(`${script} exited before listening: ${stderr}`);
  return {
    port,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
