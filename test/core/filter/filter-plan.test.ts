// Planner: required tags, equalities and index-only answers are sound for every match.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Dict,
  equals,
  Filter,
  type FilterNode,
  filterCmp,
  isList,
  Num,
  parseFilter,
  planFilter,
  Ref,
  refResolver,
} from '../../../src/core/index.js';
import { arbWorld, arbWorldFilter } from './filter-arbitraries.js';

const plan = (text: string) => planFilter(parseFilter(text).ast);

describe('planFilter', () => {
  it('collects the tags every match must have: union under and, intersection under or', () => {
    expect(plan('point and his and siteRef->dis == "Alpha" and kind == "Number"').requiredTags).toEqual([
      'his',
      'kind',
      'point',
      'siteRef',
    ]);
    expect(plan('(a and b) or (b and c)').requiredTags).toEqual(['b']);
    expect(plan('a or not b').requiredTags).toEqual([]);
    expect(plan('x != 3 and not y').requiredTags).toEqual(['x']);
    expect(plan('^hot-water').requiredTags).toEqual([]);
  });

  it('collects equalities every match satisfies', () => {
    const p = plan('point and siteRef->dis == "Alpha" and kind == "Number"');
    // In source order.
    expect(p.equalities.map((e) => [e.path.join('->'), e.val])).toEqual([
      ['siteRef->dis', 'Alpha'],
      ['kind', 'Number'],
    ]);
    expect(plan('(a == 1 and b == 2) or (a == 1 and c)').equalities).toEqual([{ path: ['a'], val: new Num(1) }]);
    expect(plan('a == 1 or a == 2').equalities).toEqual([]);
    expect(plan('a != 1').equalities).toEqual([]);
  });

  it('says when an index alone answers the filter', () => {
    expect(plan('site').indexOnly).toBe(true);
    expect(plan('point and (kind == "Number" or not cur) and siteRef == @s1').indexOnly).toBe(true);
    expect(plan('a != 1').indexOnly).toBe(false);
    expect(plan('a > 1').indexOnly).toBe(false);
    expect(plan('siteRef->dis == "x"').indexOnly).toBe(false);
    expect(plan('not siteRef->dis').indexOnly).toBe(false);
    expect(plan('^site').indexOnly).toBe(false);
  });

  it('lists the tags read and whether refs are followed', () => {
    const p = plan('point and not cur and siteRef->dis == "x"');
    expect(p.tags).toEqual(['cur', 'point', 'siteRef']);
    expect(p.usesRefs).toBe(true);
    expect(plan('a and b == 1').usesRefs).toBe(false);
    expect(Object.isFrozen(p) && Object.isFrozen(p.requiredTags) && Object.isFrozen(p.equalities)).toBe(true);
  });

  it('is sound on random filters: every match has the required tags and meets the equalities', () => {
    fc.assert(
      fc.property(arbWorld, arbWorldFilter, (world, ast) => {
        const resolve = refResolver(world);
        const f = Filter.fromAst(ast);
        const p = planFilter(ast);
        for (const d of world) {
          if (!f.matches(d, resolve)) continue;
          for (const t of p.requiredTags) expect(d.has(t), t).toBe(true);
          for (const e of p.equalities) {
            expect(Filter.fromAst(filterCmp('==', e.path, e.val)).matches(d, resolve)).toBe(true);
          }
        }
      }),
      { numRuns: 1000 },
    );
  }, 60_000);

  it('index-only filters are answered exactly by a tag index and a value index', () => {
    fc.assert(
      fc.property(arbWorld, arbWorldFilter, (world, ast) => {
        if (!planFilter(ast).indexOnly) return;
        const f = Filter.fromAst(ast);
        const viaIndex = indexEval(ast, world);
        const viaFilter = new Set(world.filter((d) => f.matches(d)).map((d) => d.id?.id));
        expect([...viaIndex].sort()).toEqual([...viaFilter].sort());
      }),
      { numRuns: 2000 },
    );
  }, 60_000);
});

/** A naive index: per tag the ids that have it; per (tag, value) the ids that hold it, List Refs included. */
function indexEval(ast: FilterNode, world: readonly Dict[]): Set<string | undefined> {
  const ids = (pred: (d: Dict) => boolean) => new Set(world.filter(pred).map((d) => d.id?.id));
  switch (ast.type) {
    case 'has':
      return ids((d) => d.has(ast.path[0] ?? ''));
    case 'missing':
      return ids((d) => !d.has(ast.path[0] ?? ''));
    case 'cmp':
      return ids((d) => {
        const v = d.get(ast.path[0] ?? '');
        if (v !== null && equals(v, ast.val)) return true;
        return ast.val instanceof Ref && isList(v) && v.some((x) => x instanceof Ref && equals(x, ast.val));
      });
    case 'and': {
      const sets = ast.args.map((a) => indexEval(a, world));
      return new Set([...(sets[0] ?? [])].filter((id) => sets.every((s) => s.has(id))));
    }
    case 'or':
      return new Set(ast.args.flatMap((a) => [...indexEval(a, world)]));
    default:
      throw new Error('not index-only');
  }
}
