// Stepped JSON and Trio grid decoders: the same grid as the one-shot readers at any slice size, a pause per slice,
// limits enforced between pauses, and the JSON grid object's `_kind` anywhere among its members.

import { describe, expect, it } from 'vitest';
import { decodeJson, decodeJsonGridSteps } from '../../../src/core/codec/json/index.js';
import type { DecodeLimits } from '../../../src/core/codec/limits.js';
import { type DecodeSteps, drainSteps } from '../../../src/core/codec/steps.js';
import { decodeTrio, decodeTrioSteps } from '../../../src/core/codec/trio/index.js';
import { LimitError, ParseError } from '../../../src/core/errors.js';
import { Grid } from '../../../src/core/grid/grid.js';
import { diffVals } from '../../support/hayson-compare.js';
import { loadSharedText, sharedAvailable } from '../../support/shared.js';

/** Run the steps to the end, counting the pauses. */
function run<T>(steps: DecodeSteps<T>): { value: T; pauses: number } {
  let pauses = 0;
  for (let r = steps.next(); ; r = steps.next()) {
    if (r.done === true) return { value: r.value, pauses };
    pauses++;
  }
}

/** The pauses a stepped decode made before it threw, and what it threw. */
function failure<T>(steps: DecodeSteps<T>): { error: unknown; pauses: number } {
  let pauses = 0;
  try {
    for (let r = steps.next(); r.done !== true; r = steps.next()) pauses++;
  } catch (error) {
    return { error, pauses };
  }
  throw new Error('expected the decode to fail');
}

type Limits = Partial<DecodeLimits>;

const STEPPED = [
  [
    'json',
    'alpha.json',
    (t: string, slice: number, limits?: Limits) => decodeJsonGridSteps(t, limits, slice),
    decodeJson,
  ],
  [
    'trio',
    'alpha.trio',
    (t: string, slice: number, limits?: Limits) => decodeTrioSteps(t, limits, slice),
    (t: string) => decodeTrio(t),
  ],
] as const;

describe.each(STEPPED.filter(([, file]) => sharedAvailable(`datasets/alpha/${file}`)))(
  '%s in steps',
  { timeout: 60_000 },
  (_, file, steps, oneShot) => {
    const text = loadSharedText(`datasets/alpha/${file}`);
    const whole = oneShot(text) as Grid;

    it.each([1, 4096, 64 * 1024, Number.POSITIVE_INFINITY])('gives the one-shot grid with slices of %d', (slice) => {
      const { value, pauses } = run(steps(text, slice));
      expect(diffVals(value, whole, '$')).toBeUndefined();
      expect(value.cols.map((c) => c.name)).toEqual(whole.cols.map((c) => c.name));
      // A pause at the first row (record) end after each slice of text: one per row at the smallest slice.
      if (slice === Number.POSITIVE_INFINITY) expect(pauses).toBe(0);
      else if (slice === 1) expect(pauses).toBeGreaterThanOrEqual(whole.rows.length - 1);
      else {
        expect(pauses).toBeGreaterThan(0);
        expect(pauses).toBeLessThanOrEqual(text.length / slice);
      }
    });

    it('stops at maxRows inside its loop, after a few slices of a long text', () => {
      const { error, pauses } = failure(steps(text, 16 * 1024, { maxRows: 100 }));
      expect(error).toBeInstanceOf(LimitError);
      expect(pauses).toBeLessThanOrEqual(2);
      expect(text.length / (16 * 1024)).toBeGreaterThan(20);
    });
  },
);

describe('the JSON grid object in steps', () => {
  const rows = (n: number): string => Array.from({ length: n }, (_, i) => `{"n":${i}}`).join(',');

  it('takes _kind after the other members, and meta, cols and rows in any order', () => {
    const text = `{"rows":[${rows(50)}],"cols":[{"name":"n"}],"meta":{"ver":"3.0","x":"y"},"other":[1,{}],"_kind":"grid"}`;
    const { value, pauses } = run(decodeJsonGridSteps(text, undefined, 64));
    expect(diffVals(value, decodeJson(text), '$')).toBeUndefined();
    expect(value.meta.get('x')).toBe('y');
    expect(value.rows).toHaveLength(50);
    expect(pauses).toBeGreaterThan(5);
  });

  it('reads a grid without rows, or with rows null, and ignores a byte-order mark', () => {
    for (const text of [
      '\uFEFF{"_kind":"grid","cols":[{"name":"a"}],"rows":[]}',
      '{"_kind":"grid","rows":null,"cols":[{"name":"a"}]} ',
    ]) {
      const g = drainSteps(decodeJsonGridSteps(text));
      expect(g).toBeInstanceOf(Grid);
      expect(g.cols.map((c) => c.name)).toEqual(['a']);
      expect(g.rows).toHaveLength(0);
    }
  });

  it.each([
    ['a list', '[{"_kind":"grid"}]', 1],
    ['a dict without _kind', '{"rows":[]}', 1],
    ['an empty object', '{}', 1],
    ['another kind', '{"_kind":"dict","a":1}', 10],
    ['a _kind that is no string', '{"_kind":1}', 10],
    ['two _kinds', '{"_kind":"grid","_kind":"grid"}', 25],
    ['rows that are no array', '{"_kind":"grid","rows":{}}', 24],
    ['a row that is no object', '{"_kind":"grid","rows":[1]}', 25],
    ['no separator after a row', '{"_kind":"grid","rows":[{} {}]}', 28],
    ['text after the grid', '{"_kind":"grid"} x', 18],
  ])('refuses %s with its position', (_, text, column) => {
    const { error } = failure(decodeJsonGridSteps(text, undefined, 1));
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).column).toBe(column);
  });

  it('refuses a text longer than maxLength before reading it', () => {
    expect(() => decodeJsonGridSteps('{"_kind":"grid"}', { maxLength: 10 })).toThrow(LimitError);
  });
});
