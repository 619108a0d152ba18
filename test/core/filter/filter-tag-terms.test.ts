// An `and` tests its one-name operands together (one slot lookup per shape for all of them): pinned here against
// the reference interpreter and against the same operands compiled one by one, over rows of many layouts.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CMP_OPS,
  type CmpOp,
  Dict,
  decodeZincGrid,
  encodeZinc,
  Filter,
  type FilterNode,
  filterAnd,
  filterCmp,
  filterHas,
  filterIsSymbol,
  filterMissing,
  formatFilter,
  Grid,
  MARKER,
  parseFilter,
  refResolver,
} from '../../../src/core/index.js';
import { arbWorld, VOCAB, worldLayouts, worldLiteral } from './filter-arbitraries.js';
import { referenceMatches } from './reference-interpreter.js';

const arbName = fc.constantFrom(...VOCAB);

/** A one-name operand: has, missing, or a comparison with any operator and a literal of the world's kinds. */
const arbTagTerm: fc.Arbitrary<FilterNode> = fc.oneof(
  arbName.map((n) => filterHas(n)),
  arbName.map((n) => filterMissing(n)),
  fc.tuple(fc.constantFrom<CmpOp>(...CMP_OPS), arbName, worldLiteral).map(([op, n, v]) => filterCmp(op, n, v)),
);

/** An `and` of 1..7 one-name operands, now and then with a `->` path or a symbol among them. */
const arbConjunction: fc.Arbitrary<{ readonly ast: FilterNode; readonly operands: readonly FilterNode[] }> = fc
  .tuple(
    fc.array(arbTagTerm, { minLength: 1, maxLength: 7 }),
    fc.option(
      fc.oneof(
        fc.constantFrom(filterHas(['ref', 'dis']), filterCmp('==', ['ref', 'dis'], 'Alpha'), filterHas(['refs', 'a'])),
        fc.constant(filterIsSymbol('a-b')),
      ),
    ),
  )
  .map(([terms, other]) => {
    const operands = other === null ? terms : [...terms, other];
    return { ast: operands.length === 1 ? (operands[0] as FilterNode) : filterAnd(...operands), operands };
  });

/** The world in four layouts: its own Dicts, full rows of two column orders, and a Zinc grid's compact rows. */
function layouts(world: readonly Dict[]): Record<'own' | 'forward' | 'backward' | 'zinc', readonly Dict[]> {
  return {
    ...worldLayouts(world),
    zinc: [...decodeZincGrid(encodeZinc(Grid.fromDicts(world))).rows],
  };
}

describe('and of one-name operands', () => {
  it('agrees with the reference interpreter and with its operands one by one, whatever the order of layouts', () => {
    fc.assert(
      fc.property(
        arbWorld,
        fc.array(arbConjunction, { minLength: 1, maxLength: 3 }),
        fc.array(fc.constantFrom('own', 'forward', 'backward', 'zinc'), { minLength: 1, maxLength: 10 }),
        (world, conjunctions, order) => {
          const forms = layouts(world);
          const resolve = refResolver(forms.zinc);
          for (const { ast, operands } of conjunctions) {
            const f = Filter.fromAst(ast);
            const each = operands.map((o) => Filter.fromAst(o));
            for (const form of order) {
              for (const d of forms[form]) {
                const text = `${formatFilter(ast)} on ${d.toString()} (${form})`;
                const expected = referenceMatches(ast, d, resolve);
                expect(f.matches(d, resolve), text).toBe(expected);
                expect(
                  each.every((g) => g.matches(d, resolve)),
                  `${text}, operands one by one`,
                ).toBe(expected);
              }
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  }, 60_000);

  it('stays right while its slot cache gives up on too many shapes and takes up caching again', () => {
    // Dicts of 40 shapes in turn (plain lookups after 16 misses, caching again 1,024 calls later), mixed with
    // the rows of two grids whose columns sit in opposite orders.
    const grids = [
      decodeZincGrid('ver:"3.0"\nsite,area,dis,id\nM,10,"Alpha",@a\n,,"x",@b\n').rows,
      decodeZincGrid('ver:"3.0"\nid,dis,area,site\n@c,"Alpha",,M\n@d,"y",12,M\n').rows,
    ];
    const dicts: Dict[] = [];
    for (let i = 0; i < 6000; i++) {
      const grid = grids[i % 2] as readonly Dict[];
      dicts.push(
        i % 5 < 2
          ? (grid[(i >> 1) % 2] as Dict)
          : Dict.of({ [`t${i % 40}`]: MARKER, site: i % 3 === 0 ? null : MARKER, area: i % 4, dis: 'Alpha' }),
      );
    }
    const filters = ['site and area', 'site and not area and dis == "Alpha"', 'dis == "Alpha" and area >= 2 and site'];
    for (const text of filters) {
      const f = parseFilter(text);
      for (const d of dicts) expect(f.matches(d), `${text} on ${d.toString()}`).toBe(referenceMatches(f.ast, d));
    }
  });
});
