// How a commit turns into stored tags: ids as Refs with their display, Remove deletes, `mod` owned by the store.

import { decodeJson } from '../core/codec/json/index.js';
import { StorageError, ValueError } from '../core/errors.js';
import { Dict, type DictShape, type TagVal, trustedDict } from '../core/grid/dict.js';
import { HDateTime } from '../core/kinds/date-time.js';
import { MARKER, Remove } from '../core/kinds/marker.js';
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
  if (tags instanceof Dict) {
    const d = fromPlan(planOf(tags), id, tags, mod, intern);
    if (d !== undefined) return d;
  }
  // A Dict or a Map has unique names: their tags go straight into exact-size arrays (a store of 200k entities
  // spent more on a Map per entity, and the garbage collection it caused, than on the rest of the load).
  const unique =
    tags instanceof Dict || tags instanceof Map ? (tags as ReadonlyMap<string, TagVal> | Dict) : new Map(tags);
  const names: string[] = ['id'];
  const values: TagVal[] = new Array<TagVal>(unique.size + 2);
  const { ref, dis } = idRef(id, unique.get('dis') ?? undefined, intern);
  values[0] = ref;
  let n = 1;
  unique.forEach((val: TagVal, name: string) => {
    if (name === 'id' || name === 'mod' || val instanceof Remove) return;
    names.push(name);
    values[n++] = name === 'dis' ? (dis as TagVal) : intern === undefined ? val : intern(val);
  });
  names.push('mod');
  values[n++] = mod;
  values.length = n;
  return trustedDict(names, values);
}

// The id Ref of a stored entity, displaying its `dis` (a Remove is none), and that `dis` as stored: interned just
// before the Ref, so that a pool sharing the last string it copied gives the Ref the same copy.
function idRef(
  id: string,
  raw: TagVal | undefined,
  intern: ValueInterner | undefined,
): { readonly ref: TagVal; readonly dis: TagVal | undefined } {
  const dis = raw === undefined || raw instanceof Remove || intern === undefined ? raw : intern(raw);
  const ref = new Ref(id, typeof dis === 'string' ? dis : undefined);
  return { ref: intern === undefined ? ref : intern(ref), dis };
}

// How the tags of one layout (a shape and its present slots) become a stored entity: the stored shape, and the
// slot each stored value comes from. Made once per layout: the 200k rows of a data file shared a few hundred, and
// each row then costs one values array, with no names to gather or shape to find.
interface StoredPlan {
  readonly source: DictShape;
  // The source slot of each stored value; 0 for `id` (first) and `mod` (last), which come from elsewhere.
  readonly from: Int32Array;
  readonly shape: DictShape;
  readonly present: readonly number[];
  // The index of `dis` among the stored values, or -1.
  readonly dis: number;
}

// Plans kept at once; past this the cache starts afresh (layouts of one data file are far fewer).
const MAX_PLANS = 4096;
const plans = new Map<readonly number[], StoredPlan>();

function planOf(tags: Dict): StoredPlan {
  const layout = tags.presentSlots;
  const cached = plans.get(layout);
  if (cached !== undefined && cached.source === tags.shape) return cached;
  const sourceNames = tags.shape.names;
  const names = ['id'];
  const from = [0];
  for (const slot of layout) {
    const name = sourceNames[slot] as string;
    if (name === 'id' || name === 'mod') continue;
    names.push(name);
    from.push(slot);
  }
  names.push('mod');
  from.push(0);
  // A Dict of these names, to learn their shared shape and layout.
  const model = trustedDict(
    names,
    names.map(() => MARKER),
  );
  const plan: StoredPlan = {
    source: tags.shape,
    from: Int32Array.from(from),
    shape: model.shape,
    present: model.presentSlots,
    dis: names.indexOf('dis'),
  };
  if (plans.size >= MAX_PLANS) plans.clear();
  plans.set(layout, plan);
  return plan;
}

// The stored entity by its layout's plan, or undefined when a tag is Remove (the general path drops it).
function fromPlan(
  plan: StoredPlan,
  id: string,
  tags: Dict,
  mod: HDateTime,
  intern: ValueInterner | undefined,
): Dict | undefined {
  const from = plan.from;
  const last = from.length - 1;
  const values = new Array<TagVal>(last + 1);
  for (let j = 1; j < last; j++) {
    const v = tags.valueAt(from[j] as number) as TagVal;
    if (v instanceof Remove) return undefined;
    values[j] = v;
  }
  const { ref, dis } = idRef(id, plan.dis < 0 ? undefined : values[plan.dis], intern);
  values[0] = ref;
  if (intern !== undefined) {
    for (let j = 1; j < last; j++) values[j] = j === plan.dis ? (dis as TagVal) : intern(values[j] as TagVal);
  }
  values[last] = mod;
  return Dict.fromShape(plan.shape, values, plan.present);
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
