// A short fuzz run of every parser that takes outside input (the long run is bench/fuzz.ts): only typed errors,
// no prototype pollution, on mutated real data and raw text.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkOne, fuzzTargets } from '../support/fuzz-targets.js';
import { sharedAvailable } from '../support/shared.js';

// Few runs: CI proves the harness and catches regressions on the seeds; the million-input runs are bench/fuzz.ts.
const RUNS = 300;

describe.skipIf(!sharedAvailable('datasets'))('parsers under fuzz', () => {
  for (const target of fuzzTargets()) {
    it(`${target.name}: ${RUNS} mutated and raw inputs raise only typed errors and pollute nothing`, () => {
      const failures: string[] = [];
      fc.assert(
        fc.property(target.inputs, (input) => {
          const failure = checkOne(target, input);
          if (failure !== undefined) failures.push(failure);
          return failure === undefined;
        }),
        { numRuns: RUNS, seed: 19 },
      );
      expect(failures).toEqual([]);
    });
  }
});
