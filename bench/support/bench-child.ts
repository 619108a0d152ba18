// What the server benchmarks share: autocannon's typing, and servers forked into child processes.

import { type ChildProcess, fork } from 'node:child_process';
import { createRequire } from 'node:module';

/** The part of autocannon's result used by the benchmarks (the package ships no type declarations). */
export interface LoadResult {
  readonly errors: number;
  readonly non2xx: number;
  readonly requests: { readonly average: number };
}

/** autocannon, typed for the options the benchmarks pass. */
export const autocannon = createRequire(import.meta.url)('autocannon') as (options: {
  readonly url: string;
  readonly connections: number;
  readonly duration: number;
  readonly requests: readonly { readonly method: string; readonly path: string }[];
  /** Headers every request carries (e.g. `accept`, `authorization`). */
  readonly headers?: Readonly<Record<string, string>>;
}) => Promise<LoadResult>;

/**
 * Fork `file` (a benchmark script), send it `init`, and resolve with the port it answers once listening. With
 * `BENCH_CPU_PROF=DIR` each child writes a V8 CPU profile into DIR when it exits (Node refuses `--cpu-prof` in
 * NODE_OPTIONS, so this is the way to profile the servers a benchmark measures).
 */
export function startChild(file: string, init: unknown): Promise<{ port: number; child: ChildProcess }> {
  const prof = process.env.BENCH_CPU_PROF;
  const onTerm = new URL('./exit-on-term.ts', import.meta.url).href;
  const profiled = prof === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${prof}`, '--import', onTerm];
  const execArgv = ['--import', 'tsx', ...profiled];
  const child = fork(file, [], { execArgv, serialization: 'advanced' });
  child.send(init as object);
  return new Promise((resolve, reject) => {
    child.once('message', (port: number) => {
      resolve({ port, child });
    });
    child.once('error', reject);
  });
}

/** The URL a spawned `haystack serve` prints in its "listening on" line (rejects if it exits before). */
export function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      const m = /listening on (\S+)/.exec(out);
      if (m?.[1] !== undefined) resolve(m[1]);
    });
    child.once('exit', (code) => {
      reject(new Error(`serve exited ${String(code)}: ${out}`));
    });
  });
}
