// The Redis backend passes the storage contract kit against the shared Redis (127.0.0.1:6379): entities, history,
// priority arrays, watches shared by two adapters over one prefix, users and sessions. Each store gets its own key
// prefix, and every key of the run is deleted afterwards.

import { afterAll, describe, expect, it } from 'vitest';
import { Dict } from '../../src/core/grid/dict.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { openRedisStore, type RedisStore } from '../../src/storage/redis/index.js';
import { describeAuthStateContract, describeChangeContract } from '../../src/storage/testing/contract-shared.js';
import { createHarness } from '../../src/storage/testing/harness.js';
import { describeStorageContract } from '../../src/storage/testing/storage-contract.js';
import { redisPrefixes, redisReachable, SHARED_REDIS_URL } from '../support/redis.js';

const up = await redisReachable();
if (!up && process.env.CI !== undefined) throw new Error(`Redis is not reachable at ${SHARED_REDIS_URL}`);
if (!up) console.warn(`SKIPPED: the Redis contract tests need Redis at ${SHARED_REDIS_URL}`);

const prefixes = redisPrefixes();
afterAll(async () => {
  if (up) await prefixes.cleanup();
});

describe.skipIf(!up)('redis', () => {
  describeStorageContract(
    'redis',
    ({ clock }) => openRedisStore({ url: SHARED_REDIS_URL, prefix: prefixes.next(), clock }),
    {
      openSibling: (store, { clock }) => openRedisStore({ url: store.url, prefix: store.prefix, clock }),
      makeUserStore: async (clock) =>
        (await openRedisStore({ url: SHARED_REDIS_URL, prefix: prefixes.next(), clock })).users,
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
