// FC_SEED and FC_NUM_RUNS replay a property failure a random CI seed found; unset, fast-check keeps its defaults.

import { describe, expect, it } from 'vitest';
import { fastCheckSettings } from './fast-check-env.js';

describe('fastCheckSettings', () => {
  it('is empty when neither variable is set (or one is blank), so the defaults stand', () => {
    expect(fastCheckSettings({})).toEqual({});
    expect(fastCheckSettings({ FC_SEED: '', FC_NUM_RUNS: ' ' })).toEqual({});
  });

  it('takes the seed fast-check printed, negative ones included, and a run count', () => {
    expect(fastCheckSettings({ FC_SEED: '-1819918472' })).toEqual({ seed: -1819918472 });
    expect(fastCheckSettings({ FC_SEED: '42', FC_NUM_RUNS: '5000' })).toEqual({ seed: 42, numRuns: 5000 });
    expect(fastCheckSettings({ FC_NUM_RUNS: '1' })).toEqual({ numRuns: 1 });
  });

  it('refuses a value that is not an integer fast-check takes, rather than running with the defaults', () => {
    expect(() => fastCheckSettings({ FC_SEED: 'abc' })).toThrow(/FC_SEED/);
    expect(() => fastCheckSettings({ FC_SEED: '1.5' })).toThrow(/FC_SEED/);
    expect(() => fastCheckSettings({ FC_SEED: '4294967296' })).toThrow(/FC_SEED/);
    expect(() => fastCheckSettings({ FC_NUM_RUNS: '0' })).toThrow(/FC_NUM_RUNS/);
    expect(() => fastCheckSettings({ FC_NUM_RUNS: '-3' })).toThrow(/FC_NUM_RUNS/);
    expect(() => fastCheckSettings({ FC_NUM_RUNS: '10x' })).toThrow(/FC_NUM_RUNS/);
  });
});
