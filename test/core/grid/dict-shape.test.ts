// Dict shapes: rows of a grid share one shape with absent slots, and every Dict behaves as an insertion-ordered Map.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeJson } from '../../../src/core/codec/json/index.js';
import { decodeZincGrid } from '../../../src/core/codec/zinc/index.js';
import { Dict, DictShape, dict, type TagVal } from '../../../src/core/grid/dict.js';
import type { Grid } from '../../../src/core/grid/grid.js';
import { RowAssembler } from '../../../src/core/grid/row-assembler.js';
import { compare, equals, hash } from '../../../src/core/kinds/equality.js';
import { MARKER } from '../../../src/core/kinds/marker.js';
import { num } from '../../../src/core/kinds/number.js';
import { arbDict, TRICKY_TAG_NAMES } from '../../support/arbitraries.js';
import { expectInvalid } from '../../support/errors.js';

const ZINC = 'ver:"3.0"\nid,dis,site,area,constructor\n@a,"A",M,,\n@b,,,10,"c"\n,,,,\n@c,"C",M,20,\n';

/** Row `i` of a grid (which must have it). */
function rowOf(g: Grid, i: number): Dict {
  return g.row(i);
}

describe('grid rows on one shape', () => {
  it('share the grid shape, null cells being absent tags', () => {
    const g = decodeZincGrid(ZINC);
    const rows = g.rows;
    const shape = rowOf(g, 0).shape;
    expect(shape.names).toEqual(['id', 'dis', 'site', 'area', 'constructor']);
    for (const r of [rowOf(g, 1), rowOf(g, 3)]) expect(r.shape).toBe(shape);
    const b = rowOf(g, 1);
    expect(b.size).toBe(3);
    expect(b.names).toEqual(['id', 'area', 'constructor']);
    expect([...b.keys()]).toEqual(['id', 'area', 'constructor']);
    expect([...b].map(([k]) => k)).toEqual(['id', 'area', 'constructor']);
    expect(b.has('dis')).toBe(false);
    expect(b.get('dis')).toBeNull();
    expect(b.missing('site')).toBe(true);
    expect(b.get('constructor')).toBe('c');
    expect(b.get('nope')).toBeNull();
    expect(rows[2]?.isEmpty).toBe(true);
    expect(b.equals(dict({ constructor: 'c', area: num(10), id: b.get('id') }))).toBe(true);
    expect(b.toString()).toBe('{id:@b area:10 constructor:"c"}');
  });

  it('reads values by slot through the low-level accessors', () => {
    const a = rowOf(decodeZincGrid(ZINC), 0);
    const slot = a.shape.slot('dis');
    expect(a.valueAt(slot)).toBe('A');
    expect(a.valueAt(a.shape.slot('area'))).toBeUndefined();
    expect(a.shape.slot('nope')).toBe(-1);
    expect(a.shape.slot('__proto__')).toBe(-1);
  });

  it('keep the key order of JSON rows, whatever the column order', () => {
    const json =
      '{"_kind":"grid","meta":{"ver":"3.0"},"cols":[{"name":"a"},{"name":"b"},{"name":"c"}],' +
      '"rows":[{"c":1,"a":2},{"b":"x","a":"y","c":"z"},{"a":1,"d":2},{"d":3,"b":4}]}';
    const g = decodeJson(json) as Grid;
    expect(g.colNames).toEqual(['a', 'b', 'c', 'd']);
    expect(g.rows.map((r) => r.names)).toEqual([
      ['c', 'a'],
      ['b', 'a', 'c'],
      ['a', 'd'],
      ['d', 'b'],
    ]);
    expect(rowOf(g, 0).shape).toBe(rowOf(g, 1).shape);
    expect(rowOf(g, 3).get('d')).toEqual(num(3));
  });
});

describe('Dict.fromShape', () => {
  const shape = DictShape.of(['a', 'b', 'c']);

  it('iterates in the given present order, else in slot order', () => {
    const given = Dict.fromShape(shape, ['x', undefined, 'z'], [2, 0]);
    expect(given.names).toEqual(['c', 'a']);
    expect(given.size).toBe(2);
    const scanned = Dict.fromShape(shape, ['x', undefined, 'z']);
    expect(scanned.names).toEqual(['a', 'c']);
    expect(given.equals(scanned)).toBe(true);
    expect(hash(given)).toBe(hash(scanned));
  });

  it('needs one value per slot', () => {
    expectInvalid(() => Dict.fromShape(shape, ['x']));
  });

  it('makes shapes only of unique valid tag names', () => {
    expectInvalid(() => DictShape.of(['a', 'a']));
    expectInvalid(() => DictShape.of(['Bad']));
    expectInvalid(() => DictShape.of(['__proto__']));
    const tricky = DictShape.of(['constructor', 'toString', 'hasOwnProperty']);
    const d = Dict.fromShape(tricky, [MARKER, 'x', undefined]);
    expect(d.get('toString')).toBe('x');
    expect(d.has('hasOwnProperty')).toBe(false);
    expect(d.toObject()).toEqual(Object.assign(Object.create(null) as object, { constructor: MARKER, toString: 'x' }));
  });

  it('gives fresh absent values for each row', () => {
    const a = shape.newValues();
    a[0] = 'x';
    expect(shape.newValues()).toEqual([undefined, undefined, undefined]);
  });
});

describe('changes to a row', () => {
  const row = (): Dict => rowOf(decodeZincGrid(ZINC), 0); // id, dis, site

  it('replace a present tag in place and keep the shape', () => {
    const r = row();
    const d = r.set('dis', 'B');
    expect(d.names).toEqual(['id', 'dis', 'site']);
    expect(d.shape).toBe(r.shape);
    expect(r.get('dis')).toBe('A');
  });

  it('append an absent tag last, as a Map would, even when the shape has a slot for it', () => {
    const r = row();
    expect(r.set('area', num(1)).names).toEqual(['id', 'dis', 'site', 'area']);
    expect(r.remove('dis').set('dis', 'again').names).toEqual(['id', 'site', 'dis']);
    expect(r.set('zzz', MARKER).names).toEqual(['id', 'dis', 'site', 'zzz']);
    expect(r.set('site', null).names).toEqual(['id', 'dis']);
    expect(r.remove('nope')).toBe(r);
    expect(r.remove('area')).toBe(r);
    expect(r.merge({ area: 5, dis: null }).names).toEqual(['id', 'site', 'area']);
  });
});

/** One change to a Dict and to a Map that models it. */
type Op =
  | { readonly op: 'set'; readonly name: string; readonly val: TagVal | null }
  | { readonly op: 'remove'; readonly name: string }
  | { readonly op: 'merge'; readonly tags: readonly (readonly [string, TagVal | null])[] };

const NAMES = ['a', 'b', 'c', 'd', 'constructor', 'valueOf'] as const;
const arbName = fc.constantFrom(...NAMES);
const arbValue: fc.Arbitrary<TagVal | null> = fc.oneof(
  fc.constant(null),
  fc.constant(MARKER),
  fc.string({ maxLength: 3 }),
  fc.integer().map((n) => num(n)),
);
const arbOp: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('set' as const), name: arbName, val: arbValue }),
  fc.record({ op: fc.constant('remove' as const), name: arbName }),
  fc.record({
    op: fc.constant('merge' as const),
    tags: fc.array(fc.tuple(arbName, arbValue), { maxLength: 3 }),
  }),
);

function apply(d: Dict, m: Map<string, TagVal>, op: Op): Dict {
  switch (op.op) {
    case 'set':
      if (op.val === null) m.delete(op.name);
      else m.set(op.name, op.val);
      return d.set(op.name, op.val);
    case 'remove':
      m.delete(op.name);
      return d.remove(op.name);
    case 'merge':
      for (const [k, v] of op.tags) {
        if (v === null) m.delete(k);
        else m.set(k, v);
      }
      return d.merge(op.tags);
  }
}

function expectSameAs(d: Dict, m: ReadonlyMap<string, TagVal>): void {
  expect(d.names).toEqual([...m.keys()]);
  expect([...d.entries()]).toEqual([...m.entries()]);
  const seen: [string, TagVal][] = [];
  d.forEach((v, k) => {
    seen.push([k, v]);
  });
  expect(seen).toEqual([...m.entries()]);
  expect(d.size).toBe(m.size);
  expect(d.isEmpty).toBe(m.size === 0);
  for (const name of [...NAMES, 'nope', '__proto__']) {
    expect(d.has(name)).toBe(m.has(name));
    expect(d.get(name)).toBe(m.get(name) ?? null);
  }
  expect(d.equals(Dict.fromTrustedMap(new Map(m)))).toBe(true);
}

describe('any Dict behaves as an insertion-ordered Map', () => {
  // Starting points: a grid row (absent slots, present order given), a scanned row, Dict.of, fromTrustedMap.
  const arbStart = fc.array(fc.tuple(arbName, arbValue), { maxLength: 6 }).chain((tags) =>
    fc.constantFrom('row', 'scanned', 'of', 'map').map((how) => {
      const m = new Map<string, TagVal>();
      for (const [k, v] of tags) if (v !== null) m.set(k, v);
      const shape = DictShape.of([...NAMES].reverse());
      const values = shape.newValues();
      const present: number[] = [];
      for (const [k, v] of m) {
        values[shape.slot(k)] = v;
        present.push(shape.slot(k));
      }
      let d: Dict;
      if (how === 'row') d = Dict.fromShape(shape, values, present);
      else if (how === 'scanned') {
        d = Dict.fromShape(shape, values);
        // A scanned row iterates in slot order: the model follows it.
        const ordered = new Map([...m].sort(([a], [b]) => shape.slot(a) - shape.slot(b)));
        m.clear();
        for (const [k, v] of ordered) m.set(k, v);
      } else if (how === 'of') d = Dict.of([...m]);
      else d = Dict.fromTrustedMap(new Map(m));
      return { d, m };
    }),
  );

  it('through any sequence of set, remove and merge', () => {
    fc.assert(
      fc.property(arbStart, fc.array(arbOp, { maxLength: 8 }), ({ d, m }, ops) => {
        expectSameAs(d, m);
        const original = [...d.entries()];
        let cur = d;
        for (const op of ops) {
          cur = apply(cur, m, op);
          expectSameAs(cur, m);
        }
        // Changes make new Dicts: the first is untouched.
        expect([...d.entries()]).toEqual(original);
      }),
      { numRuns: 500 },
    );
  });

  it('equal, compared and hashed by content whatever the shapes', () => {
    fc.assert(
      fc.property(arbDict(), (d) => {
        const entries = [...d.entries()];
        const shape = DictShape.of(
          entries
            .map(([k]) => k)
            .concat(['zzOther'])
            .reverse(),
        );
        const values = shape.newValues();
        for (const [k, v] of entries) values[shape.slot(k)] = v;
        const row = Dict.fromShape(shape, values);
        expect(row.equals(d)).toBe(true);
        expect(d.equals(row)).toBe(true);
        expect(equals(row, d)).toBe(true);
        expect(compare(row, d)).toBe(0);
        expect(hash(row)).toBe(hash(d));
        expect(row.size).toBe(d.size);
      }),
      { numRuns: 200 },
    );
  });
});

describe('shapes of Dicts made from names', () => {
  it('are shared by Dicts of the same names in the same order', () => {
    const a = dict({ id: 'x', dis: 'A', site: MARKER });
    const b = Dict.fromTrustedMap(
      new Map<string, TagVal>([
        ['id', 'y'],
        ['dis', 'B'],
        ['site', MARKER],
      ]),
    );
    expect(a.shape).toBe(b.shape);
    expect(dict({ dis: 'A', id: 'x', site: MARKER }).shape).not.toBe(a.shape);
  });

  it('work for the JS-special names', () => {
    for (const name of TRICKY_TAG_NAMES) {
      const d = dict({ [name]: MARKER });
      expect(d.get(name)).toBe(MARKER);
      expect(d.names).toEqual([name]);
    }
  });
});

describe('RowAssembler', () => {
  it('builds rows on one shape in the order tags are put', () => {
    const asm = new RowAssembler(['a', 'b', 'c']);
    asm.put('c', 'z');
    asm.put('a', 'x');
    asm.put('c', 'again');
    const r1 = asm.end();
    asm.put('b', 'y');
    const r2 = asm.end();
    expect(r1.names).toEqual(['c', 'a']);
    expect(r1.get('c')).toBe('again');
    expect(r2.names).toEqual(['b']);
    expect(r1.shape).toBe(r2.shape);
    expect(asm.end()).toBe(Dict.EMPTY);
  });

  it('makes a row with a new name on its own, and later rows get the name in their shape', () => {
    const asm = new RowAssembler(['a']);
    asm.put('a', 'x');
    asm.put('new', 'n');
    asm.put('a', 'y');
    const r1 = asm.end();
    expect(r1.names).toEqual(['a', 'new']);
    expect(r1.get('a')).toBe('y');
    asm.put('new', 'm');
    const r2 = asm.end();
    asm.put('a', 'w');
    const r3 = asm.end();
    expect(r2.shape).toBe(r3.shape);
    expect(r2.shape.names).toEqual(['a', 'new']);
    expect(r2.names).toEqual(['new']);
  });

  it('stays right when every row brings new names', () => {
    const asm = new RowAssembler([]);
    const rows: Dict[] = [];
    for (let i = 0; i < 40; i++) {
      asm.put(`t${i}`, MARKER);
      asm.put('a', String(i));
      rows.push(asm.end());
    }
    rows.forEach((r, i) => {
      expect(r.names).toEqual([`t${i}`, 'a']);
      expect(r.get('a')).toBe(String(i));
    });
  });
});
