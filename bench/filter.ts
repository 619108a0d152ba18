// Benchmark: filter evaluation over the 3,109 entities of ../shared/datasets/ (Alpha + Bravo) with `->` resolved
// through a Map by id, ours against haystack-core's HFilter in the same process. Run: npx tsx bench/filter.ts
//
// Both sides parse each filter once, then evaluate it on every entity in a loop and count the matches (so the
// work cannot be optimized away). The peer gets its best case: one reused evaluation context object.

import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type HDict, HFilter, type HGrid, type HRef, ZincReader } from 'haystack-core';
import { type Dict, decodeZincGrid, parseFilter, refResolver } from '../src/core/index.js';

const SHARED = path.resolve(fileURLToPath(new URL('..', import.meta.url)), '../shared/datasets');
const FILES = ['alpha/alpha.zinc', 'bravo/bravo.zinc'];
const FILTERS = ['point and his and siteRef->dis == "Alpha" and kind == "Number"', 'point and temp and sensor', 'site'];
/** Target for the first filter (PRODUCT.md section 5). */
const TARGET_EVALS_PER_SEC = 20e6;
const ROUNDS = 8;
const ROUND_MS = 250;

interface Rate {
  /** Evaluations per wall-clock second. */
  readonly perSec: number;
  /** Evaluations per second of CPU time used by this process (what the run would get with a core to itself). */
  readonly perCpuSec: number;
  readonly matches: number;
}

const texts = FILES.map((f) => readFileSync(path.join(SHARED, f), 'utf8'));
const ours: Dict[] = texts.flatMap((t) => [...decodeZincGrid(t).rows]);
const peer: HDict[] = texts.flatMap((t) => (ZincReader.readValue(t) as HGrid).getRows());
const resolve = refResolver(ours);
const peerById = new Map<string, HDict>();
for (const d of peer) {
  const id = d.get<HRef>('id');
  if (id !== undefined) peerById.set(id.value, d);
}
const peerResolve = (ref: HRef): HDict | undefined => peerById.get(ref.value);

/** The best round of a side and its median round (a best round alone hides GC and JIT effects). */
interface Rates {
  readonly best: Rate;
  readonly median: Rate;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * Evaluations per second of `ours` and `peer` (one call = one pass over all entities). The two alternate in
 * ROUNDS rounds of ROUND_MS each, after the same warm-up; each side reports its best round (the one least
 * disturbed by other work on a shared machine, for both sides alike) and its median round. Rates are per
 * wall-clock second and per CPU-second of this process (`process.cpuUsage`), since other work takes wall time.
 */
function rates(n: number, ours: () => number, peer: () => number): { ours: Rates; peer: Rates } {
  const rounds: Record<'ours' | 'peer', Rate[]> = { ours: [], peer: [] };
  for (let i = 0; i < 20; i++) {
    ours();
    peer();
  }
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of ['ours', 'peer'] as const) {
      const run = side === 'ours' ? ours : peer;
      let passes = 0;
      let matches = 0;
      const cpu0 = process.cpuUsage();
      const start = performance.now();
      let elapsed = 0;
      while (elapsed < ROUND_MS) {
        for (let i = 0; i < 5; i++) matches = run();
        passes += 5;
        elapsed = performance.now() - start;
      }
      const cpu = process.cpuUsage(cpu0);
      const cpuSec = (cpu.user + cpu.system) / 1e6;
      rounds[side].push({ perSec: (passes * n) / (elapsed / 1000), perCpuSec: (passes * n) / cpuSec, matches });
    }
  }
  const summary = (rs: readonly Rate[]): Rates => {
    const matches = (rs[0] as Rate).matches;
    return {
      best: {
        perSec: Math.max(...rs.map((r) => r.perSec)),
        perCpuSec: Math.max(...rs.map((r) => r.perCpuSec)),
        matches,
      },
      median: { perSec: median(rs.map((r) => r.perSec)), perCpuSec: median(rs.map((r) => r.perCpuSec)), matches },
    };
  };
  return { ours: summary(rounds.ours), peer: summary(rounds.peer) };
}

const fmt = (x: number): string => `${(x / 1e6).toFixed(2)} M/s`;
console.log(`filter evaluation over ${ours.length} entities (peer: ${peer.length}), refs resolved through a Map`);
console.log('rates: per CPU-second of this process (per wall-clock second in parentheses); best round, then median');
console.log(['filter', 'matches', 'ours', 'peer', 'ratio', 'ours median', 'peer median', 'median ratio'].join(' | '));
for (const text of FILTERS) {
  const f = parseFilter(text);
  const hf = new HFilter(text);
  const cx = { dict: peer[0] as HDict, resolve: peerResolve };
  const { ours: oursRates, peer: peerRates } = rates(
    ours.length,
    () => {
      let m = 0;
      for (let i = 0; i < ours.length; i++) if (f.matches(ours[i] as Dict, resolve)) m++;
      return m;
    },
    () => {
      let m = 0;
      for (let i = 0; i < peer.length; i++) {
        cx.dict = peer[i] as HDict;
        if (hf.eval(cx)) m++;
      }
      return m;
    },
  );
  const a = oursRates.best;
  const b = peerRates.best;
  const am = oursRates.median;
  const bm = peerRates.median;
  if (a.matches !== b.matches) console.log(`  ! match counts differ: ours ${a.matches}, peer ${b.matches}`);
  console.log(
    `${text} | ${a.matches} | ${fmt(a.perCpuSec)} (${fmt(a.perSec)}) | ${fmt(b.perCpuSec)} (${fmt(b.perSec)}) | ` +
      `${(a.perCpuSec / b.perCpuSec).toFixed(1)}x (${(a.perSec / b.perSec).toFixed(1)}x) | ` +
      `${fmt(am.perCpuSec)} (${fmt(am.perSec)}) | ${fmt(bm.perCpuSec)} (${fmt(bm.perSec)}) | ` +
      `${(am.perCpuSec / bm.perCpuSec).toFixed(1)}x (${(am.perSec / bm.perSec).toFixed(1)}x)`,
  );
}
const first = FILTERS[0] as string;
console.log(`target for "${first}": >= ${fmt(TARGET_EVALS_PER_SEC)}`);
// The machine is shared: the load average says how much of a core this run had.
console.log(
  `load average: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
