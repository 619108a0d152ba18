// Benchmark: filter reads from the memory store over Alpha + Bravo (3,109 entities), against haystack-core's
// HGrid.filter on the same rows in the same process, and against our own full scan (what the indexes save).
// Run: npx tsx bench/storage-memory-read.ts

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type HDict, type HGrid, type HRef, ZincReader } from 'haystack-core';
import { type Dict, decodeZincGrid, parseFilter, refResolver } from '../src/core/index.js';
import { createMemoryStore } from '../src/storage/memory/index.js';

const SHARED = path.resolve(fileURLToPath(new URL('..', import.meta.url)), '../shared/datasets');
const FILES = ['alpha/alpha.zinc', 'bravo/bravo.zinc'];
const ROUND_MS = 300;

const texts = FILES.map((f) => readFileSync(path.join(SHARED, f), 'utf8'));
const rows: Dict[] = texts.flatMap((t) => [...decodeZincGrid(t).rows]);
const store = createMemoryStore();
await store.commit(rows.map((tags) => ({ op: 'add', tags })));
const all = await store.read({ filter: 'id' });
const resolve = refResolver(all);
const peerGrids = texts.map((t) => ZincReader.readValue(t) as HGrid);
const peerGrid = peerGrids[0] as HGrid;
for (const g of peerGrids.slice(1)) for (const r of g.getRows()) peerGrid.add(r);
const peerById = new Map<string, HDict>();
for (const d of peerGrid.getRows()) {
  const id = d.get<HRef>('id');
  if (id !== undefined) peerById.set(id.value, d);
}
const peerResolve = (ref: HRef): HDict | undefined => peerById.get(ref.value);

// A site and an equip from the data, for selective filters.
const site = all.find((d) => d.has('site'))?.id?.id ?? '';
const equip = all.find((d) => d.has('equip'))?.id?.id ?? '';
const FILTERS = [
  'site',
  'point and his',
  `point and siteRef == @${site}`,
  `point and equipRef == @${equip}`,
  'point and his and siteRef->dis == "Alpha" and kind == "Number"',
];

async function perSec(run: () => Promise<number> | number): Promise<{ rate: number; n: number }> {
  for (let i = 0; i < 10; i++) await run();
  let best = 0;
  let n = 0;
  for (let round = 0; round < 4; round++) {
    let calls = 0;
    const start = performance.now();
    while (performance.now() - start < ROUND_MS) {
      n = await run();
      calls++;
    }
    best = Math.max(best, calls / ((performance.now() - start) / 1000));
  }
  return { rate: best, n };
}

const fmt = (x: number): string => `${x >= 1000 ? `${(x / 1000).toFixed(1)} k` : x.toFixed(0)}/s`;
console.log(`memory store reads over ${all.length} entities`);
console.log(['filter', 'matches', 'ours (store.read)', 'ours full scan', 'peer HGrid.filter', 'ours/peer'].join(' | '));
for (const filter of FILTERS) {
  const f = parseFilter(filter);
  const ours = await perSec(async () => (await store.read({ filter })).length);
  const scan = await perSec(() => all.filter((d) => f.matches(d, resolve)).length);
  const peer = await perSec(() => peerGrid.filter(filter, { resolve: peerResolve }).length);
  if (ours.n !== scan.n) throw new Error(`${filter}: store ${ours.n} matches, scan ${scan.n}`);
  console.log(
    [
      filter,
      ours.n,
      fmt(ours.rate),
      fmt(scan.rate),
      `${fmt(peer.rate)} (${peer.n})`,
      `${(ours.rate / peer.rate).toFixed(1)}x`,
    ].join(' | '),
  );
}
