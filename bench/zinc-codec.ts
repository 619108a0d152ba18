// Benchmark: Zinc decode/encode of Alpha + Bravo and of a 1,000,000-row history, ours against haystack-core in
// the same process, with retained memory per history row. Run: npx tsx bench/zinc-codec.ts [historyRows]
//
// Each figure is the best of several rounds (the machine is shared: the best round is the least disturbed one);
// MB/s counts UTF-8 bytes of the Zinc text. The peer gets the same text and its own best call
// (ZincReader.readValue, HGrid.toZinc); its slow history decode runs once. Memory: heapUsed + arrayBuffers after a
// full GC with the decoded grid held, minus the same before decoding, divided by the rows.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type HGrid, ZincReader } from 'haystack-core';
import { decodeZinc, encodeZinc, type Grid, HDateTime, TimeZone } from '../src/core/index.js';

const SHARED = path.resolve(fileURLToPath(new URL('..', import.meta.url)), '../shared/datasets');
const FILES = ['alpha/alpha.zinc', 'bravo/bravo.zinc'];
const HISTORY_ROWS = Number(process.argv[2] ?? 1_000_000);

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Best time in ms of `rounds` calls of `fn` (after one warm-up call), or of as many as fit in `budgetMs`. */
function best(fn: () => unknown, rounds: number, budgetMs = 4000): number {
  fn();
  let min = Number.POSITIVE_INFINITY;
  const start = performance.now();
  for (let i = 0; i < rounds && (i < 2 || performance.now() - start < budgetMs); i++) {
    const t = performance.now();
    fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

function once(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

/** JS heap plus ArrayBuffer backing stores (typed arrays live outside the JS heap). */
function used(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Bytes retained per row by `make`'s result (held across the second measurement), and the time `make` took. */
function retainedPerRow<T>(make: () => T, rows: number): { perRow: number; value: T; seconds: number } {
  gc();
  gc();
  const before = used();
  const t = performance.now();
  const value = make();
  const seconds = (performance.now() - t) / 1000;
  gc();
  gc();
  const after = used();
  return { perRow: (after - before) / rows, value, seconds };
}

interface Line {
  readonly name: string;
  readonly ours: number;
  readonly peer: number;
  readonly unit: string;
  /** True when a bigger figure is better (MB/s); false for seconds and bytes. */
  readonly higher: boolean;
  readonly target: string;
  readonly met: boolean;
}

const lines: Line[] = [];
const mbps = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1000);

// --- Alpha + Bravo --------------------------------------------------------------------------------------------
const texts = FILES.map((f) => readFileSync(path.join(SHARED, f), 'utf8'));
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
const ourGrids = texts.map((t) => decodeZinc(t) as Grid);
const peerGrids = texts.map((t) => ZincReader.readValue(t) as HGrid);

const decOurs = mbps(
  bytes,
  best(() => texts.map((t) => decodeZinc(t)), 200),
);
const decPeer = mbps(
  bytes,
  best(() => texts.map((t) => ZincReader.readValue(t)), 20),
);
lines.push({
  name: 'Zinc decode, Alpha + Bravo',
  ours: decOurs,
  peer: decPeer,
  unit: 'MB/s',
  higher: true,
  target: '>= 150 MB/s, >= 5x peer',
  met: decOurs >= 150 && decOurs >= 5 * decPeer,
});

const encOurs = mbps(
  bytes,
  best(() => ourGrids.map((g) => encodeZinc(g)), 200),
);
const encPeer = mbps(
  bytes,
  best(() => peerGrids.map((g) => g.toZinc()), 20),
);
lines.push({
  name: 'Zinc encode, Alpha + Bravo',
  ours: encOurs,
  peer: encPeer,
  unit: 'MB/s',
  higher: true,
  target: '>= 100 MB/s, >= 6x peer',
  met: encOurs >= 100 && encOurs >= 6 * encPeer,
});

// --- History: DateTime New_York + Number kW, one row a minute -------------------------------------------------
function historyText(rows: number): string {
  const tz = TimeZone.get('New_York');
  const start = Date.UTC(2023, 0, 1, 5);
  const parts: string[] = [`ver:"3.0" id:@p-1 hisStart:${HDateTime.fromEpochMs(start, tz).toString()}\nts,val\n`];
  let chunk = '';
  let seed = 12345;
  for (let i = 0; i < rows; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    chunk += `${HDateTime.fromEpochMs(start + i * 60_000, tz).toString()},${(seed % 100_000) / 100}kW\n`;
    if (chunk.length > 1 << 16) {
      parts.push(chunk);
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
}

const his = historyText(HISTORY_ROWS);
const hisBytes = Buffer.byteLength(his);
const ourMem = retainedPerRow(() => decodeZinc(his) as Grid, HISTORY_ROWS);
const ourHis = ourMem.value;
if (ourHis.size !== HISTORY_ROWS) throw new Error(`decoded ${ourHis.size} rows`);
const hisDecOurs = best(() => decodeZinc(his), 5) / 1000;
const hisEncOurs = best(() => encodeZinc(ourHis), 5) / 1000;
if (encodeZinc(ourHis) !== his) throw new Error('history re-encoding differs from its text');

const peerMem = retainedPerRow(() => ZincReader.readValue(his) as HGrid, HISTORY_ROWS);
const hisDecPeer = peerMem.seconds;
const hisEncPeer = once(() => peerMem.value.toZinc()) / 1000;

const rowsLabel = HISTORY_ROWS.toLocaleString('en-US');
lines.push({
  name: `Zinc decode, ${rowsLabel} history rows`,
  ours: hisDecOurs,
  peer: hisDecPeer,
  unit: 's',
  higher: false,
  target: '<= 0.5 s',
  met: hisDecOurs <= 0.5 * (HISTORY_ROWS / 1e6),
});
lines.push({
  name: `Zinc encode, ${rowsLabel} history rows`,
  ours: hisEncOurs,
  peer: hisEncPeer,
  unit: 's',
  higher: false,
  target: '<= 0.3 s',
  met: hisEncOurs <= 0.3 * (HISTORY_ROWS / 1e6),
});
lines.push({
  name: 'Retained memory of that history',
  ours: ourMem.perRow,
  peer: peerMem.perRow,
  unit: 'B/row',
  higher: false,
  target: '<= 100 B/row',
  met: ourMem.perRow <= 100,
});

// --- Report ---------------------------------------------------------------------------------------------------
const fmt = (x: number, unit: string): string => `${unit === 's' ? x.toFixed(3) : x.toFixed(1)} ${unit}`.padStart(12);
console.log(
  `Zinc codec: Alpha + Bravo ${(bytes / 1e6).toFixed(2)} MB; history ${rowsLabel} rows, ${(hisBytes / 1e6).toFixed(1)} MB; node ${process.version}`,
);
console.log(
  `${'workload'.padEnd(38)} ${'ours'.padStart(12)} ${'peer'.padStart(12)} ${'ratio'.padStart(8)}  target                    met`,
);
for (const l of lines) {
  const ratio = l.higher ? l.ours / l.peer : l.peer / l.ours;
  console.log(
    `${l.name.padEnd(38)} ${fmt(l.ours, l.unit)} ${fmt(l.peer, l.unit)} ${`${ratio.toFixed(1)}x`.padStart(8)}  ${l.target.padEnd(25)} ${l.met ? 'yes' : 'NO'}`,
  );
}
console.log('(ratio: how many times better ours is than the peer)');
