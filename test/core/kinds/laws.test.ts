// Laws over every kind: equals is an equivalence, compare a total order agreeing with equals, equal values hash alike.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dict, type TagVal } from '../../../src/core/grid/dict.js';
import { Grid } from '../../../src/core/grid/grid.js';
import { Coord } from '../../../src/core/kinds/coord.js';
import { HDate } from '../../../src/core/kinds/date.js';
import { HDateTime } from '../../../src/core/kinds/date-time.js';
import { compare, equals, hash } from '../../../src/core/kinds/equality.js';
import { isList, KINDS, type Kind, kindOf, type Val } from '../../../src/core/kinds/kind.js';
import { Num } from '../../../src/core/kinds/number.js';
import { Ref } from '../../../src/core/kinds/ref.js';
import { Sym } from '../../../src/core/kinds/symbol.js';
import { HTime } from '../../../src/core/kinds/time.js';
import { Uri } from '../../../src/core/kinds/uri.js';
import { XStr } from '../../../src/core/kinds/xstr.js';
import {
  arbBool,
  arbCoord,
  arbDate,
  arbDateTime,
  arbDict,
  arbGrid,
  arbList,
  arbMarker,
  arbNA,
  arbNum,
  arbRef,
  arbRemove,
  arbStr,
  arbSym,
  arbTime,
  arbUri,
  arbVal,
  arbXStr,
} from '../../support/arbitraries.js';

/** An equal but (for objects) not identical copy: -0 for 0, a new NaN, another Ref dis, dict tags reordered. */
function copy(v: Val): Val {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (isList(v)) return Object.freeze(v.map(copy));
  if (v instanceof Num) return new Num(v.val === 0 ? -v.val : Number.isNaN(v.val) ? Math.sqrt(-1) : v.val, v.unit);
  if (v instanceof Ref) return new Ref(v.id, v.dis === undefined ? 'another dis' : undefined);
  if (v instanceof Sym) return new Sym(v.val);
  if (v instanceof Uri) return new Uri(v.val);
  if (v instanceof XStr) return new XStr(v.type, v.val);
  if (v instanceof Coord) return new Coord(v.lat, v.lng);
  if (v instanceof HDate) return HDate.parse(v.toString());
  if (v instanceof HTime) return HTime.parse(v.toString());
  if (v instanceof HDateTime) return HDateTime.parse(v.toString());
  if (v instanceof Dict) return copyDict(v);
  if (v instanceof Grid) {
    const rows = v.rows.map(copyDict);
    return Grid.fromTrustedParts(
      copyDict(v.meta),
      v.cols.map((c) => ({ name: c.name, meta: copyDict(c.meta) })),
      { size: rows.length, row: (i: number) => rows[i] ?? Dict.EMPTY },
    );
  }
  return v; // Marker, NA, Remove: singletons
}

function copyDict(d: Dict): Dict {
  return Dict.of([...d].reverse().map(([k, x]): [string, Val] => [k, copy(x)]));
}

const BY_KIND: Readonly<Record<Kind, fc.Arbitrary<Val>>> = {
  marker: arbMarker,
  na: arbNA,
  remove: arbRemove,
  bool: arbBool,
  number: arbNum,
  str: arbStr,
  uri: arbUri,
  ref: arbRef,
  symbol: arbSym,
  date: arbDate,
  time: arbTime,
  dateTime: arbDateTime,
  coord: arbCoord,
  xstr: arbXStr,
  list: arbList({ maxDepth: 2 }),
  dict: arbDict({ maxDepth: 2 }),
  grid: arbGrid({ maxDepth: 2 }),
};

/** Values of one kind, some of them copies of others (so equal pairs occur often). */
const arbSameKind: fc.Arbitrary<Val[]> = fc
  .constantFrom(...KINDS)
  .chain((k) =>
    fc
      .tuple(fc.array(BY_KIND[k], { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 4 }))
      .map(([vals, picks]) => [...vals, ...picks.map((p) => copy(vals[p % vals.length] ?? null))]),
  );

/** Triples where b may be a copy of a and c a copy of b. */
const arbTriple: fc.Arbitrary<[Val, Val, Val]> = fc
  .tuple(arbVal({ withNull: true }), arbVal(), arbVal(), fc.boolean(), fc.boolean())
  .map(([a, b0, c0, copyB, copyC]) => {
    const b = copyB ? copy(a) : b0;
    return [a, b, copyC ? copy(b) : c0];
  });

const RUNS = 200;

describe('the copy helper', () => {
  it('makes copies that are not the same object', () => {
    fc.assert(
      fc.property(arbVal(), (v) => {
        const c = copy(v);
        const shared = ['marker', 'na', 'remove'].includes(kindOf(v)) || v === Dict.EMPTY; // singletons
        if (typeof v === 'object' && v !== null && !shared) {
          expect(c).not.toBe(v);
        }
      }),
      { numRuns: 100 },
    );
  });
});

describe('equals is an equivalence', () => {
  it('is reflexive, also for equal-but-not-identical copies', () => {
    fc.assert(
      fc.property(arbVal({ withNull: true }), (v) => {
        expect(equals(v, v)).toBe(true);
        expect(equals(v, copy(v))).toBe(true);
        expect(equals(copy(v), v)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('is symmetric', () => {
    fc.assert(
      fc.property(arbTriple, ([a, b]) => {
        expect(equals(a, b)).toBe(equals(b, a));
      }),
      { numRuns: RUNS },
    );
  });

  it('is transitive', () => {
    fc.assert(
      fc.property(arbTriple, ([a, b, c]) => {
        if (equals(a, b) && equals(b, c)) expect(equals(a, c)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('never equates values of different kinds', () => {
    fc.assert(
      fc.property(arbVal({ withNull: true }), arbVal({ withNull: true }), (a, b) => {
        if (kindOf(a) !== kindOf(b)) expect(equals(a, b)).toBe(false);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('compare is a total order that agrees with equals', () => {
  it('is zero exactly when equals holds, and antisymmetric', () => {
    fc.assert(
      fc.property(arbTriple, ([a, b]) => {
        const ab = compare(a, b);
        expect(Number.isFinite(ab)).toBe(true);
        expect(ab === 0).toBe(equals(a, b));
        expect(Math.sign(compare(b, a))).toBe(-Math.sign(ab) + 0);
      }),
      { numRuns: RUNS },
    );
  });

  it('is total and transitive within each kind (sorting gives a consistent chain)', () => {
    fc.assert(
      fc.property(arbSameKind, (vals) => {
        const sorted = [...vals].sort(compare);
        for (let i = 0; i < sorted.length; i++) {
          for (let j = i; j < sorted.length; j++) {
            const a = sorted[i] ?? null;
            const b = sorted[j] ?? null;
            expect(compare(a, b)).toBeLessThanOrEqual(0);
            expect(compare(a, b) === 0).toBe(equals(a, b));
            expect(Math.sign(compare(b, a))).toBe(-Math.sign(compare(a, b)) + 0);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('is transitive across generated triples', () => {
    fc.assert(
      fc.property(arbTriple, ([a, b, c]) => {
        if (compare(a, b) <= 0 && compare(b, c) <= 0) expect(compare(a, c)).toBeLessThanOrEqual(0);
        if (compare(a, b) === 0) expect(Math.sign(compare(a, c))).toBe(Math.sign(compare(b, c)));
      }),
      { numRuns: RUNS },
    );
  });

  it('orders values of different kinds by kind (null first), whatever their content', () => {
    fc.assert(
      fc.property(arbVal({ withNull: true }), arbVal({ withNull: true }), (a, b) => {
        const ka = kindOf(a);
        const kb = kindOf(b);
        if (ka === kb) return;
        const rank = (k: Kind | 'null'): number => (k === 'null' ? -1 : KINDS.indexOf(k));
        expect(Math.sign(compare(a, b))).toBe(Math.sign(rank(ka) - rank(kb)));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('hash is consistent with equals', () => {
  it('hashes equal values alike (copies: -0 and 0, NaN and NaN, another Ref dis, reordered dict tags)', () => {
    fc.assert(
      fc.property(arbVal({ withNull: true }), (v) => {
        const h = hash(v);
        expect(Number.isInteger(h)).toBe(true);
        expect(h | 0).toBe(h);
        expect(hash(copy(v))).toBe(h);
      }),
      { numRuns: RUNS },
    );
  });

  it('hashes equal triples alike', () => {
    fc.assert(
      fc.property(arbTriple, ([a, b, c]) => {
        if (equals(a, b)) expect(hash(a)).toBe(hash(b));
        if (equals(b, c)) expect(hash(b)).toBe(hash(c));
      }),
      { numRuns: RUNS },
    );
  });

  it('spreads distinct values (few collisions)', () => {
    const vals = fc.sample(arbVal(), 2000);
    const distinct: Val[] = [];
    for (const v of vals) if (!distinct.some((d) => equals(d, v))) distinct.push(v);
    const hashes = new Set(distinct.map(hash));
    expect(hashes.size).toBeGreaterThan(distinct.length * 0.95);
  });
});

describe('the explicit equal-but-not-identical pairs', () => {
  const pairs: [string, TagVal, TagVal][] = [
    ['-0 and 0', new Num(-0, 'kW'), new Num(0, 'kW')],
    ['NaN and NaN', new Num(Number.NaN), new Num(Math.sqrt(-1))],
    ['Ref with another dis', new Ref('a', 'One'), new Ref('a', 'Two')],
    ['Ref with and without dis', new Ref('a', 'One'), new Ref('a')],
    ['Dict in another insertion order', Dict.of({ a: 1, b: 'x', c: [1, 2] }), Dict.of({ c: [1, 2], b: 'x', a: 1 })],
    ['Coord -0 and 0', new Coord(-0, 1), new Coord(0, 1)],
    ['Time with trailing zero digits', HTime.parse('01:02:03.500'), HTime.parse('01:02:03.5')],
    [
      'DateTime parsed and computed',
      HDateTime.parse('2024-03-10T03:30:00-04:00 New_York'),
      HDateTime.fromEpochMs(Date.UTC(2024, 2, 10, 7, 30), 'New_York'),
    ],
    ['Lists of copies', Object.freeze([new Num(-0), new Ref('x', 'X')]), Object.freeze([new Num(0), new Ref('x')])],
  ];

  for (const [name, a, b] of pairs) {
    it(`${name}: equal, compare 0, same hash`, () => {
      expect(a).not.toBe(b);
      expect(equals(a, b)).toBe(true);
      expect(compare(a, b)).toBe(0);
      expect(hash(a)).toBe(hash(b));
    });
  }
});
