// Benchmark: Haystack JSON v4 decode/encode of Alpha + Bravo against JSON.parse/JSON.stringify of the same text
// and data, and against haystack-core in the same process. Run: npx tsx bench/json-codec.ts
//
// Each figure is the best of several rounds (the machine is shared: the best round is the least disturbed one),
// by wall clock and by CPU time, then the median round by wall clock (PRODUCT.md: medians beside best rounds); MB/s counts UTF-8 bytes of the JSON text. "x platform" is the speed as a
// fraction of JSON.parse (decode) or JSON.stringify (encode) on the same text or data: the targets are >= 0.75x.
// The peer decodes with HGrid.make(JSON.parse(text)), which is lazy, so its typed figure also reads every tag of
// every row (what "decode into typed values" means); it encodes with toJSONString from a grid of typed values
// (read from the Zinc of the same data, so its JSON is written from values, not echoed from a JSON store).

import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HGrid, ZincReader } from 'haystack-core';
import { decodeJson, decodeZinc, encodeJson, type Grid } from '../src/core/index.js';

const SHARED = path.resolve(fileURLToPath(new URL('..', import.meta.url)), '../shared/datasets');
const NAMES = ['alpha', 'bravo'];

interface Took {
  readonly wall: number;
  readonly cpu: number;
}

function measure(fn: () => unknown): Took {
  const c = process.cpuUsage();
  const t = performance.now();
  fn();
  const wall = performance.now() - t;
  const d = process.cpuUsage(c);
  return { wall, cpu: (d.user + d.system) / 1000 };
}

/** Best rounds, and the median round (wall and CPU) beside them: a best round alone hides GC and JIT effects. */
interface Rounds extends Took {
  readonly median: Took;
}

// Best and median wall and CPU time of the calls of each function, run in alternation so that both see the same
// machine.
function bestOf(fns: readonly (() => unknown)[], rounds: number, budgetMs: number): Rounds[] {
  for (const fn of fns) fn();
  const walls = fns.map((): number[] => []);
  const cpus = fns.map((): number[] => []);
  const start = performance.now();
  for (let i = 0; i < rounds && (i < 3 || performance.now() - start < budgetMs); i++) {
    fns.forEach((fn, k) => {
      const m = measure(fn);
      walls[k]?.push(m.wall);
      cpus[k]?.push(m.cpu);
    });
  }
  const mid = (v: number[]): number => v.sort((a, b) => a - b)[Math.floor(v.length / 2)] ?? Number.NaN;
  return fns.map((_, k) => {
    const w = walls[k] ?? [];
    const c = cpus[k] ?? [];
    return { wall: Math.min(...w), cpu: Math.min(...c), median: { wall: mid(w), cpu: mid(c) } };
  });
}

const texts = NAMES.map((n) => readFileSync(path.join(SHARED, n, `${n}.json`), 'utf8'));
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
const ours = texts.map((t) => decodeJson(t) as Grid);
const plain = texts.map((t) => JSON.parse(t) as unknown);
const peerTyped = NAMES.map(
  (n) => ZincReader.readValue(readFileSync(path.join(SHARED, n, `${n}.zinc`), 'utf8')) as HGrid,
);
for (let i = 0; i < ours.length; i++) {
  const fromZinc = decodeZinc(readFileSync(path.join(SHARED, NAMES[i] ?? '', `${NAMES[i] ?? ''}.zinc`), 'utf8'));
  if (!(ours[i] as Grid).equals(fromZinc)) throw new Error(`${NAMES[i] ?? ''}: JSON and Zinc decode differently`);
}

// The peer's typed decode: make the grid, then read every tag so that each value is a typed HVal.
function peerDecodeTyped(t: string): number {
  const g = HGrid.make(JSON.parse(t) as never);
  let n = 0;
  for (const row of g.getRows()) for (const k of row.keys) if (row.get(k) !== undefined) n++;
  return n;
}

const mbps = (ms: number): number => bytes / 1e6 / (ms / 1000);

// Ours and the platform alternate (both see the same machine); the peers run on their own, so that their garbage
// does not land in our rounds.
const [dParse, dOurs] = bestOf(
  [() => texts.map((t) => JSON.parse(t) as unknown), () => texts.map((t) => decodeJson(t))],
  300,
  15_000,
) as [Rounds, Rounds];
const [dPeerTyped] = bestOf([() => texts.map(peerDecodeTyped)], 40, 5_000) as [Rounds];
const [dPeerLazy] = bestOf([() => texts.map((t) => HGrid.make(JSON.parse(t) as never))], 40, 3_000) as [Rounds];

const [eStringify, eOurs] = bestOf(
  [() => plain.map((p) => JSON.stringify(p)), () => ours.map((g) => encodeJson(g))],
  300,
  12_000,
) as [Rounds, Rounds];
const [ePeer] = bestOf([() => peerTyped.map((g) => g.toJSONString())], 40, 4_000) as [Rounds];

const [d3Parse, d3Ours, e3Ours] = bestOf(
  (() => {
    const v3 = ours.map((g) => encodeJson(g, { version: 3 }));
    return [
      () => v3.map((t) => JSON.parse(t) as unknown),
      () => v3.map((t) => decodeJson(t, { version: 3 })),
      () => ours.map((g) => encodeJson(g, { version: 3 })),
    ];
  })(),
  100,
  6_000,
) as [Rounds, Rounds, Rounds];

interface Line {
  readonly name: string;
  readonly platform: Rounds;
  readonly ours: Rounds;
  readonly peer?: Rounds;
  readonly target: number | undefined;
}

const lines: Line[] = [
  { name: 'JSON v4 decode into typed values', platform: dParse, ours: dOurs, peer: dPeerTyped, target: 0.75 },
  { name: '  peer without reading the values', platform: dParse, ours: dOurs, peer: dPeerLazy, target: undefined },
  { name: 'JSON v4 encode from typed values', platform: eStringify, ours: eOurs, peer: ePeer, target: 0.75 },
  { name: 'JSON v3 decode (info)', platform: d3Parse, ours: d3Ours, target: undefined },
  { name: 'JSON v3 encode (info, vs v4 JSON.stringify)', platform: eStringify, ours: e3Ours, target: undefined },
];

const [load1] = loadavg();
console.log(
  `JSON codec: Alpha + Bravo ${(bytes / 1e6).toFixed(2)} MB of Hayson; node ${process.version}; ` +
    `load average ${(load1 ?? 0).toFixed(1)} on ${cpus().length} CPUs`,
);
const head = `${'workload'.padEnd(44)} ${'platform'.padStart(10)} ${'ours'.padStart(10)} ${'x platform'.padStart(10)} ${'peer'.padStart(10)} ${'x platform'.padStart(10)} ${'ours/peer'.padStart(9)}  target  met`;
const TITLES = {
  wall: 'by wall clock, best rounds',
  cpu: 'by CPU time (user + system), best rounds',
  median: 'by wall clock, median rounds',
} as const;
const took = (r: Rounds, clock: keyof typeof TITLES): number => (clock === 'median' ? r.median.wall : r[clock]);
for (const clock of ['wall', 'cpu', 'median'] as const) {
  console.log(`\n${TITLES[clock]}, MB/s:`);
  console.log(head);
  for (const l of lines) {
    const p = mbps(took(l.platform, clock));
    const o = mbps(took(l.ours, clock));
    const q = l.peer === undefined ? undefined : mbps(took(l.peer, clock));
    const cells = [
      l.name.padEnd(44),
      p.toFixed(1).padStart(10),
      o.toFixed(1).padStart(10),
      `${(o / p).toFixed(2)}x`.padStart(10),
      (q === undefined ? '-' : q.toFixed(1)).padStart(10),
      (q === undefined ? '-' : `${(q / p).toFixed(2)}x`).padStart(10),
      (q === undefined ? '-' : `${(o / q).toFixed(1)}x`).padStart(9),
      (l.target === undefined ? '' : `>=${l.target}x`).padStart(7),
      l.target === undefined ? '' : o / p >= l.target ? 'yes' : 'NO',
    ];
    console.log(cells.join(' '));
  }
}
console.log(
  '\n(x platform: speed as a fraction of JSON.parse/JSON.stringify on the same bytes; best and median rounds of several)',
);
