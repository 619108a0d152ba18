// The storage contract: what every backend (memory, SQLite, PostgreSQL, Redis) provides to the server ops.

import type { HisRows } from '../core/codec/zinc/his-columns.js';
import type { Dict } from '../core/grid/dict.js';
import type { HDateTime } from '../core/kinds/date-time.js';
import type { Val } from '../core/kinds/kind.js';
import type { TimeZone } from '../core/tz/time-zone.js';
import type { StoreChangeListener } from './change-notifier.js';

/** A source of the current time in epoch milliseconds; injectable so tests control leases and expiry. */
export type Clock = () => number;

/** One change in an atomic commit. */
export type CommitDiff =
  | {
      /** Add a new entity; `tags.id` may be absent (the store makes one) and must not exist yet. */
      readonly op: 'add';
      /** Tags of the new entity (`mod` is set by the store). */
      readonly tags: Dict;
    }
  | {
      /** Change tags of an existing entity; a `Remove` value deletes the tag. */
      readonly op: 'update';
      /** Entity id (without `@`). */
      readonly id: string;
      /** The `mod` the caller last saw; a different current `mod` fails the commit with HS_ERR_CONFLICT. Omit to force. */
      readonly mod?: HDateTime;
      /** Tags to set (Remove deletes). `id` and `mod` are ignored. */
      readonly changes: Dict;
    }
  | {
      /** Remove an entity. */
      readonly op: 'remove';
      /** Entity id (without `@`). */
      readonly id: string;
      /** The `mod` the caller last saw; omit to force. */
      readonly mod?: HDateTime;
    };

/** A query for entities by filter. */
export interface ReadQuery {
  /** A Haystack filter (text). Backends push it down where they can evaluate it exactly. */
  readonly filter: string;
  /** Maximum number of entities to return (default: no limit). */
  readonly limit?: number;
}

/** One history sample. */
export interface HisItem {
  /** Instant in epoch milliseconds. */
  readonly ts: number;
  /** Recorded value (Number, Bool, Str, ...), as written. */
  readonly val: Val;
}

/** Samples for one point in a {@link StorageAdapter.hisWriteBatch}. */
export interface HisWrite {
  /** The point's id. */
  readonly id: string;
  /** Its samples, as {@link StorageAdapter.hisWrite} takes them. */
  readonly items: readonly HisItem[];
}

/** A half-open time range `[start, end)` in epoch milliseconds. */
export interface TimeRange {
  /** Inclusive start. */
  readonly start: number;
  /** Exclusive end. */
  readonly end: number;
}

/** One level of a point's priority array. */
export interface PriorityLevel {
  /** Level 1 (highest) to 17 (default). */
  readonly level: number;
  /** Value at this level, or null when the level is empty. */
  readonly val: Val;
  /** Who wrote it. */
  readonly who: string | undefined;
  /** When a timed override ends (epoch ms), if it is timed. */
  readonly expires: number | undefined;
}

/** A point write request. */
export interface PointWriteRequest {
  /** Point id (without `@`). */
  readonly id: string;
  /** Level 1-17. */
  readonly level: number;
  /** Value to write, or null to release the level. */
  readonly val: Val;
  /** Who is writing. */
  readonly who: string;
  /** Duration in milliseconds for a timed override; the level empties itself after it. */
  readonly durationMs?: number;
}

/** The result of a point write: the whole array and the effective value. */
export interface PriorityArray {
  /** All 17 levels in order. */
  readonly levels: readonly PriorityLevel[];
  /** Effective value: the value of the highest-priority non-empty level, or null. */
  readonly effective: Val;
  /** Level of the effective value, or undefined when all levels are empty. */
  readonly effectiveLevel: number | undefined;
}

/** When a timed override of a point ends (see {@link StorageAdapter.overrideEnds}). */
export interface OverrideEnd {
  /** Point id (without `@`). */
  readonly id: string;
  /** When its level empties itself (epoch ms). */
  readonly at: number;
}

/** Identity and state of a watch. */
export interface WatchInfo {
  /** Watch id. */
  readonly id: string;
  /** Display name given by the client. */
  readonly dis: string;
  /** Lease in milliseconds: the watch closes itself when not polled or changed for this long. */
  readonly leaseMs: number;
  /** Ids (without `@`) of the watched entities, in the order they were added. */
  readonly ids: readonly string[];
  /** Username of whoever opened it, when the opener gave one (the server allows only them, or an admin, to use it). */
  readonly owner?: string;
}

/** Entities that changed since the last poll (or all with `refresh`). */
export interface WatchPollResult {
  /** The watch after the poll. */
  readonly watch: WatchInfo;
  /** Current state of each changed (or, with refresh, every) watched entity that still exists, in watch order. */
  readonly changed: readonly Dict[];
  /** Ids (without `@`) of watched entities removed since the previous poll (the op may report them as `removed` rows). */
  readonly removed: readonly string[];
}

/** How {@link StorageAdapter.hisReadChunks} reads. */
export interface HisChunkOptions {
  /** Most samples per chunk (default 10,000). */
  readonly chunkRows?: number;
  /** Fail with `LimitError` (`maxRows`) before the first chunk when the range holds more samples than this. */
  readonly maxRows?: number;
}

/** How {@link StorageAdapter.hisReadBatchChunks} reads. */
export interface HisBatchChunkOptions {
  /** Most samples read per chunk (default 10,000); a chunk holds at most that many rows. */
  readonly chunkRows?: number;
  /**
   * Fail with `LimitError` (`maxRows`) before the first chunk when the joined answer holds more cells than this
   * (rows, one per distinct timestamp, times points).
   */
  readonly maxCells?: number;
}

/** A chunk of a batch history read: rows of distinct timestamps, with a value column per point. */
export interface HisBatchChunk {
  /** The rows' timestamps (epoch ms), ascending, each once. */
  readonly ts: readonly number[];
  /** A column per point, in the order asked: its sample at each row's timestamp, undefined where it has none. */
  readonly vals: readonly (readonly (Val | undefined)[])[];
}

/**
 * A storage backend. Every method is atomic; failures are typed (`StorageError`, `UnknownRecError`,
 * `HS_ERR_CONFLICT` on a stale `mod`, `HS_ERR_UNKNOWN_NAME` on an unknown or expired watch).
 * All state, including watches, lives here so that several server processes can share one store.
 */
export interface StorageAdapter {
  /** Backend name, e.g. `memory`. */
  readonly backend: string;

  /** Entities by id (without `@`), in the same order; `undefined` where an id does not exist. */
  readByIds(ids: readonly string[]): Promise<readonly (Dict | undefined)[]>;
  /** Entities that match a filter, up to `limit`, in a stable order (by id); a bad filter throws `ParseError`. */
  read(query: ReadQuery): Promise<readonly Dict[]>;
  /** Number of entities. */
  count(): Promise<number>;
  /**
   * Apply every diff atomically (all or none) and return, in diff order, the resulting entity of each add and update
   * (entities removed by the same commit omitted). Unknown ids throw `UnknownRecError`, stale `mod`s and existing ids
   * on add throw `HS_ERR_CONFLICT`; either way nothing of the commit is applied.
   */
  commit(diffs: readonly CommitDiff[]): Promise<readonly Dict[]>;

  /** History of a point in `[start, end)`, sorted by time; `UnknownRecError` when the point does not exist. */
  hisRead(id: string, range: TimeRange): Promise<readonly HisItem[]>;
  /**
   * Merge samples into a point's history (same timestamp replaces; within one write the last wins); returns how many
   * were written. `UnknownRecError` when the point does not exist. Removing the entity removes its history.
   */
  hisWrite(id: string, items: readonly HisItem[]): Promise<number>;
  /**
   * Optional capability: {@link hisWrite} for several distinct points as one transaction: every point's samples are
   * merged or none is (an unknown point throws `UnknownRecError` and a failure part-way leaves every point as it
   * was); returns the number of samples written. Without it, the batch `hisWrite` op writes point by point.
   */
  hisWriteBatch?(writes: readonly HisWrite[]): Promise<number>;
  /** How many samples a point's history holds (0 without history); `UnknownRecError` when the point does not exist. */
  hisCount(id: string): Promise<number>;

  /** The priority array of a point (timed overrides that ended are empty); `UnknownRecError` when it does not exist. */
  readPriorityArray(id: string): Promise<PriorityArray>;
  /**
   * Optional capability: {@link readPriorityArray} for several points at one instant, in the order asked, in one
   * query where the backend can, so that a bulk reader (a store copy) pays one round trip for many points.
   * `UnknownRecError` when any of them does not exist. Without it, such a reader reads point by point.
   */
  readPriorityArrays?(ids: readonly string[]): Promise<readonly PriorityArray[]>;
  /**
   * Write one level and, atomically with it, set the point's `writeVal`, `writeLevel` and `curVal`
   * to the effective value (removing them when every level is empty); the point's `mod` changes, so watches see it.
   * A timed override empties its level when its duration has passed on the store's clock, updating the point the
   * same way. A level outside 1-17 or a non-positive duration throws `ValueError`; an unknown id `UnknownRecError`.
   */
  pointWrite(req: PointWriteRequest): Promise<PriorityArray>;
  /**
   * Optional capability: {@link pointWrite} for many levels, of one point or several, as one transaction: the writes
   * apply in order, as that many `pointWrite`s at one instant would (a timed override keeps its end), and each point's
   * `writeVal`, `writeLevel`, `curVal` and `mod` change once. Every request is checked before anything is written
   * (`ValueError`, `UnknownRecError` as {@link pointWrite} throws them) and a failure part-way leaves every point as it
   * was. Returns what each write would have answered, in order. Without it, a bulk writer (a store copy) writes level
   * by level.
   */
  pointWriteBatch?(reqs: readonly PointWriteRequest[]): Promise<readonly PriorityArray[]>;

  /**
   * Open a new watch; the store may shorten the lease to its maximum (`WatchInfo.leaseMs` is the one granted). A
   * lease that is not a positive number throws `ValueError`. With `owner` and `maxOwned`, an owner holding that many
   * open watches already is refused with `LimitError` (`maxWatchesPerUser`): counted and opened in one atomic step,
   * so that adapters over one store (several processes) opening at once cannot pass the limit together.
   */
  watchOpen(dis: string, leaseMs: number, owner?: string, maxOwned?: number): Promise<WatchInfo>;
  /**
   * Add ids to a watch (renews its lease); already-watched ids are ignored, ids need not exist yet. Polls report
   * changes made after the add.
   */
  watchAdd(watchId: string, ids: readonly string[]): Promise<WatchInfo>;
  /** Remove ids from a watch (renews its lease). */
  watchRemove(watchId: string, ids: readonly string[]): Promise<WatchInfo>;
  /** Change a watch's lease (renews it). */
  watchLease(watchId: string, leaseMs: number): Promise<WatchInfo>;
  /** Close a watch; closing an unknown watch is not an error. */
  watchClose(watchId: string): Promise<void>;
  /** Entities changed since the previous poll (every watched entity with `refresh`); renews the lease. */
  watchPoll(watchId: string, refresh: boolean): Promise<WatchPollResult>;
  /** One open watch without renewing its lease; undefined when it is unknown, closed or expired. */
  watchInfo(watchId: string): Promise<WatchInfo | undefined>;
  /** Watches currently open (expired ones are dropped). */
  watches(): Promise<readonly WatchInfo[]>;

  /**
   * Optional capability: a point's samples in `[start, end)`, in time order, in chunks of at most `chunkRows` read
   * from one snapshot, so that a read of any length holds one chunk in memory at a time (PostgreSQL: a server-side
   * cursor). An unknown point fails before the first chunk, as does (with `LimitError` `maxRows`) a range holding
   * more than `maxRows` samples. Stopping the iteration early releases what it holds.
   */
  hisReadChunks?(id: string, range: TimeRange, options?: HisChunkOptions): AsyncIterable<readonly HisItem[]>;
  /**
   * Optional capability: the first `limit` samples of a point in `[start, end)`, in time order: a page of a history of
   * any length, the next page read from just after its last sample, so that a bulk reader (a store copy) holds one
   * page at a time at the cost of one query per page. Unlike {@link hisReadChunks}, pages are not read from one
   * snapshot. Fails as {@link hisRead} does.
   */
  hisReadPage?(id: string, range: TimeRange, limit: number): Promise<readonly HisItem[]>;
  /**
   * Optional capability: the samples {@link hisRead} gives, as typed history columns with timestamps in `tz` (what
   * a hisRead answer is written from), for a store that keeps columns and can hand over copies of them without an
   * object per sample. Fails as {@link hisRead} does.
   */
  hisReadColumns?(id: string, range: TimeRange, tz: TimeZone): Promise<HisRows>;
  /**
   * Optional capability: the samples of several distinct points in `[start, end)` joined on their timestamps (the
   * batch hisRead), in time order, in chunks read from one snapshot, so that a batch read of any length holds one
   * chunk in memory at a time. An unknown point fails before the first chunk (`UnknownRecError`), as does a joined
   * answer beyond `maxCells` (`LimitError` `maxRows`). Stopping the iteration early releases what it holds.
   */
  hisReadBatchChunks?(
    ids: readonly string[],
    range: TimeRange,
    options?: HisBatchChunkOptions,
  ): AsyncIterable<HisBatchChunk>;

  /**
   * Optional capability: every timed override the store holds that has not ended, one per timed level, in no order.
   * Such a point changes when one ends without any write to tell of it: a process that starts after the override was
   * written (a restart, another server), or that missed changes, learns here when to look again.
   */
  overrideEnds?(): Promise<readonly OverrideEnd[]>;

  /**
   * Optional capability: a number that is different after any change to an entity (a commit, a point write, a
   * timed override ending), made through this adapter or another over the same data, so that what is derived from
   * entities can be kept until it changes. Backends that cannot tell cheaply and exactly leave it out.
   */
  changeVersion?(): Promise<number>;

  /**
   * Optional capability (see `ChangeNotifier`): report entity changes made through other adapters over this store
   * (other server processes). Every backend that several processes may open implements it.
   */
  subscribeChanges?(listener: StoreChangeListener): Promise<() => void>;

  /**
   * Optional capability (see `ChangeNotifier`), with {@link subscribeChanges}: resolve once every change committed
   * through any adapter before the call has been reported to this adapter's listeners, so that what they keep may be
   * trusted to reflect it (a response cached before another process's write is not answered after it). A backend
   * whose adapters report each change to the others' listeners before the write resolves (memory) leaves it out.
   */
  syncChanges?(): Promise<void>;

  /** Release connections and timers; closing twice is harmless, and any other call afterwards rejects (`StorageError`). */
  close(): Promise<void>;
}
