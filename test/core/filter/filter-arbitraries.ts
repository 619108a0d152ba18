// fast-check arbitraries for the filter tests: ASTs with any literal, and small worlds of entities that
// share one tag vocabulary with their filters, so random filters actually match.

import fc from 'fast-check';
import {
  CMP_OPS,
  type CmpOp,
  Dict,
  DictShape,
  type FilterLiteral,
  type FilterNode,
  filterAnd,
  filterCmp,
  filterHas,
  filterIsSymbol,
  filterMissing,
  filterOr,
  HDate,
  HDateTime,
  HTime,
  isPathName,
  list,
  MARKER,
  NA,
  Num,
  Ref,
  Sym,
  type TagVal,
  Uri,
} from '../../../src/core/index.js';
import {
  arbBool,
  arbDate,
  arbDateTime,
  arbNum,
  arbRef,
  arbStr,
  arbSym,
  arbTagName,
  arbTime,
  arbUri,
} from '../../support/arbitraries.js';

/** Builds a tree of and/or over leaves, `depth` levels at most. */
function arbTree(leaf: fc.Arbitrary<FilterNode>, depth: number): fc.Arbitrary<FilterNode> {
  const { node } = fc.letrec<{ node: FilterNode }>((tie) => ({
    node: fc.oneof(
      { depthSize: 'small', maxDepth: depth },
      { weight: 3, arbitrary: leaf },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom('and', 'or'), fc.array(tie('node'), { minLength: 2, maxLength: 4 }))
          .map(([t, args]) => (t === 'and' ? filterAnd(...args) : filterOr(...args))),
      },
    ),
  }));
  return node;
}

function arbLeaf(
  arbName: fc.Arbitrary<string>,
  arbLit: fc.Arbitrary<FilterLiteral>,
  maxPath: number,
  arbSymbol: fc.Arbitrary<Sym>,
): fc.Arbitrary<FilterNode> {
  const arbPath = fc.array(arbName, { minLength: 1, maxLength: maxPath });
  return fc.oneof(
    { weight: 2, arbitrary: arbPath.map((p) => filterHas(p)) },
    { weight: 1, arbitrary: arbPath.map((p) => filterMissing(p)) },
    {
      weight: 4,
      arbitrary: fc.tuple(fc.constantFrom<CmpOp>(...CMP_OPS), arbPath, arbLit).map(([op, p, v]) => filterCmp(op, p, v)),
    },
    { weight: 1, arbitrary: arbSymbol.map((s) => filterIsSymbol(s)) },
  );
}

/** Any literal a filter may hold: Str, Bool, finite Number (any unit), Ref, Uri, Date, Time, DateTime, Symbol. */
export const arbFilterLiteral: fc.Arbitrary<FilterLiteral> = fc.oneof(
  arbStr,
  arbBool,
  arbNum.filter((n) => Number.isFinite(n.val)),
  arbRef,
  arbUri,
  arbDate,
  arbTime,
  arbDateTime,
  arbSym,
);

/** Any AST: random tag names (JS-special names included), paths up to 4 names, any literal. */
export const arbFilterAst: fc.Arbitrary<FilterNode> = arbTree(
  arbLeaf(arbTagName.filter(isPathName), arbFilterLiteral, 4, arbSym),
  4,
);

// ---- Small worlds: entities and filters over one vocabulary ----

/** Tags the world uses; `constructor` and `toString` must behave as ordinary tags. */
export const VOCAB = ['a', 'b', 'n', 's', 'ref', 'refs', 'nest', 'dt', 'constructor', 'toString', 'id', 'dis'] as const;
/** Entity ids of a world; `gone` never exists, so Refs to it dangle. */
export const IDS = ['e0', 'e1', 'e2', 'e3', 'e4', 'e5'] as const;

const refPool = fc.constantFrom(...IDS, 'gone').map((id) => new Ref(id));
const NUMS = [new Num(1), new Num(1, 'kW'), new Num(2), new Num(-0), new Num(0), new Num(2, 'kW'), new Num(-3.5)];
const STRS = ['x', 'y', 'X', '', 'Alpha'];
const DATETIMES = [
  HDateTime.fromEpochMs(Date.UTC(2021, 0, 1), 'UTC'),
  HDateTime.fromEpochMs(Date.UTC(2021, 0, 1), 'New_York'),
  HDateTime.fromEpochMs(Date.UTC(2021, 5, 1), 'UTC'),
];
const DATES = [new HDate(2021, 1, 1), new HDate(2021, 6, 1)];
const TIMES = [new HTime(8, 0), new HTime(9, 30, 15)];
const URIS = [new Uri('a'), new Uri('b')];
const SYMS = [new Sym('a'), new Sym('a-b')];

/** A literal of the kinds a world's values hold (equal to some of them now and then). */
export const worldLiteral: fc.Arbitrary<FilterLiteral> = fc.oneof(
  fc.constantFrom<FilterLiteral>(...NUMS, ...STRS, true, false, ...DATETIMES, ...DATES, ...TIMES, ...URIS, ...SYMS),
  refPool,
);

const worldScalar: fc.Arbitrary<TagVal> = fc.oneof(
  { weight: 3, arbitrary: worldLiteral },
  { weight: 1, arbitrary: fc.constantFrom<TagVal>(MARKER, NA, new Num(Number.NaN), new Num(Number.POSITIVE_INFINITY)) },
);

const worldVal: fc.Arbitrary<TagVal> = fc.oneof(
  { weight: 6, arbitrary: worldScalar },
  { weight: 2, arbitrary: fc.array(fc.oneof(refPool, worldScalar), { maxLength: 3 }).map((xs) => list(...xs)) },
  {
    weight: 1,
    arbitrary: fc
      .dictionary(fc.constantFrom(...VOCAB.filter((t) => t !== 'id')), worldScalar, { maxKeys: 3 })
      .map((o) => Dict.of(o)),
  },
);

/** A world: entities `e0`..`eN` over {@link VOCAB}, with Refs (and Lists of Refs) that mostly resolve among them. */
export const arbWorld: fc.Arbitrary<readonly Dict[]> = fc
  .array(fc.dictionary(fc.constantFrom(...VOCAB.filter((t) => t !== 'id')), worldVal, { maxKeys: 7 }), {
    minLength: 1,
    maxLength: IDS.length,
  })
  .map((rows) => rows.map((tags, i) => Dict.of({ ...tags, id: new Ref(`e${i}`) })));

/** A filter over {@link VOCAB} with paths up to 3 names (and `date`/`time`/`tz` to path into DateTimes). */
export const arbWorldFilter: fc.Arbitrary<FilterNode> = arbTree(
  arbLeaf(
    fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom(...VOCAB) },
      { weight: 1, arbitrary: fc.constantFrom('date', 'time', 'tz') },
    ),
    worldLiteral,
    3,
    fc.constantFrom(new Sym('a'), new Sym('a-b'), new Sym('n-s'), new Sym('lib:x')),
  ),
  3,
);

// Two grids whose columns sit in opposite orders, so that a slot right for one shape is wrong for the other.
const FORWARD = DictShape.of([...VOCAB]);
const BACKWARD = DictShape.of([...VOCAB].reverse());

/** The same entity as a row of a grid with these columns (absent slots for its missing tags). */
function asRow(d: Dict, shape: DictShape): Dict {
  const values = shape.newValues();
  d.forEach((v, k) => {
    values[shape.slot(k)] = v;
  });
  return Dict.fromShape(shape, values);
}

/** A world in three layouts: its own Dicts, and full rows of grids whose columns sit in opposite orders. */
export function worldLayouts(world: readonly Dict[]): Record<'own' | 'forward' | 'backward', readonly Dict[]> {
  return {
    own: world,
    forward: world.map((d) => asRow(d, FORWARD)),
    backward: world.map((d) => asRow(d, BACKWARD)),
  };
}
