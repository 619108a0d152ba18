// Benchmark: the about/ops/read/nav mix over Alpha + Bravo (../shared/datasets/) at 50 connections, our server
// against a bare node:http server that sends the same response bytes. Run: npx tsx bench/server.ts [seconds]
//
// Each server runs in its own child process and autocannon drives it from this one, so the load generator never
// shares an event loop with the server it measures. The bare server answers from a table of the bytes our
// server sent for each URL (recorded once before the runs), so the ratio is the cost of our whole pipeline:
// routing, argument decoding, the store query, encoding and the response. Rounds alternate: ours, bare, ours, ...

import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeZincGrid } from '../src/core/codec/zinc/index.js';
import { createServer } from '../src/server/index.js';
import { createMemoryStore } from '../src/storage/memory/index.js';
import { autocannon, startChild as startBenchChild } from './support/bench-child.js';

const SHARED = path.resolve(fileURLToPath(new URL('..', import.meta.url)), '../shared/datasets');
const FILES = ['alpha/alpha.zinc', 'bravo/bravo.zinc'];
/** PRODUCT.md section 5: at least half the requests per second of the bare server. */
const TARGET_RATIO = 0.5;
const CONNECTIONS = 50;

/** The request mix: about, ops, reads with filters of several sizes, and three levels of nav. */
const MIX: readonly string[] = [
  '/api/about',
  '/api/ops',
  '/api/read?filter=site',
  `/api/read?filter=${encodeURIComponent('ahu and siteRef==@a-0000')}`,
  `/api/read?filter=${encodeURIComponent('point and temp and equipRef==@a-0001')}`,
  `/api/read?filter=${encodeURIComponent('point and his and kind=="Number"')}&limit=20`,
  '/api/read?id=@b-0010',
  '/api/nav',
  '/api/nav?navId=@b-0000',
  '/api/nav?navId=@a-0001',
];

interface Recorded {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

type WorkerInit =
  | { readonly kind: 'ours'; readonly cache: boolean }
  | { readonly kind: 'bare'; readonly table: [string, Recorded][] };

async function startOurs(cache: boolean): Promise<number> {
  const store = createMemoryStore();
  for (const f of FILES) {
    const grid = decodeZincGrid(readFileSync(path.join(SHARED, f), 'utf8'));
    await store.commit(grid.rows.map((tags) => ({ op: 'add' as const, tags })));
  }
  const server = createServer({ store, noAuth: true, tz: 'Denver', responseCache: cache });
  return (await server.listen(0, '127.0.0.1')).port;
}

function startBare(table: [string, Recorded][]): Promise<number> {
  const byUrl = new Map(table.map(([url, r]) => [url, { ...r, body: Buffer.from(r.body) }]));
  const server = http.createServer((req, res) => {
    const r = byUrl.get(req.url ?? '');
    if (r === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(r.status, { 'content-type': r.contentType, 'content-length': r.body.length });
    res.end(r.body);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve((server.address() as AddressInfo).port);
    });
  });
}

// A child process is told its role in its first message and answers with the port it listens on.
if (process.send !== undefined) {
  process.once('message', (init: WorkerInit) => {
    void (init.kind === 'ours' ? startOurs(init.cache) : startBare(init.table)).then((port) => process.send?.(port));
  });
} else {
  await main();
}

function startChild(init: WorkerInit): Promise<{ port: number; child: ChildProcess }> {
  return startBenchChild(fileURLToPath(import.meta.url), init);
}

async function record(port: number): Promise<[string, Recorded][]> {
  const out: [string, Recorded][] = [];
  for (const url of MIX) {
    const res = await fetch(`http://127.0.0.1:${port}${url}`);
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200 || body.toString('utf8').includes(' err ')) throw new Error(`${url}: ${body.toString()}`);
    out.push([url, { status: res.status, contentType: res.headers.get('content-type') ?? '', body }]);
  }
  return out;
}

async function load(port: number, seconds: number): Promise<number> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}`,
    connections: CONNECTIONS,
    duration: seconds,
    requests: MIX.map((p) => ({ method: 'GET', path: p })),
  });
  if (result.errors > 0 || result.non2xx > 0) throw new Error(`errors ${result.errors}, non-2xx ${result.non2xx}`);
  return result.requests.average;
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 5);
  const cache = process.argv.includes('--cache');
  const ours = await startChild({ kind: 'ours', cache });
  const table = await record(ours.port);
  const bare = await startChild({ kind: 'bare', table });
  const bytes = table.reduce((n, [, r]) => n + r.body.length, 0);
  console.log(`server mix: ${MIX.length} URLs, ${bytes} response bytes per cycle, ${CONNECTIONS} connections`);
  console.log(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  await load(ours.port, 1);
  await load(bare.port, 1);
  const best = { ours: 0, bare: 0 };
  for (let round = 0; round < 2; round++) {
    best.ours = Math.max(best.ours, await load(ours.port, seconds));
    best.bare = Math.max(best.bare, await load(bare.port, seconds));
  }
  const ratio = best.ours / best.bare;
  console.log(`ours${cache ? ' (response cache)' : ''}: ${best.ours.toFixed(0)} req/s`);
  console.log(`bare node:http, same bytes: ${best.bare.toFixed(0)} req/s`);
  console.log(
    `ratio: ${ratio.toFixed(2)} (target >= ${TARGET_RATIO}) ${ratio >= TARGET_RATIO ? 'OK' : 'BELOW TARGET'}`,
  );
  ours.child.kill();
  bare.child.kill();
}
