// createMemoryStore: the in-process StorageAdapter (tests, demos, embedding), over a state that adapters may share.

import { ValueError } from '../../core/errors.js';
import type { Dict } from '../../core/grid/dict.js';
import type { Clock, StorageAdapter } from '../adapter.js';
import { resolvePositiveLimits, settle } from '../commit-staging.js';
import { isEntityId } from '../entity-tags.js';
import { closedError } from '../storage-errors.js';
import { DEFAULT_MEMORY_LIMITS, MemoryState, type MemoryStoreLimits, type MemoryStoreStats } from './memory-state.js';

/** Options of {@link createMemoryStore}. */
export interface MemoryStoreOptions {
  /** Source of the current time in epoch ms, for `mod`, leases and timed overrides (default `Date.now`). */
  readonly clock?: Clock;
  /** Prefix of the ids the store makes for entities added without one (default none); refChars only. */
  readonly idPrefix?: string;
  /** Limits; each one omitted takes its default from {@link DEFAULT_MEMORY_LIMITS}. */
  readonly limits?: Partial<MemoryStoreLimits>;
  /** Share another memory store's data (entities, histories, watches), as two servers over one database do. */
  readonly shareWith?: MemoryStore;
}

/** A memory StorageAdapter, with counters and its shareable state. */
export interface MemoryStore extends StorageAdapter {
  /** Always `memory`. */
  readonly backend: 'memory';
  /** The data this adapter views; give the store as `shareWith` to open another adapter over it. */
  readonly state: MemoryState;
  /** Counters (entities, change version, filter evaluations, watches). */
  stats(): MemoryStoreStats;
}

/** Make a memory store. All data lives in this process and is lost when it ends. */
export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const clock = options.clock ?? Date.now;
  const idPrefix = options.idPrefix ?? '';
  if (idPrefix !== '' && !isEntityId(idPrefix)) {
    throw new ValueError(`Id prefix ${JSON.stringify(idPrefix)} must be made of Ref characters`);
  }
  const limits = resolveLimits(options.limits);
  const state = options.shareWith?.state ?? new MemoryState();
  let closed = false;
  // Every call checks `closed` first and reads the clock once, so a call sees one instant throughout.
  const now = (): number => {
    if (closed) throw closedError('memory');
    return clock();
  };
  return {
    backend: 'memory',
    state,
    stats: () => state.stats(),
    readByIds: (ids) => settle(() => state.readByIds(ids, now())),
    read: (query) => settle(() => state.read(query.filter, query.limit, now())),
    count: () => settle(() => state.count(now())),
    commit: (diffs) => settle((): readonly Dict[] => state.commit(diffs, now(), idPrefix, limits)),
    hisRead: (id, range) => settle(() => state.hisRead(id, range, now())),
    hisWrite: (id, items) => settle(() => state.hisWrite(id, items, now(), limits)),
    hisCount: (id) => settle(() => state.hisCount(id, now())),
    readPriorityArray: (id) => settle(() => state.readPriorityArray(id, now())),
    pointWrite: (req) => settle(() => state.pointWrite(req, now())),
    watchOpen: (dis, leaseMs, owner) => settle(() => state.watchOpen(dis, leaseMs, now(), limits, owner)),
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
    close: () => {
      closed = true;
      return Promise.resolve();
    },
  };
}

function resolveLimits(given: Partial<MemoryStoreLimits> | undefined): MemoryStoreLimits {
  return resolvePositiveLimits('Memory', DEFAULT_MEMORY_LIMITS, given);
}
