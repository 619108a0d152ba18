// The memory backend's data: entities with indexes and change versions, histories, priority arrays and watches.

import { randomBytes, randomUUID } from 'node:crypto';
import { HisColumnsBuilder, type HisRows } from '../../core/codec/zinc/his-columns.js';
import { LimitError, UnknownRecError, ValueError } from '../../core/errors.js';
import type { Dict } from '../../core/grid/dict.js';
import type { TimeZone } from '../../core/tz/time-zone.js';
import type {
  CommitDiff,
  HisItem,
  HisWrite,
  OverrideEnd,
  PointWriteRequest,
  PriorityArray,
  PriorityLevel,
  TimeRange,
  WatchInfo,
  WatchPollResult,
} from '../adapter.js';
import { checkLease, modOf, stageCommit } from '../commit-staging.js';
import { isEntityId, nextMod, updatedEntity } from '../entity-tags.js';
import { checkHisItems, checkHisWrites } from '../his-samples.js';
import { IndexedEntities } from '../indexed/indexed-entities.js';
import { compileQuery } from '../indexed/query-plan.js';
import { ValuePool } from '../indexed/value-pool.js';
import {
  emptyLevels,
  expireLevels,
  levelEnds,
  nextExpiry,
  type PointWritePlan,
  planPointWrites,
  toPriorityArray,
  writeTagChanges,
} from '../priority-array.js';
import { ownerLimitError, unknownWatchError } from '../storage-errors.js';
import { HisSeries } from './his-series.js';

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

// The index sets of one exact conjunction: candidates `from`, kept if in every set of `all` and in none of `none`.
/**
 * Everything a memory store holds. Adapters are thin views over it: two adapters made over one state share
 * entities, histories and watches, as server processes over one database would.
 */
export class MemoryState {
  readonly #indexed = new IndexedEntities();
  readonly #entities = this.#indexed.entities;
  readonly #pool = new ValuePool();
  #version = 0;
  // Ids removed, with the version of the removal, so that polls can report them.
  readonly #tombstones = new Map<string, number>();
  readonly #his = new Map<string, HisSeries>();
  readonly #priority = new Map<string, readonly PriorityLevel[]>();
  // Ids whose priority array has a timed level, and the earliest expiry among them.
  readonly #timed = new Set<string>();
  #nextExpiry = Number.POSITIVE_INFINITY;
  readonly #watches = new Map<string, Watch>();

  /** Counters for tests and diagnostics. */
  stats(): MemoryStoreStats {
    return {
      entities: this.#entities.size,
      version: this.#version,
      filterEvaluations: this.#indexed.evaluations,
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
    const entities = this.#entities;
    return ids.map((id) => entities.get(id));
  }

  /** Entities matching a filter, by id, up to `limit`; only candidates from the indexes are evaluated. */
  read(filter: string, limit: number | undefined, now: number): Dict[] {
    if (limit !== undefined && !(limit >= 0)) throw new ValueError(`Read limit must be >= 0, got ${String(limit)}`);
    const query = compileQuery(filter);
    this.#expireOverrides(now);
    const max = limit === undefined ? Number.POSITIVE_INFINITY : Math.floor(limit);
    const out: Dict[] = [];
    if (max === 0) return out;
    return this.#indexed.read(query, max);
  }

  /** Apply diffs all or none; returns the entity after each non-remove diff. */
  commit(diffs: readonly CommitDiff[], now: number, idPrefix: string, limits: MemoryStoreLimits): Dict[] {
    this.#expireOverrides(now);
    // Stage every change over the current entities first, so that a failing diff leaves nothing applied.
    const entities = this.#entities;
    const { staged, results } = stageCommit(
      diffs,
      (id) => entities.get(id),
      now,
      (current) => this.#newId(idPrefix, current),
      this.#pool.intern,
    );
    // The ordinal of each staged id (-1: new), found once for the limit check and the writes; a commit of adds
    // alone staged only new ids (a known one would have been a conflict).
    const ordinals: number[] = [];
    let size = entities.size;
    const onlyAdds = diffs.every((d) => d.op === 'add');
    for (const [id, dict] of staged) {
      const o = onlyAdds ? -1 : entities.ordinalOf(id);
      ordinals.push(o);
      if (dict === null && o >= 0) size--;
      else if (dict !== null && o < 0) size++;
    }
    if (size > limits.maxEntities && size > entities.size) {
      throw new LimitError('maxEntities', `The store holds at most ${limits.maxEntities} entities`);
    }
    if (staged.size > 0) {
      const version = ++this.#version;
      let j = 0;
      for (const [id, dict] of staged) this.#apply(id, dict, version, ordinals[j++] as number);
      this.#pruneTombstones();
    }
    return [...results];
  }

  /** A point's samples in `[start, end)`. */
  hisRead(id: string, range: TimeRange, _now: number): HisItem[] {
    this.#requireEntity(id);
    return this.#his.get(id)?.read(range) ?? [];
  }

  /** {@link hisRead}'s samples as history columns in `tz`. */
  hisReadColumns(id: string, range: TimeRange, tz: TimeZone, _now: number): HisRows {
    this.#requireEntity(id);
    return this.#his.get(id)?.readColumns(range, tz) ?? new HisColumnsBuilder(tz, 0).build();
  }

  /** Number of samples in a point's history. */
  hisCount(id: string, _now: number): number {
    this.#requireEntity(id);
    return this.#his.get(id)?.size ?? 0;
  }

  /** Merge samples into a point's history. */
  hisWrite(id: string, items: readonly HisItem[], _now: number, limits: MemoryStoreLimits): number {
    this.#requireEntity(id);
    checkHisItems(items, limits.maxHisItemsPerWrite);
    return this.#hisMerge(id, items);
  }

  /** Merge samples into several points' histories: every check passes before any point changes. */
  hisWriteBatch(writes: readonly HisWrite[], _now: number, limits: MemoryStoreLimits): number {
    for (const w of writes) this.#requireEntity(w.id);
    checkHisWrites(writes, limits.maxHisItemsPerWrite);
    let n = 0;
    for (const w of writes) n += this.#hisMerge(w.id, w.items);
    return n;
  }

  #hisMerge(id: string, items: readonly HisItem[]): number {
    let series = this.#his.get(id);
    if (series === undefined) this.#his.set(id, (series = new HisSeries()));
    return series.write(items);
  }

  /** The timed overrides that have not ended by `now`. */
  overrideEnds(now: number): OverrideEnd[] {
    return [...this.#timed].flatMap((id) => levelEnds(id, this.#priority.get(id) ?? emptyLevels(), now));
  }

  /** A point's priority array. */
  readPriorityArray(id: string, now: number): PriorityArray {
    return this.readPriorityArrays([id], now)[0] as PriorityArray;
  }

  /** Several points' priority arrays, in order. */
  readPriorityArrays(ids: readonly string[], now: number): PriorityArray[] {
    this.#expireOverrides(now);
    for (const id of ids) this.#requireEntity(id);
    return ids.map((id) => toPriorityArray(this.#priority.get(id) ?? emptyLevels()));
  }

  /** Write a level and mirror the effective value onto the point, as one change. */
  pointWrite(req: PointWriteRequest, now: number): PriorityArray {
    return this.pointWriteBatch([req], now).results[0] as PriorityArray;
  }

  /** Write levels in order and mirror each point's effective value onto it, as one change: checks pass first. */
  pointWriteBatch(reqs: readonly PointWriteRequest[], now: number): PointWritePlan {
    this.#expireOverrides(now);
    const plan = planPointWrites(reqs, (id) => this.#priority.get(id) ?? emptyLevels(), now);
    for (const id of plan.levels.keys()) this.#requireEntity(id);
    if (plan.levels.size === 0) return plan;
    const version = ++this.#version;
    for (const [id, levels] of plan.levels) {
      const arr = this.#setLevels(id, levels);
      const entity = this.#requireEntity(id);
      const dict = updatedEntity(entity, writeTagChanges(arr), id, nextMod(modOf(entity), now), this.#pool.intern);
      this.#apply(id, dict, version, this.#entities.ordinalOf(id));
    }
    return plan;
  }

  /** Open a watch. */
  watchOpen(
    dis: string,
    leaseMs: number,
    now: number,
    limits: MemoryStoreLimits,
    owner?: string,
    maxOwned?: number,
  ): WatchInfo {
    const lease = checkLease(leaseMs, limits.maxLeaseMs);
    this.#dropExpiredWatches(now);
    if (this.#watches.size >= limits.maxWatches) {
      throw new LimitError('maxWatches', `At most ${limits.maxWatches} watches may be open`);
    }
    if (owner !== undefined && maxOwned !== undefined) {
      let owned = 0;
      for (const w of this.#watches.values()) if (w.owner === owner) owned++;
      if (owned >= maxOwned) throw ownerLimitError(maxOwned);
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
      const o = this.#entities.ordinalOf(id);
      if (o >= 0) {
        if (refresh || this.#entities.versionAt(o) > since) changed.push(this.#entities.dictAt(o) as Dict);
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

  #newId(prefix: string, current: (id: string) => Dict | undefined): string {
    for (;;) {
      const id = `${prefix}${randomBytes(8).toString('hex')}`;
      if (!isEntityId(id)) throw new ValueError(`Id prefix ${JSON.stringify(prefix)} makes invalid ids`);
      if (current(id) === undefined && !this.#tombstones.has(id)) return id;
    }
  }

  // Store one entity's new state (null removes it and everything attached to it); `ordinal` is its current one,
  // -1 when it is new.
  #apply(id: string, dict: Dict | null, version: number, ordinal: number): void {
    if (dict === null) {
      if (ordinal < 0) return;
      this.#his.delete(id);
      this.#priority.delete(id);
      this.#timed.delete(id);
      this.#tombstones.set(id, version);
    } else if (ordinal < 0 && this.#tombstones.size > 0) this.#tombstones.delete(id);
    this.#indexed.set(id, dict, version, ordinal);
  }

  #requireEntity(id: string): Dict {
    const d = this.#entities.get(id);
    if (d === undefined) throw new UnknownRecError(id);
    return d;
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
      const o = this.#entities.ordinalOf(id);
      const d = o < 0 ? undefined : this.#entities.dictAt(o);
      if (d === undefined) continue;
      version ??= ++this.#version;
      const mod = nextMod(modOf(d), now);
      this.#apply(id, updatedEntity(d, writeTagChanges(arr), id, mod, this.#pool.intern), version, o);
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
