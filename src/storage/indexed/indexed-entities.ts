// Entities with their tag and Ref indexes, and reads answered through them: what the memory store holds, and what
// the SQLite store's scan cache keeps in each process so that its reads run at the memory store's speed.

import type { Dict } from '../../core/grid/dict.js';
import type { Ref } from '../../core/kinds/ref.js';
import { EntityTable } from './entity-table.js';
import type { CompiledQuery, ExactTerms, IndexHints, RefEquality } from './query-plan.js';
import { isMember, OrdinalSet, type ReadonlyOrdinalSet, TagIndex } from './tag-index.js';

interface ExactSets {
  readonly from: ReadonlyOrdinalSet;
  readonly all: readonly ReadonlyOrdinalSet[];
  readonly none: readonly ReadonlyOrdinalSet[];
}

// Sort ordinals in place and drop repeats (an entity matched by two branches of an `or`).
function uniqueSorted(a: number[]): void {
  a.sort((x, y) => x - y);
  let n = 0;
  for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[i - 1]) a[n++] = a[i] as number;
  a.length = n;
}

/** Entities by id and ordinal with tag and Ref indexes; reads evaluate only the candidates the indexes leave. */
export class IndexedEntities {
  /** The entities, by id and ordinal. */
  readonly entities = new EntityTable();
  /** Their tags and Refs, by ordinal. */
  readonly index = new TagIndex();
  /** Entities a filter was evaluated on, over every read (tests count them). */
  evaluations = 0;
  /** Follows `->` paths to the entities held here. */
  readonly resolve = (ref: Ref): Dict | undefined => this.entities.get(ref.id);

  /** Number of entities. */
  get size(): number {
    return this.entities.size;
  }

  /** Entity `id`, if held. */
  get(id: string): Dict | undefined {
    return this.entities.get(id);
  }

  /**
   * Hold `dict` as entity `id` (null removes it), changed at `version`; `ordinal` is its current ordinal when the
   * caller knows it (-1: not held).
   */
  set(id: string, dict: Dict | null, version: number, ordinal = this.entities.ordinalOf(id)): void {
    const entities = this.entities;
    if (dict === null) {
      if (ordinal < 0) return;
      this.index.update(ordinal, entities.dictAt(ordinal), undefined);
      entities.remove(ordinal);
    } else if (ordinal < 0) {
      this.index.update(entities.add(id, dict, version), undefined, dict);
    } else {
      this.index.update(ordinal, entities.dictAt(ordinal), dict);
      entities.update(ordinal, dict, version);
    }
  }

  /**
   * The entities matching `query`, in id order, up to `max` (> 0); `resolve` follows `->` paths (default: to the
   * entities held here).
   */
  read(query: CompiledQuery, max: number, resolve = this.resolve): Dict[] {
    const out: Dict[] = [];
    if (query.exact !== undefined) return this.#readExact(query.exact, max);
    const entities = this.entities;
    let evaluated = 0;
    // True when the limit is reached.
    const visit = (o: number): boolean => {
      evaluated++;
      const d = entities.dictAt(o) as Dict;
      if (query.matches(d, resolve)) out.push(d);
      return out.length >= max;
    };
    const best = this.#smallestIndex(query);
    const all = entities.sorted();
    if (best === undefined) {
      for (const o of all) if (visit(o)) break;
    } else if (best.size * Math.log2(best.size + 1) < all.length) {
      // Sorting k candidates costs k log k; walking every entity in order and testing membership costs n. Only the
      // matches are sorted (a filter mostly keeps few of its index's candidates), then cut to the limit.
      const matched: number[] = [];
      best.forEach((o) => {
        const d = entities.dictAt(o);
        if (d === undefined) return;
        evaluated++;
        if (query.matches(d, resolve)) matched.push(o);
      });
      entities.sortById(matched);
      const n = Math.min(matched.length, max);
      for (let i = 0; i < n; i++) out.push(entities.dictAt(matched[i] as number) as Dict);
    } else {
      for (const o of all) if (best.has(o) && visit(o)) break;
    }
    this.evaluations += evaluated;
    return out;
  }

  // The matches of a filter the indexes answer alone (see ExactTerms), in id order, up to `max`: no entity is
  // evaluated, as the sets say all (measured: a nav level by site evaluated 1,071 entities to keep 158).
  #readExact(plan: readonly ExactTerms[], max: number): Dict[] {
    const entities = this.entities;
    const branches = plan.map((t) => this.#exactSets(t));
    let candidates = 0;
    for (const b of branches) candidates += b.from.size;
    const matched: number[] = [];
    if (entities.inIdOrder && branches.length === 1) {
      const b = branches[0] as ExactSets;
      b.from.selectInto(matched, b.all, b.none, max);
    } else if (!entities.inIdOrder && candidates * Math.log2(candidates + 1) >= entities.size) {
      // As in read: sorting the candidates would cost more than walking every entity in id order.
      const passes = (o: number): boolean => branches.some((b) => b.from.has(o) && isMember(o, b.all, b.none));
      for (const o of entities.sorted()) if (passes(o) && matched.push(o) >= max) break;
    } else {
      for (const b of branches) b.from.selectInto(matched, b.all, b.none, Number.POSITIVE_INFINITY);
      if (branches.length > 1) uniqueSorted(matched);
      if (!entities.inIdOrder) entities.sortById(matched);
    }
    const n = Math.min(matched.length, max);
    const out: Dict[] = new Array<Dict>(n);
    for (let i = 0; i < n; i++) out[i] = entities.dictAt(matched[i] as number) as Dict;
    return out;
  }

  // The index sets of one exact conjunction: the smallest set of a required tag or Ref gives the candidates.
  #exactSets(terms: ExactTerms): ExactSets {
    const sets = [...terms.has.map((name) => this.index.withTag(name)), ...terms.refs.map((eq) => this.#refSet(eq))];
    let from = sets[0] as ReadonlyOrdinalSet;
    for (const set of sets) if (set.size < from.size) from = set;
    return {
      from,
      all: sets.filter((set) => set !== from),
      none: terms.missing.map((name) => this.index.withTag(name)),
    };
  }

  // The smallest index set every match belongs to, or undefined when the filter requires no indexed tag; for a
  // top-level `or` of indexed branches, the union of each branch's smallest set.
  #smallestIndex(query: CompiledQuery): ReadonlyOrdinalSet | undefined {
    const best = this.#smallestOf(query);
    if (best !== undefined || query.anyOf === undefined) return best;
    const union = new OrdinalSet();
    for (const branch of query.anyOf) {
      this.#smallestOf(branch)?.forEach((o) => {
        union.add(o);
      });
    }
    return union;
  }

  #smallestOf(hints: IndexHints): ReadonlyOrdinalSet | undefined {
    let best: ReadonlyOrdinalSet | undefined;
    for (const name of hints.requiredTags) {
      const set = this.index.withTag(name);
      if (best === undefined || set.size < best.size) best = set;
    }
    for (const eq of hints.refEqualities) {
      const set = this.#refSet(eq);
      if (best === undefined || set.size < best.size) best = set;
    }
    return best;
  }

  // The entities satisfying `name == @refId`: the Ref index, or for `id` the entity itself.
  #refSet({ name, refId }: RefEquality): ReadonlyOrdinalSet {
    return name === 'id' ? this.#idSet(refId) : this.index.withRef(name, refId);
  }

  // `id == @x`: the entity with that id, if any (the tag index leaves `id` out).
  #idSet(id: string): ReadonlyOrdinalSet {
    const set = new OrdinalSet();
    const o = this.entities.ordinalOf(id);
    if (o >= 0) set.add(o);
    return set;
  }
}
