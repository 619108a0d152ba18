// A filter as the memory store runs it: the compiled predicate plus what its indexes can use (tags, Ref equalities).

import type { FilterNode } from '../../core/filter/ast.js';
import type { Filter } from '../../core/filter/filter.js';
import { parseFilter } from '../../core/filter/parse-filter.js';
import { planFilter } from '../../core/filter/plan.js';
import type { Dict } from '../../core/grid/dict.js';
import { Ref } from '../../core/kinds/ref.js';

/** An equality `name == @refId` on a single tag that every match satisfies. */
export interface RefEquality {
  /** Tag name. */
  readonly name: string;
  /** Ref id (without `@`). */
  readonly refId: string;
}

/** What the indexes can use of one filter (or one branch of a top-level `or`). */
export interface IndexHints {
  /** Tags every match has. */
  readonly requiredTags: readonly string[];
  /** Ref equalities every match satisfies (the tag holds that Ref, or a List containing it). */
  readonly refEqualities: readonly RefEquality[];
}

/**
 * A conjunction the indexes answer alone: the entities with every tag of `has` and every Ref equality of `refs`,
 * and none of the tags of `missing`. At least one of `has` and `refs` is not empty (they give the candidates).
 */
export interface ExactTerms {
  /** Tags every match has. */
  readonly has: readonly string[];
  /** Tags no match has. */
  readonly missing: readonly string[];
  /** Ref equalities every match satisfies. */
  readonly refs: readonly RefEquality[];
}

/** A parsed filter with the index hints of its plan. */
export interface CompiledQuery extends IndexHints {
  /** The filter's predicate; `resolve` follows `->` paths. */
  readonly matches: (dict: Dict, resolve: (ref: Ref) => Dict | undefined) => boolean;
  /**
   * For a top-level `or` that has no hints of its own: the hints of each branch, when every branch has some (a
   * match is then in the union of the branches' candidates, e.g. `site or (equip and not siteRef)`).
   */
  readonly anyOf: readonly IndexHints[] | undefined;
  /**
   * When the filter is a conjunction of `tag`, `not tag` and `tag == @ref` on single tags, or an `or` of such
   * conjunctions: those conjunctions, which set operations on the indexes answer without evaluating the filter
   * (nav's levels and most reads by equip or site are such filters). Undefined otherwise.
   */
  readonly exact: readonly ExactTerms[] | undefined;
}

// Filters are immutable and cached by parseFilter, so one plan per Filter object is enough.
const PLANS = new WeakMap<Filter, CompiledQuery>();

/** Parse (through the shared filter cache) and plan a filter; throws `ParseError` for bad text. */
export function compileQuery(text: string): CompiledQuery {
  const filter = parseFilter(text);
  let q = PLANS.get(filter);
  if (q === undefined) {
    const own = hintsOf(filter.ast);
    const branches = filter.ast.type === 'or' ? filter.ast.args.map(hintsOf) : [];
    const anyOf =
      own.requiredTags.length === 0 &&
      own.refEqualities.length === 0 &&
      branches.length > 0 &&
      branches.every((b) => b.requiredTags.length > 0 || b.refEqualities.length > 0)
        ? branches
        : undefined;
    q = Object.freeze({ matches: filter.matches, ...own, anyOf, exact: exactPlan(filter.ast) });
    PLANS.set(filter, q);
  }
  return q;
}

function hintsOf(ast: FilterNode): IndexHints {
  const plan = planFilter(ast);
  const refEqualities: RefEquality[] = [];
  for (const e of plan.equalities) {
    const name = e.path[0];
    if (e.path.length === 1 && name !== undefined && e.val instanceof Ref)
      refEqualities.push({ name, refId: e.val.id });
  }
  return { requiredTags: plan.requiredTags, refEqualities };
}

function exactPlan(ast: FilterNode): readonly ExactTerms[] | undefined {
  const out: ExactTerms[] = [];
  for (const branch of ast.type === 'or' ? ast.args : [ast]) {
    const terms = exactTerms(branch);
    if (terms === undefined) return undefined;
    out.push(terms);
  }
  return Object.freeze(out);
}

// The terms of one conjunction, or undefined when a term needs the filter (a path, another comparison, a nested or).
function exactTerms(n: FilterNode): ExactTerms | undefined {
  const has: string[] = [];
  const missing: string[] = [];
  const refs: RefEquality[] = [];
  for (const t of n.type === 'and' ? n.args : [n]) {
    if (t.type === 'and' || t.type === 'or' || t.type === 'isSymbol' || t.path.length !== 1) return undefined;
    const name = t.path[0] as string;
    if (t.type === 'has') has.push(name);
    else if (t.type === 'missing') missing.push(name);
    else if (t.op === '==' && t.val instanceof Ref) refs.push({ name, refId: t.val.id });
    else return undefined;
  }
  return has.length + refs.length === 0 ? undefined : Object.freeze({ has, missing, refs });
}
