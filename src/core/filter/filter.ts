// The Filter object: a parsed AST, its canonical text, and its compiled predicate; plus a Map-backed resolver.

import type { Dict } from '../grid/dict.js';
import type { Ref } from '../kinds/ref.js';
import type { FilterNode } from './ast.js';
import { compileFilter, type FilterPredicate, type RefResolver } from './compile.js';
import { formatFilter } from './format.js';

/** A parsed, compiled Haystack filter; immutable, so one instance may be shared and cached. */
export class Filter {
  /** The AST (immutable). */
  readonly ast: FilterNode;
  /**
   * True when `dict` matches. `resolve` maps a Ref to its entity so that `->` paths can be followed; without
   * it, a path through a Ref does not resolve. The predicate is compiled once; calling it allocates nothing.
   */
  readonly matches: FilterPredicate;
  #text: string | undefined;

  private constructor(ast: FilterNode) {
    this.ast = ast;
    this.matches = compileFilter(ast);
  }

  /** A Filter for an AST built with the factories (`filterHas`, `filterAnd`, ...) or taken from another Filter. */
  static fromAst(ast: FilterNode): Filter {
    return new Filter(ast);
  }

  /** Canonical text: parses back to an equal AST. */
  toString(): string {
    this.#text ??= formatFilter(this.ast);
    return this.#text;
  }

  /** The canonical text (for JSON.stringify). */
  toJSON(): string {
    return this.toString();
  }
}

/** A resolver over a set of entities, indexed once by `id` (later duplicates win). */
export function refResolver(entities: Iterable<Dict>): RefResolver {
  const byId = new Map<string, Dict>();
  for (const e of entities) {
    const id = e.id;
    if (id !== undefined) byId.set(id.id, e);
  }
  // Entities that refer to one another come in runs (the points of one equip or site): the last answer is kept.
  let lastId: string | undefined;
  let last: Dict | undefined;
  return (ref: Ref) => {
    const id = ref.id;
    if (id !== lastId) {
      lastId = id;
      last = byId.get(id);
    }
    return last;
  };
}
