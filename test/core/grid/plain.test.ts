// Plain mode: what each kind becomes (the README table), and the `plain` option of every decoder.

import { describe, expect, it } from 'vitest';
import { decodeJson, encodeJson } from '../../../src/core/codec/json/index.js';
import { decodeTrio, decodeTrioDicts, encodeTrio } from '../../../src/core/codec/trio/index.js';
import {
  decodeZinc,
  decodeZincGrid,
  decodeZincStream,
  decodeZincValue,
  encodeZinc,
} from '../../../src/core/codec/zinc/index.js';
import {
  Coord,
  Dict,
  Grid,
  HDate,
  HDateTime,
  HTime,
  MARKER,
  NA,
  Num,
  REMOVE,
  Ref,
  Sym,
  toPlain,
  Uri,
  type Val,
  XStr,
} from '../../../src/core/index.js';

const DT = HDateTime.parse('2024-03-10T03:30:00-04:00 New_York');

describe('toPlain', () => {
  it('gives each kind its plain form (the README table)', () => {
    const table: [Val, unknown][] = [
      [MARKER, true],
      [NA, null],
      [REMOVE, null],
      [null, null],
      [true, true],
      ['text', 'text'],
      [new Num(72.5, '°F'), 72.5],
      [new Num(Number.POSITIVE_INFINITY), Number.POSITIVE_INFINITY],
      [new Ref('p1', 'Zone temp'), 'p1'],
      [new Uri('http://x/'), 'http://x/'],
      [new Sym('elec-meter'), 'elec-meter'],
      [new XStr('Bin', 'text/plain'), 'text/plain'],
      [new HDate(2024, 3, 10), '2024-03-10'],
      [new HTime(8, 5, 0, 500_000_000), '08:05:00.5'],
      [DT, '2024-03-10T03:30:00-04:00'],
      [new Coord(37.55, -77.45), { lat: 37.55, lng: -77.45 }],
      [Object.freeze([1, MARKER, null].map((x) => (typeof x === 'number' ? new Num(x) : x))), [1, true, null]],
    ];
    for (const [v, plain] of table) expect(toPlain(v), String(v)).toEqual(plain);
    expect(Number.isNaN(toPlain(new Num(Number.NaN)))).toBe(true);
  });

  it('keeps units beside the value only when asked, and gives Dates when asked', () => {
    expect(toPlain(new Num(72.5, '°F'), { units: true })).toEqual({ val: 72.5, unit: '°F' });
    expect(toPlain(new Num(3), { units: true })).toEqual({ val: 3 });
    const d = toPlain(DT, { dateTimes: 'date' });
    expect(d).toBeInstanceOf(Date);
    expect((d as Date).getTime()).toBe(DT.epochMs);
    expect(toPlain(new HDate(2024, 1, 2), { dateTimes: 'date' })).toBe('2024-01-02');
  });

  it('makes dicts objects (Remove left out) and grids arrays of rows (missing cells left out)', () => {
    const d = Dict.of({ site: MARKER, dis: 'Alpha', gone: REMOVE, area: new Num(1000, 'ft²'), constructor: 'x' });
    expect(toPlain(d)).toEqual({ site: true, dis: 'Alpha', area: 1000, constructor: 'x' });
    const g = Grid.make({ cols: ['id', 'val'], rows: [{ id: new Ref('a'), val: 1 }, { id: new Ref('b') }] });
    expect(toPlain(g)).toEqual([{ id: 'a', val: 1 }, { id: 'b' }]);
    expect(toPlain(Dict.of({ g }))).toEqual({ g: [{ id: 'a', val: 1 }, { id: 'b' }] });
  });
});

describe('the plain option of every decoder', () => {
  const grid = Grid.make({
    meta: { hisStart: DT },
    cols: ['ts', 'val'],
    rows: [
      { ts: DT, val: new Num(1.5, 'kW') },
      { ts: DT.plusMillis(60_000), val: new Num(2, 'kW') },
    ],
  });
  const rows = [
    { ts: '2024-03-10T03:30:00-04:00', val: 1.5 },
    { ts: '2024-03-10T03:31:00-04:00', val: 2 },
  ];

  it('gives plain rows from Zinc (whole text, grid, value, stream), JSON v4 and v3, and Trio', async () => {
    const zinc = encodeZinc(grid);
    expect(decodeZinc(zinc, undefined, { plain: true })).toEqual(rows);
    expect(decodeZincGrid(zinc, undefined, { plain: true })).toEqual(rows);
    expect(decodeZincValue('{a:1kW b:M}', { plain: { units: true } })).toEqual({ a: { val: 1, unit: 'kW' }, b: true });
    expect(await decodeZincStream([zinc.slice(0, 40), zinc.slice(40)], { plain: true })).toEqual(rows);
    expect(decodeJson(encodeJson(grid), { plain: true })).toEqual(rows);
    expect(decodeJson(JSON.parse(encodeJson(grid)) as unknown, { plain: true })).toEqual(rows);
    expect(decodeJson(encodeJson(grid, { version: 3 }), { version: 3, plain: true })).toEqual(rows);
    const trio = encodeTrio(grid);
    expect(decodeTrioDicts(trio, undefined, { plain: true })).toEqual(rows);
    expect(decodeTrio(trio, undefined, { plain: true })).toEqual(rows);
    const dates = decodeZinc(zinc, undefined, { plain: { dateTimes: 'date' } }) as { ts: Date }[];
    expect(dates[0]?.ts.getTime()).toBe(DT.epochMs);
  });

  it('gives Haystack values when plain is false or absent', () => {
    const zinc = encodeZinc(grid);
    expect(decodeZinc(zinc, undefined, { plain: false })).toBeInstanceOf(Grid);
    expect(decodeZincGrid(zinc)).toBeInstanceOf(Grid);
    expect(decodeJson(encodeJson(grid), { plain: false })).toBeInstanceOf(Grid);
    expect(decodeTrio(encodeTrio(grid), undefined, { plain: false })).toBeInstanceOf(Grid);
  });
});
