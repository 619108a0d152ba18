// openRedisStore: a StorageAdapter, with users and sessions, on plain Redis 7 or Valkey (no modules).

import { randomUUID } from 'node:crypto';
import { OptionError, StorageError } from '../../core/errors.js';
import { checkOptionNames, choiceOption, type OptionNames } from '../../core/options.js';
import { isTimerMs, MAX_TIMER_MS } from '../../core/timer-ms.js';
import type {
  Clock,
  HisItem,
  HisWrite,
  PointWriteRequest,
  PriorityArray,
  StorageAdapter,
  TimeRange,
} from '../adapter.js';
import type { AuthStateStore } from '../auth-state-store.js';
import type { StoreChangeListener } from '../change-notifier.js';
import { functionOption, resolvePositiveLimits, storeIdPrefix } from '../commit-staging.js';
import { mirrorConfig, type SharedMirrorStats } from '../indexed/shared-mirror.js';
import type { SessionStore } from '../session-store.js';
import { closedError } from '../storage-errors.js';
import type { UserStore } from '../user-store.js';
import { redisAuthState } from './redis-auth-state.js';
import { RedisChangeFeed } from './redis-changes.js';
import { RedisConnection } from './redis-client.js';
import { isStorePrefix, KEY, keyBase } from './redis-keys.js';
import { DEFAULT_REDIS_LIMITS, type RedisReadStats, RedisState, type RedisStoreLimits } from './redis-state.js';
import { redisUserStore } from './redis-user-store.js';

/** Options of {@link openRedisStore}. */
export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` (`rediss://` for TLS); default `redis://127.0.0.1:6379`. */
  readonly url?: string;
  /**
   * Names the store inside the database: every key is `{prefix}:...` (default `hs`). Stores with different
   * prefixes share a database without meeting; 1-64 of `A-Z a-z 0-9 _ . : -`.
   */
  readonly prefix?: string;
  /** Source of the current time in epoch ms, for `mod`, leases, timed overrides and user stamps (default `Date.now`). */
  readonly clock?: Clock;
  /** Prefix of the ids the store makes for entities added without one (default none); refChars only. */
  readonly idPrefix?: string;
  /** Limits; each one omitted takes its default from {@link DEFAULT_REDIS_LIMITS}. */
  readonly limits?: Partial<RedisStoreLimits>;
  /** Longest wait for a reply before a call fails with `HS_ERR_UNAVAILABLE`, in ms (default 10,000). */
  readonly commandTimeoutMs?: number;
  /** True when `url` names a node of a Redis Cluster (the store's keys share one slot; default false). */
  readonly cluster?: boolean;
  /**
   * How often the connection that receives other processes' changes is checked with a PING, in ms (default 10,000).
   * One unanswered within as long (dropped silently by a NAT, a firewall or a network) is replaced and listeners are
   * told `reset`, instead of hearing nothing until it is noticed otherwise. Single node only.
   */
  readonly subscriberCheckMs?: number;
  /**
   * Most entities this process keeps a copy of (default `DEFAULT_MIRROR_ENTITIES`, 1,000,000; 0 turns it off): decoded,
   * with the memory store's indexes, it answers `read`, `readByIds` and `count` after one round trip that checks it
   * is current (other processes' commits included). A store holding more is read by Lua scripts (counted again a
   * minute later).
   */
  readonly scanCacheEntities?: number;
  /** Entities read per round trip while the copy fills (default `DEFAULT_MIRROR_CHUNK`, 1,000); Lua answers meanwhile. */
  readonly scanCacheChunk?: number;
}

const REDIS_STORE_OPTIONS: OptionNames<RedisStoreOptions> = {
  url: true,
  prefix: true,
  clock: true,
  idPrefix: true,
  limits: true,
  commandTimeoutMs: true,
  subscriberCheckMs: true,
  cluster: true,
  scanCacheEntities: true,
  scanCacheChunk: true,
};

/** A Redis StorageAdapter; its users and sessions live under the same prefix. */
export interface RedisStore extends StorageAdapter {
  /** Always `redis`. */
  readonly backend: 'redis';
  /** Several points' samples merged in one transaction: all or none (the batch `hisWrite`). */
  hisWriteBatch(writes: readonly HisWrite[]): Promise<number>;
  /** Levels of one point or several written in order in one transaction: all or none (see `StorageAdapter.pointWriteBatch`). */
  pointWriteBatch(reqs: readonly PointWriteRequest[]): Promise<readonly PriorityArray[]>;
  /** Several points' priority arrays at one instant, in order, in one script call. */
  readPriorityArrays(ids: readonly string[]): Promise<readonly PriorityArray[]>;
  /** A page of a point's history: its first `limit` samples in the range, in one script call. */
  hisReadPage(id: string, range: TimeRange, limit: number): Promise<readonly HisItem[]>;
  /** The URL it connected to. */
  readonly url: string;
  /** The key prefix (keys are `{prefix}:...`). */
  readonly prefix: string;
  /** Users and sessions of this store (closed with it). */
  readonly users: UserStore & SessionStore;
  /** Login-throttle records and SCRAM exchanges under the same prefix, shared by every process using it. */
  readonly authState: AuthStateStore;
  /**
   * Report entity changes committed through any adapter over this prefix (other processes included, this one too),
   * from the `{prefix}:changes` channel; `reset` after the subscription connection was interrupted.
   */
  subscribeChanges(listener: StoreChangeListener): Promise<() => void>;
  /** Resolve once every change committed before the call has been reported (messages carry the version they made). */
  syncChanges(): Promise<void>;
  /** How reads were answered (sets alone, candidates checked in process, or by this process's copy of the entities). */
  readStats(): RedisReadStats;
  /** What this process's copy of the entities holds (see {@link RedisStoreOptions.scanCacheEntities}). */
  scanCacheStats(): SharedMirrorStats;
  /** Start filling that copy now rather than at the first read; resolves when it is loaded (or found too large). */
  warmScanCache(): Promise<void>;
  /**
   * How Redis keeps its data across its own restart: an append-only file, RDB snapshots, neither (a restart of
   * Redis empties the store), or undefined when the server will not say.
   */
  persistence(): Promise<RedisPersistence | undefined>;
}

/** See {@link RedisStore.persistence}. */
export type RedisPersistence = 'aof' | 'snapshots' | 'none';

/** The layout version written in `{prefix}:meta`; a store of another layout is refused rather than misread. */
const FORMAT = '2';

/**
 * Open (creating when empty) the store under `prefix` in a Redis database. Every write is one atomic script run;
 * it is acknowledged once Redis applied it, so it is as durable as the server's persistence makes it (AOF with
 * `appendfsync always` keeps every acknowledged write across a crash). While Redis cannot be reached, calls fail
 * at once with `StoreUnavailableError` (`HS_ERR_UNAVAILABLE`, HTTP 503) and the connection comes back by itself.
 */
export async function openRedisStore(options: RedisStoreOptions = {}): Promise<RedisStore> {
  checkOptionNames('Redis store options', options, REDIS_STORE_OPTIONS);
  const url: unknown = options.url ?? 'redis://127.0.0.1:6379';
  if (typeof url !== 'string') throw new OptionError('HS_ERR_OPTION_TYPE', 'url', 'Redis store: url must be a string');
  const timeout: unknown = options.commandTimeoutMs;
  if (timeout !== undefined && !isTimerMs(timeout)) {
    const message = `Redis store: commandTimeoutMs must be above 0 and at most ${String(MAX_TIMER_MS)}`;
    throw new OptionError(
      typeof timeout === 'number' ? 'HS_ERR_OPTION_RANGE' : 'HS_ERR_OPTION_TYPE',
      'commandTimeoutMs',
      message,
    );
  }
  const cluster = choiceOption('Redis store', 'cluster', options.cluster, [true, false]) === true;
  const prefix = options.prefix ?? 'hs';
  if (!isStorePrefix(prefix)) {
    const message = `Redis store: prefix ${JSON.stringify(prefix)} must be 1-64 of A-Z a-z 0-9 _ . : -`;
    throw new OptionError(typeof prefix === 'string' ? 'HS_ERR_OPTION_RANGE' : 'HS_ERR_OPTION_TYPE', 'prefix', message);
  }
  const checkMs = options.subscriberCheckMs;
  if (checkMs !== undefined && !isTimerMs(checkMs)) {
    const message = `Redis store: subscriberCheckMs must be a number of ms above 0 and at most ${String(MAX_TIMER_MS)}`;
    throw new OptionError(
      typeof checkMs === 'number' ? 'HS_ERR_OPTION_RANGE' : 'HS_ERR_OPTION_TYPE',
      'subscriberCheckMs',
      message,
    );
  }
  const idPrefix = storeIdPrefix('Redis', options.idPrefix);
  const limits = resolvePositiveLimits('Redis', DEFAULT_REDIS_LIMITS, options.limits);
  const clock = functionOption('Redis store', 'clock', options.clock) ?? Date.now;
  const mirror = mirrorConfig('Redis', options, clock);
  const redis = await RedisConnection.open({
    url,
    ...(options.commandTimeoutMs === undefined ? {} : { commandTimeoutMs: options.commandTimeoutMs }),
    cluster,
    ...(options.subscriberCheckMs === undefined ? {} : { subscriberCheckMs: options.subscriberCheckMs }),
  });
  try {
    const meta = `${keyBase(prefix)}${KEY.meta}`;
    await redis.hsetnx(meta, 'format', FORMAT);
    // What tells this store from one made anew under the same prefix (mirrors of the old one then fill again).
    await redis.hsetnx(meta, 'epoch', randomUUID());
    const [format] = await redis.hmget(meta, ['format']);
    if (format !== FORMAT) {
      throw new StorageError(`Keys under {${prefix}} hold a store of layout ${String(format)}, not ${FORMAT}`);
    }
  } catch (err) {
    await redis.close();
    throw err;
  }
  const state = new RedisState(redis, prefix, limits, idPrefix, mirror);
  const guard = (): void => {
    if (redis.closed) throw closedError('redis');
  };
  // Every call checks `closed` first and reads the clock once, so a call sees one instant throughout.
  const now = (): number => {
    guard();
    return clock();
  };
  const run = <T>(work: () => Promise<T>): Promise<T> => Promise.resolve().then(work);
  // One subscription per adapter, shared by its listeners.
  const changes = new RedisChangeFeed(redis, prefix);
  const checked = <T>(work: () => Promise<T>): Promise<T> =>
    run(() => {
      guard();
      return work();
    });
  return {
    backend: 'redis',
    url,
    prefix,
    users: redisUserStore(redis, prefix, clock, guard),
    authState: redisAuthState(redis, prefix, guard),
    subscribeChanges: (listener) => checked(() => changes.subscribe(listener)),
    syncChanges: () => checked(() => changes.sync()),
    readStats: () => state.readStats(),
    scanCacheStats: () => state.mirror.stats(),
    persistence: () =>
      checked(async (): Promise<RedisPersistence | undefined> => {
        const [aof, save] = [await redis.configGet('appendonly'), await redis.configGet('save')];
        if (aof === undefined || save === undefined) return undefined;
        if (aof === 'yes') return 'aof';
        return save.trim() === '' ? 'none' : 'snapshots';
      }),
    warmScanCache: () => {
      // Started at once (not on the next microtask as other calls are), so that `scanCacheStats` shows the fill.
      try {
        guard();
        return state.mirror.warm();
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    },
    readByIds: (ids) => run(() => state.readByIds(ids, now())),
    read: (query) => run(() => state.read(query.filter, query.limit, now())),
    count: () => run(() => state.count(now())),
    commit: (diffs) => run(() => state.commit(diffs, now())),
    hisRead: (id, range) => checked(() => state.hisRead(id, range)),
    hisWrite: (id, items) => checked(() => state.hisWrite(id, items)),
    hisWriteBatch: (writes) => checked(() => state.hisWriteBatch(writes)),
    hisReadPage: (id, range, limit) => checked(() => state.hisReadPage(id, range, limit)),
    hisCount: (id) => checked(() => state.hisCount(id)),
    readPriorityArray: (id) => run(() => state.readPriorityArray(id, now())),
    readPriorityArrays: (ids) => run(() => state.readPriorityArrays(ids, now())),
    overrideEnds: () => run(() => state.overrideEnds(now())),
    pointWrite: (req) => run(() => state.pointWrite(req, now())),
    pointWriteBatch: (reqs) => run(() => state.pointWriteBatch(reqs, now())),
    watchOpen: (dis, leaseMs, owner, maxOwned) => run(() => state.watchOpen(dis, leaseMs, now(), owner, maxOwned)),
    watchAdd: (watchId, ids) => run(() => state.watchAdd(watchId, ids, now())),
    watchRemove: (watchId, ids) => run(() => state.watchRemove(watchId, ids, now())),
    watchLease: (watchId, leaseMs) => run(() => state.watchLease(watchId, leaseMs, now())),
    watchClose: (watchId) => checked(() => state.watchClose(watchId)),
    watchPoll: (watchId, refresh) => run(() => state.watchPoll(watchId, refresh, now())),
    watchInfo: (watchId) => run(() => state.watchInfo(watchId, now())),
    watches: () => run(() => state.watches(now())),
    close: async () => {
      changes.stop();
      await state.mirror.stop();
      await redis.close();
    },
  };
}
