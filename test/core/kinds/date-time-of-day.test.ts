// Date and Time: field validation, parsing (up to 9 fraction digits), ISO forms, day arithmetic, order and hash.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { date, HDate } from '../../../src/core/kinds/date.js';
import { compare, hash } from '../../../src/core/kinds/equality.js';
import { HTime, time } from '../../../src/core/kinds/time.js';
import { arbDate, arbTime } from '../../support/arbitraries.js';
import { expectInvalid } from '../../support/errors.js';

describe('HDate', () => {
  it('holds year, month and day with accessors', () => {
    const d = date(2024, 2, 29);
    expect([d.year, d.month, d.day, d.kind]).toEqual([2024, 2, 29, 'date']);
    expect(String(d)).toBe('2024-02-29');
    expect(date('0007-01-02').toString()).toBe('0007-01-02');
    expect(date(2024).toString()).toBe('2024-01-01');
  });

  it('accepts leap days and the year range edges', () => {
    for (const s of ['2000-02-29', '2024-02-29', '1600-02-29', '0000-01-01', '9999-12-31', '0000-02-29']) {
      expect(HDate.parse(s).toString()).toBe(s);
    }
  });

  it('rejects invalid fields and malformed text with ValueError', () => {
    for (const [y, m, d] of [
      [2023, 2, 29],
      [1900, 2, 29],
      [2024, 4, 31],
      [2024, 0, 1],
      [2024, 13, 1],
      [2024, 1, 0],
      [2024, 1, 32],
      [-1, 1, 1],
      [10000, 1, 1],
      [2024.5, 1, 1],
      [2024, 1.5, 1],
      [2024, 1, Number.NaN],
    ] as const) {
      expectInvalid(() => date(y, m, d));
    }
    for (const s of [
      '',
      '2024-1-01',
      '24-01-01',
      '2024/01/01',
      '2024-01-01T00:00',
      ' 2024-01-01',
      '2024-02-30',
      '+2024-01-01',
    ]) {
      expectInvalid(() => HDate.parse(s));
    }
  });

  it('converts to and from epoch days, with weekday and plusDays', () => {
    expect(date(1970, 1, 1).toEpochDay()).toBe(0);
    expect(date(1969, 12, 31).toEpochDay()).toBe(-1);
    expect(date(2024, 3, 1).plusDays(-1).toString()).toBe('2024-02-29');
    expect(date(2023, 12, 31).plusDays(1).toString()).toBe('2024-01-01');
    expect(date(2024, 7, 4).weekday).toBe(4);
    expect(date(1969, 12, 28).weekday).toBe(0);
    fc.assert(
      fc.property(arbDate, (d) => {
        expect(HDate.fromEpochDay(d.toEpochDay()).equals(d)).toBe(true);
        expect(HDate.parse(d.toString()).equals(d)).toBe(true);
        const js = new Date(d.toEpochDay() * 86_400_000);
        expect(d.weekday).toBe(js.getUTCDay());
      }),
      { numRuns: 300 },
    );
  });

  it('orders chronologically and hashes equal days alike', () => {
    expect(compare(date(2024, 1, 31), date(2024, 2, 1))).toBe(-1);
    expect(compare(date(2025, 1, 1), date(2024, 12, 31))).toBe(1);
    expect(date(2024, 1, 1).equals(date('2024-01-01'))).toBe(true);
    expect(date(2024, 1, 1).equals('2024-01-01')).toBe(false);
    expect(hash(date(2024, 1, 1))).toBe(hash(date('2024-01-01')));
  });
});

describe('HTime', () => {
  it('holds hour, minute, second and nanos', () => {
    const t = time(14, 30, 5, 123_000_000);
    expect([t.hour, t.minute, t.second, t.nanos, t.kind]).toEqual([14, 30, 5, 123_000_000, 'time']);
    expect(String(t)).toBe('14:30:05.123');
    expect(t.toMillisOfDay()).toBe(((14 * 60 + 30) * 60 + 5) * 1000 + 123);
    expect(t.toSecondOfDay()).toBe((14 * 60 + 30) * 60 + 5);
    expect(time(14, 30).toString()).toBe('14:30:00');
    expect(HTime.MIDNIGHT.toString()).toBe('00:00:00');
  });

  it('parses hh:mm, hh:mm:ss and 1-9 fraction digits', () => {
    const cases: [string, number, string][] = [
      ['08:12', 0, '08:12:00'],
      ['08:12:05', 0, '08:12:05'],
      ['08:12:05.5', 500_000_000, '08:12:05.5'],
      ['08:12:05.50', 500_000_000, '08:12:05.5'],
      ['08:12:05.123', 123_000_000, '08:12:05.123'],
      ['08:12:05.000001', 1000, '08:12:05.000001'],
      ['08:12:05.123456789', 123_456_789, '08:12:05.123456789'],
      ['23:59:59.999999999', 999_999_999, '23:59:59.999999999'],
      ['00:00:00.000000000', 0, '00:00:00'],
    ];
    for (const [s, nanos, out] of cases) {
      const t = time(s);
      expect(t.nanos, s).toBe(nanos);
      expect(t.toString(), s).toBe(out);
    }
  });

  it('rejects invalid fields and malformed text with ValueError', () => {
    for (const [h, m, s, n] of [
      [24, 0, 0, 0],
      [-1, 0, 0, 0],
      [0, 60, 0, 0],
      [0, 0, 60, 0],
      [0, 0, 0, 1_000_000_000],
      [0, 0, 0, -1],
      [0, 0, 0, 0.5],
      [1.5, 0, 0, 0],
    ] as const) {
      expectInvalid(() => time(h, m, s, n));
    }
    for (const s of ['', '8:12', '08:12:5', '08:12:05.', '08:12:05.1234567890', '24:00', '08:60', 'T08:12', '08:12Z']) {
      expectInvalid(() => HTime.parse(s));
    }
  });

  it('round-trips through its text and nano-of-day for 0-9 fraction digits', () => {
    fc.assert(
      fc.property(arbTime, (t) => {
        expect(HTime.parse(t.toString()).equals(t)).toBe(true);
        const nod = t.toSecondOfDay() * 1e9 + t.nanos;
        expect(HTime.fromNanoOfDay(nod).equals(t)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('orders chronologically (nanos included) and hashes equal times alike', () => {
    expect(compare(time(1, 0, 0, 1), time(1, 0, 0, 2))).toBe(-1);
    expect(compare(time(2, 0), time(1, 59, 59, 999_999_999))).toBe(1);
    expect(time('01:00:00.5').equals(time(1, 0, 0, 500_000_000))).toBe(true);
    expect(time(1, 0).equals(date(2024, 1, 1))).toBe(false);
    expect(hash(time('01:00:00.50'))).toBe(hash(time('01:00:00.5')));
  });
});
