// Filter planning: what a storage index can use from an AST (required tags, equalities, index-only answers).

import { equals } from '../kinds/equality.js';
import type { FilterLiteral, FilterNode, FilterPath } from './ast.js';

/**
 * An equality every match satisfies: the value at `path` equals `val`. Filters#refLists: when `val` is a Ref,
 * the tag may instead hold a List that contains that Ref (an equality index must index List elements too),
 * and along a `->` path any Ref of a List may lead to the match.
 */
export interface FilterEquality {
  /** The path (`['siteRef']`, or `['siteRef', 'dis']` through a Ref). */
  readonly path: readonly string[];
  /** The literal compared with. */
  readonly val: FilterLiteral;
}

/**
 * What an index can use from a filter. Every field is a necessary condition that holds for every match; the
 * filter itself stays the judge (evaluate it on the candidates) unless `indexOnly` is true.
 */
export interface FilterPlan {
  /** Tags (first names of paths) every matching entity has; sorted, no duplicates. */
  readonly requiredTags: readonly string[];
  /** Equalities every matching entity satisfies. */
  readonly equalities: readonly FilterEquality[];
  /**
   * True when the filter uses only `tag`, `not tag` and `tag == literal` on single tags (no `->`), joined by
   * and/or: a tag index (has) and a value index (`==`) then answer it exactly, with `not tag` as the complement
   * of `tag` over all entities. The value index must file a List under each Ref it holds (and under nothing
   * else: a List of Strs never equals a Str).
   */
  readonly indexOnly: boolean;
  /** Every tag the filter reads as the first name of a path; sorted, no duplicates. */
  readonly tags: readonly string[];
  /** True when some path has `->`, so evaluating needs a Ref resolver. */
  readonly usesRefs: boolean;
}

/** Derive the {@link FilterPlan} of an AST. */
export function planFilter(ast: FilterNode): FilterPlan {
  const tags = new Set<string>();
  let usesRefs = false;
  const visit = (n: FilterNode): void => {
    if (n.type === 'and' || n.type === 'or') n.args.forEach(visit);
    else if (n.type !== 'isSymbol') {
      tags.add(n.path[0] as string);
      if (n.path.length > 1) usesRefs = true;
    }
  };
  visit(ast);
  const { required, eqs } = necessary(ast);
  return Object.freeze({
    requiredTags: Object.freeze([...required].sort()),
    equalities: Object.freeze(eqs.map((e) => Object.freeze({ path: e.path, val: e.val }))),
    indexOnly: indexOnly(ast),
    tags: Object.freeze([...tags].sort()),
    usesRefs,
  });
}

interface Necessary {
  readonly required: ReadonlySet<string>;
  readonly eqs: readonly FilterEquality[];
}

const NOTHING: Necessary = { required: new Set(), eqs: [] };

function necessary(n: FilterNode): Necessary {
  switch (n.type) {
    case 'has':
      return { required: new Set([n.path[0] as string]), eqs: [] };
    case 'cmp':
      // Every comparison, `!=` included, needs a value at the path, so its first tag must be present.
      return {
        required: new Set([n.path[0] as string]),
        eqs: n.op === '==' ? [{ path: n.path, val: n.val }] : [],
      };
    case 'missing':
    // Kept conservative: a namespace-aware evaluator may match `^sym` through subtypes lacking the tags.
    case 'isSymbol':
      return NOTHING;
    case 'and': {
      const required = new Set<string>();
      const eqs: FilterEquality[] = [];
      for (const a of n.args) {
        const x = necessary(a);
        for (const t of x.required) required.add(t);
        for (const e of x.eqs) if (!eqs.some((y) => sameEquality(y, e))) eqs.push(e);
      }
      return { required, eqs };
    }
    case 'or': {
      const parts = n.args.map(necessary);
      const [head, ...rest] = parts;
      if (head === undefined) return NOTHING;
      const required = new Set([...head.required].filter((t) => rest.every((p) => p.required.has(t))));
      const eqs = head.eqs.filter((e) => rest.every((p) => p.eqs.some((y) => sameEquality(y, e))));
      return { required, eqs };
    }
  }
}

function samePath(a: FilterPath, b: FilterPath): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameEquality(a: FilterEquality, b: FilterEquality): boolean {
  return samePath(a.path, b.path) && equals(a.val, b.val);
}

function indexOnly(n: FilterNode): boolean {
  switch (n.type) {
    case 'has':
    case 'missing':
      return n.path.length === 1;
    case 'cmp':
      return n.op === '==' && n.path.length === 1;
    case 'and':
    case 'or':
      return n.args.every(indexOnly);
    case 'isSymbol':
      return false;
  }
}
