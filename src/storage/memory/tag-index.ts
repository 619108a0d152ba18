// Inverted indexes of the memory store: tag name -> ids, and (tag, Ref id) -> ids for Ref-valued tags such as siteRef.
// Filters#refLists: `tag == @x` also matches a List holding @x, so the Refs of a List are indexed too.

import type { Dict } from '../../core/grid/dict.js';
import type { Val } from '../../core/kinds/kind.js';
import { Ref } from '../../core/kinds/ref.js';

const EMPTY: ReadonlySet<string> = new Set();

/** The ids of entities having each tag, and of entities whose Ref-valued tag points at each id. */
export class TagIndex {
  readonly #byName = new Map<string, Set<string>>();
  readonly #byRef = new Map<string, Map<string, Set<string>>>();

  /** Ids of entities that have tag `name`. */
  withTag(name: string): ReadonlySet<string> {
    return this.#byName.get(name) ?? EMPTY;
  }

  /** Ids of entities whose tag `name` is a Ref to `refId`. */
  withRef(name: string, refId: string): ReadonlySet<string> {
    return this.#byRef.get(name)?.get(refId) ?? EMPTY;
  }

  /** Move entity `id` from its old tags to its new ones (either may be undefined for an add or a remove). */
  update(id: string, before: Dict | undefined, after: Dict | undefined): void {
    if (before !== undefined) {
      for (const [name, val] of before) {
        const now = after?.get(name) ?? null;
        if (now === null) this.#removeName(name, id);
        if (now !== val) for (const refId of refIds(val)) this.#removeRef(name, refId, id);
      }
    }
    if (after !== undefined) {
      for (const [name, val] of after) {
        const was = before?.get(name) ?? null;
        if (was === null) this.#add(this.#byName, name, id);
        if (was !== val) {
          for (const refId of refIds(val)) {
            let refs = this.#byRef.get(name);
            if (refs === undefined) this.#byRef.set(name, (refs = new Map<string, Set<string>>()));
            this.#add(refs, refId, id);
          }
        }
      }
    }
  }

  #add(map: Map<string, Set<string>>, key: string, id: string): void {
    let set = map.get(key);
    if (set === undefined) map.set(key, (set = new Set()));
    set.add(id);
  }

  #removeName(name: string, id: string): void {
    const set = this.#byName.get(name);
    if (set === undefined) return;
    set.delete(id);
    if (set.size === 0) this.#byName.delete(name);
  }

  #removeRef(name: string, refId: string, id: string): void {
    const refs = this.#byRef.get(name);
    const set = refs?.get(refId);
    if (refs === undefined || set === undefined) return;
    set.delete(id);
    if (set.size === 0) refs.delete(refId);
    if (refs.size === 0) this.#byRef.delete(name);
  }
}

const NO_REFS: readonly string[] = [];

// The Ref ids a tag value carries: its own, or those of a List's Ref items.
function refIds(val: Val): readonly string[] {
  if (val instanceof Ref) return [val.id];
  if (!Array.isArray(val)) return NO_REFS;
  const ids: string[] = [];
  for (const item of val as readonly Val[]) if (item instanceof Ref) ids.push(item.id);
  return ids;
}
