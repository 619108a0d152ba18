// The storage contract test kit: every backend registers these vitest suites against its own adapter factory.
//
//   describeStorageContract('memory', async ({ clock }) => createMemoryStore({ clock }), {
//     openSibling: async (store, { clock }) => createMemoryStore({ clock, shareWith: store }),
//   });
//
// A backend that stores users too passes `makeUserStore`, and the user and session contracts run with the rest.
// Shipped as `haystack-ts/storage/testing` for backends outside this package; it imports vitest and fast-check,
// optional peer dependencies, so only test code may import it (the layer rules keep shipped code away).

import { describe, expect, it } from 'vitest';
import type { Clock, StorageAdapter } from '../adapter.js';
import type { SessionStore } from '../session-store.js';
import type { UserStore } from '../user-store.js';
import { describeEntityContract } from './contract-entities.js';
import { describeHistoryContract } from './contract-history.js';
import { describePriorityContract } from './contract-priority.js';
import { describeReadContract } from './contract-read.js';
import { type AuthStateOf, describeAuthStateContract, describeChangeContract } from './contract-shared.js';
import { describeWatchContract } from './contract-watches.js';
import { createHarness, type MakeAdapter, type OpenSibling } from './harness.js';
import {
  describeSessionStoreContract,
  describeUserSessionsContract,
  describeUserStoreContract,
} from './user-store-contract.js';

export type { AuthStateOf } from './contract-shared.js';
export type { MakeAdapter, OpenSibling } from './harness.js';
export { CONTRACT_EPOCH, createTestClock, type TestClock } from './test-clock.js';
export {
  describeSessionStoreContract,
  describeUserSessionsContract,
  describeUserStoreContract,
} from './user-store-contract.js';

/** Options of {@link describeStorageContract}. */
export interface StorageContractOptions<A extends StorageAdapter> {
  /**
   * Open a second adapter over the same underlying store as `adapter`, as a second server process would; the
   * sharing tests are skipped without it. With it, change notifications between adapters are tested (and
   * reported as skipped while the adapter has no `subscribeChanges`: such a backend cannot serve `--workers`).
   */
  readonly openSibling?: OpenSibling<A>;
  /**
   * The login-throttle and SCRAM-exchange state kept with an adapter (its siblings share it); when given, the
   * auth-state contract runs (and, with `openSibling`, its sharing between adapters).
   */
  readonly authStateOf?: AuthStateOf;
  /** Runs of the property test comparing filter reads with in-process evaluation (default 60). */
  readonly propertyRuns?: number;
  /**
   * The backend's user and session store over a new, empty store reading time from `clock`; when given, the
   * user and session contracts run too (PRODUCT.md section 3: every backend stores users).
   */
  readonly makeUserStore?: (clock: Clock) => Promise<UserStore & SessionStore>;
}

/**
 * Register the storage contract for a backend: entities by id and by filter, commits with optimistic
 * concurrency, history, priority arrays, watches with leases, change notifications between adapters (with
 * `openSibling`), the auth state (with `authStateOf`), and users and sessions (with `makeUserStore`). `makeAdapter` must return an adapter over a new,
 * empty store that reads time only from `clock` (the kit moves it; tests never sleep).
 */
export function describeStorageContract<A extends StorageAdapter>(
  name: string,
  makeAdapter: MakeAdapter<A>,
  options: StorageContractOptions<A> = {},
): void {
  describe(`storage contract: ${name}`, () => {
    const h = createHarness(makeAdapter, options.openSibling);
    describeEntityContract(h);
    describeReadContract(h, options.propertyRuns === undefined ? {} : { propertyRuns: options.propertyRuns });
    describeHistoryContract(h);
    describePriorityContract(h);
    describeWatchContract(h);
    describeChangeContract(h);
    if (options.authStateOf !== undefined) describeAuthStateContract(h, options.authStateOf);
    const makeUsers = options.makeUserStore;
    if (makeUsers !== undefined) {
      describeUserStoreContract(name, makeUsers);
      describeSessionStoreContract(name, makeUsers);
      describeUserSessionsContract(name, makeUsers);
    }

    describe('lifecycle', () => {
      it('names its backend', async () => {
        const { store } = await h.open();
        expect(typeof store.backend).toBe('string');
        expect(store.backend.length).toBeGreaterThan(0);
      });

      it('starts empty', async () => {
        const { store } = await h.open();
        expect(await store.count()).toBe(0);
        expect(await store.read({ filter: 'id' })).toEqual([]);
        expect(await store.watches()).toEqual([]);
      });

      it('refuses calls after close with a StorageError, and closing twice is harmless', async () => {
        const { store } = await h.open();
        await store.close();
        await store.close();
        await expect(store.count()).rejects.toMatchObject({ code: 'HS_ERR_STORAGE' });
        await expect(store.readByIds(['a'])).rejects.toMatchObject({ code: 'HS_ERR_STORAGE' });
      });
    });
  });
}
