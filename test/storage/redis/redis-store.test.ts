// What the Redis store adds to the contract: filters pushed down to index sets, keys under one hash tag, concurrent
// writers from two adapters retrying instead of losing updates, typed failures when Redis is out of reach.

import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRedisLocation } from '../../../src/app/stores/redis-backend.js';
import { Dict } from '../../../src/core/grid/dict.js';
import { MARKER } from '../../../src/core/kinds/marker.js';
import { Num } from '../../../src/core/kinds/number.js';
import { Ref } from '../../../src/core/kinds/ref.js';
import { openRedisStore, type RedisStore } from '../../../src/storage/redis/index.js';
import { READ_FIXTURE } from '../../../src/storage/testing/contract-read.js';
import { addEntities, idsOf } from '../../../src/storage/testing/helpers.js';
import { redisPrefixes, redisReachable, SHARED_REDIS_URL, startPrivateRedis } from '../../support/redis.js';

const up = await redisReachable();
if (!up && process.env.CI !== undefined) throw new Error(`Redis is not reachable at ${SHARED_REDIS_URL}`);
const prefixes = redisPrefixes();
const opened: RedisStore[] = [];
// Lua alone answers reads here (what this file tests); the mirror has tests of its own (redis-mirror.test.ts).
const open = async (prefix = prefixes.next()): Promise<RedisStore> => {
  const s = await openRedisStore({ url: SHARED_REDIS_URL, prefix, scanCacheEntities: 0 });
  opened.push(s);
  return s;
};
afterAll(async () => {
  for (const s of opened) await s.close();
  if (up) await prefixes.cleanup();
});

describe.skipIf(!up)('redis store', () => {
  it('takes a history write of 100,000 samples in one call (its arguments are not spread onto the stack)', async () => {
    const store = await open();
    await addEntities(store, [{ id: new Ref('p'), point: MARKER, his: MARKER }]);
    const T = Date.UTC(2024, 0, 1);
    const items = Array.from({ length: 100_000 }, (_, i) => ({ ts: T + i * 1000, val: new Num(i, 'kW') }));
    expect(await store.hisWrite('p', items)).toBe(100_000);
    expect(await store.hisWriteBatch([{ id: 'p', items: items.slice(0, 60_000) }])).toBe(60_000);
    expect(await store.hisCount('p')).toBe(100_000);
  });

  it('answers tags, equalities and Number ranges from the index sets alone', async () => {
    const store = await open();
    await addEntities(store, READ_FIXTURE);
    const exactCases: [string, string[]][] = [
      ['site', ['s1', 's2']],
      ['not point', ['e1', 'e2', 'e3', 'm1', 's1', 's2']],
      ['ahu and siteRef == @s1', ['e1']],
      ['siteRef == @s2', ['e3', 'm1', 'p3', 'p4']],
      ['dis == "Beta" or kind == "Bool"', ['p2', 's2']],
      ['curVal == true', ['p2']],
      ['area == 1000ft²', ['s1']],
      ['area == 1000', []],
      ['point and not his', ['p2', 'x1']],
      ['curVal < 70°F', ['p3', 'p4']],
      ['area >= 1000ft² and area < 5000ft²', ['s1']],
      ['curVal > 55°F or area > 0', ['p1', 'p4']],
    ];
    for (const [filter, expected] of exactCases) {
      const before = store.readStats();
      expect(idsOf(await store.read({ filter })), filter).toEqual(expected);
      expect(store.readStats().exact, filter).toBe(before.exact + 1);
    }
    const checked: [string, string[]][] = [
      ['siteRef->dis == "Beta"', ['e3', 'm1', 'p3', 'p4']],
      ['dis >= "P" and dis < "Q"', ['p1', 'p2', 'p3', 'p4']],
      ['point and equipRef->siteRef->dis == "Alpha"', ['p1', 'p2']],
    ];
    for (const [filter, expected] of checked) {
      const before = store.readStats();
      expect(idsOf(await store.read({ filter })), filter).toEqual(expected);
      expect(store.readStats().rechecked, filter).toBe(before.rechecked + 1);
    }
  });

  it('keeps every key of a store under its hash tag, in one Cluster slot, and runs on a cluster node', async () => {
    // A cluster-enabled node (one owning every slot) names each key's slot: a store's keys must all share one.
    const node = await startPrivateRedis({ cluster: true });
    const prefix = 'north';
    const store = await openRedisStore({ url: node.url, prefix });
    try {
      await addEntities(store, READ_FIXTURE);
      expect(idsOf(await store.read({ filter: 'point and siteRef->dis == "Alpha"' }))).toEqual(
        ['p1', 'p2', 'x1'].slice(0, 2),
      );
      await store.hisWrite('p1', [{ ts: 1, val: new Num(1) }]);
      await store.pointWrite({ id: 'p4', level: 8, val: new Num(70), who: 'test', durationMs: 60_000 });
      const w = await store.watchOpen('w', 60_000);
      await store.watchAdd(w.id, ['p1']);
      await store.commit([{ op: 'remove', id: 'p1' }]);
      expect((await store.watchPoll(w.id, false)).removed).toEqual(['p1']);
      await store.users.putSession({ id: 'abc', username: 'u', created: 1, lastUsed: 1, expires: 2 });
      expect(await store.users.purgeExpiredSessions(3)).toBe(1);
      const client = new Redis(node.url);
      try {
        const keys = await client.keys('*');
        expect(keys.length).toBeGreaterThan(20);
        expect(keys.filter((k) => !k.startsWith(`{${prefix}}:`))).toEqual([]);
        const slots = new Set(await Promise.all(keys.map((k) => client.call('CLUSTER', 'KEYSLOT', k))));
        expect(slots.size).toBe(1);
      } finally {
        client.disconnect();
      }
    } finally {
      await store.close();
      await node.stop();
    }
  });

  it('serializes concurrent writers of two adapters on one point without losing a write', async () => {
    const prefix = prefixes.next();
    const a = await open(prefix);
    const b = await open(prefix);
    await addEntities(a, [{ id: new Ref('sp'), point: MARKER, writable: MARKER, n: new Num(0) }]);
    const writes = Array.from({ length: 16 }, (_, i) =>
      (i % 2 === 0 ? a : b).pointWrite({ id: 'sp', level: i + 1, val: new Num(i), who: `w${String(i)}` }),
    );
    const bumps = Array.from({ length: 10 }, (_, i) =>
      (i % 2 === 0 ? b : a).commit([{ op: 'update', id: 'sp', changes: Dict.of({ [`t${String(i)}`]: MARKER }) }]),
    );
    await Promise.all([...writes, ...bumps]);
    const arr = await b.readPriorityArray('sp');
    expect(arr.levels.slice(0, 16).map((l) => l.val)).toEqual(Array.from({ length: 16 }, (_, i) => new Num(i)));
    const [sp] = await a.readByIds(['sp']);
    expect(sp?.get('writeVal')).toEqual(new Num(0));
    for (let i = 0; i < 10; i++) expect(sp?.has(`t${String(i)}`)).toBe(true);
    expect(idsOf(await a.read({ filter: 't9 and writeLevel == 1' }))).toEqual(['sp']);
  });

  it('takes many concurrent writes of one process to one entity, none refused as a conflict', async () => {
    const store = await open();
    await addEntities(store, [{ id: new Ref('sp'), point: MARKER, writable: MARKER }]);
    // Twice the attempts a write makes against other writers: at once, they would each fail the others' checks.
    const n = 100;
    const writes = Array.from({ length: n }, (_, i) =>
      store.pointWrite({ id: 'sp', level: 1 + (i % 16), val: new Num(i), who: 'w' }),
    );
    const tags = Array.from({ length: n }, (_, i) =>
      store.commit([{ op: 'update', id: 'sp', changes: Dict.of({ [`t${String(i)}`]: new Num(i) }) }]),
    );
    const settled = await Promise.allSettled([...writes, ...tags]);
    expect(settled.filter((r) => r.status === 'rejected')).toEqual([]);
    const [sp] = await store.readByIds(['sp']);
    expect(sp?.names.filter((name) => name.startsWith('t'))).toHaveLength(n);
    // The last write of each level is the one kept (writes of one process apply in the order they were made).
    const arr = await store.readPriorityArray('sp');
    expect(arr.levels.slice(0, 16).map((l) => l.val)).toEqual(
      Array.from({ length: 16 }, (_, k) => new Num((k <= 3 ? 96 : 80) + k)),
    );
  });

  it('tells listeners reset when syncChanges finds a change no message told of (an older process wrote it)', async () => {
    const store = await open();
    const changes: string[] = [];
    await store.subscribeChanges((c) => changes.push(c.kind === 'entities' ? c.ids.join() : c.kind));
    await addEntities(store, [{ id: new Ref('a'), point: MARKER }]);
    await store.syncChanges();
    expect(changes).toEqual(['a']);
    // A writer of an older layout: the version moved, the message it published names no version.
    const raw = new Redis(SHARED_REDIS_URL);
    try {
      await raw.incr(`{${store.prefix}}:ver`);
      await raw.publish(`{${store.prefix}}:changes`, JSON.stringify({ ids: ['a'] }));
    } finally {
      raw.disconnect();
    }
    // Waited for (a message on its way would have come), then given up on: everything may have changed.
    await store.syncChanges();
    expect(changes).toEqual(['a', 'a', 'reset']);
    // Heard now: the next call has nothing to wait for.
    await store.syncChanges();
    expect(changes).toHaveLength(3);
  });

  it('prunes tombstones every watch has polled past, and keeps those a watch has not', async () => {
    const store = await open();
    const redis = new Redis(SHARED_REDIS_URL);
    const tombs = (): Promise<number> => redis.hlen(`{${store.prefix}}:tomb`);
    try {
      const ids = (from: number, n: number): string[] => Array.from({ length: n }, (_, i) => `t${String(from + i)}`);
      const add = (list: string[]) =>
        store.commit(list.map((id) => ({ op: 'add' as const, tags: Dict.of({ id: new Ref(id), point: MARKER }) })));
      const remove = (list: string[]) => store.commit(list.map((id) => ({ op: 'remove' as const, id })));
      // No watch: once past the threshold, a removing commit drops every tombstone.
      await add(ids(0, 1100));
      await remove(ids(0, 1000));
      expect(await tombs()).toBe(1000);
      await remove(ids(1000, 50));
      expect(await tombs()).toBe(0);
      // A watch that has not polled since holds back the tombstones of ids removed after its last poll...
      await add(ids(2000, 1100));
      const watch = await store.watchOpen('w', 60_000);
      await store.watchAdd(watch.id, ['t2000', 't1050']);
      await store.watchPoll(watch.id, false);
      await remove(ids(2000, 1100));
      expect(await tombs()).toBe(1100);
      await remove(['t1050']);
      expect(await tombs()).toBe(1101);
      // ...so that its next poll still reports them.
      const polled = await store.watchPoll(watch.id, false);
      expect([...polled.removed].sort()).toEqual(['t1050', 't2000']);
      // Polled past them, they go with the next prune (at twice what the last one kept); the newer ones stay.
      await add(ids(5000, 1200));
      await remove(ids(5000, 1200));
      expect(await tombs()).toBe(1200);
      const again = await store.watchPoll(watch.id, false);
      expect(again.removed).toEqual([]);
    } finally {
      redis.disconnect();
    }
  });

  it('refuses a prefix that would change the hash tag, and keys of another layout', async () => {
    await expect(openRedisStore({ url: SHARED_REDIS_URL, prefix: 'a}b' })).rejects.toMatchObject({
      code: 'HS_ERR_OPTION_RANGE',
    });
    const prefix = prefixes.next();
    const client = new Redis(SHARED_REDIS_URL);
    try {
      await client.hset(`{${prefix}}:meta`, 'format', '99');
    } finally {
      client.disconnect();
    }
    await expect(openRedisStore({ url: SHARED_REDIS_URL, prefix })).rejects.toMatchObject({ code: 'HS_ERR_STORAGE' });
  });

  it('refuses a database number the server does not have, writing nothing to database 0', async () => {
    const client = new Redis(SHARED_REDIS_URL);
    let databases: number;
    try {
      databases = Number((await client.config('GET', 'databases'))[1]);
    } finally {
      client.disconnect();
    }
    const prefix = prefixes.next();
    const url = `${SHARED_REDIS_URL}/${String(databases)}`;
    const err: unknown = await openRedisStore({ url, prefix }).then(
      (s) => s.close(),
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 'HS_ERR_STORAGE', message: expect.stringContaining(`database ${databases}`) });
    const db0 = new Redis(SHARED_REDIS_URL);
    try {
      expect(await db0.keys(`{${prefix}}*`)).toEqual([]);
    } finally {
      db0.disconnect();
    }
  });

  it('fails with HS_ERR_UNAVAILABLE when nothing listens at the URL', async () => {
    // Its cause is why (ioredis's own rejection says only "Connection is closed.").
    await expect(openRedisStore({ url: 'redis://127.0.0.1:1' })).rejects.toMatchObject({
      code: 'HS_ERR_UNAVAILABLE',
      cause: { code: 'ECONNREFUSED' },
    });
  });

  it('reads a store text: URL, database and prefix', () => {
    expect(parseRedisLocation('redis://127.0.0.1:6379/2?prefix=north')).toEqual({
      url: 'redis://127.0.0.1:6379/2',
      prefix: 'north',
      cluster: false,
    });
    expect(parseRedisLocation('redis://h:1?cluster=true&prefix=x')).toEqual({
      url: 'redis://h:1',
      prefix: 'x',
      cluster: true,
    });
    expect(() => parseRedisLocation('redis://h:1/2?cluster=true')).toThrow(/database 0 only/);
    expect(() => parseRedisLocation('redis://h:1?cluster=yes')).toThrow(/true or false/);
    expect(parseRedisLocation('redis://h:1').prefix).toBe('hs');
    expect(() => parseRedisLocation('redis://h:1/x')).toThrow(/database number/);
    expect(() => parseRedisLocation('redis://h:1?db=2')).toThrow(/only options are prefix and cluster/);
  });
});
