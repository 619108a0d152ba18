// Replaying a property failure: fast-check draws a random seed for each property and prints it with the
// counterexample (`{ seed: -1819918472, path: "..." }`); FC_SEED and FC_NUM_RUNS set for a test run apply to every
// property through fast-check-setup.ts. A property that sets its own `seed` or `numRuns` keeps it (fast-check lets
// local parameters win), so FC_NUM_RUNS scales only the properties that run the default count.

import type fc from 'fast-check';

/** The variables {@link fastCheckSettings} reads (process.env, or a copy in tests). */
export type FastCheckEnv = Readonly<Record<string, string | undefined>>;

const INT = /^-?\d+$/;

// An unset or blank variable means "not given": `FC_SEED= npx vitest ...` runs with random seeds as usual.
function given(env: FastCheckEnv, name: string): string | undefined {
  const raw = env[name]?.trim();
  return raw === undefined || raw === '' ? undefined : raw;
}

// A typo must not quietly run with random seeds: the rerun would pass and seem to say the failure is gone.
function integer(env: FastCheckEnv, name: string, min: number, max: number): number | undefined {
  const raw = given(env, name);
  if (raw === undefined) return undefined;
  const n = INT.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= min && n <= max)) throw new Error(`${name}=${raw}: expected an integer from ${min} to ${max}`);
  return n;
}

/** The fast-check global parameters FC_SEED and FC_NUM_RUNS ask for: empty when neither is set. */
export function fastCheckSettings(env: FastCheckEnv): fc.GlobalParameters {
  const seed = integer(env, 'FC_SEED', -(2 ** 31), 2 ** 31 - 1);
  const numRuns = integer(env, 'FC_NUM_RUNS', 1, Number.MAX_SAFE_INTEGER);
  return { ...(seed === undefined ? {} : { seed }), ...(numRuns === undefined ? {} : { numRuns }) };
}
