// The Redis store's mirror (storage/indexed/shared-mirror.ts): a store whose reads the mirror answers gives the same
// answers as one over the same prefix answered by Lua alone, whichever of them writes; it sees another process's
// commit in the next read and shares one version question among reads at once; it fills by HSCAN while Lua answers,
// and fills again when the change log cannot bring it up to date (a change wider than a catch-up, pruned removals,
// a version written by a process that predates the log); it leaves a store larger than its bound to Lua.

import fc from 'fast-check';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { Dict, MARKER, Num, REMOVE, Ref } from '../../../src/core/index.js';
import type { CommitDiff } from '../../../src/storage/adapter.js';
import { openRedisStore, type RedisStore, type RedisStoreOptions } from '../../../src/storage/redis/index.js';
import { LOGGED_REMOVALS } from '../../../src/storage/redis/redis-scripts.js';
import { idsOf } from '../../../src/storage/testing/helpers.js';
import { arbMirrorSteps, expectSameAnswers } from '../../support/mirror-steps.js';
import { redisPrefixes, redisReachable, SHARED_REDIS_URL } from '../../support/redis.js';

const up = await redisReachable();
if (!up && process.env.CI !== undefined) throw new Error(`Redis is not reachable at ${SHARED_REDIS_URL}`);
const prefixes = redisPrefixes();
const opened: RedisStore[] = [];
const open = async (prefix: string, options: Omit<RedisStoreOptions, 'url' | 'prefix'> = {}): Promise<RedisStore> => {
  const s = await openRedisStore({ url: SHARED_REDIS_URL, prefix, ...options });
  opened.push(s);
  return s;
};
afterAll(async () => {
  for (const s of opened) await s.close();
  if (up) await prefixes.cleanup();
});

// A mirrored store and a Lua-only one over one prefix, as two processes would have them; the mirror loaded.
async function pair(
  options: Omit<RedisStoreOptions, 'url' | 'prefix'> = {},
  prefix = prefixes.next(),
): Promise<{ m: RedisStore; lua: RedisStore; prefix: string }> {
  const m = await open(prefix, options);
  const lua = await open(prefix, { ...options, scanCacheEntities: 0 });
  await m.warmScanCache();
  expect(m.scanCacheStats().loads).toBe(1);
  return { m, lua, prefix };
}

const POOL = 10;
const idOf = (i: number): string => `e${String(i)}`;
const ALL_IDS = [...Array.from({ length: POOL }, (_, i) => idOf(i)), 'nobody'];

// Tags a step may set (true / a value), remove (null) or leave alone (undefined).
interface TagChoice {
  readonly site?: boolean | null | undefined;
  readonly equip?: boolean | null | undefined;
  readonly point?: boolean | null | undefined;
  readonly his?: boolean | null | undefined;
  readonly siteRef?: number | null | undefined;
  readonly equipRef?: number | null | undefined;
  readonly refs?: readonly number[] | null | undefined;
  readonly kind?: 'Number' | 'Bool' | null | undefined;
  readonly temp?: number | null | undefined;
  readonly dis?: string | null | undefined;
}

type Step =
  | { readonly k: 'commit'; readonly ops: readonly (readonly [number, TagChoice | 'remove'])[]; readonly viaM: boolean }
  | {
      readonly k: 'write';
      readonly id: number;
      readonly level: number;
      readonly val: number | null;
      readonly ms: number | undefined;
      readonly viaM: boolean;
    }
  | { readonly k: 'tick'; readonly ms: number };

const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | null | undefined> =>
  fc.oneof(a, fc.constant(null), fc.constant(undefined));
const poolId = fc.integer({ min: 0, max: POOL - 1 });
const tagChoice: fc.Arbitrary<TagChoice> = fc.record({
  site: maybe(fc.constant(true)),
  equip: maybe(fc.constant(true)),
  point: maybe(fc.constant(true)),
  his: maybe(fc.constant(true)),
  siteRef: maybe(poolId),
  equipRef: maybe(poolId),
  refs: maybe(fc.array(poolId, { maxLength: 3 })),
  kind: maybe(fc.constantFrom('Number' as const, 'Bool' as const)),
  temp: maybe(fc.integer({ min: 40, max: 90 })),
  dis: maybe(fc.constantFrom('a', 'b', 'x')),
});
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      k: fc.constant('commit' as const),
      ops: fc.array(fc.tuple(poolId, fc.oneof({ weight: 4, arbitrary: tagChoice }, fc.constant('remove' as const))), {
        minLength: 1,
        maxLength: 4,
      }),
      viaM: fc.boolean(),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      k: fc.constant('write' as const),
      id: poolId,
      level: fc.constantFrom(8, 10, 16),
      val: fc.option(fc.integer({ min: 0, max: 100 })),
      ms: fc.option(fc.integer({ min: 1_000, max: 60_000 }), { nil: undefined }),
      viaM: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 90_000 }) }) },
);

// The tags of a choice: for an add (`id` given) the ones it sets, for an update also the ones it removes.
function tagsOf(c: TagChoice, id: string | undefined): Dict {
  const on = (v: boolean | null | undefined): unknown => (v === null ? REMOVE : v === true ? MARKER : undefined);
  const of = <T>(v: T | null | undefined, f: (x: T) => unknown): unknown =>
    v === null ? REMOVE : v === undefined ? undefined : f(v);
  const ref = (i: number): Ref => new Ref(idOf(i));
  const chosen: Record<string, unknown> = {
    site: on(c.site),
    equip: on(c.equip),
    point: on(c.point),
    his: on(c.his),
    siteRef: of(c.siteRef, ref),
    equipRef: of(c.equipRef, ref),
    refs: of(c.refs, (a) => a.map(ref)),
    kind: c.kind === null ? REMOVE : c.kind,
    temp: of(c.temp, (t) => new Num(t, '°F')),
    dis: c.dis === null ? REMOVE : c.dis,
  };
  const tags: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(chosen)) {
    if (v !== undefined && !(v === REMOVE && id !== undefined)) tags[name] = v;
  }
  if (id !== undefined) tags.id = new Ref(id);
  return Dict.of(tags);
}

const FILTERS = [
  'site',
  'equip and siteRef==@e1',
  'point and his and kind=="Number"',
  'siteRef==@e0 and not equipRef',
  'temp > 60°F',
  'equipRef->siteRef==@e0',
  'point or site',
  'refs==@e2',
  'kind != "Bool" and writeLevel',
];

// Every answer of the mirrored store equals the Lua store's, entities whole; each of its reads was the mirror's.
async function expectLuaAnswers(m: RedisStore, lua: RedisStore): Promise<void> {
  const before = m.readStats().cached;
  for (const filter of FILTERS) {
    expect(await m.read({ filter }), filter).toEqual(await lua.read({ filter }));
    expect(await m.read({ filter, limit: 2 }), `${filter} limit 2`).toEqual(await lua.read({ filter, limit: 2 }));
  }
  expect(await m.readByIds(ALL_IDS)).toEqual(await lua.readByIds(ALL_IDS));
  expect(await m.count()).toBe(await lua.count());
  expect(m.readStats().cached - before).toBe(2 * FILTERS.length + 2);
}

const pid = (i: number): string => `p${String(i).padStart(5, '0')}`;
// Points `pid(from)`... with temperatures 0°F, 1°F...
const points = (n: number, from = 0): CommitDiff[] =>
  Array.from({ length: n }, (_, i) => ({
    op: 'add' as const,
    tags: Dict.of({ id: new Ref(pid(from + i)), point: MARKER, temp: new Num(i, '°F') }),
  }));

describe.skipIf(!up)('the Redis store mirror', () => {
  it('answers reads, reads by id and counts as Lua does while either process changes tags and Refs', async () => {
    await fc.assert(
      fc.asyncProperty(arbMirrorSteps, async (steps) => {
        const { m, lua } = await pair();
        await expectSameAnswers(m, lua, steps);
        expect(lua.readStats().cached).toBe(0);
        expect(m.readStats()).toMatchObject({ exact: 0, rechecked: 0 });
        expect(m.readStats().cached).toBeGreaterThan(0);
        expect(m.scanCacheStats().loads).toBe(1);
        await m.close();
        await lua.close();
      }),
      { numRuns: 25 },
    );
  }, 120_000);

  it('answers as Lua does over Numbers, Lists of Refs, timed overrides and commits of several entities', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 10 }), async (steps) => {
        let t = 1_700_000_000_000;
        const clock = (): number => t;
        const { m, lua } = await pair({ clock });
        for (const s of steps) {
          if (s.k === 'tick') t += s.ms;
          else if (s.k === 'write') {
            const [cur] = await lua.readByIds([idOf(s.id)]);
            if (cur !== undefined) {
              await (s.viaM ? m : lua).pointWrite({
                id: idOf(s.id),
                level: s.level,
                val: s.val === null ? null : new Num(s.val),
                who: 'prop',
                ...(s.ms === undefined ? {} : { durationMs: s.ms }),
              });
            }
          } else {
            const seen = new Set<number>();
            const diffs: CommitDiff[] = [];
            for (const [i, choice] of s.ops) {
              if (seen.has(i)) continue;
              seen.add(i);
              const id = idOf(i);
              const [cur] = await lua.readByIds([id]);
              if (choice === 'remove') {
                if (cur !== undefined) diffs.push({ op: 'remove', id });
              } else if (cur === undefined) diffs.push({ op: 'add', tags: tagsOf(choice, id) });
              else diffs.push({ op: 'update', id, changes: tagsOf(choice, undefined) });
            }
            if (diffs.length > 0) await (s.viaM ? m : lua).commit(diffs);
          }
          await expectLuaAnswers(m, lua);
        }
        // Never filled again: every change was caught up from the log.
        expect(m.scanCacheStats().loads).toBe(1);
        await m.close();
        await lua.close();
      }),
      { numRuns: 25 },
    );
  }, 120_000);

  it('catches up a change as wide as ten fill chunks, and fills again past that', async () => {
    const { m, lua } = await pair({ scanCacheChunk: 2 });
    await lua.commit(points(20));
    expect(await m.count()).toBe(20);
    expect(m.scanCacheStats()).toMatchObject({ loads: 1, catchUps: 1, entities: 20 });
    await lua.commit(points(21, 20));
    // Lua answers while the mirror fills again in the background.
    const cached = m.readStats().cached;
    expect(idsOf(await m.read({ filter: 'temp == 5°F' }))).toEqual([pid(5), pid(25)]);
    expect(m.readStats().cached).toBe(cached);
    await m.warmScanCache();
    expect(m.scanCacheStats()).toMatchObject({ loads: 2, entities: 41 });
    expect(idsOf(await m.read({ filter: 'temp == 5°F' }))).toEqual([pid(5), pid(25)]);
    expect(m.readStats().cached).toBe(cached + 1);
  });

  it('sees a commit of another process in the next read, and shares one version question among reads at once', async () => {
    const { m, lua } = await pair();
    await lua.commit(points(20));
    expect(await m.count()).toBe(20);
    await lua.commit([{ op: 'update', id: pid(0), changes: Dict.of({ temp: new Num(99, '°F') }) }]);
    expect(idsOf(await m.read({ filter: 'temp > 17°F' }))).toEqual([pid(0), pid(18), pid(19)]);
    expect(m.scanCacheStats().catchUps).toBe(2);
    const heads = m.scanCacheStats().heads;
    const cached = m.readStats().cached;
    const answers = await Promise.all(Array.from({ length: 50 }, () => m.read({ filter: 'temp > 17°F' })));
    for (const a of answers) expect(idsOf(a)).toEqual([pid(0), pid(18), pid(19)]);
    // One question on the wire, one waiting for it: at most a few for fifty reads.
    expect(m.scanCacheStats().heads - heads).toBeLessThanOrEqual(3);
    expect(m.readStats().cached - cached).toBe(50);
  });

  it('ends a due timed override before answering, through the mirror', async () => {
    let now = 1_700_000_000_000;
    const { m } = await pair({ clock: () => now });
    await m.commit([{ op: 'add', tags: Dict.of({ id: new Ref('w'), point: MARKER, writable: MARKER }) }]);
    await m.pointWrite({ id: 'w', level: 8, val: new Num(5), who: 't', durationMs: 60_000 });
    expect(idsOf(await m.read({ filter: 'curVal == 5' }))).toEqual(['w']);
    now += 60_000;
    expect(await m.read({ filter: 'curVal == 5' })).toEqual([]);
    const [w] = await m.readByIds(['w']);
    expect(w?.has('curVal')).toBe(false);
    expect(m.readStats()).toMatchObject({ cached: 3, exact: 0 });
  });

  it('fills by HSCAN in chunks while Lua answers, taking in writes made during the fill', async () => {
    const prefix = prefixes.next();
    const lua = await open(prefix, { scanCacheEntities: 0 });
    await lua.commit(points(300));
    const m = await open(prefix, { scanCacheChunk: 10 });
    const filling = m.warmScanCache();
    expect(m.scanCacheStats().filling).toBe(true);
    expect(idsOf(await m.read({ filter: 'temp >= 290°F' }))).toHaveLength(10);
    await lua.commit([
      { op: 'remove', id: pid(295) },
      { op: 'update', id: pid(10), changes: Dict.of({ temp: new Num(1000, '°F') }) },
      { op: 'add', tags: Dict.of({ id: new Ref(pid(500)), point: MARKER, temp: new Num(999, '°F') }) },
    ]);
    await filling;
    expect(m.scanCacheStats()).toMatchObject({ filling: false, loads: 1 });
    await expectLuaAnswers(m, lua);
    // The commit followed the fill's version question on the one connection: the first read caught it up.
    expect(m.scanCacheStats().catchUps).toBe(1);
    const expected = idsOf(await lua.read({ filter: 'temp >= 290°F' }));
    expect(idsOf(await m.read({ filter: 'temp >= 290°F' }))).toEqual(expected);
    expect(expected).toContain(pid(500));
    expect(expected).toContain(pid(10));
    expect(expected).not.toContain(pid(295));
    expect(m.scanCacheStats().entities).toBe(300);
  });

  it(`catches up from removals it still logs, and fills again once older ones are pruned`, async () => {
    // Two mirrors: `near` reads after the first removals, `far` stays at the version before them.
    const prefix = prefixes.next();
    const lua = await open(prefix, { scanCacheEntities: 0 });
    await lua.commit(points(LOGGED_REMOVALS + 1));
    const options = { scanCacheChunk: LOGGED_REMOVALS };
    const near = await open(prefix, options);
    const far = await open(prefix, options);
    await Promise.all([near.warmScanCache(), far.warmScanCache()]);
    const removals = (from: number, n: number): CommitDiff[] =>
      Array.from({ length: n }, (_, i) => ({ op: 'remove' as const, id: pid(from + i) }));
    await lua.commit(removals(0, LOGGED_REMOVALS));
    expect(await near.count()).toBe(1);
    expect(near.scanCacheStats()).toMatchObject({ loads: 1, catchUps: 1 });
    // This removal prunes the oldest logged one, at the version `near` holds and after the one `far` holds.
    await lua.commit(removals(LOGGED_REMOVALS, 1));
    expect(await near.count()).toBe(0);
    expect(near.scanCacheStats()).toMatchObject({ loads: 1, catchUps: 2 });
    expect(await far.count()).toBe(0);
    await far.warmScanCache();
    expect(far.scanCacheStats()).toMatchObject({ loads: 2, catchUps: 0, entities: 0 });
  }, 60_000);

  describe('beside processes that predate the change log', () => {
    // What such a process's commit leaves: the change, with the log as it was before it.
    async function unloggedCommit(lua: RedisStore, prefix: string, diffs: CommitDiff[]): Promise<void> {
      const client = new Redis(SHARED_REDIS_URL);
      try {
        const meta = `{${prefix}}:meta`;
        const logged = await client.hget(meta, 'logged');
        const before = await client.zrange(`{${prefix}}:cl`, 0, -1, 'WITHSCORES');
        const removed = await client.zrange(`{${prefix}}:cr`, 0, -1, 'WITHSCORES');
        await lua.commit(diffs);
        const multi = client.multi();
        if (logged === null) multi.hdel(meta, 'logged', 'logfrom');
        else multi.hset(meta, 'logged', logged);
        multi.del(`{${prefix}}:cl`, `{${prefix}}:cr`);
        if (before.length > 0) multi.zadd(`{${prefix}}:cl`, ...scoredFirst(before));
        if (removed.length > 0) multi.zadd(`{${prefix}}:cr`, ...scoredFirst(removed));
        await multi.exec();
      } finally {
        client.disconnect();
      }
    }

    // ZRANGE WITHSCORES gives member, score pairs; ZADD takes score, member.
    function scoredFirst(flat: readonly string[]): string[] {
      const out: string[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) out.push(flat[i + 1] as string, flat[i] as string);
      return out;
    }

    it('fills again after a version an older process wrote, alone or followed by a logged one', async () => {
      const { m, lua, prefix } = await pair();
      await lua.commit(points(3));
      expect(await m.count()).toBe(3);
      await unloggedCommit(lua, prefix, points(1, 3));
      // The log's last version is behind the store's: Lua answers, and the mirror fills again.
      expect(idsOf(await m.read({ filter: 'point' }))).toHaveLength(4);
      await m.warmScanCache();
      expect(m.scanCacheStats()).toMatchObject({ loads: 2, entities: 4 });
      await unloggedCommit(lua, prefix, [{ op: 'remove', id: pid(0) }]);
      await lua.commit([{ op: 'update', id: pid(1), changes: Dict.of({ dis: 'one' }) }]);
      // The log is current again, but starts after the unlogged version, past the mirror's.
      expect(await m.readByIds([pid(0), pid(1)])).toEqual(await lua.readByIds([pid(0), pid(1)]));
      await m.warmScanCache();
      expect(m.scanCacheStats()).toMatchObject({ loads: 3, entities: 3 });
      await lua.commit([{ op: 'update', id: pid(2), changes: Dict.of({ dis: 'two' }) }]);
      await expectLuaAnswers(m, lua);
      expect(m.scanCacheStats()).toMatchObject({ loads: 3, catchUps: 2 });
    });

    it('mirrors a store that older processes wrote, and catches up from its first logged change', async () => {
      const prefix = prefixes.next();
      const lua = await open(prefix, { scanCacheEntities: 0 });
      await unloggedCommit(lua, prefix, points(5));
      const m = await open(prefix);
      await m.warmScanCache();
      expect(m.scanCacheStats()).toMatchObject({ loads: 1, entities: 5 });
      await lua.commit([{ op: 'remove', id: pid(4) }]);
      await expectLuaAnswers(m, lua);
      expect(m.scanCacheStats()).toMatchObject({ loads: 1, catchUps: 1, entities: 4 });
    });
  });

  it('leaves a store larger than its bound to Lua, whose answers stay right, and counts again a minute later', async () => {
    let now = 1_700_000_000_000;
    const { m, lua } = await pair({ scanCacheEntities: 5, clock: () => now });
    await lua.commit(points(5));
    expect(await m.count()).toBe(5);
    expect(m.scanCacheStats().entities).toBe(5);
    // A sixth entity makes it too large: the mirror lets go of its copy, and Lua answers.
    await lua.commit(points(1, 5));
    const cached = m.readStats().cached;
    expect(idsOf(await m.read({ filter: 'point', limit: 3 }))).toEqual([pid(0), pid(1), pid(2)]);
    expect(await m.count()).toBe(6);
    expect(await m.readByIds([pid(5)])).toEqual(await lua.readByIds([pid(5)]));
    expect(m.readStats().cached).toBe(cached);
    expect(m.scanCacheStats()).toMatchObject({ entities: 0, loads: 1 });
    // Another process opening it then finds it too large to fill.
    const other = await open(m.prefix, { scanCacheEntities: 5, clock: () => now });
    await other.warmScanCache();
    expect(await other.read({ filter: 'point' })).toHaveLength(6);
    expect(other.scanCacheStats()).toMatchObject({ entities: 0, loads: 0 });
    expect(other.readStats().cached).toBe(0);
    // Back within the bound, it is filled again once a minute has passed.
    await lua.commit([{ op: 'remove', id: pid(5) }]);
    await m.warmScanCache();
    expect(m.scanCacheStats().loads).toBe(1);
    now += 60_000;
    await m.warmScanCache();
    expect(m.scanCacheStats()).toMatchObject({ entities: 5, loads: 2 });
    expect(await m.read({ filter: 'point' })).toHaveLength(5);
    expect(m.readStats().cached).toBe(cached + 1);
  });

  it('fills again when its prefix is deleted and a store made anew there is written past its version', async () => {
    const { m, prefix } = await pair();
    const add = (store: RedisStore, ids: string[]) =>
      store.commit(ids.map((id) => ({ op: 'add' as const, tags: Dict.of({ id: new Ref(id), site: MARKER }) })));
    await add(m, ['old1', 'old2']);
    expect(idsOf(await m.read({ filter: 'site' }))).toEqual(['old1', 'old2']);
    const version = m.scanCacheStats().version;
    // Another process drops the store (as the README shows) and a new one is made and written under the prefix.
    const admin = new Redis(SHARED_REDIS_URL);
    try {
      const keys = await admin.keys(`{${prefix}}*`);
      if (keys.length > 0) await admin.unlink(...keys);
    } finally {
      admin.disconnect();
    }
    const made = await open(prefix, { scanCacheEntities: 0 });
    for (let i = 0; i <= version; i++) await add(made, [`new${String(i)}`]);
    const expected = idsOf(await made.read({ filter: 'site' }));
    expect(expected).toHaveLength(version + 1);
    // Its versions are past the mirror's: only the store's epoch says it is another store.
    expect(idsOf(await m.read({ filter: 'site' }))).toEqual(expected);
    await m.warmScanCache();
    expect(m.scanCacheStats().loads).toBe(2);
    const cached = m.readStats().cached;
    expect(idsOf(await m.read({ filter: 'site' }))).toEqual(expected);
    expect(m.readStats().cached).toBe(cached + 1);
  });

  it('stops filling when the store closes, and rejects a bad bound or chunk', async () => {
    const prefix = prefixes.next();
    const lua = await open(prefix, { scanCacheEntities: 0 });
    await lua.commit(points(50));
    const m = await openRedisStore({ url: SHARED_REDIS_URL, prefix, scanCacheChunk: 5 });
    const filling = m.warmScanCache();
    await m.close();
    await filling.catch(() => undefined);
    expect(m.scanCacheStats()).toMatchObject({ loads: 0, entities: 0 });
    await expect(m.warmScanCache()).rejects.toThrow(/closed/);
    for (const bad of [{ scanCacheEntities: -1 }, { scanCacheChunk: 0 }, { scanCacheEntities: 1.5 }]) {
      await expect(openRedisStore({ url: SHARED_REDIS_URL, ...bad })).rejects.toMatchObject({
        code: 'HS_ERR_OPTION_RANGE',
      });
    }
  });
});
