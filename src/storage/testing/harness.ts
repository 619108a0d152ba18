// What every section of the storage contract kit shares: fresh adapters with their clocks, closed after each test.

import { afterEach } from 'vitest';
import type { Clock, StorageAdapter } from '../adapter.js';
import { createTestClock, type TestClock } from './test-clock.js';

/** Makes an adapter over a new, empty store that reads time from `clock`. */
export type MakeAdapter<A extends StorageAdapter> = (opts: { readonly clock: Clock }) => Promise<A>;

/** Opens a second adapter over the same underlying store as `adapter` (another process over one database). */
export type OpenSibling<A extends StorageAdapter> = (
  adapter: A,
  opts: { readonly clock: Clock },
) => Promise<StorageAdapter>;

/** An adapter under test with its clock. */
export interface Fixture {
  /** The adapter. */
  readonly store: StorageAdapter;
  /** Its clock. */
  readonly clock: TestClock;
}

/** Fresh fixtures for one `describe` block; closed after each test. */
export interface Harness {
  /** A new adapter over an empty store. */
  open(): Promise<Fixture>;
  /** A second adapter over the fixture's store, sharing its clock; undefined when the backend cannot share. */
  readonly sibling: ((fixture: Fixture) => Promise<StorageAdapter>) | undefined;
}

/** Build a harness; call inside a `describe` block (it registers an `afterEach` that closes what it opened). */
export function createHarness<A extends StorageAdapter>(make: MakeAdapter<A>, openSibling?: OpenSibling<A>): Harness {
  const opened: StorageAdapter[] = [];
  // The factory's own adapters, so that a sibling is opened from the backend's type without a cast.
  const own = new Map<StorageAdapter, A>();
  afterEach(async () => {
    own.clear();
    const all = opened.splice(0);
    for (const a of all.reverse()) await a.close();
  });
  return {
    open: async () => {
      const clock = createTestClock();
      const store = await make({ clock: clock.now });
      opened.push(store);
      own.set(store, store);
      return { store, clock };
    },
    sibling:
      openSibling === undefined
        ? undefined
        : async (fixture) => {
            const first = own.get(fixture.store);
            if (first === undefined) throw new Error('The fixture was not opened by this harness');
            const other = await openSibling(first, { clock: fixture.clock.now });
            opened.push(other);
            return other;
          },
  };
}
