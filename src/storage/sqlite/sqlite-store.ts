// openSqliteStore: the embedded persistent StorageAdapter, with users and sessions, in one SQLite file.

import { OptionError } from '../../core/errors.js';
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
import { functionOption, resolvePositiveLimits, settle as settleWork, storeIdPrefix } from '../commit-staging.js';
import { DEFAULT_MIRROR_CHUNK, DEFAULT_MIRROR_ENTITIES, mirrorConfig } from '../indexed/shared-mirror.js';
import type { SessionStore } from '../session-store.js';
import { closedError } from '../storage-errors.js';
import type { UserStore } from '../user-store.js';
import type { MirrorStats } from './entity-mirror.js';
import { sqliteAuthState } from './sqlite-auth-state.js';
import { SqliteChangeWatcher } from './sqlite-changes.js';
import { sqliteFailure } from './sqlite-errors.js';
import { openSqliteDb } from './sqlite-schema.js';
import { DEFAULT_SQLITE_LIMITS, type SqliteReadStats, SqliteState, type SqliteStoreLimits } from './sqlite-state.js';
import { sqliteUserStore } from './sqlite-user-store.js';

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** The store file, created when absent (`:memory:` for a private, unshared, unpersisted store). Required. */
  readonly path: string;
  /** Source of the current time in epoch ms, for `mod`, leases, timed overrides and user stamps (default `Date.now`). */
  readonly clock?: Clock;
  /** Prefix of the ids the store makes for entities added without one (default none); refChars only. */
  readonly idPrefix?: string;
  /** Limits; each one omitted takes its default from {@link DEFAULT_SQLITE_LIMITS}. */
  readonly limits?: Partial<SqliteStoreLimits>;
  /** `full` (default): every acknowledged write survives a power loss; `normal`: survives a process crash only. */
  readonly synchronous?: 'full' | 'normal';
  /** Fail when the file does not exist yet, instead of creating it (default false). */
  readonly mustExist?: boolean;
  /**
   * Most entities the scan cache may hold (default {@link DEFAULT_SCAN_CACHE_ENTITIES}; 0 turns it off). Filters no
   * index narrows are evaluated in process over this per-process copy of the entities, kept current against the
   * file's change version; a store holding more entities than this scans in SQL instead.
   */
  readonly scanCacheEntities?: number;
  /**
   * Entities the scan cache decodes per turn of the event loop while it fills (default
   * {@link DEFAULT_SCAN_CACHE_CHUNK}): a store holding more fills in the background, its full scans answered in SQL
   * until the cache is ready, so that a large store neither delays start-up nor stalls requests.
   */
  readonly scanCacheChunk?: number;
  /**
   * How often, in ms, a subscribed adapter looks for changes other processes committed (default 50): a check of
   * `PRAGMA data_version`, which costs no I/O; the change log is read only when it moved.
   */
  readonly changePollMs?: number;
  /**
   * How long, in ms, a write waits for a write lock another process holds before its call fails with
   * `StoreUnavailableError` (default 5000). SQLite waits synchronously, so this process answers nothing meanwhile.
   */
  readonly busyTimeoutMs?: number;
}

const SQLITE_STORE_OPTIONS: OptionNames<SqliteStoreOptions> = {
  path: true,
  clock: true,
  idPrefix: true,
  limits: true,
  synchronous: true,
  mustExist: true,
  scanCacheEntities: true,
  scanCacheChunk: true,
  changePollMs: true,
  busyTimeoutMs: true,
};

/** The default of {@link SqliteStoreOptions.scanCacheEntities}: as many entities as a memory store holds at most. */
export const DEFAULT_SCAN_CACHE_ENTITIES = DEFAULT_MIRROR_ENTITIES;

/** The default of {@link SqliteStoreOptions.scanCacheChunk}: a few milliseconds of decoding per turn. */
export const DEFAULT_SCAN_CACHE_CHUNK = DEFAULT_MIRROR_CHUNK;

/** A SQLite StorageAdapter; its users and sessions live in the same file. */
export interface SqliteStore extends StorageAdapter {
  /** Always `sqlite`. */
  readonly backend: 'sqlite';
  /** Several points' samples merged in one transaction: all or none (the batch `hisWrite`). */
  hisWriteBatch(writes: readonly HisWrite[]): Promise<number>;
  /** Levels of one point or several written in order in one transaction: all or none (see `StorageAdapter.pointWriteBatch`). */
  pointWriteBatch(reqs: readonly PointWriteRequest[]): Promise<readonly PriorityArray[]>;
  /** Several points' priority arrays at one instant, in order, in one call (see `StorageAdapter.readPriorityArrays`). */
  readPriorityArrays(ids: readonly string[]): Promise<readonly PriorityArray[]>;
  /** A page of a point's history: its first `limit` samples in the range, by one indexed query. */
  hisReadPage(id: string, range: TimeRange, limit: number): Promise<readonly HisItem[]>;
  /** The file it was opened on. */
  readonly path: string;
  /** Users and sessions of this store (closed with it). */
  readonly users: UserStore & SessionStore;
  /** Login-throttle records and SCRAM exchanges in this file, shared by every process that opens it. */
  readonly authState: AuthStateStore;
  /** Report entity changes other connections (processes) commit to the file; see `ChangeNotifier`. */
  subscribeChanges(listener: StoreChangeListener): Promise<() => void>;
  /** Resolve once every change other connections committed before the call has been reported (the log read now). */
  syncChanges(): Promise<void>;
  /** How reads were answered (SQL alone, rechecked in process, driven by an index, over the scan cache). */
  readStats(): SqliteReadStats;
  /** What the scan cache holds (see {@link SqliteStoreOptions.scanCacheEntities}). */
  scanCacheStats(): MirrorStats;
  /**
   * Start filling the scan cache now rather than at the first full scan (a no-op when it is off, filled or filling,
   * or the store holds more entities than it may); a store larger than one chunk fills in the background.
   */
  warmScanCache(): void;
}

/**
 * Open a SQLite store, creating the file when absent. Every write is committed (and, with `synchronous: 'full'`,
 * synced) before its promise resolves. Several adapters, in this process or others, may open one file. A file that
 * is not a haystack-ts store fails with a `StorageError` (`HS_ERR_STORAGE`), as does a call the file fails under
 * (disk full, read-only, damaged); a write lock another process holds past the busy timeout (`busyTimeoutMs`, 5 s) fails the call
 * with `StoreUnavailableError` (`HS_ERR_UNAVAILABLE`). A failed call applied nothing.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<SqliteStore> {
  checkOptionNames('SQLite store options', options, SQLITE_STORE_OPTIONS);
  const path: unknown = options.path;
  if (typeof path !== 'string') {
    const code = path === undefined ? 'HS_ERR_OPTION_MISSING' : 'HS_ERR_OPTION_TYPE';
    throw new OptionError(code, 'path', 'SQLite store: path must be a file path (or `:memory:`)');
  }
  const clock = functionOption('SQLite store', 'clock', options.clock) ?? Date.now;
  const synchronous = choiceOption('SQLite store', 'synchronous', options.synchronous, ['full', 'normal']);
  const mustExist = choiceOption('SQLite store', 'mustExist', options.mustExist, [true, false]);
  const idPrefix = storeIdPrefix('SQLite', options.idPrefix);
  const limits = resolveLimits(options.limits);
  const scanCache = mirrorConfig('SQLite', options, clock);
  const changePollMs = options.changePollMs ?? 50;
  if (!isTimerMs(changePollMs)) {
    const code = typeof changePollMs === 'number' ? 'HS_ERR_OPTION_RANGE' : 'HS_ERR_OPTION_TYPE';
    const message = `SQLite store: changePollMs must be > 0 and at most ${String(MAX_TIMER_MS)}, got ${String(changePollMs)}`;
    throw new OptionError(code, 'changePollMs', message);
  }
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  if (!(Number.isInteger(busyTimeoutMs) && busyTimeoutMs >= 0 && busyTimeoutMs <= MAX_TIMER_MS)) {
    const code = typeof busyTimeoutMs === 'number' ? 'HS_ERR_OPTION_RANGE' : 'HS_ERR_OPTION_TYPE';
    const message = `SQLite store: busyTimeoutMs must be an integer from 0 to ${String(MAX_TIMER_MS)}, got ${String(busyTimeoutMs)}`;
    throw new OptionError(code, 'busyTimeoutMs', message);
  }
  const db = await openSqliteDb({
    path: options.path,
    busyTimeoutMs,
    ...(synchronous === undefined ? {} : { synchronous }),
    ...(mustExist === undefined ? {} : { mustExist }),
  });
  const state = new SqliteState(db, limits, idPrefix, scanCache);
  const watcher = new SqliteChangeWatcher(db, changePollMs);
  let closed = false;
  const guard = (): void => {
    if (closed) throw closedError('sqlite');
  };
  // Every call checks `closed` first and reads the clock once, so a call sees one instant throughout.
  const now = (): number => {
    guard();
    return clock();
  };
  // A driver failure (disk full, read-only or damaged file, a lock held too long) reaches callers typed.
  const failure = (err: unknown): Error => sqliteFailure(err, options.path);
  const settle = <T>(work: () => T): Promise<T> => settleWork(work, failure);
  return {
    backend: 'sqlite',
    path: options.path,
    users: sqliteUserStore(db, clock, guard, options.path),
    authState: sqliteAuthState(db, guard, options.path),
    subscribeChanges: (listener) =>
      settle(() => {
        guard();
        return watcher.subscribe(listener);
      }),
    syncChanges: () =>
      settle(() => {
        guard();
        watcher.sync();
      }),
    readStats: () => state.readStats(),
    scanCacheStats: () => state.scanCacheStats(),
    warmScanCache: () => {
      guard();
      state.warmScanCache();
    },
    readByIds: (ids) => settle(() => state.readByIds(ids, now())),
    read: (query) => settle(() => state.read(query.filter, query.limit, now())),
    count: () => settle(() => state.count(now())),
    commit: (diffs) => settle(() => state.commit(diffs, now())),
    hisRead: (id, range) =>
      settle(() => {
        guard();
        return state.hisRead(id, range);
      }),
    hisWrite: (id, items) =>
      settle(() => {
        guard();
        return state.hisWrite(id, items);
      }),
    hisReadPage: (id, range, limit) =>
      settle(() => {
        guard();
        return state.hisReadPage(id, range, limit);
      }),
    hisWriteBatch: (writes) =>
      settle(() => {
        guard();
        return state.hisWriteBatch(writes);
      }),
    hisCount: (id) =>
      settle(() => {
        guard();
        return state.hisCount(id);
      }),
    readPriorityArray: (id) => settle(() => state.readPriorityArray(id, now())),
    readPriorityArrays: (ids) => settle(() => state.readPriorityArrays(ids, now())),
    overrideEnds: () => settle(() => state.overrideEnds(now())),
    pointWrite: (req) => settle(() => state.pointWrite(req, now())),
    pointWriteBatch: (reqs) => settle(() => state.pointWriteBatch(reqs, now())),
    watchOpen: (dis, leaseMs, owner, maxOwned) => settle(() => state.watchOpen(dis, leaseMs, now(), owner, maxOwned)),
    watchAdd: (watchId, ids) => settle(() => state.watchAdd(watchId, ids, now())),
    watchRemove: (watchId, ids) => settle(() => state.watchRemove(watchId, ids, now())),
    watchLease: (watchId, leaseMs) => settle(() => state.watchLease(watchId, leaseMs, now())),
    watchClose: (watchId) =>
      settle(() => {
        guard();
        state.watchClose(watchId);
      }),
    watchPoll: (watchId, refresh) => settle(() => state.watchPoll(watchId, refresh, now())),
    watchInfo: (watchId) => settle(() => state.watchInfo(watchId, now())),
    watches: () => settle(() => state.watches(now())),
    close: () => {
      if (!closed) {
        closed = true;
        watcher.stop();
        state.stop();
        db.close();
      }
      return Promise.resolve();
    },
  };
}

// An integer option at least `min`, checked before the file opens.
function resolveLimits(given: Partial<SqliteStoreLimits> | undefined): SqliteStoreLimits {
  return resolvePositiveLimits('SQLite', DEFAULT_SQLITE_LIMITS, given);
}
