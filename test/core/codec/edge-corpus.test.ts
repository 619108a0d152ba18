// Cross-implementation edge corpus: the edge values of every kind, encoded by us in every format, decoded again
// and compared exactly. Where the spec leaves a choice (or Haxall and others differ), a test names the choice.

import { describe, expect, it } from 'vitest';
import { encodeCsv } from '../../../src/core/codec/csv/index.js';
import { decodeJson, encodeJson } from '../../../src/core/codec/json/index.js';
import { decodeTrioDicts, encodeTrio } from '../../../src/core/codec/trio/index.js';
import { decodeZinc, decodeZincValue, encodeZinc } from '../../../src/core/codec/zinc/index.js';
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
  TimeZone,
  Uri,
  type Val,
  XStr,
} from '../../../src/core/index.js';
import { diffVals } from '../../support/hayson-compare.js';

const ny = TimeZone.get('New_York');
const inner = Grid.make({
  meta: { dis: 'inner' },
  cols: ['a', 'b'],
  rows: [{ a: new Num(1, 'kW'), b: 'x' }, { a: MARKER }],
});

/** The corpus: a name and a value, one entry per edge of each kind. */
const CORPUS: readonly (readonly [string, Val])[] = [
  // Singletons and Bool
  ['marker', MARKER],
  ['na', NA],
  ['remove', REMOVE],
  ['true', true],
  ['false', false],
  // Str: escapes, control characters, non-BMP, lone surrogates, line separators, look-alikes of other kinds
  ['str empty', ''],
  ['str escapes', 'q"uote\\back\nnl\ttab\rcr$dollar'],
  ['str controls', '\u0000\u0001\u001f\u007f\u0085'],
  ['str emoji', 'temp 🌡️ 72°F ünïcödé'],
  ['str lone surrogates', 'a\ud800b\udc00'],
  ['str separators', '\u2028\u2029'],
  ['str like values', 'INF'],
  ['str like a ref', '@p1'],
  ['str like a date', '2024-01-01'],
  ['str like a typed json3 value', 'n:42'],
  // Uri escapes
  ['uri escapes', new Uri('http://x/a b?q=`tick`&\\#frag')],
  ['uri unicode', new Uri('http://例え.jp/パス')],
  // Refs with dis
  ['ref', new Ref('p1')],
  ['ref with dis', new Ref('site-1:a.b~c_d', 'Site "One" \\ ünï')],
  // Numbers: units, signs, specials
  ['number EER', new Num(9.5, 'EER')],
  ['number °F', new Num(72.5, '°F')],
  ['number Δ°F', new Num(-1.25, 'Δ°F')],
  ['number kWh/m²', new Num(3, 'kWh/m²')],
  ['number $', new Num(12.34, '$')],
  ['number %', new Num(100, '%')],
  ['number custom unit', new Num(1, '_custom_unit')],
  ['number -0', new Num(-0)],
  ['number -0 kW', new Num(-0, 'kW')],
  ['number min subnormal', new Num(5e-324)],
  ['number max', new Num(Number.MAX_VALUE)],
  ['number exponent', new Num(1e21, 'W')],
  ['number 2^53+2', new Num(2 ** 53 + 2)],
  ['number INF', new Num(Number.POSITIVE_INFINITY)],
  ['number -INF', new Num(Number.NEGATIVE_INFINITY)],
  ['number NaN', new Num(Number.NaN)],
  // Symbols and XStr
  ['symbol', new Sym('elec-meter')],
  ['symbol with dots and colons', new Sym('ph.points:air~temp')],
  ['xstr', new XStr('Bin', 'text/plain; charset=utf-8')],
  ['xstr escapes', new XStr('Span_2', 'a"b\\c\n')],
  // Coords at the poles and the date line
  ['coord north-east', new Coord(90, 180)],
  ['coord south-west', new Coord(-90, -180)],
  ['coord micro-degrees', new Coord(0.000001, -0.000001)],
  // Dates and times at the ends of the calendar
  ['date first', new HDate(1, 1, 1)],
  ['date last', new HDate(9999, 12, 31)],
  ['date leap day', new HDate(2000, 2, 29)],
  ['time midnight', new HTime(0, 0, 0, 0)],
  ['time last nanosecond', new HTime(23, 59, 59, 999_999_999)],
  ['datetime first', HDateTime.fromEpochMs(Date.UTC(1, 0, 1) + 0, TimeZone.UTC)],
  ['datetime last nanosecond', HDateTime.fromEpochMs(Date.UTC(9999, 11, 31, 23, 59, 59, 999), TimeZone.UTC, 999_999)],
  // DST gaps and overlaps, odd offsets, fixed and legacy zones
  ['datetime in a DST gap', HDateTime.fromLocal(new HDate(2024, 3, 10), new HTime(2, 30), ny)],
  ['datetime overlap earlier', HDateTime.fromLocal(new HDate(2024, 11, 3), new HTime(1, 30), ny, 'earlier')],
  ['datetime overlap later', HDateTime.fromLocal(new HDate(2024, 11, 3), new HTime(1, 30), ny, 'later')],
  ['datetime Lord_Howe half-hour DST', HDateTime.fromEpochMs(Date.UTC(2024, 0, 1), 'Lord_Howe')],
  ['datetime Chatham +12:45', HDateTime.fromEpochMs(Date.UTC(2024, 6, 1), 'Chatham')],
  ['datetime Kolkata +05:30', HDateTime.fromEpochMs(Date.UTC(2024, 6, 1, 0, 0, 0, 123), 'Kolkata')],
  ['datetime local mean time', HDateTime.fromEpochMs(Date.UTC(1850, 5, 1, 12, 0, 7), ny)],
  ['datetime GMT+12', HDateTime.fromEpochMs(Date.UTC(2024, 0, 1), 'GMT+12')],
  ['datetime GMT-14', HDateTime.fromEpochMs(Date.UTC(2024, 0, 1), 'GMT-14')],
  ['datetime EST5EDT', HDateTime.fromEpochMs(Date.UTC(2024, 6, 1), 'EST5EDT')],
  // Nested lists, dicts and grids
  ['list empty', Object.freeze([])],
  ['list nested', Object.freeze([Object.freeze([]), Object.freeze([new Num(1), null, MARKER]), 'x'])],
  ['dict empty', Dict.EMPTY],
  ['dict nested', Dict.of({ a: Dict.of({ b: Dict.of({ c: MARKER }) }), constructor: 'tag', toString: new Num(1) })],
  ['grid empty', Grid.EMPTY],
  ['grid nested', Grid.make({ cols: ['g', 'l'], rows: [{ g: inner, l: Object.freeze([inner]) }] })],
  ['dict holding a grid', Dict.of({ his: inner, dis: 'outer' })],
];

/**
 * A value as a format reads it back: a grid with no columns given one named `empty` (every format writes it so,
 * as Haxall does: a grid needs a column); and, in Zinc and Trio, INF and -INF without a unit.
 */
function readBackForm(v: Val, keepsInfUnit: boolean): Val {
  if (v instanceof Num && !keepsInfUnit)
    return v.val === Number.POSITIVE_INFINITY || v.val === Number.NEGATIVE_INFINITY ? new Num(v.val) : v;
  if (Array.isArray(v)) return Object.freeze((v as readonly Val[]).map((x) => readBackForm(x, keepsInfUnit)));
  if (v instanceof Dict) {
    const tags = new Map<string, Val>();
    v.forEach((x, k) => {
      tags.set(k, readBackForm(x, keepsInfUnit));
    });
    return Dict.of(tags);
  }
  if (v instanceof Grid && v.cols.length === 0) return Grid.make({ meta: v.meta, cols: ['empty'], rows: [] });
  return v;
}

const zincForm = (v: Val): Val => readBackForm(v, false);
const jsonForm = (v: Val): Val => readBackForm(v, true);

/** Exact comparison: Hayson text keeps -0, every float digit, Ref dis, DateTime offset and zone, units. */
function expectSame(back: Val | undefined, expected: Val, what: string): void {
  expect(diffVals(back ?? null, expected), what).toBeUndefined();
  expect(encodeJson(back ?? null), what).toBe(encodeJson(expected));
}

const FORMATS: readonly (readonly [string, (v: Val) => Val | undefined, (v: Val) => Val])[] = [
  ['zinc value', (v) => decodeZinc(encodeZinc(v)), zincForm],
  [
    'zinc grid cell',
    (v) => (decodeZinc(encodeZinc(Grid.make({ cols: ['v'], rows: [{ v }] }))) as Grid).row(0).get('v') ?? null,
    zincForm,
  ],
  ['json v4 text', (v) => decodeJson(encodeJson(v)), jsonForm],
  // decodeJson reads a JS string as JSON text, so a parsed value goes in a list (a top-level Str would not parse).
  [
    'json v4 parsed',
    (v) => (decodeJson(JSON.parse(encodeJson(Object.freeze([v]))) as unknown) as readonly Val[])[0],
    jsonForm,
  ],
  ['json v3', (v) => decodeJson(encodeJson(v, { version: 3 }), { version: 3 }), jsonForm],
  ['trio', (v) => decodeTrioDicts(encodeTrio([Dict.of({ id: new Ref('r'), v })]))[0]?.get('v') ?? null, zincForm],
];

describe('edge corpus, encoded by us in every format and decoded again', () => {
  for (const [format, roundTrip, expectedForm] of FORMATS) {
    it(`round-trips every corpus value exactly: ${format}`, () => {
      for (const [name, v] of CORPUS) {
        expectSame(roundTrip(v), expectedForm(v), `${format}: ${name}`);
      }
    });
  }

  it('writes every corpus value as CSV (which has no reader)', () => {
    for (const [name, v] of CORPUS) {
      const csv = encodeCsv(Grid.make({ cols: ['v'], rows: [{ v }] }));
      expect(csv.startsWith('v\n') || csv.startsWith('v\r\n'), name).toBe(true);
    }
  });
});

describe('choices where the spec leaves one', () => {
  it('choice: -0 keeps its sign in every format that can carry it', () => {
    for (const [format, roundTrip] of FORMATS) {
      const back = roundTrip(new Num(-0));
      expect(back instanceof Num && Object.is(back.val, -0), format).toBe(true);
    }
  });

  it('choice: Zinc and Trio write INF without a unit (the grammar has none; Haxall rejects INF°F), JSON keeps it', () => {
    expect(encodeZinc(new Num(Number.POSITIVE_INFINITY, '°F'))).toBe('INF');
    expect(encodeJson(new Num(Number.POSITIVE_INFINITY, '°F'))).toBe('{"_kind":"number","val":"INF","unit":"°F"}');
    expect(encodeJson(new Num(Number.POSITIVE_INFINITY, '°F'), { version: 3 })).toBe('"n:INF °F"');
  });

  it('choice: an offset that contradicts the zone fixes the instant, the zone the offset (Haxall DateTime.fromStr)', () => {
    expect(decodeZincValue('2026-01-01T00:00:00+09:00 New_York')?.toString()).toBe(
      '2025-12-31T10:00:00-05:00 New_York',
    );
  });

  it('choice: Coords keep micro-degrees (Haxall), rounded half away from zero', () => {
    expect(encodeZinc(decodeZincValue('C(37.1234567,-77.1234565)'))).toBe('C(37.123457,-77.123457)');
    expect(encodeJson(decodeJson('{"_kind":"coord","lat":0.0000004,"lng":-0.0000005}'))).toBe(
      '{"_kind":"coord","lat":0,"lng":-0.000001}',
    );
  });

  it('choice: a JSON v4 DateTime without tz is GMT; a Ref keeps its dis in every format', () => {
    const dt = decodeJson('{"_kind":"dateTime","val":"2024-01-01T00:00:00Z"}') as HDateTime;
    expect(dt.tz.name).toBe('GMT');
    for (const [format, roundTrip] of FORMATS) expect((roundTrip(new Ref('a', 'A b')) as Ref).dis, format).toBe('A b');
  });

  it('choice: a null tag is an absent tag in Trio and a Zinc dict, and an empty cell in a grid', () => {
    expect(encodeTrio([Dict.of({ id: new Ref('r'), v: null })])).toBe('id:@r\n');
    expect(encodeZinc(Dict.of({ a: null, b: MARKER }))).toBe('{b}');
    const g = decodeZinc(encodeZinc(Grid.make({ cols: ['a', 'b'], rows: [{ a: null, b: MARKER }] }))) as Grid;
    expect(g.row(0).has('a')).toBe(false);
  });

  it('choice: Zinc writes a grid with no columns with one column named empty (Haxall does the same)', () => {
    expect(encodeZinc(Grid.EMPTY)).toBe('ver:"3.0"\nempty\n');
  });

  it('choice: JSON v4 and v3 write a grid with no columns with one column named empty, as Zinc does', () => {
    expect(encodeJson(Grid.EMPTY)).toBe('{"_kind":"grid","meta":{"ver":"3.0"},"cols":[{"name":"empty"}],"rows":[]}');
    expect(encodeJson(Grid.EMPTY, { version: 3 })).toBe('{"meta":{"ver":"3.0"},"cols":[{"name":"empty"}],"rows":[]}');
  });

  it('choice: legacy zone names are kept as written (EST5EDT stays EST5EDT, not New_York)', () => {
    const back = decodeZincValue('2024-07-01T00:00:00-04:00 EST5EDT') as HDateTime;
    expect(back.tz.name).toBe('EST5EDT');
    expect(encodeJson(back)).toBe('{"_kind":"dateTime","val":"2024-07-01T00:00:00-04:00","tz":"EST5EDT"}');
  });
});
