// Numbers at the edges in every format: -0 keeps its sign, INF/-INF/NaN are written as each grammar allows.

import { describe, expect, it } from 'vitest';
import { encodeCsv } from '../../../src/core/codec/csv/index.js';
import { decodeJson, encodeJson } from '../../../src/core/codec/json/index.js';
import { decodeTrioDicts, encodeTrio } from '../../../src/core/codec/trio/index.js';
import { decodeZinc, decodeZincValue, encodeZinc, HisRows } from '../../../src/core/codec/zinc/index.js';
import { Dict, Grid, HDateTime, Num, type Val } from '../../../src/core/index.js';

const NEG_ZERO = new Num(-0);

function isNegZero(v: Val | undefined): boolean {
  return v instanceof Num && Object.is(v.val, -0);
}

describe('-0', () => {
  it('round-trips in Zinc, JSON v4 (text and parsed), JSON v3 and Trio', () => {
    expect(encodeZinc(NEG_ZERO)).toBe('-0');
    expect(encodeZinc(new Num(-0, 'kW'))).toBe('-0kW');
    expect(isNegZero(decodeZincValue(encodeZinc(NEG_ZERO)))).toBe(true);
    expect(encodeJson(NEG_ZERO)).toBe('-0');
    expect(isNegZero(decodeJson(encodeJson(NEG_ZERO)))).toBe(true);
    expect(isNegZero(decodeJson(JSON.parse(encodeJson(NEG_ZERO)) as unknown))).toBe(true);
    expect(encodeJson(new Num(-0, '°F'))).toBe('{"_kind":"number","val":-0,"unit":"°F"}');
    expect(encodeJson(NEG_ZERO, { version: 3 })).toBe('"n:-0"');
    expect(isNegZero(decodeJson(encodeJson(NEG_ZERO, { version: 3 }), { version: 3 }))).toBe(true);
    const trio = encodeTrio([Dict.of({ v: NEG_ZERO })]);
    expect(trio).toBe('v:-0\n');
    expect(isNegZero(decodeTrioDicts(trio)[0]?.get('v'))).toBe(true);
    expect(encodeCsv(Grid.make({ cols: ['v'], rows: [{ v: NEG_ZERO }] }))).toContain('-0');
  });

  it('round-trips in a history read on the fast path and written by the history writer', () => {
    const ts = HDateTime.fromEpochMs(Date.UTC(2024, 0, 1), 'New_York');
    const text = encodeZinc(Grid.make({ cols: ['ts', 'val'], rows: [{ ts, val: NEG_ZERO }] }));
    expect(text).toContain(',-0\n');
    const g = decodeZinc(text) as Grid;
    expect(g.rowSource).toBeInstanceOf(HisRows);
    expect(isNegZero(g.row(0).get('val'))).toBe(true);
    expect(encodeZinc(g)).toBe(text);
  });
});

describe('INF, -INF and NaN', () => {
  it('are written as the Zinc grammar allows: no unit on INF (Haxall rejects INF°F)', () => {
    expect(encodeZinc(new Num(Number.POSITIVE_INFINITY, '°F'))).toBe('INF');
    expect(encodeZinc(new Num(Number.NEGATIVE_INFINITY, 'kW'))).toBe('-INF');
    expect(encodeZinc(new Num(Number.NaN))).toBe('NaN');
    expect(encodeTrio([Dict.of({ v: new Num(Number.POSITIVE_INFINITY, '°F') })])).toBe('v:INF\n');
    // Read liberally: a unit written after INF by another writer is kept.
    expect(decodeZincValue('INF°F')).toEqual(new Num(Number.POSITIVE_INFINITY, '°F'));
  });

  it('keep their unit through the JSON forms', () => {
    for (const v of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const n = new Num(v, '°F');
      expect(decodeJson(encodeJson(n))).toEqual(n);
      expect(decodeJson(encodeJson(n, { version: 3 }), { version: 3 })).toEqual(n);
    }
    expect(encodeJson(new Num(Number.POSITIVE_INFINITY, '°F'))).toBe('{"_kind":"number","val":"INF","unit":"°F"}');
    expect(encodeJson(new Num(Number.NEGATIVE_INFINITY, '°F'), { version: 3 })).toBe('"n:-INF °F"');
    expect((decodeJson(encodeJson(new Num(Number.NaN))) as Num).isNaN).toBe(true);
  });
});
