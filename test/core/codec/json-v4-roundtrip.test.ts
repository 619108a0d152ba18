// Property tests: every value survives encodeJson then decodeJson (Hayson), as text and as parsed JSON.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJson, encodeJson } from '../../../src/core/codec/json/index.js';
import { equals, Grid, HDateTime, Num, type Val } from '../../../src/core/index.js';
import { arbGrid, arbStr, arbVal } from '../../support/arbitraries.js';
import { diffHayson, diffVals } from '../../support/hayson-compare.js';

function roundTrips(v: Val): void {
  const text = encodeJson(v);
  const back = decodeJson(text);
  expect(equals(back, v), text).toBe(true);
  // equals ignores a Ref's dis and compares DateTimes by instant: check those too.
  expect(diffVals(back, v), text).toBeUndefined();
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'string') expect(diffVals(decodeJson(parsed), v), text).toBeUndefined();
  // The independent test converter reads our output the same way.
  expect(diffHayson(back, parsed), text).toBeUndefined();
}

// Shuffle object members (recursively) to prove that member order does not matter to the reader.
function shuffled(j: unknown, seed: number): unknown {
  if (Array.isArray(j)) return j.map((x, i) => shuffled(x, seed + i));
  if (typeof j !== 'object' || j === null) return j;
  const entries = Object.entries(j as Record<string, unknown>);
  entries.sort((a, b) => ((a[0].length * 31 + seed) % 7) - ((b[0].length * 31 + seed) % 7) || (seed % 2 ? 1 : -1));
  return Object.fromEntries(entries.map(([k, x]) => [k, shuffled(x, seed + k.length)]));
}

describe('Hayson round trip', { timeout: 60_000 }, () => {
  it('decode(encode(v)) equals v for values of every kind, nested', () => {
    fc.assert(fc.property(arbVal({ withNull: true }), roundTrips), { numRuns: 1500 });
  });

  it('grids keep meta, column meta, column order and rows', () => {
    fc.assert(fc.property(arbGrid({ maxDepth: 2 }), roundTrips), { numRuns: 500 });
  });

  it('strings with quotes, backslashes, controls, lone surrogates and emoji survive', () => {
    fc.assert(fc.property(arbStr, roundTrips), { numRuns: 1000 });
    for (const s of ['a\ud800b', '\udc00', '\u2028\u2029', '\u0000\u001f\u007f']) roundTrips(s);
  });

  it('numbers: specials, exponents, -0 and units', () => {
    for (const v of [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 1e21, 5e-324, -0, 2 ** 53 + 2]) {
      roundTrips(new Num(v));
      if (!Number.isNaN(v)) roundTrips(new Num(v, '°F'));
    }
    expect(encodeJson(new Num(5))).toBe('5');
    expect(encodeJson(new Num(-0))).toBe('-0');
    expect(Object.is((decodeJson('-0') as Num).val, -0)).toBe(true);
    expect(Object.is((decodeJson(JSON.parse('-0') as number) as Num).val, -0)).toBe(true);
    expect(encodeJson(new Num(Number.NaN))).toBe('{"_kind":"number","val":"NaN"}');
    expect(encodeJson(new Num(1, 'm²'))).toBe('{"_kind":"number","val":1,"unit":"m²"}');
  });

  it('a DateTime is written with its zone, GMT included', () => {
    expect(encodeJson(HDateTime.parse('2021-03-22T17:56:05.411Z GMT'))).toBe(
      '{"_kind":"dateTime","val":"2021-03-22T17:56:05.411Z","tz":"GMT"}',
    );
  });

  it('grids are written with meta.ver 3.0 and without empty column meta', () => {
    const g = Grid.make({ meta: { ver: 'x', a: 1 }, cols: ['a', { name: 'b', meta: { dis: 'B' } }], rows: [{ a: 1 }] });
    expect(encodeJson(g)).toBe(
      '{"_kind":"grid","meta":{"ver":"3.0","a":1},"cols":[{"name":"a"},{"name":"b","meta":{"dis":"B"}}],"rows":[{"a":1}]}',
    );
  });

  it('members in any order and pretty-printed text decode the same', () => {
    fc.assert(
      fc.property(arbVal({ maxDepth: 2 }), fc.nat(), (v, seed) => {
        const text = JSON.stringify(shuffled(JSON.parse(encodeJson(v)), seed), null, seed % 4);
        expect(diffVals(decodeJson(text), v), text).toBeUndefined();
      }),
      { numRuns: 700 },
    );
  });
});
