// Store change notifications as a test sees them: every change received, and a promise per awaited condition.

import { expect } from 'vitest';
import { Dict, MARKER, Ref } from '../../src/core/index.js';
import type { StorageAdapter } from '../../src/storage/adapter.js';
import type { StoreChange } from '../../src/storage/change-notifier.js';
import type { SessionStore } from '../../src/storage/session-store.js';

/** What {@link changeRecorder} gives: subscribe `listener`, then wait `until` a change satisfies a condition. */
export interface ChangeRecorder {
  /** Every change received, in order. */
  readonly changes: readonly StoreChange[];
  /** The listener to subscribe. */
  readonly listener: (c: StoreChange) => void;
  /** Resolves once some received change (before the call or after) satisfies `test`. */
  until(test: (c: StoreChange) => boolean): Promise<void>;
}

/** A new recorder. */
export function changeRecorder(): ChangeRecorder {
  const changes: StoreChange[] = [];
  const waiters: { readonly test: (c: StoreChange) => boolean; readonly resolve: () => void }[] = [];
  return {
    changes,
    listener: (c) => {
      changes.push(c);
      for (const w of [...waiters]) {
        if (w.test(c)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve();
        }
      }
    },
    until: (test) =>
      new Promise<void>((resolve) => {
        if (changes.some(test)) resolve();
        else waiters.push({ test, resolve });
      }),
  };
}

/** The condition "an entities change naming `id`". */
export const names =
  (id: string) =>
  (c: StoreChange): boolean =>
    c.kind === 'entities' && c.ids.includes(id);

/** Two adapters over one store, as {@link checkLogoutTold} uses them. */
export interface LogoutPair {
  /** The adapter whose listener `rec` is subscribed. */
  readonly listening: { syncChanges?(): Promise<void> };
  /** Another adapter over the same store, with its session store. */
  readonly writer: Pick<StorageAdapter, 'commit'> & { readonly users: SessionStore };
  readonly rec: ChangeRecorder;
}

/**
 * Check that one session ended through `writer` (a logout) reaches `rec` as a `users` change of its owner, once;
 * that a session begun, or one ended already, tells nothing; and that the owner's other session is kept.
 */
export async function checkLogoutTold({ listening, writer, rec }: LogoutPair): Promise<void> {
  const session = { username: 'otto', created: 1, lastUsed: 1, expires: Date.now() + 60_000 };
  await writer.users.putSession({ id: 'aa', ...session });
  await writer.users.putSession({ id: 'bb', ...session });
  expect(await writer.users.deleteSession('aa')).toBe(true);
  await listening.syncChanges?.();
  await rec.until((c) => c.kind === 'users' && c.usernames.includes('otto'));
  expect(await writer.users.deleteSession('aa')).toBe(false);
  // The next change told is the entity's.
  await writer.commit([{ op: 'add', tags: Dict.of({ id: new Ref('logout-mark'), point: MARKER }) }]);
  await listening.syncChanges?.();
  await rec.until(names('logout-mark'));
  expect(rec.changes.filter((c) => c.kind === 'users')).toEqual([{ kind: 'users', usernames: ['otto'] }]);
  expect((await writer.users.listUserSessions('otto')).map((x) => x.id)).toEqual(['bb']);
}
