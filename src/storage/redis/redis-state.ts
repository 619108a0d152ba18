// The Redis store's operations: entities and their index sets, history, priority arrays and watches, each atomic.

import { randomBytes, randomUUID } from 'node:crypto';
import { encodeJson } from '../../core/codec/json/index.js';
import { LimitError, UnknownRecError, ValueError } from '../../core/errors.js';
import type { Dict } from '../../core/grid/dict.js';
import { Ref } from '../../core/kinds/ref.js';
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
import { checkHisItems, checkHisWrites, hisPageLimit, sortedUniqueSamples } from '../his-samples.js';
import type { IndexedEntities } from '../indexed/indexed-entities.js';
import { compileQuery } from '../indexed/query-plan.js';
import { type MirrorConfig, type MirrorSource, SharedMirror } from '../indexed/shared-mirror.js';
import {
  decodeLevels,
  emptyLevels,
  encodeLevels,
  expireLevels,
  levelEnds,
  nextExpiry,
  planPointWrites,
  toPriorityArray,
  validatePointWrite,
  writeTagChanges,
} from '../priority-array.js';
import { conflictError, ownerLimitError, unknownWatchError } from '../storage-errors.js';
import type { RedisConnection } from './redis-client.js';
import { decodeEntity, decodeSamples, encodeSample } from './redis-codec.js';
import { indexKeys, KEY, keyBase, numberKeys } from './redis-keys.js';
import { planRedisQuery, type RedisQuery } from './redis-query.js';
import * as S from './redis-scripts.js';

/** Limits of a Redis store; every one is checked where input enters. */
export interface RedisStoreLimits {
  /** Most samples in one `hisWrite` (default 1,000,000). */
  readonly maxHisItemsPerWrite: number;
  /** Most ids one watch holds (default 10,000). */
  readonly maxIdsPerWatch: number;
  /** Most watches open at once (default 1,000). */
  readonly maxWatches: number;
  /** Longest lease a watch gets; longer requests are shortened to it (default 1 hour). */
  readonly maxLeaseMs: number;
}

/** The defaults of {@link RedisStoreLimits}. */
export const DEFAULT_REDIS_LIMITS: RedisStoreLimits = Object.freeze({
  maxHisItemsPerWrite: 1_000_000,
  maxIdsPerWatch: 10_000,
  maxWatches: 1_000,
  maxLeaseMs: 3_600_000,
});

/** How reads were answered, for tests and diagnostics. */
export interface RedisReadStats {
  /** Reads the index sets answered alone. */
  readonly exact: number;
  /** Reads whose candidates from the sets were checked in process. */
  readonly rechecked: number;
  /** Reads (and reads by id, and counts) the mirror answered. */
  readonly cached: number;
}

// A catch-up takes the changed entities in one reply of at most this many fill chunks; past that the mirror fills
// again chunk by chunk (a bulk import while it runs), so no reply grows with the size of a change.
const CATCH_UP_CHUNKS = 10;

// Optimistic writes retry when another writer changed what they staged from; past this, the caller gets a conflict.
const MAX_ATTEMPTS = 50;
// Script replies: done, refused (check failed or unknown watch), an override is due, a limit was reached.
const DONE = 1;
const DUE = 2;
const LIMITED = 3;
// WATCH_OPEN's reply when the owner holds its most watches already.
const OWNER_LIMITED = 4;

/** What one APPLY call writes. */
interface ChangePlan {
  readonly checks: [string, string, string | false][];
  readonly ops: OpGroups;
  readonly changed: string[];
  readonly removed: string[];
  /** Timed overrides the change sets, announced with it (the point changes again then, unannounced). */
  expiries?: { readonly id: string; readonly at: number }[];
}

/** What a committed change publishes on `{prefix}:changes` (see {@link parseChangeMessage}). */
export interface ChangeMessage {
  /** Ids changed or removed. */
  readonly ids: readonly string[];
  /** Timed overrides set by the change. */
  readonly expiries?: readonly { readonly id: string; readonly at: number }[];
  /** The store's version the change made (the APPLY script adds it; absent from an older process's messages). */
  readonly v?: number;
}

/** A published change message, or undefined when the text is not one (another publisher on the channel). */
export function parseChangeMessage(text: string): ChangeMessage | undefined {
  try {
    const m = JSON.parse(text) as Partial<ChangeMessage> | null;
    if (m === null || !Array.isArray(m.ids) || m.ids.length === 0) return undefined;
    if (!m.ids.every((id) => typeof id === 'string')) return undefined;
    const v = typeof m.v === 'number' ? { v: m.v } : {};
    const ex: unknown = m.expiries;
    if (ex === undefined) return { ids: m.ids, ...v };
    const valid = (e: unknown): e is { id: string; at: number } =>
      typeof e === 'object' &&
      e !== null &&
      typeof (e as { id?: unknown }).id === 'string' &&
      typeof (e as { at?: unknown }).at === 'number';
    if (!Array.isArray(ex) || !ex.every(valid)) return undefined;
    return { ids: m.ids, expiries: ex, ...v };
  } catch {
    return undefined;
  }
}

/** Everything one store does over its connection; the adapter adds the clock and the closed check. */
export class RedisState {
  readonly #redis: RedisConnection;
  readonly #base: string;
  readonly #ver: string;
  readonly #limits: RedisStoreLimits;
  readonly #idPrefix: string;
  /** This process's copy of the entities (the store reports, warms and stops it). */
  readonly mirror: SharedMirror;
  readonly #catchUpMax: number;
  // This process's entity writes in progress, by id: the last one touching each (see #inTurn).
  readonly #writing = new Map<string, Promise<void>>();
  #exact = 0;
  #rechecked = 0;

  constructor(
    redis: RedisConnection,
    prefix: string,
    limits: RedisStoreLimits,
    idPrefix: string,
    mirror: MirrorConfig,
  ) {
    this.#redis = redis;
    this.#base = keyBase(prefix);
    this.#ver = `${this.#base}${KEY.ver}`;
    this.#limits = limits;
    this.#idPrefix = idPrefix;
    this.#catchUpMax = CATCH_UP_CHUNKS * mirror.chunk;
    this.mirror = new SharedMirror(this.#mirrorSource(), mirror);
  }

  /** Read counters. */
  readStats(): RedisReadStats {
    return { exact: this.#exact, rechecked: this.#rechecked, cached: this.mirror.stats().answered };
  }

  // The mirror's entities, current as of a head read after this call, a due timed override ended first.
  #mirrored(now: number): Promise<IndexedEntities | undefined> {
    return this.mirror.entitiesAt(now, (at) => this.#expireDue(at));
  }

  // What the mirror asks: the version with the next override end (one script); what changed since a version, from
  // the change log the APPLY script keeps, read atomically with the version it brings the mirror to; the count;
  // entities by HSCAN (no order: the fill takes an entity twice, or one changed since its head, harmlessly).
  #mirrorSource(): MirrorSource {
    const entities = `${this.#base}${KEY.entities}`;
    return {
      head: async () => {
        const r = await this.#redis.eval(S.HEAD, this.#ver, [this.#base]);
        const next = r[1] as string | null;
        return { version: Number(r[0]), nextExpiry: next === null ? null : Number(next), epoch: String(r[2]) };
      },
      changesSince: async (version) => {
        const r = await this.#redis.eval(S.CHANGES, this.#ver, [this.#base, version, this.#catchUpMax]);
        if (Number(r[0]) !== DONE) return undefined;
        const ids = r[2] as string[];
        const data = r[3] as (string | null)[];
        const changed: [string, Dict | null][] = ids.map((id, i) => {
          const d = data[i];
          return [id, d === null || d === undefined ? null : decodeEntity(d)];
        });
        for (const id of r[4] as string[]) changed.push([id, null]);
        return { version: Number(r[1]), changed };
      },
      count: () => this.#redis.hlen(entities),
      chunk: async (cursor, n) => {
        const [next, flat] = await this.#redis.hscan(entities, cursor === '' ? '0' : cursor, n);
        const rows: [string, Dict][] = [];
        for (let i = 0; i + 1 < flat.length; i += 2) {
          rows.push([flat[i] as string, decodeEntity(flat[i + 1] as string)]);
        }
        return { rows, next: next === '0' ? null : next };
      },
    };
  }

  /** Number of entities. */
  async count(now: number): Promise<number> {
    const mirrored = await this.#mirrored(now);
    if (mirrored !== undefined) return mirrored.size;
    const r = await this.#dueSafe(now, S.COUNT, []);
    return Number(r[1]);
  }

  /** Entities by id, in order. */
  async readByIds(ids: readonly string[], now: number): Promise<(Dict | undefined)[]> {
    const mirrored = await this.#mirrored(now);
    if (mirrored !== undefined) return ids.map((id) => mirrored.get(id));
    const r = await this.#dueSafe(now, S.BY_IDS, ids);
    return ids.map((_, i) => {
      const data = r[i + 1] as string | null | undefined;
      return data === null || data === undefined ? undefined : decodeEntity(data);
    });
  }

  /**
   * Entities matching a filter, by id, up to `limit`: the mirror's indexes once it is loaded; else the sets decide
   * what they can, evaluation the rest.
   */
  async read(text: string, limit: number | undefined, now: number): Promise<Dict[]> {
    if (limit !== undefined && !(limit >= 0)) throw new ValueError(`Read limit must be >= 0, got ${String(limit)}`);
    const q = planRedisQuery(text);
    const max = limit === undefined ? Number.POSITIVE_INFINITY : Math.floor(limit);
    if (max === 0) return [];
    const mirrored = await this.#mirrored(now);
    if (mirrored !== undefined) return mirrored.read(compileQuery(text), max);
    if (Number.isFinite(max)) return this.#readLimited(q, max, now);
    const r = await this.#dueSafe(now, S.QUERY, [q.expr, '0']);
    const ids = r[1] as string[];
    const data = r[2] as (string | null)[];
    const order = ids.map((_, i) => i).sort((x, y) => compareIds(ids[x] as string, ids[y] as string));
    const out: Dict[] = [];
    if (q.exact) {
      this.#exact++;
      for (const i of order) {
        if (out.length >= max) break;
        const d = data[i];
        if (d !== null && d !== undefined) out.push(decodeEntity(d));
      }
      return out;
    }
    this.#rechecked++;
    const candidates: Dict[] = [];
    for (const i of order) {
      const d = data[i];
      if (d !== null && d !== undefined) candidates.push(decodeEntity(d));
    }
    if (!q.usesRefs) {
      for (const d of candidates) {
        if (out.length >= max) break;
        if (q.filter.matches(d)) out.push(d);
      }
      return out;
    }
    const matched = await this.#matchWithRefs(candidates, (d, resolve) => q.filter.matches(d, resolve));
    for (const d of candidates) {
      if (out.length >= max) break;
      if (matched.has(d)) out.push(d);
    }
    return out;
  }

  // A limited read: the matching ids (sorted), then their entities page by page until `max` match.
  async #readLimited(q: RedisQuery, max: number, now: number): Promise<Dict[]> {
    const r = await this.#dueSafe(now, S.QUERY, [q.expr, '1']);
    const ids = (r[1] as string[]).sort(compareIds);
    if (q.exact) this.#exact++;
    else this.#rechecked++;
    const out: Dict[] = [];
    const page = Math.max(64, 2 * max);
    for (let from = 0; from < ids.length && out.length < max; from += page) {
      const data = await this.#redis.hmget(`${this.#base}${KEY.entities}`, ids.slice(from, from + page));
      // An entity removed since the ids were read is skipped; one changed since is judged as it is now.
      const batch = data.filter((d): d is string => d !== null).map(decodeEntity);
      const matched = q.exact
        ? undefined
        : q.usesRefs
          ? await this.#matchWithRefs(batch, (d, resolve) => q.filter.matches(d, resolve))
          : new Set(batch.filter((d) => q.filter.matches(d)));
      for (const d of batch) {
        if (out.length >= max) break;
        if (matched === undefined || matched.has(d)) out.push(d);
      }
    }
    return out;
  }

  /** Apply diffs all or none; returns the entity after each non-remove diff. */
  async commit(diffs: readonly CommitDiff[], now: number): Promise<Dict[]> {
    const asked = new Set<string>();
    for (const d of diffs) {
      if (d.op === 'add') {
        const id = d.tags.get('id');
        if (id instanceof Ref) asked.add(id.id);
      } else asked.add(d.id);
    }
    const ids = [...asked];
    return this.#inTurn(ids, () => this.#commitOnce(diffs, ids, now));
  }

  // A commit whose entities no other write of this process is staging: retried while other processes change them.
  async #commitOnce(diffs: readonly CommitDiff[], ids: readonly string[], now: number): Promise<Dict[]> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const r = await this.#dueSafe(now, S.BY_IDS, ids);
      const stored = new Map<string, string>();
      const decoded = new Map<string, Dict>();
      ids.forEach((id, i) => {
        const data = r[i + 1] as string | null;
        if (data !== null) stored.set(id, data);
      });
      const lookup = (id: string): Dict | undefined => {
        let d = decoded.get(id);
        const data = stored.get(id);
        if (d === undefined && data !== undefined) decoded.set(id, (d = decodeEntity(data)));
        return d;
      };
      const { staged, results } = stageCommit(diffs, lookup, now, (current) => this.#newId(current));
      if (staged.size === 0) return [...results];
      const plan = this.#plan(staged, stored, lookup);
      if (await this.#apply(plan)) return [...results];
    }
    throw conflictError('The commit kept meeting concurrent changes; try again');
  }

  /** A point's samples in `[start, end)`. */
  async hisRead(id: string, range: TimeRange): Promise<HisItem[]> {
    const r = await this.#redis.eval(S.HIS_READ, this.#ver, [this.#base, id, score(range.start), score(range.end)]);
    if (Number(r[0]) !== DONE) throw new UnknownRecError(id);
    return decodeSamples(r[1] as string[]);
  }

  /** The first `limit` samples of a point in `[start, end)`, in one script call. */
  async hisReadPage(id: string, range: TimeRange, limit: number): Promise<HisItem[]> {
    const n = hisPageLimit(limit);
    const r = await this.#redis.eval(S.HIS_READ_PAGE, this.#ver, [
      this.#base,
      id,
      score(range.start),
      score(range.end),
      n,
    ]);
    if (Number(r[0]) !== DONE) throw new UnknownRecError(id);
    return decodeSamples(r[1] as string[]);
  }

  /** Merge samples into a point's history in one script call (all or none). */
  async hisWrite(id: string, items: readonly HisItem[]): Promise<number> {
    checkHisItems(items, this.#limits.maxHisItemsPerWrite);
    const args: string[] = [this.#base, id];
    pushSamples(args, items);
    const r = await this.#redis.eval(S.HIS_WRITE, this.#ver, args);
    if (Number(r[0]) !== DONE) throw new UnknownRecError(id);
    return items.length;
  }

  /** Merge samples into several points' histories in one script call (all or none). */
  async hisWriteBatch(writes: readonly HisWrite[]): Promise<number> {
    checkHisWrites(writes, this.#limits.maxHisItemsPerWrite);
    if (writes.length === 0) return 0;
    const args: string[] = [this.#base];
    for (const w of writes) {
      args.push(w.id, '');
      const at = args.length - 1;
      pushSamples(args, w.items);
      args[at] = String((args.length - at - 1) / 2);
    }
    const r = await this.#redis.eval(S.HIS_WRITE_BATCH, this.#ver, args);
    if (Number(r[0]) !== DONE) throw new UnknownRecError(String(r[1]));
    let n = 0;
    for (const w of writes) n += w.items.length;
    return n;
  }

  /** How many samples a point's history holds. */
  async hisCount(id: string): Promise<number> {
    const r = await this.#redis.eval(S.HIS_COUNT, this.#ver, [this.#base, id]);
    if (Number(r[0]) !== DONE) throw new UnknownRecError(id);
    return Number(r[1]);
  }

  /** A point's priority array. */
  async readPriorityArray(id: string, now: number): Promise<PriorityArray> {
    return (await this.readPriorityArrays([id], now))[0] as PriorityArray;
  }

  /** Several points' priority arrays, in order, in one script call. */
  async readPriorityArrays(ids: readonly string[], now: number): Promise<PriorityArray[]> {
    if (ids.length === 0) return [];
    const r = await this.#dueSafe(now, S.POINT, ids);
    return ids.map((id, i) => {
      if (r[2 * i + 1] === null) throw new UnknownRecError(id);
      return toPriorityArray(levelsOf(r[2 * i + 2] as string | null));
    });
  }

  /** The timed overrides that have not ended by `now`. */
  async overrideEnds(now: number): Promise<OverrideEnd[]> {
    const rows = (await this.#redis.eval(S.TIMED_POINTS, this.#ver, [this.#base])) as [string, string | null][];
    return rows.flatMap(([id, levels]) => levelEnds(id, levelsOf(levels), now));
  }

  /** Write a level and mirror the effective value onto the point, as one change. */
  async pointWrite(req: PointWriteRequest, now: number): Promise<PriorityArray> {
    return (await this.pointWriteBatch([req], now))[0] as PriorityArray;
  }

  /** Write levels in order and mirror each point's effective value onto it, as one change (one APPLY). */
  async pointWriteBatch(reqs: readonly PointWriteRequest[], now: number): Promise<readonly PriorityArray[]> {
    for (const req of reqs) validatePointWrite(req);
    if (reqs.length === 0) return [];
    const ids = [...new Set(reqs.map((req) => req.id))];
    return this.#inTurn(ids, () => this.#pointWriteOnce(reqs, ids, now));
  }

  // Point writes no other write of this process is staging against: retried while other processes change the points.
  async #pointWriteOnce(
    reqs: readonly PointWriteRequest[],
    ids: readonly string[],
    now: number,
  ): Promise<readonly PriorityArray[]> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const r = await this.#dueSafe(now, S.POINT, ids);
      const stored = new Map<string, { readonly data: string; readonly levelsText: string | null }>();
      for (const [i, id] of ids.entries()) {
        const data = r[1 + 2 * i] as string | null;
        if (data === null) throw new UnknownRecError(id);
        stored.set(id, { data, levelsText: r[2 + 2 * i] as string | null });
      }
      const plan = planPointWrites(reqs, (id) => levelsOf(stored.get(id)?.levelsText ?? null), now);
      const points = [...plan.levels].map(([id, levels]) => {
        const { data, levelsText } = stored.get(id) as { readonly data: string; readonly levelsText: string | null };
        return { id, data, levelsText, levels, arr: toPriorityArray(levels) };
      });
      const change = this.#levelsPlan(points, now);
      if (plan.ends.length > 0) change.expiries = [...plan.ends];
      if (await this.#apply(change)) return plan.results;
    }
    throw conflictError('The point write kept meeting concurrent changes; try again');
  }

  /** Open a watch. */
  async watchOpen(dis: string, leaseMs: number, now: number, owner?: string, maxOwned?: number): Promise<WatchInfo> {
    const lease = checkLease(leaseMs, this.#limits.maxLeaseMs);
    const id = `w-${randomUUID()}`;
    const r = await this.#redis.eval(S.WATCH_OPEN, this.#ver, [
      this.#base,
      now,
      id,
      dis,
      owner ?? '',
      owner === undefined ? '0' : '1',
      lease,
      this.#limits.maxWatches,
      owner === undefined || maxOwned === undefined ? -1 : maxOwned,
    ]);
    if (Number(r[0]) === LIMITED) {
      throw new LimitError('maxWatches', `At most ${String(this.#limits.maxWatches)} watches may be open`);
    }
    if (Number(r[0]) === OWNER_LIMITED) throw ownerLimitError(maxOwned ?? 0);
    return watchInfo(r[1]);
  }

  /** Add ids to a watch; changes are reported from now on. */
  async watchAdd(watchId: string, ids: readonly string[], now: number): Promise<WatchInfo> {
    return this.#watchChange(watchId, 'add', this.#limits.maxIdsPerWatch, ids, now);
  }

  /** Remove ids from a watch. */
  async watchRemove(watchId: string, ids: readonly string[], now: number): Promise<WatchInfo> {
    return this.#watchChange(watchId, 'remove', 0, ids, now);
  }

  /** Change a watch's lease. */
  async watchLease(watchId: string, leaseMs: number, now: number): Promise<WatchInfo> {
    return this.#watchChange(watchId, 'lease', checkLease(leaseMs, this.#limits.maxLeaseMs), [], now);
  }

  /** Close a watch (no error if unknown). */
  async watchClose(watchId: string): Promise<void> {
    await this.#redis.eval(S.WATCH_CLOSE, this.#ver, [this.#base, watchId]);
  }

  /** Entities changed since the last poll (all with `refresh`), and watched ids removed since then. */
  async watchPoll(watchId: string, refresh: boolean, now: number): Promise<WatchPollResult> {
    const r = await this.#dueSafe(now, S.WATCH_POLL, [watchId, refresh ? '1' : '0']);
    if (Number(r[0]) !== DONE) throw unknownWatchError(watchId);
    return {
      watch: watchInfo(r[1]),
      changed: (r[2] as string[]).map(decodeEntity),
      removed: r[3] as string[],
    };
  }

  /** One live watch, without renewing it. */
  async watchInfo(watchId: string, now: number): Promise<WatchInfo | undefined> {
    const r = await this.#redis.eval(S.WATCH_INFO, this.#ver, [this.#base, now, watchId]);
    return Number(r[0]) === DONE ? watchInfo(r[1]) : undefined;
  }

  /** Open watches in open order; expired ones are dropped. */
  async watches(now: number): Promise<WatchInfo[]> {
    const r = await this.#redis.eval(S.WATCH_LIST, this.#ver, [this.#base, now]);
    return r.slice(1).map(watchInfo);
  }

  async #watchChange(
    watchId: string,
    action: 'add' | 'remove' | 'lease',
    n: number,
    ids: readonly string[],
    now: number,
  ): Promise<WatchInfo> {
    const r = await this.#redis.eval(S.WATCH_CHANGE, this.#ver, [this.#base, now, watchId, action, n, ...ids]);
    const code = Number(r[0]);
    if (code === LIMITED) {
      throw new LimitError('maxIdsPerWatch', `A watch holds at most ${String(this.#limits.maxIdsPerWatch)} ids`);
    }
    if (code !== DONE) throw unknownWatchError(watchId);
    return watchInfo(r[1]);
  }

  /**
   * Run `work` once every earlier write of this process to any of `ids` is done. Writes are optimistic (staged from
   * what was read, applied only if it is unchanged): writes of one process to one entity at once would fail each
   * other's checks, each round letting one through, so many at once ran out of attempts (50 concurrent point writes
   * to one point: one refused). In turn, only other processes' writes can make a check fail.
   */
  async #inTurn<T>(ids: readonly string[], work: () => Promise<T>): Promise<T> {
    const before = new Set<Promise<void>>();
    for (const id of ids) {
      const p = this.#writing.get(id);
      if (p !== undefined) before.add(p);
    }
    let done = (): void => undefined;
    const mine = new Promise<void>((resolve) => {
      done = resolve;
    });
    for (const id of ids) this.#writing.set(id, mine);
    try {
      if (before.size > 0) await Promise.all(before);
      return await work();
    } finally {
      done();
      for (const id of ids) if (this.#writing.get(id) === mine) this.#writing.delete(id);
    }
  }

  // Run a reading script (ARGV: base, now, args); when a timed override is due, end it first and run again.
  async #dueSafe(now: number, s: S.LuaScript, args: readonly string[]): Promise<unknown[]> {
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const r = await this.#redis.eval(s, this.#ver, [this.#base, now, ...args]);
      if (Number(r[0]) !== DUE) return r;
      await this.#expireDue(now);
    }
    throw conflictError('Timed overrides kept ending concurrently; try again');
  }

  // Timed overrides end lazily: the first call at or after their end empties them, as one change per batch.
  async #expireDue(now: number): Promise<void> {
    for (;;) {
      const rows = (await this.#redis.eval(S.DUE_POINTS, this.#ver, [this.#base, now])) as [
        string,
        string | null,
        string | null,
      ][];
      if (rows.length === 0) return;
      const points = rows.map(([id, data, levelsText]) => {
        const current = levelsOf(levelsText);
        const levels = expireLevels(current, now) ?? current;
        return { id, data, levelsText, levels, arr: toPriorityArray(levels) };
      });
      // A failed check means another caller ended (or changed) them first: look again.
      await this.#apply(this.#levelsPlan(points, now));
    }
  }

  // The change that stores new levels of points and mirrors their effective values onto the entities.
  #levelsPlan(
    points: readonly {
      readonly id: string;
      readonly data: string | null;
      readonly levelsText: string | null;
      readonly levels: readonly PriorityLevel[];
      readonly arr: PriorityArray;
    }[],
    now: number,
  ): ChangePlan {
    const staged = new Map<string, Dict | null>();
    const stored = new Map<string, string>();
    const extra = { checks: [] as [string, string, string | false][], ops: [] as string[][] };
    for (const p of points) {
      extra.checks.push([KEY.priority, p.id, p.levelsText ?? false]);
      if (p.data === null) {
        // The point is gone (its array should have gone with it): forget the leftover expiry.
        extra.checks.push([KEY.entities, p.id, false]);
        extra.ops.push(['ZREM', KEY.priorityExpiry, p.id], ['HDEL', KEY.priority, p.id]);
        continue;
      }
      const cur = decodeEntity(p.data);
      stored.set(p.id, p.data);
      staged.set(p.id, updatedEntity(cur, writeTagChanges(p.arr), p.id, nextMod(modOf(cur), now)));
      extra.ops.push(['HSET', KEY.priority, p.id, encodeLevels(p.levels)]);
      const next = nextExpiry(p.levels);
      extra.ops.push(
        next === undefined ? ['ZREM', KEY.priorityExpiry, p.id] : ['ZADD', KEY.priorityExpiry, String(next), p.id],
      );
    }
    const plan = this.#plan(staged, stored, (id) => {
      const data = stored.get(id);
      return data === undefined ? undefined : decodeEntity(data);
    });
    plan.checks.push(...extra.checks);
    for (const [cmd, key, ...args] of extra.ops) plan.ops.add(cmd as string, key as string, ...args);
    return plan;
  }

  // The checks and writes that move each staged entity from its stored state (null: remove it), with its index sets.
  #plan(
    staged: ReadonlyMap<string, Dict | null>,
    stored: ReadonlyMap<string, string>,
    lookup: (id: string) => Dict | undefined,
  ): ChangePlan {
    const plan: ChangePlan = { checks: [], ops: new OpGroups(), changed: [], removed: [] };
    for (const [id, dict] of staged) {
      const old = stored.get(id);
      plan.checks.push([KEY.entities, id, old ?? false]);
      const oldDict = old === undefined ? undefined : (lookup(id) as Dict);
      const oldKeys = oldDict === undefined ? new Set<string>() : indexKeys(oldDict);
      const oldNums = oldDict === undefined ? new Map<string, string>() : numberKeys(oldDict);
      if (dict === null) {
        // Added and removed within one commit: nothing was stored, so nothing is written.
        if (old === undefined) continue;
        const ops = plan.ops;
        ops.add('HDEL', KEY.entities, id);
        ops.add('SREM', KEY.all, id);
        ops.add('DEL', KEY.his(id));
        ops.add('HDEL', KEY.priority, id);
        ops.add('ZREM', KEY.priorityExpiry, id);
        for (const k of oldKeys) ops.add('SREM', k, id);
        for (const k of oldNums.keys()) ops.add('ZREM', k, id);
        plan.removed.push(id);
        continue;
      }
      const ops = plan.ops;
      ops.add('HSET', KEY.entities, id, encodeJson(dict));
      if (old === undefined) ops.add('SADD', KEY.all, id);
      const newKeys = indexKeys(dict);
      for (const k of oldKeys) if (!newKeys.has(k)) ops.add('SREM', k, id);
      for (const k of newKeys) if (!oldKeys.has(k)) ops.add('SADD', k, id);
      const newNums = numberKeys(dict);
      for (const k of oldNums.keys()) if (!newNums.has(k)) ops.add('ZREM', k, id);
      for (const [k, score] of newNums) if (oldNums.get(k) !== score) ops.add('ZADD', k, score, id);
      plan.changed.push(id);
    }
    return plan;
  }

  async #apply(plan: ChangePlan): Promise<boolean> {
    const ids = [...plan.changed, ...plan.removed];
    const message: ChangeMessage = plan.expiries === undefined ? { ids } : { ids, expiries: plan.expiries };
    const r = await this.#redis.eval(S.APPLY, this.#ver, [
      this.#base,
      JSON.stringify(plan.checks),
      plan.ops.toJson(),
      JSON.stringify(plan.changed),
      JSON.stringify(plan.removed),
      ids.length === 0 ? '' : JSON.stringify(message),
    ]);
    return Number(r[0]) === DONE;
  }

  // Evaluate a predicate that follows Refs: entities it reaches are fetched in rounds until no Ref is left unknown.
  async #matchWithRefs(
    candidates: readonly Dict[],
    matches: (d: Dict, resolve: (ref: Ref) => Dict | undefined) => boolean,
  ): Promise<Set<Dict>> {
    const known = new Map<string, Dict | null>();
    for (const d of candidates) {
      const id = d.get('id');
      if (id instanceof Ref) known.set(id.id, d);
    }
    const matched = new Set<Dict>();
    let pending = candidates;
    while (pending.length > 0) {
      const missing = new Set<string>();
      const next: Dict[] = [];
      for (const d of pending) {
        const probe = { missed: false };
        const ok = matches(d, (ref) => {
          const k = known.get(ref.id);
          if (k === undefined) {
            missing.add(ref.id);
            probe.missed = true;
            return undefined;
          }
          return k ?? undefined;
        });
        if (probe.missed) next.push(d);
        else if (ok) matched.add(d);
      }
      if (missing.size === 0) break;
      const ids = [...missing];
      const data = await this.#redis.hmget(`${this.#base}${KEY.entities}`, ids);
      ids.forEach((id, i) => {
        const x = data[i];
        known.set(id, x === null || x === undefined ? null : decodeEntity(x));
      });
      pending = next;
    }
    return matched;
  }

  #newId(current: (id: string) => Dict | undefined): string {
    for (;;) {
      const id = `${this.#idPrefix}${randomBytes(8).toString('hex')}`;
      if (!isEntityId(id)) throw new ValueError(`Id prefix ${JSON.stringify(this.#idPrefix)} makes invalid ids`);
      // 64 random bits: the APPLY check (the id must still be absent) catches the collision this cannot see.
      if (current(id) === undefined) return id;
    }
  }
}

// Lua's unpack takes a few thousand values at most: an op carries at most this many arguments after its key.
const MAX_OP_ARGS = 4000;

/**
 * The ops of one change merged by command and key (`SADD :t:point a`, `SADD :t:point b` -> one SADD of both), so the
 * script makes one call per key rather than one per entity and key. Safe because a change touches each (key, member)
 * once: the ops of a change commute. Arguments are split into runs of at most {@link MAX_OP_ARGS} (an even number,
 * so field/value and score/member pairs stay whole).
 */
class OpGroups {
  readonly #byCmd = new Map<string, Map<string, string[]>>();

  /** Add `cmd key args...`. */
  add(cmd: string, key: string, ...args: string[]): void {
    let keys = this.#byCmd.get(cmd);
    if (keys === undefined) this.#byCmd.set(cmd, (keys = new Map<string, string[]>()));
    const g = keys.get(key);
    if (g === undefined) keys.set(key, args);
    else for (const x of args) g.push(x);
  }

  /** The ops as the APPLY script's JSON argument: `[[cmd, key, args...]...]`. */
  toJson(): string {
    const out: string[][] = [];
    for (const [cmd, keys] of this.#byCmd) {
      for (const [key, args] of keys) {
        if (args.length <= MAX_OP_ARGS) out.push([cmd, key, ...args]);
        else for (let i = 0; i < args.length; i += MAX_OP_ARGS) out.push([cmd, key, ...args.slice(i, i + MAX_OP_ARGS)]);
      }
    }
    return JSON.stringify(out);
  }
}

function levelsOf(text: string | null): readonly PriorityLevel[] {
  return text === null ? emptyLevels() : decodeLevels(text);
}

// Ids are refChars (ASCII), so code-unit order is byte order: what every backend sorts by.
function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function score(ms: number): string {
  if (Number.isFinite(ms)) return String(ms);
  return ms > 0 ? '+inf' : '-inf';
}

function watchInfo(raw: unknown): WatchInfo {
  const [id, dis, owner, lease, ids] = raw as [string, string, string | null, string | number, string[]];
  const base = { id, dis, leaseMs: Number(lease), ids };
  return owner === null ? base : { ...base, owner };
}

// Samples as the history scripts take them: `ts, sample` pairs by time, one per time (within a write the last wins).
function pushSamples(args: string[], items: readonly HisItem[]): void {
  for (const it of sortedUniqueSamples(items)) args.push(String(it.ts), encodeSample(it));
}
