// The Redis backend passes the storage contract kit against the shared Redis (127.0.0.1:6379): entities, history,
// priority arrays, watches shared by two adapters over one prefix, users and sessions. Each store gets its own key
// prefix, and every key of the run is deleted afterwards. The kit runs twice: once with reads answered by the
// process's mirror of the entities (each read waits for it to be loaded), once by the Lua scripts alone.

import { afterAll, describe, expect, it } from 'vitest';
import { Dict } from '../../src/core/grid/dict.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { openRedisStore, type RedisStore } from '../../src/storage/redis/index.js';
import { describeAuthStateContract, describeChangeContract } from '../../src/storage/testing/contract-shared.js';
import { createHarness } from '../../src/storage/testing/harness.js';
import { describeStorageContract } from '../../src/storage/testing/storage-contract.js';
import { readThroughMirror } from '../support/mirror-steps.js';
import { redisPrefixes, redisReachable, SHARED_REDIS_URL } from '../support/redis.js';

const up = await redisReachable();
if (!up && process.env.CI !== undefined) throw new Error(`Redis is not reachable at ${SHARED_REDIS_URL}`);
if (!up) console.warn(`SKIPPED: the Redis contract tests need Redis at ${SHARED_REDIS_URL}`);

const prefixes = redisPrefixes();
afterAll(async () => {
  if (up) await prefixes.cleanup();
});

// A store whose reads, reads by id and counts first wait for its mirror to be loaded, so that the mirror (not Lua)
// answers them: without the wait the kit's short tests would mostly read before the background fill is over.
const mirroredStores: RedisStore[] = [];
async function openMirrored(prefix: string, clock: () => number): Promise<RedisStore> {
  const store = await openRedisStore({ url: SHARED_REDIS_URL, prefix, clock });
  mirroredStores.push(store);
  return readThroughMirror(store);
}

describe.skipIf(!up)('redis', () => {
  describeStorageContract('redis (mirrored)', ({ clock }) => openMirrored(prefixes.next(), clock), {
    openSibling: (store, { clock }) => openMirrored(store.prefix, clock),
    makeUserStore: async (clock) =>
      (await openRedisStore({ url: SHARED_REDIS_URL, prefix: prefixes.next(), clock })).users,
    propertyRuns: 40,
  });

  it('answered the mirrored run from the mirror', () => {
    const stats = mirroredStores.map((s) => s.readStats());
    const cached = stats.reduce((n, s) => n + s.cached, 0);
    const lua = stats.reduce((n, s) => n + s.exact + s.rechecked, 0);
    // Lua would answer only while a mirror refilled, and nothing in the kit puts a change beyond the log's reach.
    expect(cached).toBeGreaterThan(200);
    expect(lua).toBe(0);
  });

  describeStorageContract(
    'redis (Lua)',
    ({ clock }) => openRedisStore({ url: SHARED_REDIS_URL, prefix: prefixes.next(), clock, scanCacheEntities: 0 }),
    {
      openSibling: (store, { clock }) =>
        openRedisStore({ url: store.url, prefix: store.prefix, clock, scanCacheEntities: 0 }),
      propertyRuns: 40,
    },
  );

  // Several processes on one store: change notifications between adapters, and the login/SCRAM state.
  describe('shared state', () => {
    const h = createHarness(
      ({ clock }) => openRedisStore({ url: SHARED_REDIS_URL, prefix: prefixes.next(), clock }),
      (store: RedisStore, { clock }) => openRedisStore({ url: store.url, prefix: store.prefix, clock }),
    );
    describeChangeContract(h);
    describeAuthStateContract(h, (store) => (store as RedisStore).authState);
  });

  it('leaves no key behind once the run is cleaned up', async () => {
    const store = await openRedisStore({ url: SHARED_REDIS_URL, prefix: prefixes.next() });
    await store.commit([{ op: 'add', tags: Dict.of({ site: MARKER }) }]);
    await store.close();
    expect(await prefixes.cleanup()).toBeGreaterThan(0);
    expect(await prefixes.cleanup()).toBe(0);
  });
});
