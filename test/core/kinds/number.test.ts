// Number: float64 with an optional unit; INF/-INF/NaN; unit validation; equality, order, hash and Zinc form.

import { describe, expect, it } from 'vitest';
import { compare, equals, hash } from '../../../src/core/kinds/equality.js';
import { kindOf } from '../../../src/core/kinds/kind.js';
import { compareFloat, isValidUnit, Num, num } from '../../../src/core/kinds/number.js';
import { UNITS } from '../../support/arbitraries.js';
import { expectInvalid } from '../../support/errors.js';

describe('Num construction', () => {
  it('holds a value and an optional unit; empty and null units mean none', () => {
    const n = num(72.5, '°F');
    expect(n.val).toBe(72.5);
    expect(n.unit).toBe('°F');
    expect(n.kind).toBe('number');
    expect(kindOf(n)).toBe('number');
    expect(num(1).unit).toBeUndefined();
    expect(num(1, '').unit).toBeUndefined();
    expect(num(1, null).unit).toBeUndefined();
    expect(new Num(3)).toBeInstanceOf(Num);
  });

  it('accepts every realistic unit, symbols and non-ASCII included', () => {
    for (const u of UNITS) {
      expect(isValidUnit(u), u).toBe(true);
      expect(num(1, u).unit).toBe(u);
    }
    for (const u of ['_custom', 'kW/ft²', 'a', 'Z', '€/kWh']) expect(num(1, u).unit).toBe(u);
  });

  it('accepts INF and -INF with or without a unit, NaN without', () => {
    expect(num(Number.POSITIVE_INFINITY).val).toBe(Number.POSITIVE_INFINITY);
    expect(num(Number.NEGATIVE_INFINITY, 'kW').unit).toBe('kW');
    expect(num(Number.NaN).isNaN).toBe(true);
    expect(num(Number.NaN, '').unit).toBeUndefined();
  });

  it('rejects NaN with a unit, invalid unit characters and non-numbers', () => {
    expectInvalid(() => num(Number.NaN, 'kW'));
    for (const u of ['k W', 'm2', '1', 'kW-h', 'a.b', 'a,b', '"', '(', '\n', 'a\u0000', '#', '+']) {
      expect(isValidUnit(u), u).toBe(false);
      expectInvalid(() => num(1, u));
    }
    expect(isValidUnit('')).toBe(false);
    expectInvalid(() => new Num(1, 5 as unknown as string));
    expect(isValidUnit(5 as unknown as string)).toBe(false);
    expectInvalid(() => new Num('1' as unknown as number));
    expectInvalid(() => new Num(1n as unknown as number));
  });
});

describe('Num toString (Zinc form)', () => {
  it('writes the shortest round-trip decimal, exponent when needed, then the unit', () => {
    expect(String(num(72.5, '°F'))).toBe('72.5°F');
    expect(String(num(-3))).toBe('-3');
    expect(String(num(-0))).toBe('-0');
    expect(String(num(1e21, 'kW'))).toBe('1e+21kW');
    expect(String(num(1.5e-7))).toBe('1.5e-7');
    expect(String(num(0.1 + 0.2))).toBe('0.30000000000000004');
    expect(String(num(5e-324))).toBe('5e-324');
  });

  it('writes INF, -INF and NaN as Zinc keywords, with no unit (Zinc has none for them)', () => {
    expect(String(num(Number.POSITIVE_INFINITY))).toBe('INF');
    expect(String(num(Number.POSITIVE_INFINITY, 'kW'))).toBe('INF');
    expect(String(num(Number.NEGATIVE_INFINITY, '°F'))).toBe('-INF');
    expect(String(num(Number.NaN))).toBe('NaN');
  });

  it('parses back to the same float for every finite value', () => {
    for (const v of [0.1, 1 / 3, Math.PI, 1e300, -1e-300, Number.MAX_VALUE, Number.MIN_VALUE, 123456789.123]) {
      expect(Number(String(num(v)))).toBe(v);
    }
  });
});

describe('Num equality, order and hash', () => {
  it('equals by value and unit; NaN equals NaN and -0 equals 0', () => {
    expect(num(1, 'kW').equals(num(1, 'kW'))).toBe(true);
    expect(num(1, 'kW').equals(num(1, 'W'))).toBe(false);
    expect(num(1, 'kW').equals(num(1))).toBe(false);
    expect(num(Number.NaN).equals(num(Number.NaN))).toBe(true);
    expect(num(-0).equals(num(0))).toBe(true);
    expect(num(Number.POSITIVE_INFINITY).equals(num(Number.POSITIVE_INFINITY, 'kW'))).toBe(false);
    expect(num(1).equals(1)).toBe(false);
    expect(hash(num(-0))).toBe(hash(num(0)));
    expect(hash(num(Number.NaN))).toBe(hash(num(0 / 0)));
    expect(hash(num(2.5, 'kW'))).toBe(hash(num(2.5, 'kW')));
  });

  it('orders -INF < finite < INF < NaN, then unitless before units, then by unit', () => {
    const sorted = [
      num(Number.NEGATIVE_INFINITY),
      num(-1e300),
      num(-1),
      num(0),
      num(0, '%'),
      num(0, 'kW'),
      num(1e-300),
      num(1),
      num(Number.POSITIVE_INFINITY),
      num(Number.NaN),
    ];
    for (let i = 0; i < sorted.length; i++) {
      for (let j = 0; j < sorted.length; j++) {
        expect(Math.sign(compare(sorted[i] ?? null, sorted[j] ?? null)), `${i} vs ${j}`).toBe(Math.sign(i - j));
      }
    }
    expect(compare(num(-0), num(0))).toBe(0);
    expect(compare(num(Number.NaN), num(Number.NaN))).toBe(0);
  });

  it('compareFloat is a total order with -0 = 0 and NaN last', () => {
    expect(compareFloat(-0, 0)).toBe(0);
    expect(compareFloat(Number.NaN, Number.NaN)).toBe(0);
    expect(compareFloat(Number.NaN, Number.POSITIVE_INFINITY)).toBe(1);
    expect(compareFloat(Number.POSITIVE_INFINITY, Number.NaN)).toBe(-1);
    expect(compareFloat(1, 2)).toBe(-1);
    expect(equals(num(3), num(3))).toBe(true);
  });
});
