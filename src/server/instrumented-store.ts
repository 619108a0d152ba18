// A StorageAdapter wrapper that times every call for `haystack:store:query` and traces it on `haystack:trace:store`.

import { HaystackError } from '../core/errors.js';
import type { StorageAdapter } from '../storage/adapter.js';
import { adapterOf } from './adapter-members.js';
import {
  type StoreQueryEvent,
  type StoreTraceContext,
  storeQueryChannel,
  storeTraceChannel,
  type WatchEvent,
  watchChannel,
} from './events.js';

/** How many entities or samples a call's result holds, for `StoreQueryEvent.items`. */
type ItemCount<T> = (result: T) => number;

const length = (r: readonly unknown[]): number => r.length;
const same = (n: number): number => n;

/**
 * `store` with every call reported (backend, method, duration, outcome, item count) and, for tracers, run inside
 * the store tracing channel. Backend-agnostic: every backend gets the same timings without code of its own. While
 * nobody subscribes to either channel, a call costs one check more than the store's own.
 */
export function instrumentStore(store: StorageAdapter): StorageAdapter {
  const backend = store.backend;
  const run = <T>(kind: string, call: () => Promise<T>, items?: ItemCount<T>): Promise<T> => {
    const traced = storeTraceChannel.hasSubscribers;
    if (!traced && !storeQueryChannel.hasSubscribers) return call();
    return observed(backend, kind, call, items, traced);
  };
  const watchEvent = (event: WatchEvent): void => {
    if (watchChannel.hasSubscribers) watchChannel.publish(event);
  };
  const hisWriteBatch = store.hisWriteBatch?.bind(store);
  const pointWriteBatch = store.pointWriteBatch?.bind(store);
  const hisReadPage = store.hisReadPage?.bind(store);
  const hisReadColumns = store.hisReadColumns?.bind(store);
  const overrideEnds = store.overrideEnds?.bind(store);
  const changeVersion = store.changeVersion?.bind(store);
  const subscribeChanges = store.subscribeChanges?.bind(store);
  const syncChanges = store.syncChanges?.bind(store);
  const readPriorityArrays = store.readPriorityArrays?.bind(store);
  // Written as every member (AdapterMembers): one added to the interface fails to compile until it is handled here.
  const wrapped = adapterOf({
    backend,
    readByIds: (ids) =>
      run(
        'readByIds',
        () => store.readByIds(ids),
        (r) => r.filter((d) => d !== undefined).length,
      ),
    read: (q) => run('read', () => store.read(q), length),
    count: () => run('count', () => store.count()),
    commit: (d) => run('commit', () => store.commit(d), length),
    hisRead: (id, r) => run('hisRead', () => store.hisRead(id, r), length),
    hisWrite: (id, items) => run('hisWrite', () => store.hisWrite(id, items), same),
    hisWriteBatch: hisWriteBatch && ((writes) => run('hisWriteBatch', () => hisWriteBatch(writes), same)),
    hisCount: (id) => run('hisCount', () => store.hisCount(id)),
    readPriorityArray: (id) => run('readPriorityArray', () => store.readPriorityArray(id)),
    readPriorityArrays:
      readPriorityArrays && ((ids) => run('readPriorityArrays', () => readPriorityArrays(ids), length)),
    pointWrite: (req) => run('pointWrite', () => store.pointWrite(req)),
    pointWriteBatch: pointWriteBatch && ((reqs) => run('pointWriteBatch', () => pointWriteBatch(reqs), length)),
    async watchOpen(dis, lease, owner, maxOwned) {
      const w = await run('watchOpen', () => store.watchOpen(dis, lease, owner, maxOwned));
      watchEvent({ action: 'open', watchId: w.id });
      return w;
    },
    watchInfo: (watchId) => run('watchInfo', () => store.watchInfo(watchId)),
    watchAdd: (w, ids) => run('watchAdd', () => store.watchAdd(w, ids)),
    watchRemove: (w, ids) => run('watchRemove', () => store.watchRemove(w, ids)),
    watchLease: (w, lease) => run('watchLease', () => store.watchLease(w, lease)),
    async watchClose(w) {
      await run('watchClose', () => store.watchClose(w));
      watchEvent({ action: 'close', watchId: w });
    },
    watchPoll: (w, refresh) =>
      run(
        'watchPoll',
        () => store.watchPoll(w, refresh),
        (r) => r.changed.length,
      ),
    watches: () => run('watches', () => store.watches(), length),
    // Streams pass on untimed: one lasts as long as its reader takes.
    hisReadChunks: store.hisReadChunks?.bind(store),
    hisReadBatchChunks: store.hisReadBatchChunks?.bind(store),
    hisReadPage: hisReadPage && ((id, r, limit) => run('hisReadPage', () => hisReadPage(id, r, limit), length)),
    hisReadColumns:
      hisReadColumns &&
      ((id, r, tz) =>
        run(
          'hisReadColumns',
          () => hisReadColumns(id, r, tz),
          (rows) => rows.size,
        )),
    overrideEnds: overrideEnds && (() => run('overrideEnds', overrideEnds, length)),
    changeVersion: changeVersion && (() => run('changeVersion', changeVersion)),
    subscribeChanges: subscribeChanges && ((listener) => run('subscribeChanges', () => subscribeChanges(listener))),
    syncChanges: syncChanges && (() => run('syncChanges', syncChanges)),
    close: () => store.close(),
  });
  return { ...otherMethods(store, wrapped), ...wrapped };
}

// Members a backend has beyond the interface (its own counters, ...), bound to the store.
function otherMethods(store: StorageAdapter, wrapped: StorageAdapter): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (
    let o: object | null = store;
    o !== null && o !== Object.prototype;
    o = Object.getPrototypeOf(o) as object | null
  ) {
    for (const key of Object.getOwnPropertyNames(o)) {
      const value: unknown = (store as unknown as Record<string, unknown>)[key];
      if (key === 'constructor' || key in wrapped || key in out || typeof value !== 'function') continue;
      out[key] = (...args: unknown[]): unknown => Reflect.apply(value, store, args) as unknown;
    }
  }
  return out;
}

async function observed<T>(
  backend: string,
  kind: string,
  call: () => Promise<T>,
  items: ItemCount<T> | undefined,
  traced: boolean,
): Promise<T> {
  const started = performance.now();
  const context: StoreTraceContext = { backend, kind };
  try {
    const result = await (traced ? storeTraceChannel.tracePromise(call, context) : call());
    publish({
      backend,
      kind,
      durationMs: performance.now() - started,
      ok: true,
      errorCode: undefined,
      items: items?.(result),
    });
    return result;
  } catch (err) {
    const errorCode = err instanceof HaystackError ? err.code : undefined;
    publish({ backend, kind, durationMs: performance.now() - started, ok: false, errorCode, items: undefined });
    throw err;
  }
}

function publish(event: StoreQueryEvent): void {
  if (storeQueryChannel.hasSubscribers) storeQueryChannel.publish(event);
}
