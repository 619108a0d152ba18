// The memory index's ordinal sets behave as a Set of numbers, in increasing order, whether held as an array or bits.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OrdinalSet } from '../../../src/storage/indexed/tag-index.js';

type Op = { readonly add: boolean; readonly ordinal: number };

const arbOps: fc.Arbitrary<Op[]> = fc.array(
  fc.record({
    add: fc.boolean(),
    ordinal: fc.oneof(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 5000 })),
  }),
  { maxLength: 400 },
);

describe('OrdinalSet', () => {
  it('matches a Set model under any adds and deletes (sparse and dense)', () => {
    fc.assert(
      fc.property(arbOps, (ops) => {
        const set = new OrdinalSet();
        const model = new Set<number>();
        for (const { add, ordinal } of ops) {
          if (add) {
            set.add(ordinal);
            model.add(ordinal);
          } else {
            set.delete(ordinal);
            model.delete(ordinal);
          }
          expect(set.size).toBe(model.size);
        }
        const sorted = [...model].sort((a, b) => a - b);
        expect([...set]).toEqual(sorted);
        for (let o = 0; o < 60; o++) expect(set.has(o)).toBe(model.has(o));
        // some() visits members in order and stops at the first true.
        const visited: number[] = [];
        const stopAt = sorted[Math.floor(sorted.length / 2)];
        expect(set.some((o) => visited.push(o) > 0 && o === stopAt)).toBe(stopAt !== undefined);
        expect(visited).toEqual(stopAt === undefined ? [] : sorted.slice(0, sorted.indexOf(stopAt) + 1));
      }),
    );
  });

  it('keeps its members across the change to a bitset and past its end', () => {
    const set = new OrdinalSet();
    for (let o = 0; o < 100; o++) set.add(o);
    set.add(100_000);
    set.delete(50);
    expect(set.size).toBe(100);
    expect(set.has(49)).toBe(true);
    expect(set.has(50)).toBe(false);
    expect(set.has(100_000)).toBe(true);
    expect(set.has(1_000_000)).toBe(false);
    expect([...set].slice(-2)).toEqual([99, 100_000]);
  });
});

describe('OrdinalSet.selectInto', () => {
  // Members dense enough to be bits, or few enough to stay an array, over a range past one 32-bit word.
  const arbMembers = fc.oneof(
    fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { maxLength: 8 }),
    fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { minLength: 20, maxLength: 150 }),
  );
  const setOf = (members: readonly number[]): OrdinalSet => {
    const set = new OrdinalSet();
    for (const o of members) set.add(o);
    return set;
  };

  it('keeps the members in every `all` set and in no `none` set, in order, up to max', () => {
    fc.assert(
      fc.property(
        arbMembers,
        fc.array(arbMembers, { maxLength: 2 }),
        fc.array(arbMembers, { maxLength: 2 }),
        fc.integer({ min: 1, max: 300 }),
        (from, all, none, max) => {
          const expected = [...from]
            .sort((a, b) => a - b)
            .filter((o) => all.every((m) => m.includes(o)) && !none.some((m) => m.includes(o)))
            .slice(0, max);
          const out: number[] = [];
          setOf(from).selectInto(out, all.map(setOf), none.map(setOf), max);
          expect(out).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });
});
