// Redis change notifications beyond the contract kit: the subscriber connection killed (CLIENT KILL TYPE pubsub) or
// dropped silently (a NAT or firewall forgetting it) comes back, and the listeners hear of what they may have missed.

import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { Dict } from '../../../src/core/grid/dict.js';
import { MARKER } from '../../../src/core/kinds/marker.js';
import { Ref } from '../../../src/core/kinds/ref.js';
import { credentialsForPassword } from '../../../src/server/auth/passwords.js';
import { openRedisStore, type RedisStore } from '../../../src/storage/redis/index.js';
import { type ChangeRecorder, changeRecorder, checkLogoutTold, names } from '../../support/change-recorder.js';
import { redisPrefixes, redisReachable, SHARED_REDIS_URL, startPrivateRedis } from '../../support/redis.js';
import { startSilentProxy } from '../../support/silent-proxy.js';

const up = await redisReachable();
if (!up && process.env.CI !== undefined) throw new Error(`Redis is not reachable at ${SHARED_REDIS_URL}`);
const prefixes = redisPrefixes();
afterAll(async () => {
  if (up) await prefixes.cleanup();
});

const add = (store: RedisStore, id: string) =>
  store.commit([{ op: 'add', tags: Dict.of({ id: new Ref(id), point: MARKER }) }]);

// A listening adapter (its changes recorded) and a writing one over a new prefix of the shared server, for `body`.
async function withPair(
  body: (s: {
    readonly listening: RedisStore;
    readonly writer: RedisStore;
    readonly rec: ChangeRecorder;
  }) => Promise<void>,
): Promise<void> {
  const prefix = prefixes.next();
  const listening = await openRedisStore({ url: SHARED_REDIS_URL, prefix, scanCacheEntities: 0 });
  const writer = await openRedisStore({ url: SHARED_REDIS_URL, prefix, scanCacheEntities: 0 });
  try {
    const rec = changeRecorder();
    await listening.subscribeChanges(rec.listener);
    await body({ listening, writer, rec });
  } finally {
    await listening.close();
    await writer.close();
  }
}

describe.skipIf(!up)('Redis change notifications', () => {
  it('subscribe again after CLIENT KILL TYPE pubsub, telling listeners they may have missed changes', async () => {
    // A private server: the kill reaches every subscriber of the server, and the shared one serves other test files.
    const redis = await startPrivateRedis();
    const listening = await openRedisStore({ url: redis.url, scanCacheEntities: 0 });
    const writer = await openRedisStore({ url: redis.url, scanCacheEntities: 0 });
    const admin = new Redis(redis.url);
    try {
      const rec = changeRecorder();
      await listening.subscribeChanges(rec.listener);
      await add(writer, 'a');
      await rec.until(names('a'));
      expect(await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub')).toBe(1);
      await add(writer, 'b');
      await rec.until((c) => c.kind === 'reset' || names('b')(c));
      await rec.until((c) => c.kind === 'reset');
      await add(writer, 'c');
      await rec.until(names('c'));
    } finally {
      admin.disconnect();
      await listening.close();
      await writer.close();
      await redis.stop();
    }
  });

  it("report a user changed through another adapter's user store as a users change", async () => {
    await withPair(async ({ writer, rec }) => {
      await writer.users.createUser({
        username: 'vera',
        role: 'viewer',
        scram: await credentialsForPassword('password-1', 4096),
      });
      await writer.users.updateUser('vera', { role: 'operator' });
      await rec.until((c) => c.kind === 'users' && c.usernames.includes('vera'));
      const before = rec.changes.length;
      await writer.users.deleteUser('vera');
      await rec.until((c) => rec.changes.indexOf(c) >= before && c.kind === 'users');
      expect(rec.changes.filter((c) => c.kind === 'entities')).toEqual([]);
    });
  });

  it('report one session ended through another adapter (a logout) as a users change of its owner', async () => {
    await withPair(checkLogoutTold);
  });

  it('notice a subscriber connection dropped silently, with no call of its own', async () => {
    const target = new URL(SHARED_REDIS_URL);
    const proxy = await startSilentProxy(target.hostname, Number(target.port === '' ? 6379 : target.port));
    const prefix = prefixes.next();
    const listening = await openRedisStore({
      url: `redis://127.0.0.1:${String(proxy.port)}`,
      prefix,
      scanCacheEntities: 0,
      subscriberCheckMs: 200,
    });
    const writer = await openRedisStore({ url: SHARED_REDIS_URL, prefix, scanCacheEntities: 0 });
    try {
      const rec = changeRecorder();
      await listening.subscribeChanges(rec.listener);
      await add(writer, 'a');
      await rec.until(names('a'));
      expect(proxy.dropSilently('subscribe')).toBe(1);
      await add(writer, 'b');
      // Published while nobody heard: the subscription comes back and the listeners are told to reset.
      await rec.until((c) => c.kind === 'reset');
      await add(writer, 'c');
      await rec.until(names('c'));
    } finally {
      await listening.close();
      await writer.close();
      await proxy.close();
    }
  });
});
