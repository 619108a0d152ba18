// How a commit turns into stored tags: ids as Refs with their display, Remove deletes, `mod` owned by the store.

import { decodeJson } from '../core/codec/json/index.js';
import { StorageError, ValueError } from '../core/errors.js';
import { Dict, type TagVal, trustedDict } from '../core/grid/dict.js';
import { HDateTime } from '../core/kinds/date-time.js';
import { Remove } from '../core/kinds/marker.js';
import { isRefId, Ref } from '../core/kinds/ref.js';

/** The id (without `@`) an add diff asks for, or undefined when the store should make one. */
export function requestedId(tags: Dict): string | undefined {
  const id = tags.get('id');
  if (id === null) return undefined;
  if (!(id instanceof Ref)) throw new ValueError('The id tag of a new entity must be a Ref');
  return id.id;
}

/** True if `id` may name an entity (refChars only). */
export function isEntityId(id: string): boolean {
  return isRefId(id);
}

/** The `mod` of the next change: now, but always later than the previous `mod` so that every change is detectable. */
export function nextMod(previous: HDateTime | undefined, now: number): HDateTime {
  const ms = previous === undefined ? now : Math.max(now, previous.epochMs + 1);
  return HDateTime.fromEpochMs(ms);
}

/** Two `mod` stamps name the same instant (zones may differ after a round trip through a client). */
export function sameMod(a: HDateTime, b: HDateTime): boolean {
  return a.epochMs === b.epochMs && a.subMsNanos === b.subMsNanos;
}

/** Gives back an equal value that may be shared (a store keeping entities in memory shares repeated values). */
export type ValueInterner = (val: TagVal) => TagVal;

/**
 * The stored form of an entity: `id` first as a Ref carrying the `dis` tag as its display, then the other tags
 * (Remove values dropped), then `mod`.
 */
export function storedEntity(
  id: string,
  tags: Iterable<readonly [string, TagVal]>,
  mod: HDateTime,
  intern?: ValueInterner,
): Dict {
  // A Dict or a Map has unique names: their tags go straight into exact-size arrays (a store of 200k entities
  // spent more on a Map per entity, and the garbage collection it caused, than on the rest of the load).
  const unique =
    tags instanceof Dict || tags instanceof Map ? (tags as ReadonlyMap<string, TagVal> | Dict) : new Map(tags);
  const names: string[] = ['id'];
  const values: TagVal[] = new Array<TagVal>(unique.size + 2);
  let n = 1;
  let dis: TagVal | undefined;
  unique.forEach((val: TagVal, name: string) => {
    if (name === 'id' || name === 'mod' || val instanceof Remove) return;
    const v = intern === undefined ? val : intern(val);
    if (name === 'dis') dis = v;
    names.push(name);
    values[n++] = v;
  });
  names.push('mod');
  values[n++] = mod;
  values.length = n;
  const ref = new Ref(id, typeof dis === 'string' ? dis : undefined);
  values[0] = intern === undefined ? ref : intern(ref);
  return trustedDict(names, values);
}

/** The stored form after an update: the current tags overlaid with `changes` (Remove deletes; `id`, `mod` ignored). */
export function updatedEntity(
  current: Dict,
  changes: Iterable<readonly [string, TagVal]>,
  id: string,
  mod: HDateTime,
  intern?: ValueInterner,
): Dict {
  const m = new Map<string, TagVal>(current.entries());
  for (const [name, val] of changes) {
    if (name === 'id' || name === 'mod') continue;
    if (val instanceof Remove) m.delete(name);
    else m.set(name, val);
  }
  return storedEntity(id, m, mod, intern);
}

/** An entity from the Hayson text a store keeps; `StorageError` naming the backend when it is not a Dict. */
export function decodeStoredEntity(data: string, backend: string): Dict {
  const d = decodeJson(data);
  if (!(d instanceof Dict)) throw new StorageError(`A stored entity is not a Dict: the ${backend} store is damaged`);
  return d;
}
