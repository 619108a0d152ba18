// createMemoryStore: the in-process StorageAdapter (tests, demos, embedding), over a state that adapters may share.

import { OptionError } from '../../core/errors.js';
import type { Dict } from '../../core/grid/dict.js';
import { checkOptionNames, type OptionNames } from '../../core/options.js';
import type { Clock, CommitDiff, HisWrite, PointWriteRequest, PriorityArray, StorageAdapter } from '../adapter.js';
import type { AuthStateStore } from '../auth-state-store.js';
import type { StoreChange, StoreChangeListener } from '../change-notifier.js';
import { functionOption, resolvePositiveLimits, settle, storeIdPrefix } from '../commit-staging.js';
import { closedError } from '../storage-errors.js';
import { createMemoryAuthState } from './memory-auth-state.js';
import { DEFAULT_MEMORY_LIMITS, MemoryState, type MemoryStoreLimits, type MemoryStoreStats } from './memory-state.js';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Source of the current time in epoch ms, for `mod`, leases and timed overrides (default `Date.now`). */
  readonly clock?: Clock;
  /** Prefix of the ids the store makes for entities added without one (default none); refChars only. */
  readonly idPrefix?: string;
  /** Limits; each one omitted takes its default from {@link DEFAULT_MEMORY_LIMITS}. */
  readonly limits?: Partial<MemoryStoreLimits>;
  /** Share another memory store's data (entities, histories, watches), as two servers over one database do (default none: a new, empty store). */
  readonly shareWith?: MemoryStore;
}

/** A memory StorageAdapter, with counters and its shareable state. */
export interface MemoryStore extends StorageAdapter {
  /** Always `memory`. */
  readonly backend: 'memory';
  /** Several points' samples merged in one transaction: all or none (the batch `hisWrite`). */
  hisWriteBatch(writes: readonly HisWrite[]): Promise<number>;
  /** Levels of one point or several written in order as one change: all or none (see `StorageAdapter.pointWriteBatch`). */
  pointWriteBatch(reqs: readonly PointWriteRequest[]): Promise<readonly PriorityArray[]>;
  /** Several points' priority arrays at one instant, in order (see `StorageAdapter.readPriorityArrays`). */
  readPriorityArrays(ids: readonly string[]): Promise<readonly PriorityArray[]>;
  /** The data this adapter views; give the store as `shareWith` to open another adapter over it. */
  readonly state: MemoryState;
  /** Counters (entities, change version, filter evaluations, watches). */
  stats(): MemoryStoreStats;
  /** Moves with every change to an entity, through any adapter over this state (always offered here). */
  changeVersion(): Promise<number>;
  /** Login-throttle records and SCRAM exchanges, shared by the adapters over this state. */
  readonly authState: AuthStateStore;
  /** Report entity changes made through the other adapters over this state; see `ChangeNotifier`. */
  subscribeChanges(listener: StoreChangeListener): Promise<() => void>;
}

// What the adapters over one state share besides the data: subscribers to changes (tagged with their adapter).
interface Shared {
  readonly authState: AuthStateStore;
  readonly subscribers: Set<{ readonly adapter: object; readonly listener: StoreChangeListener }>;
}
const SHARED = new WeakMap<MemoryState, Shared>();

function sharedOf(state: MemoryState): Shared {
  let shared = SHARED.get(state);
  if (shared === undefined)
    SHARED.set(state, (shared = { authState: createMemoryAuthState(), subscribers: new Set() }));
  return shared;
}

const MEMORY_STORE_OPTIONS: OptionNames<MemoryStoreOptions> = {
  clock: true,
  idPrefix: true,
  limits: true,
  shareWith: true,
};

/** Make a memory store. All data lives in this process and is lost when it ends; throws an `OptionError` for bad options. */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  checkOptionNames('Memory store options', options, MEMORY_STORE_OPTIONS);
  const clock = functionOption('Memory store', 'clock', options.clock) ?? Date.now;
  const idPrefix = storeIdPrefix('Memory', options.idPrefix);
  const limits = resolveLimits(options.limits);
  const shareWith: unknown = options.shareWith;
  if (shareWith !== undefined && !((shareWith as Partial<MemoryStore>).state instanceof MemoryState))
    throw new OptionError('HS_ERR_OPTION_TYPE', 'shareWith', 'Memory store: shareWith must be a memory store');
  const state = options.shareWith?.state ?? new MemoryState();
  const shared = sharedOf(state);
  const self = {};
  const announce = (change: StoreChange): void => {
    for (const s of shared.subscribers) if (s.adapter !== self) s.listener(change);
  };
  const listened = (): boolean => {
    for (const s of shared.subscribers) if (s.adapter !== self) return true;
    return false;
  };
  // Every stored entity has an id; removed ones are named by their diffs.
  const changedIds = (result: readonly Dict[], diffs: readonly CommitDiff[]): string[] => {
    const ids = result.map((d) => d.id?.id ?? '');
    for (const d of diffs) if (d.op === 'remove') ids.push(d.id);
    return ids;
  };
  let closed = false;
  // Every call checks `closed` first and reads the clock once, so a call sees one instant throughout.
  const now = (): number => {
    if (closed) throw closedError('memory');
    return clock();
  };
  // Levels written as one change, announced with the end of each timed override written.
  const pointWrites = (reqs: readonly PointWriteRequest[]): readonly PriorityArray[] => {
    const plan = state.pointWriteBatch(reqs, now());
    const ids = [...plan.levels.keys()];
    if (ids.length > 0) {
      announce(plan.ends.length === 0 ? { kind: 'entities', ids } : { kind: 'entities', ids, expiries: plan.ends });
    }
    return plan.results;
  };
  return {
    backend: 'memory',
    state,
    stats: () => state.stats(),
    readByIds: (ids) => settle(() => state.readByIds(ids, now())),
    read: (query) => settle(() => state.read(query.filter, query.limit, now())),
    count: () => settle(() => state.count(now())),
    changeVersion: () => settle(() => state.changeVersion(now())),
    authState: shared.authState,
    commit: (diffs) =>
      settle((): readonly Dict[] => {
        const result = state.commit(diffs, now(), idPrefix, limits);
        // Ids are gathered only for someone listening (nobody is while a store is seeded).
        if (listened()) {
          const ids = changedIds(result, diffs);
          if (ids.length > 0) announce({ kind: 'entities', ids });
        }
        return result;
      }),
    hisRead: (id, range) => settle(() => state.hisRead(id, range, now())),
    hisReadColumns: (id, range, tz) => settle(() => state.hisReadColumns(id, range, tz, now())),
    hisWrite: (id, items) => settle(() => state.hisWrite(id, items, now(), limits)),
    hisWriteBatch: (writes) => settle(() => state.hisWriteBatch(writes, now(), limits)),
    hisCount: (id) => settle(() => state.hisCount(id, now())),
    readPriorityArray: (id) => settle(() => state.readPriorityArray(id, now())),
    readPriorityArrays: (ids) => settle(() => state.readPriorityArrays(ids, now())),
    overrideEnds: () => settle(() => state.overrideEnds(now())),
    pointWrite: (req) => settle(() => pointWrites([req])[0] as PriorityArray),
    pointWriteBatch: (reqs) => settle(() => pointWrites(reqs)),
    watchOpen: (dis, leaseMs, owner, maxOwned) =>
      settle(() => state.watchOpen(dis, leaseMs, now(), limits, owner, maxOwned)),
    watchAdd: (watchId, ids) => settle(() => state.watchAdd(watchId, ids, now(), limits)),
    watchRemove: (watchId, ids) => settle(() => state.watchRemove(watchId, ids, now())),
    watchLease: (watchId, leaseMs) => settle(() => state.watchLease(watchId, leaseMs, now(), limits)),
    watchClose: (watchId) =>
      settle(() => {
        state.watchClose(watchId, now());
      }),
    watchPoll: (watchId, refresh) => settle(() => state.watchPoll(watchId, refresh, now())),
    watchInfo: (watchId) => settle(() => state.watchInfo(watchId, now())),
    watches: () => settle(() => state.watches(now())),
    subscribeChanges: (listener) =>
      settle(() => {
        now();
        const sub = { adapter: self, listener };
        shared.subscribers.add(sub);
        return () => {
          shared.subscribers.delete(sub);
        };
      }),
    close: () => {
      closed = true;
      for (const s of shared.subscribers) if (s.adapter === self) shared.subscribers.delete(s);
      return Promise.resolve();
    },
  };
}

function resolveLimits(given: Partial<MemoryStoreLimits> | undefined): MemoryStoreLimits {
  return resolvePositiveLimits('Memory', DEFAULT_MEMORY_LIMITS, given);
}
