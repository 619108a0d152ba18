// A StorageAdapter wrapper that reports every entity it changes, so a response cache can invalidate exactly those.

import type { Dict } from '../../core/grid/dict.js';
import type { PointWriteRequest, StorageAdapter } from '../../storage/adapter.js';
import type { StoreChange } from '../../storage/change-notifier.js';
import { adapterOf, storeMembers } from '../adapter-members.js';
import { errorChannel } from '../events.js';

/** One changed entity: its id and its tags after the change (undefined when it was removed). */
export interface EntityChange {
  /** Entity id without `@`. */
  readonly id: string;
  /** The entity now, or undefined when it no longer exists. */
  readonly now: Dict | undefined;
}

/** What an observed store reports. */
export interface StoreObserver {
  /** Entities changed by a commit or a point write, after it succeeded. */
  changed(changes: readonly EntityChange[]): void;
  /** A timed override of point `id` ends at `at` (epoch ms): the point changes then without a write. */
  expires(id: string, at: number): void;
  /** False while nobody listens: writes then skip the extra read that reporting them costs. Default always true. */
  wants?(): boolean;
  /**
   * Changes may have been missed (another process's, while the store's notifications were interrupted): entities,
   * users and sessions alike. Told whether or not the observer `wants` entity changes.
   */
  reset?(): void;
  /** Users were changed through the store (by any process): their sessions are to be checked again. */
  usersChanged?(usernames: readonly string[]): void;
}

/** An observer that passes everything on to the observers added to it (a response cache, WebSocket pushes, ...). */
export class ChangeFeed implements StoreObserver {
  readonly #observers = new Set<StoreObserver>();

  /** Add an observer; returns the function that removes it. */
  add(observer: StoreObserver): () => void {
    this.#observers.add(observer);
    return () => {
      this.#observers.delete(observer);
    };
  }

  wants(): boolean {
    return this.#observers.size > 0;
  }

  changed(changes: readonly EntityChange[]): void {
    for (const o of this.#observers) o.changed(changes);
  }

  expires(id: string, at: number): void {
    for (const o of this.#observers) o.expires(id, at);
  }

  reset(): void {
    for (const o of this.#observers) o.reset?.();
  }

  usersChanged(usernames: readonly string[]): void {
    for (const o of this.#observers) o.usersChanged?.(usernames);
  }
}

/** A subscription to another process's changes, from {@link followStore}. */
export interface StoreFollower {
  /** Resolves once changes committed from now on are reported (at once for a store without notifications). */
  readonly ready: Promise<void>;
  /**
   * Undefined when the observer has heard of every change committed before the call; otherwise a promise that
   * resolves once it has (the store asked for what is on its way, every change read back). Never rejects: a store
   * that cannot be asked leaves the observer as it is.
   */
  sync(): Promise<void> | undefined;
  /** Stop following. */
  stop(): void;
}

/**
 * Report to `observer` the changes other processes make to `store` (when it announces them: `subscribeChanges`),
 * as {@link observeStore} reports this process's: each changed entity read back once, timed overrides' ends, and a
 * `reset` when the store may have missed some (or the read back fails: everything is treated as changed). The ends of
 * the timed overrides the store already holds (`overrideEnds`) are reported at the start and after each reset.
 */
export function followStore(store: StorageAdapter, observer: StoreObserver): StoreFollower {
  // The timed overrides pending in the store, which end with no write to tell of it: read at the start (they may
  // predate this process) and after a reset (one written meanwhile was not announced).
  const overrideEnds = store.overrideEnds?.bind(store);
  const loadEnds = async (): Promise<void> => {
    if (overrideEnds === undefined) return;
    try {
      for (const e of await overrideEnds()) observer.expires(e.id, e.at);
    } catch (err) {
      // Unread, they are missed as before: only a cached answer may outlive such an override.
      if (errorChannel.hasSubscribers) errorChannel.publish({ op: undefined, error: err });
    }
  };
  if (store.subscribeChanges === undefined) {
    return { ready: loadEnds(), sync: () => undefined, stop: () => undefined };
  }
  // Changes heard and being read back: the observer has not been told of them yet.
  const readingBack = new Set<Promise<void>>();
  const onChange = (change: StoreChange): void => {
    // Sessions matter whether or not anyone follows entity changes (a reset may hide a user change too).
    if (change.kind === 'users') {
      observer.usersChanged?.(change.usernames);
      return;
    }
    if (change.kind === 'reset') {
      observer.reset?.();
      if (observer.wants?.() !== false) void loadEnds();
      return;
    }
    if (observer.wants?.() === false) return;
    const ids = change.ids;
    const told = store.readByIds(ids).then(
      (now) => {
        observer.changed(ids.map((id, i) => ({ id, now: now[i] })));
        for (const e of change.expiries ?? []) observer.expires(e.id, e.at);
      },
      (err: unknown) => {
        if (errorChannel.hasSubscribers) errorChannel.publish({ op: undefined, error: err });
        observer.reset?.();
      },
    );
    readingBack.add(told);
    void told.then(() => readingBack.delete(told));
  };
  const readBack = (): Promise<void> | undefined =>
    readingBack.size === 0 ? undefined : Promise.all([...readingBack]).then(() => undefined);
  const syncChanges = store.syncChanges?.bind(store);
  const sync = (): Promise<void> | undefined => {
    if (syncChanges === undefined) return readBack();
    return syncChanges().then(
      () => readBack(),
      (err: unknown) => {
        if (errorChannel.hasSubscribers) errorChannel.publish({ op: undefined, error: err });
        return readBack();
      },
    );
  };
  let stopped = false;
  let unsubscribe: (() => void) | undefined;
  const ready = store
    .subscribeChanges(onChange)
    .then(
      (stop) => {
        if (stopped) stop();
        else unsubscribe = stop;
      },
      (err: unknown) => {
        // A store that cannot subscribe (closed already) serves on; only other processes' changes go unseen.
        if (errorChannel.hasSubscribers) errorChannel.publish({ op: undefined, error: err });
      },
    )
    .then(loadEnds);
  return {
    ready,
    sync,
    stop: () => {
      stopped = true;
      unsubscribe?.();
    },
  };
}

/**
 * `store` with commit, pointWrite and pointWriteBatch reporting to `observer`; every other member, optional ones
 * included, is the store's own.
 */
export function observeStore(store: StorageAdapter, observer: StoreObserver, clock: () => number): StorageAdapter {
  const pointWriteBatch = store.pointWriteBatch?.bind(store);
  // Written as every member (AdapterMembers): one added to the interface fails to compile until it is handled here.
  return adapterOf({
    ...storeMembers(store),
    async commit(diffs) {
      const result = await store.commit(diffs);
      if (observer.wants?.() === false) return result;
      const changes: EntityChange[] = result.map((d) => ({ id: d.id?.id ?? '', now: d }));
      for (const diff of diffs) if (diff.op === 'remove') changes.push({ id: diff.id, now: undefined });
      observer.changed(changes);
      return result;
    },
    async pointWrite(req) {
      const start = clock();
      const arr = await store.pointWrite(req);
      if (observer.wants?.() === false) return arr;
      await reportLevels(store, observer, [req], start);
      return arr;
    },
    pointWriteBatch:
      pointWriteBatch === undefined
        ? undefined
        : async (reqs) => {
            const start = clock();
            const arrays = await pointWriteBatch(reqs);
            if (observer.wants?.() === false) return arrays;
            await reportLevels(store, observer, reqs, start);
            return arrays;
          },
  });
}

// Tell `observer` of the points `reqs` wrote (read back in one read) and of the timed levels they left, which end
// `durationMs` after `start`; a level written again later in `reqs` is as its last write left it.
async function reportLevels(
  store: StorageAdapter,
  observer: StoreObserver,
  reqs: readonly PointWriteRequest[],
  start: number,
): Promise<void> {
  const last = new Map<string, PointWriteRequest>();
  for (const req of reqs) last.set(`${req.id} ${String(req.level)}`, req);
  const ids = [...new Set(reqs.map((r) => r.id))];
  const now = await store.readByIds(ids);
  observer.changed(ids.map((id, i) => ({ id, now: now[i] })));
  for (const req of last.values()) {
    if (req.durationMs !== undefined && req.val !== null) observer.expires(req.id, start + req.durationMs);
  }
}
