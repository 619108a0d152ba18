// The PostgreSQL backend passes the storage contract kit on the real server: entities, history, priority arrays,
// watches shared by two adapters over one schema, users and sessions; each store starts in an empty schema.

import { afterAll, expect } from 'vitest';
import { openPostgresStore, type PostgresStore } from '../../src/storage/postgres/index.js';
import { describeStorageContract } from '../../src/storage/testing/storage-contract.js';
import { readThroughMirror } from '../support/mirror-steps.js';
import { reusableSchemas, TEST_PG_URL } from '../support/postgres.js';

const schemas = reusableSchemas('contract');
let userStore: PostgresStore | undefined;
afterAll(async () => {
  const cached = withMirror.reduce((n, s) => n + s.readStats().cached, 0);
  // Dropped first: a failed check below (a run of a few tests with -t reads little) must not leave schemas behind.
  await userStore?.close();
  await schemas.dropAll();
  expect(cached).toBeGreaterThan(100);
});

// A store whose schema goes back to the pool when it is closed (the kit closes every store after each test). With
// `mirrored`, reads wait for the mirror to be loaded, so that it, not SQL, answers them; else it is off.
async function fresh(clock: () => number, mirrored: boolean): Promise<PostgresStore> {
  const schema = await schemas.take();
  return pooled(await open(schema, clock, mirrored), schema);
}

// The stores opened with a mirror: together they must have answered reads through it.
const withMirror: PostgresStore[] = [];

async function open(schema: string, clock: () => number, mirrored: boolean): Promise<PostgresStore> {
  const store = await openPostgresStore({
    url: TEST_PG_URL,
    schema,
    clock,
    poolSize: 3,
    scanCacheEntities: mirrored ? 1000 : 0,
  });
  if (mirrored) withMirror.push(store);
  return store;
}

function pooled(store: PostgresStore, schema: string): PostgresStore {
  return {
    ...store,
    close: async () => {
      await store.close();
      schemas.give(schema);
    },
  };
}

for (const mirrored of [true, false]) {
  const name = mirrored ? 'postgres (mirror)' : 'postgres (SQL)';
  const wrap = mirrored ? readThroughMirror<PostgresStore> : (s: PostgresStore) => s;
  describeStorageContract(name, async ({ clock }) => wrap(await fresh(clock, mirrored)), {
    openSibling: async (store, { clock }) => wrap(await open(store.schema, clock, mirrored)),
    // Tests run one at a time in a file: the previous test's user store is done when the next one asks.
    makeUserStore: async (clock) => {
      await userStore?.close();
      userStore = await fresh(clock, mirrored);
      return userStore.users;
    },
    authStateOf: (store) => (store as PostgresStore).authState,
    propertyRuns: 25,
  });
}
