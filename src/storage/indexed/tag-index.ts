// Inverted indexes of the memory store: tag name -> entities, and (tag, Ref id) -> entities for Ref-valued tags such
// as siteRef. Filters#refLists: `tag == @x` also matches a List holding @x, so the Refs of a List are indexed too.
//
// Entities are named by ordinals (small integers the store gives them) rather than ids, and each set is a sorted
// array while it is small and a bitset once that is smaller: a Set of ids cost ~40 bytes per member, as much as
// the entity itself, and every entity is a member of a dozen sets.

import type { Dict, DictShape } from '../../core/grid/dict.js';
import type { Val } from '../../core/kinds/kind.js';
import { Ref } from '../../core/kinds/ref.js';

/** A set of entity ordinals, read-only. */
export interface ReadonlyOrdinalSet extends Iterable<number> {
  /** Number of members. */
  readonly size: number;
  /** True if `ordinal` is a member. */
  has(ordinal: number): boolean;
  /** Call `fn` with each member in increasing order (without an iterator's cost per member). */
  forEach(fn: (ordinal: number) => void): void;
  /** Call `fn` with each member in increasing order until it returns true; true if it did. */
  some(fn: (ordinal: number) => boolean): boolean;
  /** Append the members in every set of `all` and in none of `none` to `out`, in order, until it holds `max`. */
  selectInto(out: number[], all: readonly ReadonlyOrdinalSet[], none: readonly ReadonlyOrdinalSet[], max: number): void;
}

// A set turns into a bitset when its array would take more bytes (8 per member) than the bitset (1 bit per
// ordinal up to the highest one).
const BITS_PER_MEMBER = 64;

/** A set of entity ordinals: a sorted array while small, a bitset once that is smaller. */
export class OrdinalSet implements ReadonlyOrdinalSet {
  #sorted: number[] | undefined = [];
  #bits: Uint32Array | undefined;
  #size = 0;

  /** Number of members. */
  get size(): number {
    return this.#size;
  }

  /** True if `ordinal` is a member. */
  has(ordinal: number): boolean {
    const bits = this.#bits;
    if (bits !== undefined) {
      const w = ordinal >>> 5;
      return w < bits.length && ((bits[w] as number) & (1 << (ordinal & 31))) !== 0;
    }
    const a = this.#sorted as number[];
    const i = lowerBound(a, ordinal);
    return i < a.length && a[i] === ordinal;
  }

  /** Add `ordinal` (no change if it is a member). */
  add(ordinal: number): void {
    const a = this.#sorted;
    if (a === undefined) {
      let bits = this.#bits as Uint32Array;
      const w = ordinal >>> 5;
      if (w >= bits.length) {
        const grown = new Uint32Array(Math.max(w + 1, bits.length * 2));
        grown.set(bits);
        this.#bits = bits = grown;
      }
      const m = 1 << (ordinal & 31);
      if (((bits[w] as number) & m) === 0) {
        bits[w] = (bits[w] as number) | m;
        this.#size++;
      }
      return;
    }
    // Ordinals are mostly given in increasing order: appending is the common case.
    const n = a.length;
    if (n === 0 || (a[n - 1] as number) < ordinal) a.push(ordinal);
    else {
      const i = lowerBound(a, ordinal);
      if (a[i] === ordinal) return;
      a.splice(i, 0, ordinal);
    }
    this.#size++;
    if (this.#size > 8 && this.#size * BITS_PER_MEMBER > (a[a.length - 1] as number) + 1) this.#toBits(a);
  }

  /** Remove `ordinal` (no change if it is not a member). */
  delete(ordinal: number): void {
    const bits = this.#bits;
    if (bits !== undefined) {
      const w = ordinal >>> 5;
      const m = 1 << (ordinal & 31);
      if (w < bits.length && ((bits[w] as number) & m) !== 0) {
        bits[w] = (bits[w] as number) & ~m;
        this.#size--;
      }
      return;
    }
    const a = this.#sorted as number[];
    const i = lowerBound(a, ordinal);
    if (a[i] !== ordinal) return;
    a.splice(i, 1);
    this.#size--;
  }

  /** Call `fn` with each member in increasing order. */
  forEach(fn: (ordinal: number) => void): void {
    this.some((o) => {
      fn(o);
      return false;
    });
  }

  /** Call `fn` with each member in increasing order until it returns true; true if it did. */
  some(fn: (ordinal: number) => boolean): boolean {
    const a = this.#sorted;
    if (a !== undefined) {
      for (let i = 0; i < a.length; i++) if (fn(a[i] as number)) return true;
      return false;
    }
    const bits = this.#bits as Uint32Array;
    for (let w = 0; w < bits.length; w++) {
      let word = bits[w] as number;
      while (word !== 0) {
        const low = word & -word;
        if (fn((w << 5) + (31 - Math.clz32(low)))) return true;
        word ^= low;
      }
    }
    return false;
  }

  /**
   * Append to `out`, in increasing order, the members that are in every set of `all` and in none of `none`, until
   * `out` holds `max`. Bitsets are combined a word (32 ordinals) at a time: a nav level by site tested 1,071
   * members one by one to keep 158.
   */
  selectInto(
    out: number[],
    all: readonly ReadonlyOrdinalSet[],
    none: readonly ReadonlyOrdinalSet[],
    max: number,
  ): void {
    const bits = this.#bits;
    if (bits === undefined) {
      this.some((o) => isMember(o, all, none) && out.push(o) >= max);
      return;
    }
    // Sets held as bits are combined word by word; those held as arrays are tested member by member.
    const allWords: Uint32Array[] = [];
    const noneWords: Uint32Array[] = [];
    const allSets = all.filter((set) => !OrdinalSet.#pushWords(allWords, set));
    const noneSets = none.filter((set) => !OrdinalSet.#pushWords(noneWords, set));
    for (let w = 0; w < bits.length; w++) {
      let word = bits[w] as number;
      for (const a of allWords) word &= w < a.length ? (a[w] as number) : 0;
      for (const n of noneWords) if (w < n.length) word &= ~(n[w] as number);
      while (word !== 0) {
        const low = word & -word;
        const o = (w << 5) + (31 - Math.clz32(low));
        if (isMember(o, allSets, noneSets) && out.push(o) >= max) return;
        word ^= low;
      }
    }
  }

  /** Members in increasing order. */
  [Symbol.iterator](): IterableIterator<number> {
    const all: number[] = [];
    this.forEach((o) => {
      all.push(o);
    });
    return all[Symbol.iterator]();
  }

  // Push the words of `set` if it is held as bits; false if not.
  static #pushWords(into: Uint32Array[], set: ReadonlyOrdinalSet): boolean {
    const bits = set instanceof OrdinalSet ? set.#bits : undefined;
    if (bits !== undefined) into.push(bits);
    return bits !== undefined;
  }

  #toBits(a: readonly number[]): void {
    const bits = new Uint32Array(((a[a.length - 1] as number) >>> 5) + 1);
    for (const o of a) bits[o >>> 5] = (bits[o >>> 5] as number) | (1 << (o & 31));
    this.#bits = bits;
    this.#sorted = undefined;
  }
}

/** True if `o` is in every set of `all` and in none of `none`. */
export function isMember(o: number, all: readonly ReadonlyOrdinalSet[], none: readonly ReadonlyOrdinalSet[]): boolean {
  for (const set of all) if (!set.has(o)) return false;
  for (const set of none) if (set.has(o)) return false;
  return true;
}

/** The first index of an ascending array whose item is >= `x` (its length when there is none). */
export function lowerBound(a: readonly number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((a[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const EMPTY: ReadonlyOrdinalSet = new OrdinalSet();

// Layouts whose name sets are kept at once; past this the cache starts afresh (a data file has a few hundred).
const MAX_LAYOUTS = 4096;

interface LayoutSets {
  readonly shape: DictShape;
  // #dropped when made.
  readonly dropped: number;
  readonly sets: readonly OrdinalSet[];
}

/**
 * The entities having each tag, and the entities whose Ref-valued tag points at each id, by ordinal. The `id` tag
 * is left out of the Ref index: a set per entity cost ~240 bytes each, and the store finds an id by its own map.
 */
export class TagIndex {
  readonly #byName = new Map<string, OrdinalSet>();
  readonly #byRef = new Map<string, Map<string, OrdinalSet>>();
  // The name sets of each layout (see Dict.presentSlots) entities were added with, in its order: an added entity
  // joins them without a lookup per tag. Valid while no set was dropped since (#dropped counts the drops).
  readonly #layouts = new Map<readonly number[], LayoutSets>();
  #dropped = 0;

  /** Entities that have tag `name`. */
  withTag(name: string): ReadonlyOrdinalSet {
    return this.#byName.get(name) ?? EMPTY;
  }

  /** Entities whose tag `name` (not `id`) is a Ref to `refId`. */
  withRef(name: string, refId: string): ReadonlyOrdinalSet {
    return this.#byRef.get(name)?.get(refId) ?? EMPTY;
  }

  /** Move entity `ordinal` from its old tags to its new ones (either may be undefined for an add or a remove). */
  update(ordinal: number, before: Dict | undefined, after: Dict | undefined): void {
    if (before === undefined && after !== undefined) {
      this.#addAll(ordinal, after);
      return;
    }
    // forEach, not for-of: an entry iterator makes a [name, value] array per tag (4M of them loading 200k entities).
    before?.forEach((val, name) => {
      const now = after?.get(name) ?? null;
      if (now === null) this.#removeName(name, ordinal);
      if (now !== val && name !== 'id') this.#refs(name, val, ordinal, false);
    });
    after?.forEach((val, name) => {
      const was = before?.get(name) ?? null;
      if (was === null) this.#add(this.#byName, name, ordinal);
      if (was !== val && name !== 'id') this.#refs(name, val, ordinal, true);
    });
  }

  // A new entity: into the set of each of its names, and under the Refs its tags carry.
  #addAll(ordinal: number, d: Dict): void {
    const sets = this.#setsOf(d);
    let j = 0;
    d.forEach((val, name) => {
      (sets[j++] as OrdinalSet).add(ordinal);
      if (name !== 'id') this.#refs(name, val, ordinal, true);
    });
  }

  #setsOf(d: Dict): readonly OrdinalSet[] {
    const layout = d.presentSlots;
    const cached = this.#layouts.get(layout);
    if (cached !== undefined && cached.shape === d.shape && cached.dropped === this.#dropped) return cached.sets;
    const names = d.shape.names;
    const sets = layout.map((slot) => {
      const name = names[slot] as string;
      let set = this.#byName.get(name);
      if (set === undefined) this.#byName.set(name, (set = new OrdinalSet()));
      return set;
    });
    if (this.#layouts.size >= MAX_LAYOUTS) this.#layouts.clear();
    this.#layouts.set(layout, { shape: d.shape, dropped: this.#dropped, sets });
    return sets;
  }

  // Add (or remove) the entity under each Ref a tag value carries: its own, or those of a List's Ref items.
  #refs(name: string, val: Val, ordinal: number, add: boolean): void {
    if (val instanceof Ref) this.#ref(name, val.id, ordinal, add);
    else if (Array.isArray(val)) {
      for (const item of val as readonly Val[]) if (item instanceof Ref) this.#ref(name, item.id, ordinal, add);
    }
  }

  #ref(name: string, refId: string, ordinal: number, add: boolean): void {
    if (!add) {
      this.#removeRef(name, refId, ordinal);
      return;
    }
    let refs = this.#byRef.get(name);
    if (refs === undefined) this.#byRef.set(name, (refs = new Map<string, OrdinalSet>()));
    this.#add(refs, refId, ordinal);
  }

  #add(map: Map<string, OrdinalSet>, key: string, ordinal: number): void {
    let set = map.get(key);
    if (set === undefined) map.set(key, (set = new OrdinalSet()));
    set.add(ordinal);
  }

  #removeName(name: string, ordinal: number): void {
    const set = this.#byName.get(name);
    if (set === undefined) return;
    set.delete(ordinal);
    if (set.size === 0) {
      this.#byName.delete(name);
      this.#dropped++;
    }
  }

  #removeRef(name: string, refId: string, ordinal: number): void {
    const refs = this.#byRef.get(name);
    const set = refs?.get(refId);
    if (refs === undefined || set === undefined) return;
    set.delete(ordinal);
    if (set.size === 0) refs.delete(refId);
    if (refs.size === 0) this.#byRef.delete(name);
  }
}
