// The history writers' text (Zinc, and Hayson's rows) is the general writers' text, for any instants, zones,
// fractions and values.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeHaysonGridMemo, HaysonRowMemo } from '../../../src/core/codec/json/hayson-row-memo.js';
import { writeHaysonGridRows } from '../../../src/core/codec/json/hayson-writer.js';
import { putDecimal } from '../../../src/core/codec/zinc/byte-sink.js';
import {
  encodeZinc,
  encodeZincBytes,
  encodeZincRows,
  HisColumnsBuilder,
  HisRows,
} from '../../../src/core/codec/zinc/index.js';
import { encodeZincGridRows } from '../../../src/core/codec/zinc/zinc-writer.js';
import { Dict, encodeJson, Grid, type GridCol, TimeZone } from '../../../src/core/index.js';
import { numberText } from '../../../src/core/kinds/number.js';
import { UNITS, ZONES } from '../../support/arbitraries.js';

const utf8 = new TextDecoder();

// Floats around the edges of the fast path: decimals of 1-3 places and more, near 1e12 and 1e15, tiny, huge, -0,
// NaN and INF, and sums whose shortest form is long (0.1 + 0.2).
const arbFloat: fc.Arbitrary<number> = fc.oneof(
  fc.double(),
  fc.integer({ min: -10_000_000, max: 10_000_000 }).map((n) => n / 100),
  fc
    .tuple(
      fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
      fc.constantFrom(1, 10, 100, 1000, 10_000, 1e6, 1e-3, 1e9),
    )
    .map(([n, s]) => n / s),
  fc.integer({ min: -2_000_000, max: 2_000_000 }).map((n) => 1e12 + n / 1000),
  fc.constantFrom(
    -0,
    0,
    0.001,
    -0.001,
    0.0005,
    1.15,
    0.29,
    0.1 + 0.2,
    999_999_999_999.999,
    1e12,
    1e15 - 1,
    1e15,
    -1e15,
    2 ** 53,
    1e-7,
    1e21,
    5e-324,
    Number.MAX_VALUE,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
  ),
);

describe('putDecimal', () => {
  it('writes what String(v) writes, or declines', () => {
    const buf = new Uint8Array(40);
    fc.assert(
      fc.property(arbFloat, (v) => {
        buf.fill(0);
        const end = putDecimal(buf, 3, v);
        if (end < 0) return;
        expect(utf8.decode(buf.subarray(3, end))).toBe(numberText(v, undefined));
        expect(end - 3).toBeLessThanOrEqual(20);
        expect(buf[end]).toBe(0);
      }),
      { numRuns: 20_000 },
    );
  });

  it('takes integers below 1e15 and decimals of up to three places below 1e12', () => {
    const buf = new Uint8Array(40);
    for (const v of [0, 7, -42, 123.45, -0.5, 0.29, 1.15, 0.001, 999_999_999_999.999, 1e15 - 1]) {
      expect(putDecimal(buf, 0, v)).toBeGreaterThan(0);
    }
    for (const v of [-0, 0.0005, 0.1 + 0.2, 1e15, 1e21, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(putDecimal(buf, 0, v)).toBe(-1);
    }
  });
});

// Starts near DST changes (New York, London, Sydney, and Adelaide's at half past a UTC hour, so that an hour holds
// two offsets) and 1970 (negative epoch ms before it), then steps of a few ms to a few days, so that rows share or
// change their hour, day and offset.
const STARTS = [
  Date.UTC(2024, 2, 10, 6, 30),
  Date.UTC(2024, 3, 6, 16, 0),
  Date.UTC(2024, 9, 5, 16, 0),
  Date.UTC(2024, 10, 3, 5, 30),
  Date.UTC(2024, 2, 31, 0, 30),
  Date.UTC(2024, 3, 6, 15, 30),
  Date.UTC(1969, 11, 31, 23),
  Date.UTC(2023, 11, 31, 23, 59),
];
const arbStep = fc.oneof(
  fc.constantFrom(60_000, 900_000),
  fc.integer({ min: 0, max: 5_000 }),
  fc.integer({ min: 0, max: 3 * 86_400_000 }),
);

/** A row's value: mostly Numbers in the unit of the column, some in another unit or of other kinds. */
type RowVal =
  | { readonly kind: 'num'; readonly v: number; readonly other: boolean }
  | { readonly kind: 'bool'; readonly v: boolean }
  | { readonly kind: 'str'; readonly v: string }
  | { readonly kind: 'null' };

const arbVal: fc.Arbitrary<RowVal> = fc.oneof(
  { weight: 12, arbitrary: arbFloat.map((v) => ({ kind: 'num', v, other: false }) as const) },
  { weight: 1, arbitrary: arbFloat.map((v) => ({ kind: 'num', v, other: true }) as const) },
  { weight: 1, arbitrary: fc.boolean().map((v) => ({ kind: 'bool', v }) as const) },
  { weight: 1, arbitrary: fc.string().map((v) => ({ kind: 'str', v }) as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'null' } as const) },
);

/** A history to build: zone, first instant (a start and a shift), unit, and rows of step, nanos, odds, value. */
interface History {
  readonly zone: string;
  readonly start: readonly [number, number];
  readonly unit: string | undefined;
  readonly mixed: boolean;
  readonly rows: readonly (readonly [number, number, number, RowVal])[];
}

const arbHistory: fc.Arbitrary<History> = fc.record({
  // Adelaide and Lord Howe change offset at half past a UTC hour.
  zone: fc.constantFrom(...ZONES, 'Adelaide', 'Lord_Howe'),
  start: fc.tuple(
    fc.constantFrom(...STARTS),
    fc.oneof(fc.integer({ min: -86_400_000, max: 86_400_000 }), fc.integer({ min: -3_600_000, max: 3_600_000 })),
  ),
  unit: fc.option(fc.constantFrom(...UNITS), { nil: undefined }),
  // Mostly one kind, so that the typed column is used; sometimes mixed.
  mixed: fc.boolean(),
  rows: fc.array(fc.tuple(arbStep, fc.integer({ min: 0, max: 999_999 }), fc.nat(9), arbVal), {
    minLength: 1,
    maxLength: 60,
  }),
});

// Rows every 15 minutes across Adelaide's change at 16:30 UTC: one UTC hour holds both offsets, and its first row
// has the one before the change (a walk that took an hour's offset from its first row would carry it on).
const ACROSS_HALF_HOUR_CHANGE: History = {
  zone: 'Adelaide',
  start: [Date.UTC(2024, 3, 6, 16, 0), 0],
  unit: 'kW',
  mixed: false,
  rows: Array.from({ length: 8 }, (_, i) => [900_000, 0, 1, { kind: 'num', v: i, other: false }] as const),
};

const COLS: readonly GridCol[] = [
  { name: 'ts', meta: Dict.of({}) },
  { name: 'val', meta: Dict.of({}) },
];

function history(h: History): Grid {
  const b = new HisColumnsBuilder(TimeZone.get(h.zone));
  let t = h.start[0] + h.start[1];
  for (const [step, sub, subOdds, val] of h.rows) {
    t += step;
    // Sub-millisecond nanos in a few rows only.
    const nanos = subOdds === 0 ? sub : 0;
    const v: RowVal = h.mixed || val.kind === 'num' ? val : { kind: 'num', v: step / 1000, other: false };
    // NaN has no unit (a Num refuses one).
    if (v.kind === 'num') b.addNum(t, nanos, v.v, Number.isNaN(v.v) ? undefined : v.other ? 'other' : h.unit);
    else if (v.kind === 'bool') b.addBool(t, nanos, v.v);
    else if (v.kind === 'str') b.addStr(t, nanos, v.v);
    else b.addOther(t, nanos, null);
  }
  return Grid.fromTrustedParts(Dict.of({ hisStart: null }), COLS, b.build());
}

describe('history writer', () => {
  it('writes the text of the general writer row by row, as text, bytes and chunks', () => {
    fc.assert(
      fc.property(arbHistory, fc.nat(), (h, cut) => {
        const g = history(h);
        expect(g.rowSource).toBeInstanceOf(HisRows);
        const text = encodeZincGridRows(g);
        expect(encodeZinc(g)).toBe(text);
        expect(utf8.decode(encodeZincBytes(g))).toBe(text);
        const at = cut % (g.size + 1);
        expect(encodeZincRows(g, 0, at) + encodeZincRows(g, at, g.size)).toBe(text.slice(text.indexOf('\n', 10) + 1));
      }),
      { numRuns: 400, examples: [[ACROSS_HALF_HOUR_CHANGE, 3]] },
    );
  });

  it('writes INF and -INF of a Number column without the unit, as Zinc requires', () => {
    const b = new HisColumnsBuilder(TimeZone.get('New_York'));
    const t = Date.UTC(2024, 0, 1);
    b.addNum(t, 0, 1.5, 'kW');
    b.addNum(t + 60_000, 0, Number.POSITIVE_INFINITY, 'kW');
    b.addNum(t + 120_000, 0, Number.NEGATIVE_INFINITY, 'kW');
    b.addNum(t + 180_000, 0, Number.NaN, undefined);
    const g = Grid.fromTrustedParts(Dict.of({}), COLS, b.build());
    expect(encodeZinc(g).split('\n').slice(2)).toEqual([
      '2023-12-31T19:00:00-05:00 New_York,1.5kW',
      '2023-12-31T19:01:00-05:00 New_York,INF',
      '2023-12-31T19:02:00-05:00 New_York,-INF',
      '2023-12-31T19:03:00-05:00 New_York,NaN',
      '',
    ]);
  });
});

describe('Hayson history rows', () => {
  it('are the text of the rows written as Dicts, whole, in pieces and as the server writes them', () => {
    fc.assert(
      fc.property(arbHistory, (h) => {
        const g = history(h);
        const asDicts = Grid.fromTrustedParts(g.meta, g.cols, [...g.rows]);
        expect(asDicts.rowSource).not.toBeInstanceOf(HisRows);
        const text = encodeJson(asDicts);
        expect(encodeJson(g)).toBe(text);
        expect(utf8.decode(encodeHaysonGridMemo(g, new HaysonRowMemo(4)))).toBe(text);
        expect(writeHaysonGridRows(g, false)).toBe(writeHaysonGridRows(asDicts, false));
      }),
      { numRuns: 400, examples: [[ACROSS_HALF_HOUR_CHANGE]] },
    );
  });
});
