// Redis change notifications beyond the contract kit: the subscriber connection killed (CLIENT KILL TYPE pubsub) or
// dropped silently (a NAT or firewall forgetting it) comes back, and the listeners hear of what they may have missed;
// a user or session change, and an entity commit, is told by its own script (a process dying right after it has told
// it; a PUBLISH refused makes nothing).

import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { Dict } from '../../../src/core/grid/dict.js';
import { MARKER } from '../../../src/core/kinds/marker.js';
import { Ref } from '../../../src/core/kinds/ref.js';
import { credentialsForPassword } from '../../../src/server/auth/passwords.js';
import { mirrorConfig } from '../../../src/storage/indexed/shared-mirror.js';
import { DEFAULT_REDIS_LIMITS, openRedisStore, type RedisStore } from '../../../src/storage/redis/index.js';
import { RedisConnection } from '../../../src/storage/redis/redis-client.js';
import { APPLY } from '../../../src/storage/redis/redis-scripts.js';
import { RedisState } from '../../../src/storage/redis/redis-state.js';
import { redisUserStore } from '../../../src/storage/redis/redis-user-store.js';
import { type ChangeRecorder, changeRecorder, checkLogoutTold, names } from '../../support/change-recorder.js';
import { redisPrefixes, redisReachable, SHARED_REDIS_URL, startPrivateRedis } from '../../support/redis.js';
import { startSilentProxy } from '../../support/silent-proxy.js';
import { makeAndHear, seedUser, TOLD_CHANGES, type Users } from '../../support/user-notice.js';

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
    readonly prefix: string;
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
    await body({ prefix, listening, writer, rec });
  } finally {
    await listening.close();
    await writer.close();
  }
}

// `redis` as a process sees it that dies right after the first call `fatal` picks (made and answered): every later
// call fails unsent.
function diesAfter(
  redis: RedisConnection,
  fatal: (key: PropertyKey, args: readonly unknown[]) => boolean,
): RedisConnection {
  let dead = false;
  return new Proxy(redis, {
    get: (target, key): unknown => {
      const value = Reflect.get(target, key, target) as unknown;
      if (typeof value !== 'function') return value;
      return async (...args: unknown[]): Promise<unknown> => {
        if (dead) throw new Error('the process died');
        const call = value as (...a: unknown[]) => unknown;
        const r: unknown = await call.apply(target, args);
        if (fatal(key, args)) dead = true;
        return r;
      };
    },
  });
}

// Dies right after its first call that writes (a script, HSETNX).
const diesAfterWrite = (redis: RedisConnection): RedisConnection =>
  diesAfter(redis, (key) => key === 'eval' || key === 'hsetnx');

// A user store of its own over `prefix` on its own connection to `url` (`wrap`ped) for `body`, closed after.
async function withUserStore(
  url: string,
  prefix: string,
  wrap: (redis: RedisConnection) => RedisConnection,
  body: (users: Users) => Promise<void>,
): Promise<void> {
  const redis = await RedisConnection.open({ url });
  try {
    await body(redisUserStore(wrap(redis), prefix, Date.now, () => undefined));
  } finally {
    await redis.close();
  }
}

// A private server (the ACL user is the test's own) with a listening and a writing adapter over one prefix, and the
// URL of user `mute`, who may do anything but PUBLISH, for `body`.
async function withMuteUser(
  body: (s: {
    readonly prefix: string;
    readonly muteUrl: string;
    readonly listening: RedisStore;
    readonly writer: RedisStore;
    readonly rec: ChangeRecorder;
    readonly admin: Redis;
  }) => Promise<void>,
): Promise<void> {
  const redis = await startPrivateRedis();
  const admin = new Redis(redis.url);
  const prefix = 'acl';
  const listening = await openRedisStore({ url: redis.url, prefix, scanCacheEntities: 0 });
  const writer = await openRedisStore({ url: redis.url, prefix, scanCacheEntities: 0 });
  try {
    await admin.call('ACL', 'SETUSER', 'mute', 'on', 'nopass', '~*', '&*', '+@all', '-publish');
    const rec = changeRecorder();
    await listening.subscribeChanges(rec.listener);
    const url = new URL(redis.url);
    url.username = 'mute';
    url.password = 'any';
    await body({ prefix, muteUrl: url.toString(), listening, writer, rec, admin });
  } finally {
    admin.disconnect();
    await listening.close();
    await writer.close();
    await redis.stop();
  }
}

describe.skipIf(!up)('Redis user and session notices, one unit with their change', () => {
  it.each(TOLD_CHANGES)(
    '$name: made by a process that dies right after it, it is told all the same',
    async (change) => {
      await withPair(async ({ prefix, listening, writer, rec }) => {
        await seedUser(writer.users, 'vera');
        await withUserStore(SHARED_REDIS_URL, prefix, diesAfterWrite, async (faulty) => {
          const out = await makeAndHear({ change, username: 'vera', through: faulty, writer, listening, rec });
          expect(out).toEqual({ failed: false, made: true, told: 1 });
        });
      });
    },
  );

  it('refuses every change whose notice Redis refuses (an ACL without PUBLISH), making none of them', async () => {
    await withMuteUser(async ({ prefix, muteUrl, listening, writer, rec }) => {
      await withUserStore(
        muteUrl,
        prefix,
        (r) => r,
        async (faulty) => {
          for (const change of TOLD_CHANGES) {
            const username = `vera-${change.name}`;
            await seedUser(writer.users, username);
            const out = await makeAndHear({ change, username, through: faulty, writer, listening, rec });
            expect(out, change.name).toEqual({ failed: true, made: false, told: 0 });
          }
        },
      );
    });
  });
});

describe.skipIf(!up)('Redis entity commit notices, one unit with the commit', () => {
  it('tells a commit made by a process that dies right after its APPLY script', async () => {
    await withPair(async ({ prefix, writer, rec }) => {
      const redis = await RedisConnection.open({ url: SHARED_REDIS_URL });
      try {
        const dying = diesAfter(redis, (key, args) => key === 'eval' && args[0] === APPLY);
        const state = new RedisState(dying, prefix, DEFAULT_REDIS_LIMITS, '', mirrorConfig('Redis', {}, Date.now));
        await state.commit([{ op: 'add', tags: Dict.of({ id: new Ref('a'), point: MARKER }) }], Date.now());
        // Nothing more can go out of that process: what the listener hears, the script itself published.
        await expect(dying.get('anything')).rejects.toThrow('the process died');
        await rec.until(names('a'));
        expect((await writer.readByIds(['a']))[0]?.has('point')).toBe(true);
      } finally {
        await redis.close();
      }
    });
  });

  it('refuses a commit whose notice Redis refuses (an ACL without PUBLISH), writing nothing', async () => {
    await withMuteUser(async ({ prefix, muteUrl, writer, rec, admin }) => {
      const mute = await openRedisStore({ url: muteUrl, prefix, scanCacheEntities: 0 });
      try {
        await expect(add(mute, 'a')).rejects.toThrow();
      } finally {
        await mute.close();
      }
      expect(await writer.readByIds(['a'])).toEqual([undefined]);
      expect(await admin.get(`{${prefix}}:ver`)).toBeNull();
      await add(writer, 'mark');
      await rec.until(names('mark'));
      expect(rec.changes).toEqual([{ kind: 'entities', ids: ['mark'] }]);
    });
  });
});

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
