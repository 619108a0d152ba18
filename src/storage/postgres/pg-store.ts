// openPostgresStore: the production StorageAdapter on PostgreSQL (TimescaleDB for history when present), with users
// and sessions in the same schema, shareable by any number of server processes.

import { OptionError, type OptionErrorCode } from '../../core/errors.js';
import { checkOptionNames, choiceOption, type OptionNames } from '../../core/options.js';
import { isTimerMs, MAX_TIMER_MS } from '../../core/timer-ms.js';
import type {
  Clock,
  HisBatchChunk,
  HisBatchChunkOptions,
  HisChunkOptions,
  HisItem,
  HisWrite,
  PointWriteRequest,
  PriorityArray,
  StorageAdapter,
  TimeRange,
} from '../adapter.js';
import type { AuthStateStore } from '../auth-state-store.js';
import type { StoreChangeListener } from '../change-notifier.js';
import { countOption, functionOption, resolvePositiveLimits, storeIdPrefix } from '../commit-staging.js';
import { mirrorConfig, type SharedMirrorStats } from '../indexed/shared-mirror.js';
import type { SessionStore } from '../session-store.js';
import { closedError } from '../storage-errors.js';
import type { UserStore } from '../user-store.js';
import { pgAuthState } from './pg-auth-state.js';
import { changeChannel, DEFAULT_LISTEN_CHECK_MS, PgChangeFeed } from './pg-changes.js';
import { clientConfig, createPool, loadPgDriver, type PgConnectionOptions } from './pg-driver.js';
import { storageFailure } from './pg-errors.js';
import { dropPartitionsBefore, type HistoryMode, listPartitions, migrateSchema } from './pg-schema.js';
import { DEFAULT_POSTGRES_LIMITS, PgState, type PostgresReadStats, type PostgresStoreLimits } from './pg-state.js';
import { pgUserStore } from './pg-user-store.js';

/** Throw the OptionError of a bad `option` of {@link openPostgresStore}. */
function fail(code: OptionErrorCode, option: string, reason: string): never {
  throw new OptionError(code, option, `PostgreSQL store: ${reason}`);
}

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreOptions extends PgConnectionOptions {
  /**
   * The schema holding the store's tables, created when absent (default `haystack`, or the URL's `schema` query
   * parameter); lower-case letters, digits and `_`. Several stores may live in one database under different schemas.
   */
  readonly schema?: string;
  /** Source of the current time in epoch ms, for `mod`, leases, timed overrides and user stamps (default `Date.now`). */
  readonly clock?: Clock;
  /** Prefix of the ids the store makes for entities added without one (default none); refChars only. */
  readonly idPrefix?: string;
  /** Limits; each one omitted takes its default from {@link DEFAULT_POSTGRES_LIMITS}. */
  readonly limits?: Partial<PostgresStoreLimits>;
  /**
   * History on TimescaleDB when a new schema is made: `auto` (default) uses a hypertable when the extension is
   * available and can be created, `off` never, `require` fails without it. An existing schema keeps its choice.
   */
  readonly timescale?: 'auto' | 'off' | 'require';
  /** Drop history older than this many ms: whole months (partitions) on PostgreSQL, whole chunks on TimescaleDB (default none: kept for ever). */
  readonly historyRetentionMs?: number;
  /** TimescaleDB only: compress chunks whose samples are older than this many ms (default 7 days). */
  readonly compressAfterMs?: number;
  /**
   * Most entities this process keeps a copy of (default `DEFAULT_MIRROR_ENTITIES`, 1,000,000; 0 turns it off): decoded,
   * with the memory store's indexes, it answers `read`, `readByIds` and `count` after one round trip that checks it
   * is current (other processes' commits included). A schema holding more is read in SQL (counted again a minute later).
   */
  readonly scanCacheEntities?: number;
  /** Entities read per round trip while the copy fills (default `DEFAULT_MIRROR_CHUNK`, 1,000); SQL answers meanwhile. */
  readonly scanCacheChunk?: number;
  /**
   * How often the connection that LISTENs for other processes' changes is checked with a cheap query, in ms (default
   * 10,000). One unanswered within as long (dropped silently by a NAT, a firewall or a network) is replaced and the
   * changes missed meanwhile are read from the change log, instead of going unheard until the next write.
   */
  readonly listenCheckMs?: number;
}

const POSTGRES_STORE_OPTIONS: OptionNames<PostgresStoreOptions> = {
  url: true,
  ssl: true,
  poolSize: true,
  connectTimeoutMs: true,
  queryTimeoutMs: true,
  listenCheckMs: true,
  applicationName: true,
  schema: true,
  clock: true,
  idPrefix: true,
  limits: true,
  timescale: true,
  historyRetentionMs: true,
  compressAfterMs: true,
  scanCacheEntities: true,
  scanCacheChunk: true,
};

/** A PostgreSQL StorageAdapter; its users and sessions live in the same schema. */
export interface PostgresStore extends StorageAdapter {
  /** Always `postgres`. */
  readonly backend: 'postgres';
  /** The schema it uses. */
  readonly schema: string;
  /** How history is stored: a TimescaleDB hypertable, or a table partitioned by month. */
  readonly historyMode: HistoryMode;
  /** Users and sessions of this store (closed with it). */
  readonly users: UserStore & SessionStore;
  /** Login-throttle records and SCRAM exchanges in the same schema, shared by every process using it. */
  readonly authState: AuthStateStore;
  /**
   * Report entity changes committed through any adapter over this schema (other processes included, this one too):
   * LISTEN/NOTIFY on a connection of the adapter's own, which reconnects by itself and catches up from the change
   * log; `reset` when the log no longer covers what was missed.
   */
  subscribeChanges(listener: StoreChangeListener): Promise<() => void>;
  /** Resolve once every change committed before the call has been reported (the change log is read at once). */
  syncChanges(): Promise<void>;
  /** How reads were answered (SQL alone, rechecked in process, or by this process's copy of the entities). */
  readStats(): PostgresReadStats;
  /** What this process's copy of the entities holds (see {@link PostgresStoreOptions.scanCacheEntities}). */
  scanCacheStats(): SharedMirrorStats;
  /** Start filling that copy now rather than at the first read; resolves when it is loaded (or found too large). */
  warmScanCache(): Promise<void>;
  /**
   * A point's history in `[start, end)` in chunks of at most `chunkRows` samples (default 10,000), streamed from a
   * server-side cursor in one snapshot: memory stays flat however many samples the range holds.
   */
  hisReadChunks(id: string, range: TimeRange, options?: HisChunkOptions): AsyncIterable<readonly HisItem[]>;
  /**
   * Several points' histories in `[start, end)` joined on ts, in chunks of at most `chunkRows` samples (default
   * 10,000): one query merging the points' samples by ts, streamed from a server-side cursor in one snapshot.
   */
  hisReadBatchChunks(
    ids: readonly string[],
    range: TimeRange,
    options?: HisBatchChunkOptions,
  ): AsyncIterable<HisBatchChunk>;
  /** Several points' samples merged in one transaction: all or none (the batch `hisWrite`). */
  hisWriteBatch(writes: readonly HisWrite[]): Promise<number>;
  /** Levels of one point or several written in order in one transaction: all or none (see `StorageAdapter.pointWriteBatch`). */
  pointWriteBatch(reqs: readonly PointWriteRequest[]): Promise<readonly PriorityArray[]>;
  /** Several points' priority arrays at one instant, in order, in one query. */
  readPriorityArrays(ids: readonly string[]): Promise<readonly PriorityArray[]>;
  /** A page of a point's history: its first `limit` samples in the range, by one indexed query. */
  hisReadPage(id: string, range: TimeRange, limit: number): Promise<readonly HisItem[]>;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const DAY_MS = 86_400_000;
const RETENTION_EVERY_MS = 3_600_000;

/**
 * Open a PostgreSQL store: connect, create or migrate its schema (under an advisory lock, so several processes may
 * start at once), and return the adapter. Every write is committed before its promise resolves; a server that cannot
 * be reached fails calls with `HS_ERR_UNAVAILABLE` and the pool reconnects by itself once it is back.
 */
export async function openPostgresStore(options: PostgresStoreOptions = {}): Promise<PostgresStore> {
  checkOptionNames('PostgreSQL store options', options, POSTGRES_STORE_OPTIONS);
  const clock = functionOption('PostgreSQL store', 'clock', options.clock) ?? Date.now;
  const idPrefix = storeIdPrefix('PostgreSQL', options.idPrefix);
  const limits = resolvePositiveLimits('PostgreSQL', DEFAULT_POSTGRES_LIMITS, options.limits);
  const mirror = mirrorConfig('PostgreSQL', options, clock);
  for (const name of ['url', 'schema', 'applicationName'] as const) {
    if (options[name] !== undefined && typeof options[name] !== 'string')
      fail('HS_ERR_OPTION_TYPE', name, `${name} must be a string`);
  }
  const { url, schema } = splitSchema(options.url, options.schema);
  if (!SCHEMA_NAME.test(schema)) {
    fail('HS_ERR_OPTION_RANGE', 'schema', `schema ${JSON.stringify(schema)} must be lower-case letters, digits and _`);
  }
  choiceOption('PostgreSQL store', 'timescale', options.timescale, ['auto', 'off', 'require']);
  if (options.ssl !== undefined && typeof options.ssl !== 'boolean' && typeof options.ssl !== 'object') {
    fail('HS_ERR_OPTION_TYPE', 'ssl', 'ssl must be true, false or TLS options');
  }
  if (options.poolSize !== undefined) countOption('PostgreSQL', 'poolSize', options.poolSize, 1);
  for (const name of ['historyRetentionMs', 'compressAfterMs'] as const) {
    const ms: unknown = options[name];
    if (ms === undefined) continue;
    if (typeof ms !== 'number') fail('HS_ERR_OPTION_TYPE', name, `${name} must be a number of milliseconds`);
    if (!(Number.isFinite(ms) && ms > 0)) fail('HS_ERR_OPTION_RANGE', name, `${name} must be above 0`);
  }
  const retention = options.historyRetentionMs;
  for (const name of ['queryTimeoutMs', 'connectTimeoutMs', 'listenCheckMs'] as const) {
    const ms: unknown = options[name];
    if (ms === undefined) continue;
    if (typeof ms !== 'number') fail('HS_ERR_OPTION_TYPE', name, `${name} must be a number of milliseconds`);
    if (!isTimerMs(ms))
      fail('HS_ERR_OPTION_RANGE', name, `${name} must be above 0 and at most ${String(MAX_TIMER_MS)}`);
  }
  const driver = await loadPgDriver();
  const connection = { ...options, ...(url === undefined ? {} : { url }) };
  // Migrations on a connection of their own, with no reply deadline: on a large store one may take minutes.
  const setup = createPool(driver, { ...connection, poolSize: 1 }, schema, false);
  let historyMode: HistoryMode;
  try {
    historyMode = await migrateSchema(setup, {
      schema,
      timescale: options.timescale ?? 'auto',
      compressAfterMs: options.compressAfterMs ?? 7 * DAY_MS,
      retentionMs: retention,
    });
  } catch (err) {
    throw storageFailure(err);
  } finally {
    await setup.end().catch(() => undefined);
  }
  const pool = createPool(driver, connection, schema);
  const channel = changeChannel(schema);
  const state = new PgState({ pool, driver, schema, limits, idPrefix, historyMode, changeChannel: channel, mirror });
  const feed = new PgChangeFeed(
    driver,
    clientConfig(
      driver,
      { ...connection, applicationName: `${options.applicationName ?? 'haystack-ts'}:listen` },
      schema,
    ),
    channel,
    options.listenCheckMs ?? DEFAULT_LISTEN_CHECK_MS,
  );

  // Plain PostgreSQL retention: drop months that ended before the horizon, now and every hour.
  let retentionTimer: NodeJS.Timeout | undefined;
  if (retention !== undefined && historyMode === 'partitioned') {
    const sweep = async (): Promise<void> => {
      const known = await listPartitions(pool);
      await dropPartitionsBefore(pool, clock() - retention, known);
    };
    await sweep().catch(async (err: unknown) => {
      await pool.end().catch(() => undefined);
      throw storageFailure(err);
    });
    retentionTimer = setInterval(() => {
      // A failed sweep (server down) is retried at the next one.
      sweep().catch(() => undefined);
    }, RETENTION_EVERY_MS);
    retentionTimer.unref();
  }

  let closed = false;
  const guard = (): void => {
    if (closed) throw closedError('postgres');
  };
  // Every call checks `closed` first and reads the clock once, so a call sees one instant throughout.
  const now = (): number => {
    guard();
    return clock();
  };
  const call = <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return work();
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  };
  return {
    backend: 'postgres',
    schema,
    historyMode,
    users: pgUserStore(pool, clock, guard, channel),
    authState: pgAuthState(pool, schema, guard),
    subscribeChanges: (listener) =>
      call(() => {
        guard();
        return feed.subscribe(listener);
      }),
    syncChanges: () =>
      call(() => {
        guard();
        return feed.sync();
      }),
    readStats: () => state.readStats(),
    scanCacheStats: () => state.mirror.stats(),
    warmScanCache: () =>
      call(() => {
        guard();
        return state.mirror.warm();
      }),
    readByIds: (ids) => call(() => state.readByIds(ids, now())),
    read: (query) => call(() => state.read(query.filter, query.limit, now())),
    count: () => call(() => state.count(now())),
    commit: (diffs) => call(() => state.commit(diffs, now())),
    hisRead: (id, range) =>
      call(() => {
        guard();
        return state.hisRead(id, range);
      }),
    hisReadChunks: (id, range, o) => {
      guard();
      return state.hisReadChunks(id, range, o?.chunkRows ?? 10_000, o?.maxRows);
    },
    hisReadBatchChunks: (ids, range, o) => {
      guard();
      return state.hisReadBatchChunks(ids, range, o?.chunkRows ?? 10_000, o?.maxCells);
    },
    hisWrite: (id, items) =>
      call(() => {
        guard();
        return state.hisWrite(id, items);
      }),
    hisReadPage: (id, range, limit) =>
      call(() => {
        guard();
        return state.hisReadPage(id, range, limit);
      }),
    hisWriteBatch: (writes) =>
      call(() => {
        guard();
        return state.hisWriteBatch(writes);
      }),
    hisCount: (id) =>
      call(() => {
        guard();
        return state.hisCount(id);
      }),
    readPriorityArray: (id) => call(() => state.readPriorityArray(id, now())),
    readPriorityArrays: (ids) => call(() => state.readPriorityArrays(ids, now())),
    overrideEnds: () => call(() => state.overrideEnds(now())),
    pointWrite: (req) => call(() => state.pointWrite(req, now())),
    pointWriteBatch: (reqs) => call(() => state.pointWriteBatch(reqs, now())),
    watchOpen: (dis, leaseMs, owner, maxOwned) => call(() => state.watchOpen(dis, leaseMs, now(), owner, maxOwned)),
    watchAdd: (watchId, ids) => call(() => state.watchAdd(watchId, ids, now())),
    watchRemove: (watchId, ids) => call(() => state.watchRemove(watchId, ids, now())),
    watchLease: (watchId, leaseMs) => call(() => state.watchLease(watchId, leaseMs, now())),
    watchClose: (watchId) =>
      call(() => {
        guard();
        return state.watchClose(watchId);
      }),
    watchPoll: (watchId, refresh) => call(() => state.watchPoll(watchId, refresh, now())),
    watchInfo: (watchId) => call(() => state.watchInfo(watchId, now())),
    watches: () => call(() => state.watches(now())),
    close: async () => {
      if (closed) return;
      closed = true;
      feed.stop();
      await state.mirror.stop();
      if (retentionTimer !== undefined) clearInterval(retentionTimer);
      await pool.end();
    },
  };
}

// The schema named by the URL's `schema` query parameter (removed from the URL given to the driver), else the option.
function splitSchema(
  url: string | undefined,
  schema: string | undefined,
): { readonly url: string | undefined; readonly schema: string } {
  if (url === undefined) return { url, schema: schema ?? 'haystack' };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not a URL (a libpq key=value string, say): the driver reads it as it is.
    return { url, schema: schema ?? 'haystack' };
  }
  const fromUrl = parsed.searchParams.get('schema');
  if (fromUrl === null) return { url, schema: schema ?? 'haystack' };
  parsed.searchParams.delete('schema');
  return { url: parsed.toString(), schema: schema ?? fromUrl };
}
