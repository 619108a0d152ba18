// The change-notification capability: a store tells each server process of entity changes made by any other one.

/**
 * Entities changed through another adapter over the same store (another server process, or another adapter in this
 * one), or `reset` when the store cannot say which (its notifications were interrupted, e.g. a reconnect): then
 * every entity, user and session may have changed. `users` tells of users changed through the store's user store
 * (role, enabled, password, deleted) or whose sessions ended (all of them, or one: a logout, an eviction), so that
 * every process checks their open sessions again at once.
 */
export type StoreChange =
  | {
      /** Some entities changed (added, updated, removed, or a point written). */
      readonly kind: 'entities';
      /** Ids (without `@`) of the changed entities; never empty. */
      readonly ids: readonly string[];
      /**
       * Timed overrides the change set (a `pointWrite` with a duration): the point changes again at `at` (epoch ms)
       * without any write to announce it. Omitted or empty when there is none.
       */
      readonly expiries?: readonly { readonly id: string; readonly at: number }[];
    }
  | {
      /** Changes may have been missed: treat every entity, user and session as changed (check every session). */
      readonly kind: 'reset';
    }
  | {
      /** Users changed, or one of their sessions ended: their sessions are to be checked again (entities are unchanged). */
      readonly kind: 'users';
      /** The usernames; never empty. */
      readonly usernames: readonly string[];
    };

/** Receives {@link StoreChange}s; it must not throw (errors are the listener's to handle). */
export type StoreChangeListener = (change: StoreChange) => void;

/**
 * The optional {@link StorageAdapter} capability by which a store announces changes made by other processes, so
 * that a server's response cache and WebSocket pushes stay exact when several processes share the store. A backend
 * that several processes may open implements it; memory implements it between adapters sharing one state.
 */
export interface ChangeNotifier {
  /**
   * Start reporting to `listener` every entity change committed through any other adapter over this store (and
   * resolve once that is so: a change committed after the promise resolves is reported). Changes made through this
   * adapter itself may be reported too (listeners tolerate duplicates: the server reports its own writes already).
   * Reports arrive after the change is committed and visible to reads through this adapter, in commit order per
   * writer; they may be batched. Resolves to the function that stops reporting to this listener. `close()` stops all.
   */
  subscribeChanges(listener: StoreChangeListener): Promise<() => void>;
  /**
   * Resolve once every change committed through any adapter before the call has been reported to the listeners (a
   * notification on its way is waited for, or the change log read now); optional where each change is reported
   * before the write that made it resolves. Without subscribers it resolves at once. Best effort while the store is
   * out of reach: it resolves, and what was missed is reported once it is back.
   */
  syncChanges?(): Promise<void>;
}
