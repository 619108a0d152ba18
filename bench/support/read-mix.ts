// The read mix of the server benchmarks (about, ops, reads, nav over Alpha + Bravo), and the bare node:http server
// that answers it with recorded bytes: the platform ceiling our server is compared with.

import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeZincGrid } from '../../src/core/codec/zinc/index.js';
import type { Grid } from '../../src/core/grid/grid.js';
import { autocannon } from './bench-child.js';

const SHARED = path.resolve(fileURLToPath(new URL('../..', import.meta.url)), '../shared/datasets');
const FILES = ['alpha/alpha.zinc', 'bravo/bravo.zinc'];

/** Connections autocannon keeps open. */
export const MIX_CONNECTIONS = 50;

/** The request mix: about, ops, reads with filters of several sizes, and three levels of nav. */
export const MIX: readonly string[] = [
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

/** The Zinc text of the mix's buildings (Alpha, Bravo). */
export function mixTexts(): string[] {
  return FILES.map((f) => readFileSync(path.join(SHARED, f), 'utf8'));
}

/** The grids of the mix's buildings (Alpha, Bravo). */
export function mixGrids(): Grid[] {
  return mixTexts().map((text) => decodeZincGrid(text));
}

/** One recorded answer. */
export interface Recorded {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
}

/**
 * GET every URL of `urls` (default: the mix) from `origin` (`http://127.0.0.1:PORT`) with `headers`, and keep the
 * answers; throws on an error.
 */
export async function recordMix(
  origin: string,
  urls: readonly string[] = MIX,
  headers: Readonly<Record<string, string>> = {},
): Promise<[string, Recorded][]> {
  const out: [string, Recorded][] = [];
  for (const url of urls) {
    const res = await fetch(`${origin}${url}`, { headers });
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200 || body.toString('utf8').includes(' err ')) throw new Error(`${url}: ${body.toString()}`);
    out.push([url, { status: res.status, contentType: res.headers.get('content-type') ?? '', body }]);
  }
  return out;
}

/** A bare node:http server answering each URL of `table` with its recorded bytes; resolves with its port. */
export function startBare(table: readonly [string, Recorded][]): Promise<number> {
  // Buffer.from: a table that crossed a process boundary may hold Uint8Arrays.
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

/** Drive the mix at `port` for `seconds`: average req/s (throws on errors or non-2xx answers). */
export async function loadMix(port: number, seconds: number): Promise<number> {
  const result = await autocannon({
    url: `http://127.0.0.1:${String(port)}`,
    connections: MIX_CONNECTIONS,
    duration: seconds,
    requests: MIX.map((p) => ({ method: 'GET', path: p })),
  });
  if (result.errors > 0 || result.non2xx > 0) throw new Error(`errors ${result.errors}, non-2xx ${result.non2xx}`);
  return result.requests.average;
}
