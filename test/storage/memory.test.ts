// The memory backend passes the storage contract kit: entities, history, priority arrays, watches shared by two
// adapters over one state, users and sessions.

import { createMemoryStore, createMemoryUserStore, type MemoryStore } from '../../src/storage/memory/index.js';
import { describeStorageContract } from '../../src/storage/testing/index.js';

describeStorageContract('memory', ({ clock }) => Promise.resolve(createMemoryStore({ clock })), {
  openSibling: (store, { clock }) => Promise.resolve(createMemoryStore({ clock, shareWith: store })),
  makeUserStore: (clock) => Promise.resolve(createMemoryUserStore({ clock })),
  authStateOf: (store) => (store as MemoryStore).authState,
});
