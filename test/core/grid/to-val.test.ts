// toVal and list: JS values into Haystack values (numbers become Nums, arrays frozen Lists, objects Dicts).

import { describe, expect, it } from 'vitest';
import { Dict, dict, list, toVal } from '../../../src/core/grid/dict.js';
import { Grid } from '../../../src/core/grid/grid.js';
import { HDateTime } from '../../../src/core/kinds/date-time.js';
import { isList, kindOf } from '../../../src/core/kinds/kind.js';
import { MARKER } from '../../../src/core/kinds/marker.js';
import { Num, num } from '../../../src/core/kinds/number.js';
import { ref } from '../../../src/core/kinds/ref.js';
import { expectInvalid } from '../../support/errors.js';

describe('toVal', () => {
  it('passes Haystack values, strings and booleans through unchanged', () => {
    const g = Grid.EMPTY;
    for (const v of [MARKER, num(1), ref('a'), g, Dict.EMPTY, 'str', true, false, '']) expect(toVal(v)).toBe(v);
  });

  it('maps null and undefined to null', () => {
    expect(toVal(null)).toBeNull();
    expect(toVal(undefined)).toBeNull();
  });

  it('makes JS numbers unitless Nums, NaN and infinities included', () => {
    expect(toVal(3)).toEqual(num(3));
    expect(toVal(3)).toBeInstanceOf(Num);
    expect((toVal(Number.NaN) as Num).isNaN).toBe(true);
    expect((toVal(Number.NEGATIVE_INFINITY) as Num).val).toBe(Number.NEGATIVE_INFINITY);
  });

  it('makes a JS Date a UTC DateTime', () => {
    const dt = toVal(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6))) as HDateTime;
    expect(dt).toBeInstanceOf(HDateTime);
    expect(dt.toString()).toBe('2024-01-02T03:04:05.006Z UTC');
  });

  it('makes arrays frozen Lists, recursively, with null items kept', () => {
    const l = toVal([1, 'a', [true, null, undefined], { x: 1 }]);
    expect(isList(l)).toBe(true);
    expect(kindOf(l)).toBe('list');
    expect(Object.isFrozen(l)).toBe(true);
    const arr = l as readonly unknown[];
    expect(arr[2]).toEqual([true, null, null]);
    expect(Object.isFrozen(arr[2])).toBe(true);
    expect(arr[3]).toBeInstanceOf(Dict);
  });

  it('makes plain and null-prototype objects and Maps Dicts', () => {
    expect(toVal({ a: 1 })).toBeInstanceOf(Dict);
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { a: MARKER });
    expect((toVal(bare) as Dict).get('a')).toBe(MARKER);
    expect((toVal(new Map([['a', 1]])) as Dict).get('a')).toEqual(num(1));
  });

  it('rejects anything else with ValueError', () => {
    for (const bad of [
      () => 0,
      Symbol('s'),
      1n,
      new Set(),
      new (class Point {})(),
      /re/,
      new Uint8Array(2),
      Promise.resolve(1),
    ]) {
      expectInvalid(() => toVal(bad));
    }
    // A look-alike of a value class (same shape, other prototype) is not a value.
    class FakeNum {
      readonly kind = 'number';
      readonly val = 1;
    }
    expectInvalid(() => toVal(new FakeNum()));
  });

  it('rejects objects with invalid tag names, __proto__ from JSON included', () => {
    expectInvalid(() => toVal({ 'not ok': 1 }));
    expectInvalid(() => toVal(JSON.parse('{"__proto__":1}')));
  });
});

describe('list', () => {
  it('makes a frozen List of converted items', () => {
    const l = list(1, 'a', null, MARKER, { b: 2 });
    expect(Object.isFrozen(l)).toBe(true);
    expect(l.length).toBe(5);
    expect(l[0]).toEqual(num(1));
    expect(l[2]).toBeNull();
    expect(l[4]).toEqual(dict({ b: 2 }));
    expect(list()).toEqual([]);
    expect(() => (l as unknown[]).push(1)).toThrow(TypeError);
  });
});
