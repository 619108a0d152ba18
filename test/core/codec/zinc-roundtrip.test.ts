// Property tests: every value of every kind survives encodeZinc then decodeZinc unchanged.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeZinc, decodeZincValue, encodeZinc } from '../../../src/core/codec/zinc/index.js';
import { Dict } from '../../../src/core/grid/dict.js';
import { Grid } from '../../../src/core/grid/grid.js';
import { equals, ref, uri, type Val, xstr } from '../../../src/core/index.js';
import { arbGrid, arbStr, arbUri, arbVal } from '../../support/arbitraries.js';
import { diffVals } from '../../support/hayson-compare.js';

function roundTrips(v: Val): void {
  const text = encodeZinc(v);
  const back = decodeZinc(text);
  expect(equals(back, v), text).toBe(true);
  // equals ignores a Ref's dis and compares DateTimes by instant: check those too.
  expect(diffVals(back, v), text).toBeUndefined();
}

describe('Zinc round trip', () => {
  it('decode(encode(v)) equals v for values of every kind, nested', () => {
    fc.assert(fc.property(arbVal({ withNull: true, infUnits: false }), roundTrips), { numRuns: 1500 });
  });

  it('decode(encode(grid)) equals the grid, meta and column meta included', () => {
    fc.assert(fc.property(arbGrid({ maxDepth: 2, infUnits: false }), roundTrips), { numRuns: 500 });
  });

  it("keeps each dict's own names in order, whatever the dicts before it have", () => {
    const list = decodeZincValue('[{a b:1}, {a b:2}, {b:3 a}, {a c}, {a}, {a b:4 c}]') as readonly Dict[];
    expect(list.map((d) => [...d.keys()].join())).toEqual(['a,b', 'a,b', 'b,a', 'a,c', 'a', 'a,b,c']);
    expect(list.map((d) => encodeZinc(d.get('b')))).toEqual(['1', '2', '3', 'N', 'N', '4']);
  });

  it('keeps the rows of a grid without columns (a read of unknown ids): each is N under the empty column', () => {
    const grid = Grid.fromDicts([Dict.EMPTY, Dict.EMPTY]);
    const text = encodeZinc(grid);
    expect(text).toBe('ver:"3.0"\nempty\nN\nN\n');
    expect((decodeZinc(text) as Grid).size).toBe(2);
  });

  it('strings with quotes, backslashes, $, controls and emoji survive', () => {
    fc.assert(fc.property(arbStr, roundTrips), { numRuns: 1000 });
  });

  it('writes $ in a Str as \\$ (Kinds#str: Zinc requires it), as Haxall does', () => {
    expect(encodeZinc('costs $15')).toBe('"costs \\$15"');
    expect(encodeZinc(ref('a', 'US$'))).toBe('@a "US\\$"');
    expect(encodeZinc(xstr('Span', '$x'))).toBe('Span("\\$x")');
    expect(decodeZinc(encodeZinc('$$'))).toBe('$$');
  });

  it('URIs with backticks, backslashes and reserved escapes survive', () => {
    fc.assert(fc.property(arbUri, roundTrips), { numRuns: 1000 });
    for (const s of ['file \\#2', 'a\\:b\\/c', '\\\\:', 'c:\\dir\\q', 'x`y', '\\', '\\u0041']) roundTrips(uri(s));
    // Escapes of reserved chars keep their backslash (Zinc#uriNotes), so they are written as they are.
    expect(encodeZinc(uri('file \\#2'))).toBe('`file \\#2`');
    expect(decodeZincValue('`file \\#2`')).toEqual(uri('file \\#2'));
  });

  it('lone surrogates in strings survive', () => {
    roundTrips('a\ud800b');
    roundTrips('\udc00');
    roundTrips('😀\ud83d');
  });
});
