// The memory backend's data: entities with indexes and change versions, histories, priority arrays and watches.

import { randomBytes, randomUUID } from 'node:crypto';
import { LimitError, UnknownRecError, ValueError } from '../../core/errors.js';
import type { Dict } from '../../core/grid/dict.js';
import type { Ref } from '../../core/kinds/ref.js';
import type {
  CommitDiff,
  HisItem,
  PointWriteRequest,
  PriorityArray,
  PriorityLevel,
  TimeRange,
  WatchInfo,
  WatchPollResult,
} from '../adapter.js';
import { checkLease, modOf, stageCommit } from '../commit-staging.js';
import { isEntityId, nextMod, updatedEntity } from '../entity-tags.js';
import {
  emptyLevels,
  expireLevels,
  nextExpiry,
  toPriorityArray,
  validatePointWrite,
  writeLevel,
  writeTagChanges,
} from '../priority-array.js';
import { unknownWatchError } from '../storage-errors.js';
import { HisSeries } from './his-series.js';
import { type CompiledQuery, compileQuery, type IndexHints } from './query-plan.js';
import { OrdinalSet, type ReadonlyOrdinalSet, TagIndex } from './tag-index.js';
import { ValuePool } from './value-pool.js';

/** Limits of a memory store; every one is checked where input enters. */
export interface MemoryStoreLimits {
  /** Most entities the store holds (default 1,000,000). */
  readonly maxEntities: number;
  /** Most samples in one `hisWrite` (default 1,000,000). */
  readonly maxHisItemsPerWrite: number;
  /** Most ids one watch holds (default 10,000). */
  readonly maxIdsPerWatch: number;
  /** Most watches open at once (default 1,000). */
  readonly maxWatches: number;
  /** Longest lease a watch gets; longer requests are shortened to it (default 1 hour). */
  readonly maxLeaseMs: number;
}

/** The defaults of {@link MemoryStoreLimits}. */
export const DEFAULT_MEMORY_LIMITS: MemoryStoreLimits = Object.freeze({
  maxEntities: 1_000_000,
  maxHisItemsPerWrite: 1_000_000,
  maxIdsPerWatch: 10_000,
  maxWatches: 1_000,
  maxLeaseMs: 3_600_000,
});

/** Counters of a memory store, for tests and diagnostics. */
export interface MemoryStoreStats {
  /** Entities held. */
  readonly entities: number;
  /** Version of the last change (one per commit, point write or override expiry). */
  readonly version: number;
  /** Times a filter was evaluated against an entity, since the store was made: shows what the indexes saved. */
  readonly filterEvaluations: number;
  /** Open watches (including any whose lease ran out but were not looked at since). */
  readonly watches: number;
}

// Mutable so that the id-sorted array of entities stays valid across updates (only adds and removes reorder it).
interface Entity {
  readonly id: string;
  // The entity's number in the indexes (reused after a remove).
  readonly ordinal: number;
  dict: Dict;
  // The version of the change that last touched this entity.
  version: number;
}

interface Watch {
  readonly id: string;
  readonly dis: string;
  readonly owner: string | undefined;
  leaseMs: number;
  renewedAt: number;
  // Version at the last poll: changes after it are reported by the next poll.
  polledVersion: number;
  // Watched ids with the version when each was added (changes before the add were returned by watchSub).
  readonly ids: Map<string, number>;
}

const TOMBSTONE_PRUNE_AT = 1024;

/**
 * Everything a memory store holds. Adapters are thin views over it: two adapters made over one state share
 * entities, histories and watches, as server processes over one database would.
 */
export class MemoryState {
  readonly #entities = new Map<string, Entity>();
  readonly #index = new TagIndex();
  // Entities by ordinal, and the ordinals of removed entities, given again first.
  readonly #byOrdinal: (Entity | undefined)[] = [];
  readonly #freeOrdinals: number[] = [];
  readonly #pool = new ValuePool();
  #sorted: Entity[] | undefined;
  #version = 0;
  // Ids removed, with the version of the removal, so that polls can report them.
  readonly #tombstones = new Map<string, number>();
  readonly #his = new Map<string, HisSeries>();
  readonly #priority = new Map<string, readonly PriorityLevel[]>();
  // Ids whose priority array has a timed level, and the earliest expiry among them.
  readonly #timed = new Set<string>();
  #nextExpiry = Number.POSITIVE_INFINITY;
  readonly #watches = new Map<string, Watch>();
  #filterEvaluations = 0;
  readonly #resolve = (ref: Ref): Dict | undefined => this.#entities.get(ref.id)?.dict;

  /** Counters for tests and diagnostics. */
  stats(): MemoryStoreStats {
    return {
      entities: this.#entities.size,
      version: this.#version,
      filterEvaluations: this.#filterEvaluations,
      watches: this.#watches.size,
    };
  }

  /** Number of entities. */
  count(now: number): number {
    this.#expireOverrides(now);
    return this.#entities.size;
  }

  /** The version of the last change, after ending the timed overrides due by `now` (which is a change). */
  changeVersion(now: number): number {
    this.#expireOverrides(now);
    return this.#version;
  }

  /** Entities by id, in order. */
  readByIds(ids: readonly string[], now: number): (Dict | undefined)[] {
    this.#expireOverrides(now);
    return ids.map((id) => this.#entities.get(id)?.dict);
  }

  /** Entities matching a filter, by id, up to `limit`; only candidates from the indexes are evaluated. */
  read(filter: string, limit: number | undefined, now: number): Dict[] {
    if (limit !== undefined && !(limit >= 0)) throw new ValueError(`Read limit must be >= 0, got ${String(limit)}`);
    const query = compileQuery(filter);
    this.#expireOverrides(now);
    const max = limit === undefined ? Number.POSITIVE_INFINITY : Math.floor(limit);
    const out: Dict[] = [];
    if (max === 0) return out;
    const resolve = this.#resolve;
    let evaluated = 0;
    // True when the limit is reached.
    const visit = (e: Entity): boolean => {
      evaluated++;
      if (query.matches(e.dict, resolve)) out.push(e.dict);
      return out.length >= max;
    };
    const best = this.#smallestIndex(query);
    const all = this.#sortedEntities();
    if (best === undefined) {
      for (const e of all) if (visit(e)) break;
    } else if (best.size * Math.log2(best.size + 1) < all.length) {
      // Sorting k candidates costs k log k; walking every entity in order and testing membership costs n. Only the
      // matches are sorted (a filter mostly keeps few of its index's candidates), then cut to the limit.
      const matched: Entity[] = [];
      const byOrdinal = this.#byOrdinal;
      best.forEach((o) => {
        const e = byOrdinal[o];
        if (e === undefined) return;
        evaluated++;
        if (query.matches(e.dict, resolve)) matched.push(e);
      });
      matched.sort((a, b) => compareIds(a.id, b.id));
      const n = Math.min(matched.length, max);
      for (let i = 0; i < n; i++) out.push((matched[i] as Entity).dict);
    } else {
      for (const e of all) if (best.has(e.ordinal) && visit(e)) break;
    }
    this.#filterEvaluations += evaluated;
    return out;
  }

  /** Apply diffs all or none; returns the entity after each non-remove diff. */
  commit(diffs: readonly CommitDiff[], now: number, idPrefix: string, limits: MemoryStoreLimits): Dict[] {
    this.#expireOverrides(now);
    // Stage every change over the current entities first, so that a failing diff leaves nothing applied.
    const { staged, results } = stageCommit(
      diffs,
      (id) => this.#entities.get(id)?.dict,
      now,
      (current) => this.#newId(idPrefix, current),
      this.#pool.intern,
    );
    let size = this.#entities.size;
    for (const [id, dict] of staged) {
      const exists = this.#entities.has(id);
      if (dict === null && exists) size--;
      else if (dict !== null && !exists) size++;
    }
    if (size > limits.maxEntities && size > this.#entities.size) {
      throw new LimitError('maxEntities', `The store holds at most ${limits.maxEntities} entities`);
    }
    if (staged.size > 0) {
      const version = ++this.#version;
      for (const [id, dict] of staged) this.#apply(id, dict, version);
      this.#pruneTombstones();
    }
    return [...results];
  }

  /** A point's samples in `[start, end)`. */
  hisRead(id: string, range: TimeRange, _now: number): HisItem[] {
    this.#requireEntity(id);
    return this.#his.get(id)?.read(range) ?? [];
  }

  /** Number of samples in a point's history. */
  hisCount(id: string, _now: number): number {
    this.#requireEntity(id);
    return this.#his.get(id)?.size ?? 0;
  }

  /** Merge samples into a point's history. */
  hisWrite(id: string, items: readonly HisItem[], _now: number, limits: MemoryStoreLimits): number {
    this.#requireEntity(id);
    if (items.length > limits.maxHisItemsPerWrite) {
      throw new LimitError('maxHisItemsPerWrite', `A history write takes at most ${limits.maxHisItemsPerWrite} items`);
    }
    for (const it of items) {
      if (!Number.isSafeInteger(it.ts))
        throw new ValueError(`History timestamp must be epoch ms, got ${String(it.ts)}`);
      if (it.val === null) throw new ValueError('History values cannot be null');
    }
    let series = this.#his.get(id);
    if (series === undefined) this.#his.set(id, (series = new HisSeries()));
    return series.write(items);
  }

  /** A point's priority array. */
  readPriorityArray(id: string, now: number): PriorityArray {
    this.#expireOverrides(now);
    this.#requireEntity(id);
    return toPriorityArray(this.#priority.get(id) ?? emptyLevels());
  }

  /** Write a level and mirror the effective value onto the point, as one change. */
  pointWrite(req: PointWriteRequest, now: number): PriorityArray {
    validatePointWrite(req);
    this.#expireOverrides(now);
    const entity = this.#requireEntity(req.id);
    const levels = writeLevel(this.#priority.get(req.id) ?? emptyLevels(), req, now);
    const arr = this.#setLevels(req.id, levels);
    const dict = updatedEntity(
      entity.dict,
      writeTagChanges(arr),
      req.id,
      nextMod(modOf(entity.dict), now),
      this.#pool.intern,
    );
    this.#apply(req.id, dict, ++this.#version);
    return arr;
  }

  /** Open a watch. */
  watchOpen(dis: string, leaseMs: number, now: number, limits: MemoryStoreLimits, owner?: string): WatchInfo {
    const lease = checkLease(leaseMs, limits.maxLeaseMs);
    this.#dropExpiredWatches(now);
    if (this.#watches.size >= limits.maxWatches) {
      throw new LimitError('maxWatches', `At most ${limits.maxWatches} watches may be open`);
    }
    const w: Watch = {
      id: `w-${randomUUID()}`,
      dis,
      owner,
      leaseMs: lease,
      renewedAt: now,
      polledVersion: this.#version,
      ids: new Map(),
    };
    this.#watches.set(w.id, w);
    return info(w);
  }

  /** Add ids to a watch; changes are reported from now on. */
  watchAdd(watchId: string, ids: readonly string[], now: number, limits: MemoryStoreLimits): WatchInfo {
    const w = this.#liveWatch(watchId, now);
    let added = 0;
    for (const id of new Set(ids)) if (!w.ids.has(id)) added++;
    if (w.ids.size + added > limits.maxIdsPerWatch) {
      throw new LimitError('maxIdsPerWatch', `A watch holds at most ${limits.maxIdsPerWatch} ids`);
    }
    for (const id of ids) if (!w.ids.has(id)) w.ids.set(id, this.#version);
    w.renewedAt = now;
    return info(w);
  }

  /** Remove ids from a watch. */
  watchRemove(watchId: string, ids: readonly string[], now: number): WatchInfo {
    const w = this.#liveWatch(watchId, now);
    for (const id of ids) w.ids.delete(id);
    w.renewedAt = now;
    return info(w);
  }

  /** Change a watch's lease. */
  watchLease(watchId: string, leaseMs: number, now: number, limits: MemoryStoreLimits): WatchInfo {
    const lease = checkLease(leaseMs, limits.maxLeaseMs);
    const w = this.#liveWatch(watchId, now);
    w.leaseMs = lease;
    w.renewedAt = now;
    return info(w);
  }

  /** Close a watch (no error if unknown). */
  watchClose(watchId: string, _now: number): void {
    this.#watches.delete(watchId);
  }

  /** Entities changed since the last poll (all with `refresh`), and watched ids removed since then. */
  watchPoll(watchId: string, refresh: boolean, now: number): WatchPollResult {
    this.#expireOverrides(now);
    const w = this.#liveWatch(watchId, now);
    const changed: Dict[] = [];
    const removed: string[] = [];
    for (const [id, addedVersion] of w.ids) {
      const since = Math.max(w.polledVersion, addedVersion);
      const e = this.#entities.get(id);
      if (e !== undefined) {
        if (refresh || e.version > since) changed.push(e.dict);
      } else if ((this.#tombstones.get(id) ?? 0) > since) {
        removed.push(id);
      }
    }
    w.polledVersion = this.#version;
    w.renewedAt = now;
    return { watch: info(w), changed, removed };
  }

  /** One live watch, without renewing it. */
  watchInfo(watchId: string, now: number): WatchInfo | undefined {
    const w = this.#watches.get(watchId);
    return w === undefined || now - w.renewedAt >= w.leaseMs ? undefined : info(w);
  }

  /** Open watches; expired ones are dropped. */
  watches(now: number): WatchInfo[] {
    this.#dropExpiredWatches(now);
    return [...this.#watches.values()].map(info);
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
      const set = this.#index.withTag(name);
      if (best === undefined || set.size < best.size) best = set;
    }
    for (const { name, refId } of hints.refEqualities) {
      const set = name === 'id' ? this.#idSet(refId) : this.#index.withRef(name, refId);
      if (best === undefined || set.size < best.size) best = set;
    }
    return best;
  }

  // `id == @x`: the entity with that id, if any (the tag index leaves `id` out).
  #idSet(id: string): ReadonlyOrdinalSet {
    const set = new OrdinalSet();
    const e = this.#entities.get(id);
    if (e !== undefined) set.add(e.ordinal);
    return set;
  }

  #sortedEntities(): Entity[] {
    this.#sorted ??= [...this.#entities.values()].sort((a, b) => compareIds(a.id, b.id));
    return this.#sorted;
  }

  #newId(prefix: string, current: (id: string) => Dict | undefined): string {
    for (;;) {
      const id = `${prefix}${randomBytes(8).toString('hex')}`;
      if (!isEntityId(id)) throw new ValueError(`Id prefix ${JSON.stringify(prefix)} makes invalid ids`);
      if (current(id) === undefined && !this.#tombstones.has(id)) return id;
    }
  }

  // Store one entity's new state (null removes it and everything attached to it).
  #apply(id: string, dict: Dict | null, version: number): void {
    const before = this.#entities.get(id);
    if (dict === null) {
      if (before === undefined) return;
      this.#index.update(before.ordinal, before.dict, undefined);
      this.#byOrdinal[before.ordinal] = undefined;
      this.#freeOrdinals.push(before.ordinal);
      this.#entities.delete(id);
      this.#his.delete(id);
      this.#priority.delete(id);
      this.#timed.delete(id);
      this.#tombstones.set(id, version);
      this.#sorted = undefined;
      return;
    }
    if (before === undefined) {
      this.#sorted = undefined;
      this.#tombstones.delete(id);
      const ordinal = this.#freeOrdinals.pop() ?? this.#byOrdinal.length;
      const e: Entity = { id, ordinal, dict, version };
      this.#byOrdinal[ordinal] = e;
      this.#entities.set(id, e);
      this.#index.update(ordinal, undefined, dict);
      return;
    }
    this.#index.update(before.ordinal, before.dict, dict);
    before.dict = dict;
    before.version = version;
  }

  #requireEntity(id: string): Entity {
    const e = this.#entities.get(id);
    if (e === undefined) throw new UnknownRecError(id);
    return e;
  }

  #setLevels(id: string, levels: readonly PriorityLevel[]): PriorityArray {
    this.#priority.set(id, levels);
    const expiry = nextExpiry(levels);
    if (expiry === undefined) {
      this.#timed.delete(id);
    } else {
      this.#timed.add(id);
      if (expiry < this.#nextExpiry) this.#nextExpiry = expiry;
    }
    return toPriorityArray(levels);
  }

  // Timed overrides end lazily: the first call at or after their end empties them, as one change.
  #expireOverrides(now: number): void {
    if (now < this.#nextExpiry) return;
    this.#nextExpiry = Number.POSITIVE_INFINITY;
    let version: number | undefined;
    for (const id of [...this.#timed]) {
      const levels = this.#priority.get(id) ?? emptyLevels();
      const next = expireLevels(levels, now);
      if (next === undefined) {
        const expiry = nextExpiry(levels);
        if (expiry !== undefined && expiry < this.#nextExpiry) this.#nextExpiry = expiry;
        continue;
      }
      const arr = this.#setLevels(id, next);
      const e = this.#entities.get(id);
      if (e === undefined) continue;
      version ??= ++this.#version;
      const mod = nextMod(modOf(e.dict), now);
      this.#apply(id, updatedEntity(e.dict, writeTagChanges(arr), id, mod, this.#pool.intern), version);
    }
  }

  #liveWatch(watchId: string, now: number): Watch {
    const w = this.#watches.get(watchId);
    if (w === undefined) throw unknownWatchError(watchId);
    if (now - w.renewedAt >= w.leaseMs) {
      this.#watches.delete(watchId);
      throw unknownWatchError(watchId);
    }
    return w;
  }

  #dropExpiredWatches(now: number): void {
    for (const w of [...this.#watches.values()]) if (now - w.renewedAt >= w.leaseMs) this.#watches.delete(w.id);
  }

  // A removal only matters to watches that have not polled since it.
  #pruneTombstones(): void {
    if (this.#tombstones.size < TOMBSTONE_PRUNE_AT) return;
    let oldest = this.#version;
    for (const w of this.#watches.values()) oldest = Math.min(oldest, w.polledVersion);
    for (const [id, v] of this.#tombstones) if (v <= oldest) this.#tombstones.delete(id);
  }
}

function info(w: Watch): WatchInfo {
  const base = { id: w.id, dis: w.dis, leaseMs: w.leaseMs, ids: [...w.ids.keys()] };
  return w.owner === undefined ? base : { ...base, owner: w.owner };
}

// Stable id order: UTF-16 code units, which for refChars (ASCII) is byte order, as SQL backends sort.
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
