// Dict shapes: rows of a grid share one shape with absent slots, and every Dict behaves as an insertion-ordered Map.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dict, DictShape, dict, type TagVal } from '../../../src/core/grid/dict.js';
import { compare, equals, hash } from '../../../src/core/kinds/equality.js';
import { MARKER } from '../../../src/core/kinds/marker.js';
import { num } from '../../../src/core/kinds/number.js';
import { arbDict, TRICKY_TAG_NAMES } from '../../support/arbitraries.js';
import { expectInvalid } from '../../support/errors.js';

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
