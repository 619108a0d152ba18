// The memory backend passes the storage contract kit, including two adapters sharing one state.

import { createMemoryStore } from '../../src/storage/memory/index.js';
import { describeStorageContract } from '../../src/storage/testing/storage-contract.js';

describeStorageContract('memory', ({ clock }) => Promise.resolve(createMemoryStore({ clock })), {
  openSibling: (store, { clock }) => Promise.resolve(createMemoryStore({ clock, shareWith: store })),
});
