// The SQLite backend passes the storage contract kit: entities, history, priority arrays, watches shared by two
// adapters over one file, users and sessions.

import { afterAll, vi } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../src/storage/sqlite/index.js';
import { describeStorageContract } from '../../src/storage/testing/storage-contract.js';

import { makeTempDir } from '../support/temp-dir.js';

// Each contract test opens a store file of its own; the property test opens dozens.
vi.setConfig({ testTimeout: 60_000 });
const dir = makeTempDir('hs-sqlite-contract-');
let n = 0;
const nextFile = (): string => dir.file(`store-${String(++n)}.db`);
afterAll(() => {
  dir.remove();
});

describeStorageContract('sqlite', ({ clock }) => openSqliteStore({ path: nextFile(), clock, synchronous: 'normal' }), {
  openSibling: (store, { clock }) => openSqliteStore({ path: store.path, clock, synchronous: 'normal' }),
  makeUserStore: async (clock) => (await openSqliteStore({ path: nextFile(), clock, synchronous: 'normal' })).users,
  authStateOf: (store) => (store as SqliteStore).authState,
  propertyRuns: 40,
});
