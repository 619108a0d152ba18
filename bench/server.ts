// Benchmark: the about/ops/read/nav mix over Alpha + Bravo (../shared/datasets/) at 50 connections, our server
// against a bare node:http server that sends the same response bytes.
// Run: npx tsx bench/server.ts [seconds] [--cache] [--src] [--sqlite | --store TEXT]
// Ours serves from the memory store, or with --sqlite from the embedded SQLite store in a temporary file (what
// `haystack serve` runs by default), or with --store from any store `haystack serve --store TEXT` opens, which must
// be empty (a fresh schema or prefix: `postgres://127.0.0.1/test?schema=bench1`, `redis://127.0.0.1?prefix=bench1`).
// The store is warmed as serve warms it (the SQLite scan cache filled) before any request.
//
// Each server runs in its own child process and autocannon drives it from this one, so the load generator never
// shares an event loop with the server it measures. The bare server answers from a table of the bytes our
// server sent for each URL (recorded once before the runs), so the ratio is the cost of our whole pipeline:
// routing, argument decoding, the store query, encoding and the response. Rounds alternate: ours, bare, ours, ...
//
// Ours runs from the compiled build (dist/, what `haystack serve` runs), brought up to date first by an
// incremental `tsc -p tsconfig.build.json`; `--src` runs the TypeScript source under tsx instead (measured
// 15-20% more CPU per request there: tsx's esbuild output is not tsc's, e.g. every closure made per request goes
// through a `__name` call). Both children run under the same node and flags (tsx loaded in each).

import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startChild as startBenchChild } from './support/bench-child.js';
import { loadMix, MIX, MIX_CONNECTIONS, mixTexts, type Recorded, recordMix, startBare } from './support/read-mix.js';
import { stats } from './support/timing.js';

/** PRODUCT.md section 5: at least half the requests per second of the bare server. */
const TARGET_RATIO = 0.5;
/** Rounds of each server, alternating: medians beside best rounds (a best round alone hides GC and JIT effects). */
const ROUNDS = 3;

type WorkerInit =
  | { readonly kind: 'ours'; readonly cache: boolean; readonly root: 'dist' | 'src'; readonly store: string | null }
  | { readonly kind: 'bare'; readonly table: [string, Recorded][] };

type ServerModule = typeof import('../src/server/index.js');
type MemoryModule = typeof import('../src/storage/memory/index.js');
type ZincModule = typeof import('../src/core/codec/zinc/index.js');
type StoresModule = typeof import('../src/app/stores/store-backend.js');
type BackendsModule = typeof import('../src/app/stores/backends.js');

// `storeText`: the store as `haystack serve --store` takes it, or null for the memory store.
async function startOurs(cache: boolean, root: 'dist' | 'src', storeText: string | null): Promise<number> {
  // The same modules from the build or from the source (a computed specifier: dist/ need not exist to type-check);
  // the data decoded by the same build, as its kinds are its own classes.
  const from = (p: string): string => new URL(`../${root}/${p}`, import.meta.url).href;
  const { createServer } = (await import(from('server/index.js'))) as ServerModule;
  const { createMemoryStore } = (await import(from('storage/memory/index.js'))) as MemoryModule;
  const { decodeZincGrid } = (await import(from('core/codec/zinc/index.js'))) as ZincModule;
  const opened =
    storeText === null
      ? undefined
      : await ((await import(from('app/stores/store-backend.js'))) as StoresModule).openStore(
          storeText,
          ((await import(from('app/stores/backends.js'))) as BackendsModule).STORE_BACKENDS,
          { cwd: process.cwd() },
        );
  const store = opened?.store ?? createMemoryStore();
  if ((await store.count()) > 0) throw new Error(`bench: the store ${String(storeText)} is not empty`);
  for (const text of mixTexts()) {
    await store.commit(decodeZincGrid(text).rows.map((tags) => ({ op: 'add' as const, tags })));
  }
  opened?.warm?.();
  // The SQLite scan cache fills in the background, chunk by chunk: the bench starts once it is in.
  const scan = store as { scanCacheStats?: () => { readonly loads: number; readonly filling: boolean } };
  while (scan.scanCacheStats !== undefined && (scan.scanCacheStats().loads === 0 || scan.scanCacheStats().filling)) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  const server = createServer({ store, noAuth: true, tz: 'Denver', responseCache: cache });
  return (await server.listen(0, '127.0.0.1')).port;
}

// A child process is told its role in its first message and answers with the port it listens on.
if (process.send !== undefined) {
  process.once('message', (init: WorkerInit) => {
    void (init.kind === 'ours' ? startOurs(init.cache, init.root, init.store) : startBare(init.table)).then((port) =>
      process.send?.(port),
    );
  });
} else {
  await main();
}

function startChild(init: WorkerInit): Promise<{ port: number; child: ChildProcess }> {
  return startBenchChild(fileURLToPath(import.meta.url), init);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--store');
  const storeText = at < 0 ? undefined : args.splice(at, 2)[1];
  const seconds = Number(args.find((a) => !a.startsWith('--')) ?? 5);
  const cache = process.argv.includes('--cache');
  const root = process.argv.includes('--src') ? 'src' : 'dist';
  if (root === 'dist') {
    const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
    execFileSync(process.execPath, [tsc, '-p', fileURLToPath(new URL('../tsconfig.build.json', import.meta.url))], {
      stdio: 'inherit',
    });
  }
  const dir = process.argv.includes('--sqlite') ? mkdtempSync(path.join(tmpdir(), 'hs-bench-')) : undefined;
  const store = dir !== undefined ? `sqlite:${path.join(dir, 'bench.db')}` : (storeText ?? null);
  const ours = await startChild({ kind: 'ours', cache, root, store });
  const table = await recordMix(`http://127.0.0.1:${String(ours.port)}`);
  const bare = await startChild({ kind: 'bare', table });
  const bytes = table.reduce((n, [, r]) => n + r.body.length, 0);
  console.log(`server mix: ${MIX.length} URLs, ${bytes} response bytes per cycle, ${MIX_CONNECTIONS} connections`);
  console.log(
    `ours runs from ${root === 'dist' ? 'the build (dist/)' : 'the source under tsx (--src)'}, ` +
      `over the ${store === null ? 'memory' : (store.split(/[:?]/)[0] ?? '')} store`,
  );
  console.log(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  await loadMix(ours.port, 1);
  await loadMix(bare.port, 1);
  const runs: { ours: number[]; bare: number[] } = { ours: [], bare: [] };
  for (let round = 0; round < ROUNDS; round++) {
    runs.ours.push(await loadMix(ours.port, seconds));
    runs.bare.push(await loadMix(bare.port, seconds));
    console.log(`round ${round + 1}: ours ${runs.ours[round]?.toFixed(0)}, bare ${runs.bare[round]?.toFixed(0)} req/s`);
  }
  const label = `ours${cache ? ' (response cache)' : ''}${root === 'src' ? ' (source)' : ''}`;
  const m = { ours: stats(runs.ours).median, bare: stats(runs.bare).median };
  const best = { ours: Math.max(...runs.ours), bare: Math.max(...runs.bare) };
  console.log(`${label}: median ${m.ours.toFixed(0)}, best ${best.ours.toFixed(0)} req/s`);
  console.log(`bare node:http, same bytes: median ${m.bare.toFixed(0)}, best ${best.bare.toFixed(0)} req/s`);
  const ratio = m.ours / m.bare;
  console.log(
    `ratio of medians: ${ratio.toFixed(2)}, of best rounds: ${(best.ours / best.bare).toFixed(2)} ` +
      `(target >= ${TARGET_RATIO}) ${ratio >= TARGET_RATIO ? 'OK' : 'BELOW TARGET'}`,
  );
  console.log(
    `load average after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  ours.child.kill();
  bare.child.kill();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}
