// Benchmark: loading and normalizing the four standard def libs, and reflecting the 3,109 entities of Alpha and
// Bravo, ours against haystack-core's HNamespace in the same process. Run: npx tsx bench/ontology.ts
//
// haystack-core cannot normalize libs: it builds its namespace from an already normalized defs grid. So the load
// rows compare our full pipeline (Trio files -> normalized namespace) and our namespace from the normalized grid
// with the peer's namespace from the same grid (decoded by each side's Zinc reader, first query included so lazy
// indexes are built). Ceilings: decoding the Trio files alone (no def work), and JSON.parse of the defs as JSON.
// Reflection: every entity reflected and asked for its entity type; ours both cold (a fresh namespace, so no
// reflection is cached) and warm; the ceiling is one Map lookup per tag of every entity.

import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type HDict, type HGrid, HNamespace, ZincReader } from 'haystack-core';
import { type Dict, decodeTrioDicts, decodeZincGrid, encodeJson, encodeZinc } from '../src/core/index.js';
import { type LibSource, Namespace } from '../src/core/ontology/index.js';

const ROOT = path.resolve(fileURLToPath(new URL('..', import.meta.url)), '../shared');
const LIBS = ['ph', 'phScience', 'phIoT', 'phIct'];
const DATA = ['alpha/alpha.zinc', 'bravo/bravo.zinc'];
const WARMUP = 5;
const ROUNDS = 15;
const TARGET_LOAD_MS = 200;
const TARGET_REFLECT_MS = 50;

interface Timing {
  readonly median: number;
  readonly best: number;
}

/** Median and best of ROUNDS runs after WARMUP runs; `check` keeps a result alive so no work is skipped. */
function time(run: () => unknown): Timing {
  let sink = 0;
  for (let i = 0; i < WARMUP; i++) sink += run() === undefined ? 0 : 1;
  const ms: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now();
    sink += run() === undefined ? 0 : 1;
    ms.push(performance.now() - t0);
  }
  if (sink < 0) console.log(sink);
  ms.sort((a, b) => a - b);
  return { median: ms[Math.floor(ms.length / 2)] as number, best: ms[0] as number };
}

const fmt = (t: Timing): string => `${t.median.toFixed(1)} ms (best ${t.best.toFixed(1)})`;
const ratio = (a: Timing, b: Timing): string => `${(b.median / a.median).toFixed(1)}x`;

// Inputs read once: the benchmark measures decoding and def work, not the disk.
const trioFiles = LIBS.map((lib) => {
  const dir = path.join(ROOT, 'defs', lib);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.trio'))
    .map((f) => readFileSync(path.join(dir, f), 'utf8'));
});
const loadLibs = (): LibSource[] =>
  trioFiles.map((texts, i) => ({ dicts: texts.flatMap((t) => decodeTrioDicts(t)), source: LIBS[i] as string }));
const standard = Namespace.fromLibs(loadLibs());
const defsZinc = encodeZinc(standard.toGrid());
const defsJson = encodeJson(standard.toGrid());

console.log(`defs: ${standard.size} defs in ${LIBS.length} libs (${trioFiles.flat().length} Trio files)`);
const full = time(() => Namespace.fromLibs(loadLibs()));
const trioOnly = time(() => loadLibs());
const ourFromGrid = time(() => Namespace.fromDefs(decodeZincGrid(defsZinc)));
const peerFromGrid = time(() => {
  const ns = new HNamespace(ZincReader.readValue(defsZinc) as HGrid);
  return ns.allSubTypesOf('equip').length;
});
const jsonParse = time(() => JSON.parse(defsJson) as unknown);
console.log('load | time | vs peer');
console.log(`ours: Trio libs -> normalized namespace | ${fmt(full)} | target <= ${TARGET_LOAD_MS} ms`);
console.log(`ours: normalized Zinc grid -> namespace | ${fmt(ourFromGrid)} | ${ratio(ourFromGrid, peerFromGrid)}`);
console.log(`peer: normalized Zinc grid -> HNamespace (+ first query) | ${fmt(peerFromGrid)} | 1.0x`);
console.log(`ceiling: Trio decode alone | ${fmt(trioOnly)} |`);
console.log(`ceiling: JSON.parse of the defs as JSON | ${fmt(jsonParse)} |`);

const zincs = DATA.map((f) => readFileSync(path.join(ROOT, 'datasets', f), 'utf8'));
const ours: Dict[] = zincs.flatMap((t) => [...decodeZincGrid(t).rows]);
const peer: HDict[] = zincs.flatMap((t) => (ZincReader.readValue(t) as HGrid).getRows());
const peerNs = new HNamespace(ZincReader.readValue(defsZinc) as HGrid);

function reflectAll(ns: Namespace): number {
  let n = 0;
  for (const d of ours) n += ns.reflect(d).entityTypes.length;
  return n;
}
const warm = time(() => reflectAll(standard));
// Cold: a namespace whose reflection cache is empty (building the namespace is not timed).
const fresh: Namespace[] = [];
for (let i = 0; i < WARMUP + ROUNDS; i++) fresh.push(Namespace.fromDefs(standard.defs().map((d) => d.dict)));
const cold = time(() => reflectAll(fresh.pop() as Namespace));
const peerReflect = time(() => {
  let n = 0;
  for (const d of peer) n += peerNs.reflect(d).type.isEmpty() ? 0 : 1;
  return n;
});
const byName = new Map(standard.defs().map((d) => [d.name, d]));
const ceiling = time(() => {
  let n = 0;
  for (const d of ours) for (const k of d.keys()) if (byName.has(k)) n++;
  return n;
});
console.log(`\nreflect ${ours.length} entities (peer: ${peer.length}) | time | vs peer`);
console.log(
  `ours, cold (no cached reflection) | ${fmt(cold)} | ${ratio(cold, peerReflect)} | target <= ${TARGET_REFLECT_MS} ms`,
);
console.log(`ours, warm | ${fmt(warm)} | ${ratio(warm, peerReflect)}`);
console.log(`peer: HNamespace.reflect + type | ${fmt(peerReflect)} | 1.0x`);
console.log(`ceiling: one Map lookup per tag | ${fmt(ceiling)} |`);
console.log(
  `load average: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
