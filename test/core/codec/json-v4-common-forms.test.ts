// Hayson's commonest values (refs, repeated dateTimes, rows of a grid) read the same in every layout, well formed
// or not, as the walk of the same JSON parsed reads them.

import { describe, expect, it } from 'vitest';
import { decodeJson, jsonDictStream } from '../../../src/core/codec/json/index.js';
import { type Dict, type Grid, HDateTime, num, ParseError, Ref, type Val } from '../../../src/core/index.js';
import { expectCode } from '../../support/errors.js';
import { diffVals } from '../../support/hayson-compare.js';

// Decoded as text and as parsed JSON (the walk, the oracle here): both must agree.
function both(text: string): Val {
  const fromText = decodeJson(text);
  expect(diffVals(decodeJson(JSON.parse(text) as unknown), fromText)).toBeUndefined();
  return fromText;
}

function parseErrorAt(text: string): readonly [number, number] {
  const e = expectCode(() => decodeJson(text), 'HS_ERR_PARSE');
  if (!(e instanceof ParseError)) throw new Error(`expected a ParseError, got ${e.name}`);
  return [e.line, e.column];
}

// [text, id, dis]
const REFS: readonly (readonly [string, string, string | undefined])[] = [
  ['{"_kind":"ref","val":"a-1"}', 'a-1', undefined],
  ['{"_kind":"ref","val":"a:b.c~d_E9"}', 'a:b.c~d_E9', undefined],
  ['{ "_kind" : "ref" ,\n "val" : "a-1" ,\t"dis" : "A \\"one\\"" }', 'a-1', 'A "one"'],
  ['{"_kind":"ref","val":"a-1","dis":"Main Meter"}', 'a-1', 'Main Meter'],
  ['{"_kind":"ref","dis":"A","val":"a-1"}', 'a-1', 'A'],
  ['{"_kind":"ref","val":"a-1","dis":null}', 'a-1', undefined],
  ['{"_kind":"ref","val":"a-1","dis":"A","x":[1]}', 'a-1', 'A'],
  ['{"_kind":"ref","val":"a-1","x":1}', 'a-1', undefined],
  ['{"_kind":"ref","val":"b","val":"a-1"}', 'a-1', undefined],
  ['{"_kind":"ref","val":"a-1","dis":"B","dis":"A"}', 'a-1', 'A'],
  ['{"_kind":"ref","val":"a\\u002d1"}', 'a-1', undefined],
  ['{"val":"a-1","_kind":"ref"}', 'a-1', undefined],
];

describe('refs', () => {
  it.each(REFS.map(([t, id, dis]) => [t, id, dis] as const))('%s', (text, id, dis) => {
    const r = both(text);
    expect(r).toBeInstanceOf(Ref);
    expect([(r as Ref).id, (r as Ref).dis]).toEqual([id, dis]);
  });

  it('that are not valid fail at the offending member', () => {
    expect(parseErrorAt('{"_kind":"ref","val":"a b"}')).toEqual([1, 22]);
    expect(parseErrorAt('{"_kind":"ref","val":""}')).toEqual([1, 22]);
    expect(parseErrorAt('{"_kind":"ref","val":"a\\u0020b"}')).toEqual([1, 22]);
    expect(parseErrorAt('{"_kind":"ref","val":"a","dis":5}')).toEqual([1, 32]);
    expect(parseErrorAt('{"_kind":"ref","val":"a","dis":"b\nc"}')).toEqual([1, 34]);
    expect(parseErrorAt('{"_kind":"ref","val":"a" "dis":"b"}')).toEqual([1, 26]);
    expect(parseErrorAt('{"_kind":"ref","val":"a"')).toEqual([1, 25]);
    expect(parseErrorAt('{"_kind":"ref","val":"a","dis":"b"')).toEqual([1, 35]);
    expect(parseErrorAt('{"_kind":"ref","val":"a-1"}}')).toEqual([1, 28]);
  });

  it('with an id past maxTokenLength are a LimitError', () => {
    const text = `{"_kind":"ref","val":"${'a'.repeat(11)}"}`;
    expectCode(() => decodeJson(text, { limits: { maxTokenLength: 10 } }), 'HS_ERR_LIMIT');
    expect((decodeJson(text, { limits: { maxTokenLength: 11 } }) as Ref).id).toBe('a'.repeat(11));
  });

  it('read in pieces cut anywhere read the same', () => {
    const text = '[{"a":{"_kind":"ref","val":"a-1","dis":"A"}},{"b":{"_kind":"ref", "val" : "b-2" }}]';
    const whole = [...(decodeJson(text) as readonly Dict[])];
    for (let cut = 1; cut < text.length; cut++) {
      const s = jsonDictStream();
      const got = [...s.push(text.slice(0, cut)), ...s.push(text.slice(cut)), ...s.end()];
      expect(diffVals(Object.freeze(got), Object.freeze(whole))).toBeUndefined();
    }
  });
});

describe('dateTimes met again in one text', () => {
  const dt = (val: string, tz?: string): string =>
    `{"_kind":"dateTime","val":"${val}"${tz === undefined ? '' : `,"tz":"${tz}"`}}`;

  it('are the same instant in the same zone, and another in another zone or none', () => {
    const val = '2021-03-22T13:57:00-04:00';
    const list = both(
      `[${dt(val, 'New_York')},${dt(val, 'New_York')},${dt(val, 'Chicago')},${dt(val)},${dt(val, 'New_York')}]`,
    );
    const [ny, ny2, chi, gmt, ny3] = list as readonly HDateTime[];
    expect([ny?.tz.name, chi?.tz.name, gmt?.tz.name, ny3?.tz.name]).toEqual(['New_York', 'Chicago', 'GMT', 'New_York']);
    expect([ny?.toIso(), chi?.toIso(), gmt?.toIso()]).toEqual([
      '2021-03-22T13:57:00-04:00',
      '2021-03-22T12:57:00-05:00',
      '2021-03-22T17:57:00Z',
    ]);
    // Met again in the same zone: the value read the first time (one object, not one per occurrence).
    expect(ny2).toBe(ny);
    expect(ny3?.equals(ny)).toBe(true);
  });

  it('read right past hundreds of distinct ones', () => {
    const vals = Array.from({ length: 600 }, (_, i) => {
      const t = Date.UTC(2020, 0, 1) + i * 61_000;
      return new Date(t).toISOString().replace('.000Z', 'Z');
    });
    const text = `[${[...vals, ...vals.slice(0, 300).reverse()].map((v) => dt(v, 'UTC')).join(',')}]`;
    const got = both(text) as readonly HDateTime[];
    expect(got.length).toBe(900);
    got.forEach((d, i) => {
      const v = vals[i < 600 ? i : 899 - i] as string;
      expect(d).toBeInstanceOf(HDateTime);
      expect([d.epochMs, d.tz.name]).toEqual([Date.parse(v), 'UTC']);
    });
  });
});

describe('grid rows', () => {
  it('keep their tags, repeated names and late columns included', () => {
    const cols = Array.from({ length: 40 }, (_, i) => `{"name":"c${i}"}`).join(',');
    const rows = Array.from({ length: 60 }, (_, i) => {
      // Every row brings a name no earlier row had, past the assembler's reshapes.
      const extra = `"x${i}":${i}`;
      return i % 3 === 0 ? `{"c1":"a","c0":1,"c1":"b",${extra}}` : `{${extra},"c${i % 40}":{"_kind":"marker"},"c39":2}`;
    });
    const g = both(`{"_kind":"grid","meta":{"ver":"3.0"},"cols":[${cols}],"rows":[${rows.join(',')}]}`) as Grid;
    expect(g.colNames.length).toBe(100);
    expect(g.row(0).names).toEqual(['c1', 'c0', 'x0']);
    expect(g.row(0).get('c1')).toBe('b');
    expect(g.row(1).names).toEqual(['x1', 'c1', 'c39']);
    expect(g.row(59).names).toEqual(['x59', 'c19', 'c39']);
    expect(g.row(57).names).toEqual(['c1', 'c0', 'x57']);
  });

  it('hold only their own tags: rows with the same tags in the same order share one layout, as Zinc rows do', () => {
    const g = both(
      '{"_kind":"grid","meta":{"ver":"3.0"},"cols":[{"name":"a"},{"name":"b"},{"name":"c"}],' +
        '"rows":[{"b":1,"a":2},{"b":3,"a":4},{"a":5,"b":6},{"c":7}]}',
    ) as Grid;
    const [r0, r1, r2, r3] = [g.row(0), g.row(1), g.row(2), g.row(3)];
    expect(r1.presentSlots).toBe(r0.presentSlots);
    expect(r2.presentSlots).not.toBe(r0.presentSlots);
    expect([r0.names, r2.names, r3.names]).toEqual([['b', 'a'], ['a', 'b'], ['c']]);
    expect([r1.valueAt(r1.shape.slot('a')), r1.valueAt(r1.shape.slot('c'))]).toEqual([num(4), undefined]);
    expect(r3.shape).toBe(r0.shape);
  });
});
