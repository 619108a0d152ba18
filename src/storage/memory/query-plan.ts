// A filter as the memory store runs it: the compiled predicate plus what its indexes can use (tags, Ref equalities).

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

/** A parsed filter with the index hints of its plan. */
export interface CompiledQuery {
  /** The filter's predicate; `resolve` follows `->` paths. */
  readonly matches: (dict: Dict, resolve: (ref: Ref) => Dict | undefined) => boolean;
  /** Tags every match has. */
  readonly requiredTags: readonly string[];
  /** Ref equalities every match satisfies (the tag holds that Ref, or a List containing it). */
  readonly refEqualities: readonly RefEquality[];
}

// Filters are immutable and cached by parseFilter, so one plan per Filter object is enough.
const PLANS = new WeakMap<Filter, CompiledQuery>();

/** Parse (through the shared filter cache) and plan a filter; throws `ParseError` for bad text. */
export function compileQuery(text: string): CompiledQuery {
  const filter = parseFilter(text);
  let q = PLANS.get(filter);
  if (q === undefined) {
    const plan = planFilter(filter.ast);
    const refEqualities: RefEquality[] = [];
    for (const e of plan.equalities) {
      const name = e.path[0];
      if (e.path.length === 1 && name !== undefined && e.val instanceof Ref)
        refEqualities.push({ name, refId: e.val.id });
    }
    q = Object.freeze({ matches: filter.matches, requiredTags: plan.requiredTags, refEqualities });
    PLANS.set(filter, q);
  }
  return q;
}
