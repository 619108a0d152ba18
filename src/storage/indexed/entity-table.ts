// The entities of a memory store: by id and by ordinal (their number in the indexes), the version that last changed
// each, and the order of their ids.
//
// Columns by ordinal rather than a record per entity: a record ({id, ordinal, dict, version}) cost ~30 bytes and one
// more object for the garbage collector to copy per entity, and a Map to records one more lookup per change.

import type { Dict } from '../../core/grid/dict.js';

/** Entities by id and by ordinal; ordinals of removed entities are given again first. */
export class EntityTable {
  readonly #ordinals = new Map<string, number>();
  readonly #dicts: (Dict | undefined)[] = [];
  readonly #ids: (string | undefined)[] = [];
  readonly #versions: number[] = [];
  readonly #free: number[] = [];
  // Ordinals in id order, kept while entities are added in that order (as a data file's usually are), else made
  // again when asked for.
  #sorted: number[] | undefined = [];
  // True while ordinal order is id order (#sorted[i] === i): entities were added in id order and none removed.
  #inIdOrder = true;

  /** Number of entities. */
  get size(): number {
    return this.#ordinals.size;
  }

  /** The ordinal of entity `id`, or -1. */
  ordinalOf(id: string): number {
    return this.#ordinals.get(id) ?? -1;
  }

  /** Entity `id`, if held. */
  get(id: string): Dict | undefined {
    const o = this.#ordinals.get(id);
    return o === undefined ? undefined : this.#dicts[o];
  }

  /** The entity with ordinal `ordinal` (undefined for a free one). */
  dictAt(ordinal: number): Dict | undefined {
    return this.#dicts[ordinal];
  }

  /** The version of the change that last touched entity `ordinal`. */
  versionAt(ordinal: number): number {
    return this.#versions[ordinal] ?? 0;
  }

  /** Add entity `id`, which must not be held; returns its ordinal. */
  add(id: string, dict: Dict, version: number): number {
    const o = this.#free.pop() ?? this.#dicts.length;
    this.#ordinals.set(id, o);
    this.#dicts[o] = dict;
    this.#ids[o] = id;
    this.#versions[o] = version;
    const sorted = this.#sorted;
    if (sorted !== undefined) {
      const last = sorted.length === 0 ? undefined : this.#ids[sorted[sorted.length - 1] as number];
      if (last === undefined || compareIds(last, id) < 0) sorted.push(o);
      else this.#sorted = undefined;
    }
    if (this.#inIdOrder && (this.#sorted === undefined || o !== this.#sorted.length - 1)) this.#inIdOrder = false;
    return o;
  }

  /** Replace the entity with ordinal `ordinal`. */
  update(ordinal: number, dict: Dict, version: number): void {
    this.#dicts[ordinal] = dict;
    this.#versions[ordinal] = version;
  }

  /** Remove the entity with ordinal `ordinal`. */
  remove(ordinal: number): void {
    const id = this.#ids[ordinal];
    if (id === undefined) return;
    this.#ordinals.delete(id);
    this.#dicts[ordinal] = undefined;
    this.#ids[ordinal] = undefined;
    this.#free.push(ordinal);
    this.#sorted = undefined;
    this.#inIdOrder = false;
  }

  /**
   * True while ordinals increase with ids (entities added in id order, as a data file's usually are, and none
   * removed): members of an index set, visited in increasing order, are then in id order without a sort.
   */
  get inIdOrder(): boolean {
    return this.#inIdOrder;
  }

  /** Ordinals of all entities in id order (not to be changed). */
  sorted(): readonly number[] {
    this.#sorted ??= this.sortById([...this.#ordinals.values()]);
    return this.#sorted;
  }

  /** `ordinals` sorted in place by their entities' ids. */
  sortById(ordinals: number[]): number[] {
    const ids = this.#ids;
    return ordinals.sort((a, b) => compareIds(ids[a] as string, ids[b] as string));
  }
}

// Stable id order: UTF-16 code units, which for refChars (ASCII) is byte order, as SQL backends sort.
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
