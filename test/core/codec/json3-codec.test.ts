// Haystack JSON v3: the shared vectors decode to their Hayson, the writer's prefixes, and round trips.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJson, encodeJson } from '../../../src/core/codec/json/index.js';
import {
  Coord,
  Dict,
  dict,
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
  Uri,
  type Val,
  XStr,
} from '../../../src/core/index.js';
import { arbGrid, arbVal } from '../../support/arbitraries.js';
import { expectCode } from '../../support/errors.js';
import { diffHayson, diffVals } from '../../support/hayson-compare.js';
import { loadSharedJson, sharedAvailable } from '../../support/shared.js';

interface Case {
  readonly name: string;
  readonly v3: unknown;
  readonly json: unknown;
  readonly optional?: boolean;
}

// Cases we read differently from the vector, each with the spec section we follow (see the conformance README).
const DISPUTED: readonly string[] = [];

const have = sharedAvailable('conformance/json-v3.json');
const cases = have ? loadSharedJson<Case[]>('conformance/json-v3.json') : [];

const v3 = (x: unknown): Val => decodeJson(typeof x === 'string' ? JSON.stringify(x) : x, { version: 3 });

describe.skipIf(!have)('json-v3.json: decoding gives the expected value', () => {
  const run = cases.filter((c) => c.optional !== true && !DISPUTED.includes(c.name));
  it.each(run.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(diffHayson(v3(c.v3), c.json)).toBeUndefined();
    // As text, too.
    expect(diffHayson(decodeJson(JSON.stringify(c.v3), { version: 3 }), c.json)).toBeUndefined();
  });

  it.each(run.map((c) => [c.name, c] as const))('%s re-encodes to v3 that decodes to the same value', (_n, c) => {
    const text = encodeJson(v3(c.v3), { version: 3 });
    expect(diffHayson(decodeJson(text, { version: 3 }), c.json)).toBeUndefined();
  });
});

describe('the v3 writer', () => {
  it('writes each kind with its type code (Json chapter table)', () => {
    const cases: [Val, unknown][] = [
      [MARKER, 'm:'],
      [REMOVE, '-:'],
      [NA, 'z:'],
      [null, null],
      [true, true],
      [new Num(45.5), 'n:45.5'],
      [new Num(73.2, '°F'), 'n:73.2 °F'],
      [new Num(Number.NEGATIVE_INFINITY), 'n:-INF'],
      [new Num(Number.NaN), 'n:NaN'],
      [new Ref('abc-123'), 'r:abc-123'],
      [new Ref('abc-123', 'RTU #3'), 'r:abc-123 RTU #3'],
      [new Sym('hot-water'), 'y:hot-water'],
      ['hello', 'hello'],
      [HDate.parse('2014-01-03'), 'd:2014-01-03'],
      [HTime.parse('23:59:00'), 'h:23:59:00'],
      [HDateTime.parse('2015-06-08T15:47:41-04:00 New_York'), 't:2015-06-08T15:47:41-04:00 New_York'],
      [new Uri('http://project-haystack.org/'), 'u:http://project-haystack.org/'],
      [new Coord(37.545, -77.449), 'c:37.545,-77.449'],
      [new XStr('Type', 'a:b'), 'x:Type:a:b'],
    ];
    for (const [v, j] of cases) expect(JSON.parse(encodeJson(v, { version: 3 }))).toEqual(j);
  });

  it('strings that contain a colon are written with s: (Json chapter: they must be)', () => {
    for (const s of ['m:', 's:x', 'a:b', 'ab:c', ':', 'n:5']) {
      expect(JSON.parse(encodeJson(s, { version: 3 }))).toBe(`s:${s}`);
      expect(v3(JSON.parse(encodeJson(s, { version: 3 })))).toBe(s);
    }
    expect(JSON.parse(encodeJson('x', { version: 3 }))).toBe('x');
  });

  it('grids put column meta beside the name and write meta.ver 3.0', () => {
    const g = Grid.make({
      meta: { a: MARKER },
      cols: [{ name: 'dis', meta: { dis: 'Equip Name' } }, 'b'],
      rows: [{ b: 1 }],
    });
    expect(JSON.parse(encodeJson(g, { version: 3 }))).toEqual({
      meta: { ver: '3.0', a: 'm:' },
      cols: [{ name: 'dis', dis: 'Equip Name' }, { name: 'b' }],
      rows: [{ b: 'n:1' }],
    });
  });
});

describe('the v3 reader', () => {
  it('accepts the legacy forms: one-digit hours, Z without a zone, b: Bin, raw JSON numbers', () => {
    expect(v3('h:9:30')).toEqual(HTime.parse('09:30:00'));
    expect((v3('t:2021-01-01T00:00:00Z') as HDateTime).tz.name).toBe('UTC');
    expect(v3('b:text/plain')).toEqual(new XStr('Bin', 'text/plain'));
    expect(v3(5)).toEqual(new Num(5));
    expect(v3('n:1e3 kW')).toEqual(new Num(1000, 'kW'));
  });

  it('reads the Kinds chapter coord example, spaces around the degrees included (as Haxall)', () => {
    // Kinds#coord: "c: 37.5458266,-77.4491888  // JSON
    expect(v3('c: 37.5458266,-77.4491888')).toEqual(new Coord(37.5458266, -77.4491888));
    expect(v3('c:37.5 , -77.4 ')).toEqual(new Coord(37.5, -77.4));
  });

  it('an object is a grid only when meta, cols and rows are all present', () => {
    expect(v3({ meta: { ver: '3.0' }, cols: [], rows: [] })).toBeInstanceOf(Grid);
    expect(v3({ meta: 'n:1', cols: [] })).toEqual(dict({ meta: 1, cols: Object.freeze([]) }));
  });

  it('rejects unknown type codes and malformed values with a ParseError at the value', () => {
    for (const bad of [
      'q:x',
      'm:x',
      'n:abc',
      'n:1 2',
      'r:',
      'd:2020-13-01',
      'h:25:00',
      'c:1',
      'c:91,0',
      'x:Type',
      'x:lower:v',
      'y:no way',
      't:2020-01-01T00:00:00-05:00 Nowhere',
      't:2020-01-01T00:00:00+24:00 UTC',
    ]) {
      expectCode(() => v3(bad), 'HS_ERR_PARSE');
    }
    const e = expectCode(() => decodeJson('{\n "rows": [],\n "a": ["n:1", "n:x"]\n}', { version: 3 }), 'HS_ERR_PARSE');
    expect(e.message).toMatch(/^json 3:15: .* at \$\.a\[1\]$/);
    expectCode(() => v3({ meta: { ver: '3.0' }, cols: [{ name: 'a' }, { name: 'a' }], rows: [] }), 'HS_ERR_PARSE');
    expectCode(() => v3({ meta: { ver: '3.0' }, cols: {}, rows: [] }), 'HS_ERR_PARSE');
  });
});

// What v3 cannot carry (documented on the writer): a column meta tag `name`, and a Dict with non-null meta, cols
// and rows tags (it reads back as a Grid).
function v3Representable(v: Val): boolean {
  if (v instanceof Grid) {
    return (
      v.cols.every((c) => !c.meta.has('name') && v3Representable(c.meta)) &&
      v3Representable(v.meta) &&
      v.rows.every(v3Representable)
    );
  }
  if (v instanceof Dict) {
    if (v.has('meta') && v.has('cols') && v.has('rows')) return false;
    for (const [, x] of v) if (!v3Representable(x)) return false;
    return true;
  }
  if (Array.isArray(v)) return (v as readonly Val[]).every(v3Representable);
  return true;
}

describe('JSON v3 round trip (where representable)', { timeout: 60_000 }, () => {
  const roundTrips = (v: Val): void => {
    fc.pre(v3Representable(v));
    const text = encodeJson(v, { version: 3 });
    expect(diffVals(decodeJson(text, { version: 3 }), v), text).toBeUndefined();
  };

  it('decode(encode(v)) equals v for values of every kind, nested', () => {
    fc.assert(fc.property(arbVal({ withNull: true }), roundTrips), { numRuns: 1500 });
  });

  it('grids keep meta, column meta, column order and rows', () => {
    fc.assert(fc.property(arbGrid({ maxDepth: 2 }), roundTrips), { numRuns: 500 });
  });

  it('the two limits of v3 are real: they change on the way back', () => {
    const g = Grid.make({ cols: [{ name: 'a', meta: { name: 'x' } }] });
    expect((decodeJson(encodeJson(g, { version: 3 }), { version: 3 }) as Grid).cols[0]?.meta.has('name')).toBe(false);
    const d = dict({ meta: dict({}), cols: Object.freeze([]), rows: Object.freeze([]) });
    expect(decodeJson(encodeJson(d, { version: 3 }), { version: 3 })).toBeInstanceOf(Grid);
  });
});
