// Store change notifications as a test sees them: every change received, and a promise per awaited condition.

import type { StoreChange } from '../../src/storage/change-notifier.js';

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
