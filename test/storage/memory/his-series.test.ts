// A memory history series behaves as a sorted map from time to value, however writes arrive.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Num, type Val } from '../../../src/core/index.js';
import type { HisItem } from '../../../src/storage/adapter.js';
import { HisSeries } from '../../../src/storage/memory/his-series.js';

const arbVal: fc.Arbitrary<Val> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: -50, max: 50 }).map((n) => new Num(n, 'kW')) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 5 }).map((n) => new Num(n)) },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constantFrom('on', 'off') },
);
const arbItem: fc.Arbitrary<HisItem> = fc.record({ ts: fc.integer({ min: 0, max: 200 }), val: arbVal });

describe('memory history series', () => {
  it('matches a sorted map model under any sequence of writes and range reads', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(arbItem, { maxLength: 30 }), { maxLength: 8 }),
        fc.array(fc.tuple(fc.integer({ min: -5, max: 205 }), fc.integer({ min: -5, max: 205 })), { maxLength: 5 }),
        (writes, ranges) => {
          const series = new HisSeries();
          const model = new Map<number, Val>();
          for (const w of writes) {
            expect(series.write(w)).toBe(w.length);
            for (const it of w) model.set(it.ts, it.val);
          }
          const sorted = [...model.entries()].sort((a, b) => a[0] - b[0]).map(([ts, val]) => ({ ts, val }));
          expect(series.size).toBe(sorted.length);
          expect(series.read({ start: -1, end: 1000 })).toEqual(sorted);
          for (const [start, end] of ranges) {
            expect(series.read({ start, end })).toEqual(sorted.filter((i) => i.ts >= start && i.ts < end));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('appends in order without losing earlier samples as it grows', () => {
    const series = new HisSeries();
    for (let chunk = 0; chunk < 50; chunk++) {
      series.write(Array.from({ length: 37 }, (_, i) => ({ ts: chunk * 37 + i, val: new Num(chunk * 37 + i, '°F') })));
    }
    const all = series.read({ start: 0, end: 1e9 });
    expect(all).toHaveLength(1850);
    expect(all.every((it, i) => it.ts === i && (it.val as Num).val === i && (it.val as Num).unit === '°F')).toBe(true);
  });
});
