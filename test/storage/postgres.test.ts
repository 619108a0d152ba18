// The PostgreSQL backend passes the storage contract kit on the real server: entities, history, priority arrays,
// watches shared by two adapters over one schema, users and sessions; each store starts in an empty schema.

import { afterAll } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../../src/storage/postgres/index.js';
import { describeStorageContract } from '../../src/storage/testing/storage-contract.js';
import { reusableSchemas, TEST_PG_URL } from '../support/postgres.js';

const schemas = reusableSchemas('contract');
let userStore: PostgresStore | undefined;
afterAll(async () => {
  await userStore?.close();
  await schemas.dropAll();
});

// A store whose schema goes back to the pool when it is closed (the kit closes every store after each test).
async function fresh(clock: () => number): Promise<PostgresStore> {
  const schema = await schemas.take();
  const store = await openPostgresStore({ url: TEST_PG_URL, schema, clock, poolSize: 3 });
  return {
    ...store,
    close: async () => {
      await store.close();
      schemas.give(schema);
    },
  };
}

describeStorageContract('postgres', ({ clock }) => fresh(clock), {
  openSibling: (store, { clock }) => openPostgresStore({ url: TEST_PG_URL, schema: store.schema, clock, poolSize: 3 }),
  // Tests run one at a time in a file: the previous test's user store is done when the next one asks.
  makeUserStore: async (clock) => {
    await userStore?.close();
    userStore = await fresh(clock);
    return userStore.users;
  },
  authStateOf: (store) => (store as PostgresStore).authState,
  propertyRuns: 25,
});
