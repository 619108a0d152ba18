// Long fuzz run of every parser (the test runs 300 inputs each): `npx tsx bench/fuzz.ts [--runs N] [--seconds S]
// [--only NAME] [--slow MS]`. Counts inputs, typed errors, failures (a non-typed exception or prototype pollution)
// and the slowest input (a hang shows as a huge maximum), per parser, and prints the slowest input itself and every
// input slower than --slow ms (default 100; JSON-quoted, cut at 300 characters, with its length) so it can be
// replayed. The slowest input is timed again alone (best of 5, filter cache cleared): a pause of the machine (GC,
// a loaded host) re-times fast, a pathological input stays slow. Exits 1 on any failure.

import { loadavg } from 'node:os';
import fc from 'fast-check';
import { sharedFilterCache } from '../src/core/index.js';
import { checkOne, type FuzzTarget, fuzzTargets } from '../test/support/fuzz-targets.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};
const RUNS = Number(arg('runs') ?? 1_000_000);
const SECONDS = Number(arg('seconds') ?? 3600);
const ONLY = arg('only');
const SEED = Number(arg('seed') ?? 19);
const SLOW_MS = Number(arg('slow') ?? 100);
// An input as the report shows it: quoted, cut, with its full length.
const shown = (input: string): string =>
  `${JSON.stringify(input.length > 300 ? `${input.slice(0, 300)}...` : input)} (${String(input.length)} chars)`;

// Best of 5 timings of one input alone; the filter cache is cleared so a filter is parsed again, not looked up.
function retime(target: FuzzTarget, input: string): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 5; i++) {
    sharedFilterCache().clear();
    const t = performance.now();
    checkOne(target, input);
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

const summary: string[] = [];
console.log(
  `fuzz: up to ${RUNS} inputs or ${SECONDS} s per parser, seed ${SEED}, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
let failed = 0;
for (const target of fuzzTargets()) {
  if (ONLY !== undefined && target.name !== ONLY) continue;
  let inputs = 0;
  let maxMs = 0;
  let slowest = '';
  let overSlow = 0;
  const failures: string[] = [];
  const started = performance.now();
  fc.check(
    fc.property(target.inputs, (input) => {
      inputs++;
      const t = performance.now();
      const failure = checkOne(target, input);
      const ms = performance.now() - t;
      if (ms > maxMs) {
        maxMs = ms;
        slowest = input;
      }
      if (ms > SLOW_MS) {
        overSlow++;
        if (overSlow <= 20)
          console.log(`  slow ${target.name} #${String(inputs)} ${ms.toFixed(1)} ms: ${shown(input)}`);
      }
      if (failure !== undefined && failures.length < 5)
        failures.push(`${failure} <- ${JSON.stringify(input.slice(0, 200))}`);
      // Never shrink: report and go on, so one run counts every failure.
      return true;
    }),
    { numRuns: RUNS, seed: SEED, interruptAfterTimeLimit: SECONDS * 1000, markInterruptAsFailure: false },
  );
  const s = (performance.now() - started) / 1000;
  failed += failures.length;
  console.log(
    `${target.name.padEnd(12)} ${String(inputs).padStart(9)} inputs in ${s.toFixed(0)} s (${(inputs / s).toFixed(0)}/s), ` +
      `failures ${failures.length}, slowest ${maxMs.toFixed(1)} ms, ${overSlow} over ${SLOW_MS} ms`,
  );
  const again = retime(target, slowest);
  console.log(`  slowest input: ${shown(slowest)}, alone ${again.toFixed(2)} ms`);
  summary.push(
    `| ${target.name} | ${String(inputs)} | ${String(failures.length)} | ${s.toFixed(0)} s | ${maxMs.toFixed(1)} ms ` +
      `(alone ${again.toFixed(2)} ms) |`,
  );
  for (const f of failures) console.log(`  ${f}`);
}
console.log('| parser | inputs | failures | time | slowest input |\n|---|---|---|---|---|');
for (const line of summary) console.log(line);
console.log(
  `fuzz done, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
process.exitCode = failed > 0 ? 1 : 0;
