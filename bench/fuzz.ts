// Long fuzz run of every parser (the test runs 300 inputs each): `npx tsx bench/fuzz.ts [--runs N] [--seconds S]
// [--only NAME]`. Counts inputs, typed errors, failures (a non-typed exception or prototype pollution) and the
// slowest input (a hang shows as a huge maximum), per parser; exits 1 on any failure.

import { loadavg } from 'node:os';
import fc from 'fast-check';
import { checkOne, fuzzTargets } from '../test/support/fuzz-targets.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};
const RUNS = Number(arg('runs') ?? 1_000_000);
const SECONDS = Number(arg('seconds') ?? 3600);
const ONLY = arg('only');
const SEED = Number(arg('seed') ?? 19);

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
  let over100ms = 0;
  const failures: string[] = [];
  const started = performance.now();
  fc.check(
    fc.property(target.inputs, (input) => {
      inputs++;
      const t = performance.now();
      const failure = checkOne(target, input);
      const ms = performance.now() - t;
      if (ms > maxMs) maxMs = ms;
      if (ms > 100) over100ms++;
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
      `failures ${failures.length}, slowest ${maxMs.toFixed(1)} ms, ${over100ms} over 100 ms`,
  );
  for (const f of failures) console.log(`  ${f}`);
}
console.log(
  `fuzz done, load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
process.exitCode = failed > 0 ? 1 : 0;
