// The shape a StorageAdapter wrapper is written in: every member of the interface named, optional ones included.

import type { StorageAdapter } from '../storage/adapter.js';

type Key = keyof StorageAdapter;
// Members a store may leave out; the rest it must have.
type OptionalKey = { [K in Key]-?: undefined extends StorageAdapter[K] ? K : never }[Key];
type RequiredKey = Exclude<Key, OptionalKey>;

/**
 * Every member of a StorageAdapter, each optional one present as a key (undefined where the wrapped store lacks it):
 * a wrapper written as one fails to compile when a member is added to the interface and not to the wrapper, so that
 * no capability of the store is lost in the wrapping.
 */
export type AdapterMembers = { readonly [K in RequiredKey]: StorageAdapter[K] } & {
  readonly [K in OptionalKey]: StorageAdapter[K] | undefined;
};

/** The adapter `members` describe: the optional members that are undefined left out, as the wrapped store does. */
export function adapterOf(members: AdapterMembers): StorageAdapter {
  const adapter: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(members)) if (value !== undefined) adapter[key] = value;
  // Every required member was checked by AdapterMembers; an optional one is either absent or a method.
  return adapter as unknown as StorageAdapter;
}

/** `store`'s own members, bound to it, for a wrapper to pass on those it does not change. */
export function storeMembers(store: StorageAdapter): AdapterMembers {
  return {
    backend: store.backend,
    readByIds: store.readByIds.bind(store),
    read: store.read.bind(store),
    count: store.count.bind(store),
    commit: store.commit.bind(store),
    hisRead: store.hisRead.bind(store),
    hisWrite: store.hisWrite.bind(store),
    hisWriteBatch: store.hisWriteBatch?.bind(store),
    hisCount: store.hisCount.bind(store),
    readPriorityArray: store.readPriorityArray.bind(store),
    readPriorityArrays: store.readPriorityArrays?.bind(store),
    pointWrite: store.pointWrite.bind(store),
    pointWriteBatch: store.pointWriteBatch?.bind(store),
    watchOpen: store.watchOpen.bind(store),
    watchAdd: store.watchAdd.bind(store),
    watchRemove: store.watchRemove.bind(store),
    watchLease: store.watchLease.bind(store),
    watchClose: store.watchClose.bind(store),
    watchPoll: store.watchPoll.bind(store),
    watchInfo: store.watchInfo.bind(store),
    watches: store.watches.bind(store),
    hisReadChunks: store.hisReadChunks?.bind(store),
    hisReadPage: store.hisReadPage?.bind(store),
    hisReadColumns: store.hisReadColumns?.bind(store),
    hisReadBatchChunks: store.hisReadBatchChunks?.bind(store),
    overrideEnds: store.overrideEnds?.bind(store),
    changeVersion: store.changeVersion?.bind(store),
    subscribeChanges: store.subscribeChanges?.bind(store),
    syncChanges: store.syncChanges?.bind(store),
    close: store.close.bind(store),
  };
}
