// Hayson (JSON v4) decoding: the Json chapter's forms, every Hayson vector of the shared suites, member order, safety.

import { describe, expect, it } from 'vitest';
import { decodeJson } from '../../../src/core/codec/json/index.js';
import {
  Coord,
  Dict,
  dict,
  Grid,
  HDate,
  type HDateTime,
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
import { expectCode } from '../../support/errors.js';
import { diffHayson, diffVals } from '../../support/hayson-compare.js';
import { loadSharedJson, sharedAvailable } from '../../support/shared.js';

// Decodes both as text (the one-pass reader) and as parsed JSON (the walk); both must agree. (A string is always
// taken as text, so a parsed JSON string cannot take the walk.)
function both(text: string): Val {
  const fromText = decodeJson(text);
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed === 'string') return fromText;
  const fromParsed = decodeJson(parsed);
  expect(diffVals(fromParsed, fromText)).toBeUndefined();
  return fromText;
}

describe('Json chapter forms', () => {
  it('a bare JSON number is a unitless Number; the object forms carry specials and units', () => {
    expect(both('123.45')).toEqual(new Num(123.45));
    expect(both('{ "_kind": "number", "val": 123.45 }')).toEqual(new Num(123.45));
    expect(both('{ "_kind": "number", "val": 123, "unit": "m" }')).toEqual(new Num(123, 'm'));
    expect((both('{ "_kind": "number", "val": "INF" }') as Num).val).toBe(Number.POSITIVE_INFINITY);
    expect((both('{ "_kind": "number", "val": "-INF" }') as Num).val).toBe(Number.NEGATIVE_INFINITY);
    expect((both('{ "_kind": "number", "val": "NaN" }') as Num).isNaN).toBe(true);
    expect(both('-0.5e-3')).toEqual(new Num(-0.0005));
    expect(both('12345678901234567890')).toEqual(new Num(Number('12345678901234567890')));
  });

  it('singletons, refs, dates, times, uris, coords, xstrs and symbols', () => {
    expect(both('{ "_kind": "marker" }')).toBe(MARKER);
    expect(both('{ "_kind": "remove" }')).toBe(REMOVE);
    expect(both('{ "_kind": "na" }')).toBe(NA);
    const r = both('{ "_kind": "ref", "val": "abc-def", "dis": "Main Elec Meter" }') as Ref;
    expect([r.id, r.dis]).toEqual(['abc-def', 'Main Elec Meter']);
    expect((both('{ "_kind": "ref", "val": "abc-def"}') as Ref).dis).toBeUndefined();
    expect(both('{ "_kind": "date", "val": "2021-03-22" }')).toEqual(HDate.parse('2021-03-22'));
    expect(both('{ "_kind": "time", "val": "17:19:23" }')).toEqual(HTime.parse('17:19:23'));
    expect(both('{ "_kind": "uri", "val": "https://project-haystack.org" }')).toEqual(
      new Uri('https://project-haystack.org'),
    );
    expect(both('{ "_kind": "coord", "lat": 50.979603, "lng": 10.318789 }')).toEqual(new Coord(50.979603, 10.318789));
    expect(both('{ "_kind": "xstr", "type": "Span", "val": "today" }')).toEqual(new XStr('Span', 'today'));
    expect(both('{ "_kind": "symbol", "val": "site" }')).toEqual(new Sym('site'));
  });

  it('a dateTime keeps its zone; without tz it is in GMT', () => {
    const ny = both('{ "_kind": "dateTime", "val": "2021-03-22T13:57:00.381-04:00", "tz": "New_York" }') as HDateTime;
    expect(ny.tz.name).toBe('New_York');
    expect(ny.epochMs).toBe(Date.parse('2021-03-22T17:57:00.381Z'));
    const gmt = both('{ "_kind": "dateTime", "val": "2021-03-22T17:56:05.411Z"}') as HDateTime;
    expect([gmt.tz.name, gmt.epochMs]).toEqual(['GMT', Date.parse('2021-03-22T17:56:05.411Z')]);
    // An offset without a zone is the same instant, shown in GMT.
    const shifted = both('{ "_kind": "dateTime", "val": "2021-03-22T13:56:05-04:00"}') as HDateTime;
    expect([shifted.tz.name, shifted.offset, shifted.toIso()]).toEqual(['GMT', 0, '2021-03-22T17:56:05Z']);
  });

  it('dicts: _kind is optional, keys that are not tag names are skipped, null means absent', () => {
    expect(both('{}')).toBe(Dict.EMPTY);
    expect(both('{ "_kind": "dict" }')).toBe(Dict.EMPTY);
    const d = both('{ "site": { "_kind": "marker" }, "dis": "Kennedy Center", "Ignore": "skipped", "gone": null }');
    expect(d).toEqual(dict({ site: MARKER, dis: 'Kennedy Center' }));
  });

  it('lists are frozen arrays of any values', () => {
    const l = both('[ true, 123, "a string", {"site": { "_kind":"marker"}, "dis":"Carnegie Hall"}, null]');
    expect(Object.isFrozen(l)).toBe(true);
    expect(
      diffVals(l, [true, new Num(123), 'a string', dict({ site: MARKER, dis: 'Carnegie Hall' }), null]),
    ).toBeUndefined();
  });

  it('grids: meta without ver, columns with meta, rows as dicts', () => {
    const g = both(`{
      "_kind": "grid",
      "meta": { "ver": "3.0", "foo": "bar" },
      "cols": [ { "name": "dis", "meta": { "dis": "Equip Name"} }, { "name": "equip" }, { "name": "siteRef" } ],
      "rows": [
        { "dis": "RTU-1", "equip": { "_kind": "marker" }, "siteRef": { "_kind": "ref", "val": "153c-699a", "dis": "HQ"} },
        { "dis": "RTU-2", "siteRef": null }
      ]
    }`) as Grid;
    expect(g).toBeInstanceOf(Grid);
    expect(g.meta).toEqual(dict({ foo: 'bar' }));
    expect(g.colNames).toEqual(['dis', 'equip', 'siteRef']);
    expect(g.cols[0]?.meta).toEqual(dict({ dis: 'Equip Name' }));
    expect(g.row(1)).toEqual(dict({ dis: 'RTU-2' }));
  });

  it('a row tag that the cols array forgot becomes a column at the end', () => {
    const g = both(
      '{"_kind":"grid","meta":{"ver":"3.0"},"cols":[{"name":"a"}],"rows":[{"a":1,"b":2},{"c":3}]}',
    ) as Grid;
    expect(g.colNames).toEqual(['a', 'b', 'c']);
    expect(both('{"_kind":"grid","rows":[{"x":1}]}')).toEqual(Grid.make({ cols: ['x'], rows: [{ x: 1 }] }));
  });
});

describe('member order does not matter', () => {
  it('_kind after the other members, for scalars, dicts and grids', () => {
    expect(both('{"val":"a-1","dis":"A","_kind":"ref"}')).toEqual(new Ref('a-1', 'A'));
    expect((both('{"unit":"kW","val":5,"_kind":"number"}') as Num).unit).toBe('kW');
    expect(both('{"a":{"_kind":"marker"},"_kind":"dict","b":1}')).toEqual(dict({ a: MARKER, b: 1 }));
    const text =
      '{"rows":[{"b":2,"a":1}],"meta":{"x":"y","ver":"3.0"},"cols":[{"meta":{"dis":"A"},"name":"a"},{"name":"b"}],"_kind":"grid"}';
    const g = both(text) as Grid;
    expect(g.colNames).toEqual(['a', 'b']);
    expect(g.meta).toEqual(dict({ x: 'y' }));
    expect(g.cols[0]?.meta).toEqual(dict({ dis: 'A' }));
    expect(diffVals(g.row(0), dict({ a: 1, b: 2 }))).toBeUndefined();
  });

  it('rows before cols keep the declared column order', () => {
    const g = both('{"_kind":"grid","rows":[{"c":1,"b":2,"z":3}],"cols":[{"name":"b"},{"name":"c"}]}') as Grid;
    expect(g.colNames).toEqual(['b', 'c', 'z']);
  });

  it('members a kind does not use are ignored, nested ones included', () => {
    expect(both('{"_kind":"marker","note":[1,{"_kind":"ref","val":"x"}]}')).toBe(MARKER);
    expect(both('{"x":{"y":[1,2]},"val":"q","_kind":"ref"}')).toEqual(new Ref('q'));
  });
});

describe('keys never reach a prototype', () => {
  it('__proto__ and friends are skipped or ordinary tags, and Object.prototype is untouched', () => {
    const text = '{"__proto__":{"polluted":"yes"},"constructor":"c","toString":{"_kind":"marker"},"hasOwnProperty":1}';
    const d = both(text) as Dict;
    expect([...d.names].sort()).toEqual(['constructor', 'hasOwnProperty', 'toString']);
    expect(d.get('constructor')).toBe('c');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const g = both('{"_kind":"grid","cols":[{"name":"a"}],"rows":[{"__proto__":{"a":1},"a":2}]}') as Grid;
    expect(g.row(0)).toEqual(dict({ a: 2 }));
  });
});

describe('text details', () => {
  it('a byte-order mark and whitespace around the value are allowed', () => {
    expect(decodeJson('\ufeff \n\t{"a":1}\r\n ')).toEqual(dict({ a: 1 }));
  });

  it('UTF-8 bytes are text too; bytes that are not UTF-8 are a ParseError', () => {
    const bytes = new TextEncoder().encode('\ufeff{"unit":{"_kind":"number","val":1,"unit":"m²"}}');
    expect(decodeJson(bytes)).toEqual(dict({ unit: new Num(1, 'm²') }));
    expect(decodeJson(bytes, { version: 3 })).toBeInstanceOf(Dict);
    expectCode(() => decodeJson(new Uint8Array([0x22, 0xff, 0x22])), 'HS_ERR_PARSE');
    expectCode(() => decodeJson(new TextEncoder().encode('[1, 2]'), { limits: { maxLength: 5 } }), 'HS_ERR_LIMIT');
  });

  it('escapes decode, member names with escapes included', () => {
    expect(decodeJson('"a\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00"')).toBe('a"b\\c/d\b\f\n\r\té😀');
    expect(decodeJson('{"\\u0073ite":{"\\u005fkind":"marker"}}')).toEqual(dict({ site: MARKER }));
  });

  it('repeated member names come back as one shared string', () => {
    const g = decodeJson('{"_kind":"grid","rows":[{"siteRef":1},{"siteRef":2}]}') as Grid;
    const [a, b] = [g.row(0).names[0], g.row(1).names[0]];
    expect(a).toBe('siteRef');
    expect(a === b).toBe(true);
  });
});

const SUITES = ['conformance/zinc.json', 'conformance/trio.json', 'conformance/json-v3.json'] as const;

describe.each(SUITES.filter((s) => sharedAvailable(s)))('every Hayson value of %s decodes by meaning', (suite) => {
  const cases = loadSharedJson<{ name: string; json: unknown }[]>(suite);
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const text = JSON.stringify(c.json);
    expect(diffHayson(both(text), c.json)).toBeUndefined();
    // And pretty-printed, as people write it.
    expect(diffHayson(decodeJson(JSON.stringify(c.json, null, 2)), c.json)).toBeUndefined();
  });
});
