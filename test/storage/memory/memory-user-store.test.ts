// The in-memory backend passes the UserStore and SessionStore contracts.

import { createMemoryUserStore } from '../../../src/storage/memory/memory-user-store.js';
import {
  describeSessionStoreContract,
  describeUserSessionsContract,
  describeUserStoreContract,
} from '../../../src/storage/testing/user-store-contract.js';

describeUserStoreContract('memory', (clock) => Promise.resolve(createMemoryUserStore({ clock })));
describeSessionStoreContract('memory', (clock) => Promise.resolve(createMemoryUserStore({ clock })));
describeUserSessionsContract('memory', (clock) => Promise.resolve(createMemoryUserStore({ clock })));
