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

/** Fork `file` (a benchmark script), send it `init`, and resolve with the port it answers once listening. */
export function startChild(file: string, init: unknown): Promise<{ port: number; child: ChildProcess }> {
  const child = fork(file, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced' });
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
