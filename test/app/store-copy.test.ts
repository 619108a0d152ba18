// `copyStore` and `haystack copy`: a store moves to another backend whole (entities, history, priority arrays with
// their timed overrides, users with their credentials), on real SQLite files, PostgreSQL schemas and Redis prefixes.

import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { copyStore, type OpenedStore, openStore, STORE_BACKENDS } from '../../src/app/index.js';
import { deriveScramCredentials, MIN_SCRAM_ITERATIONS } from '../../src/core/auth/scram-keys.js';
import { StorageError, ValueError } from '../../src/core/errors.js';
import { Dict, encodeZincValue, HDateTime, MARKER, Num, Ref, TimeZone } from '../../src/core/index.js';
import type { HisItem, StorageAdapter } from '../../src/storage/adapter.js';
import { TEST_PG_URL } from '../support/postgres.js';
import { runCliCaptured } from '../support/run-cli.js';
import { storeScratch } from '../support/store-scratch.js';

const scratch = await storeScratch('copy');
const HOUR = 3_600_000;
const T0 = Date.UTC(2024, 0, 1);
const ENTITIES = 2_500;
const SAMPLES = 25_000;

function open(text: string): Promise<OpenedStore> {
  return openStore(text, STORE_BACKENDS, { cwd: scratch.dir.path, scanCacheEntities: 0 });
}

/** A source store: more entities and samples than one page or batch, pre-1970 history, timed and released levels. */
async function fillSource(text: string): Promise<number> {
  const s = await open(text);
  try {
    const tags: Dict[] = [
      Dict.of({ id: new Ref('site'), site: MARKER, dis: 'Site' }),
      Dict.of({ id: new Ref('kw'), point: MARKER, his: MARKER, kind: 'Number', unit: 'kW', tz: 'Berlin' }),
      Dict.of({ id: new Ref('on'), point: MARKER, his: MARKER, kind: 'Bool', tz: 'UTC' }),
      Dict.of({ id: new Ref('sp'), point: MARKER, writable: MARKER, kind: 'Number', siteRef: new Ref('site') }),
      Dict.of({ id: new Ref('empty'), point: MARKER, his: MARKER, writable: MARKER, kind: 'Number' }),
    ];
    for (let i = 0; i < ENTITIES; i++) tags.push(Dict.of({ id: new Ref(`e${String(i).padStart(5, '0')}`), n: i }));
    for (let i = 0; i < tags.length; i += 1000) {
      await s.store.commit(tags.slice(i, i + 1000).map((t) => ({ op: 'add' as const, tags: t })));
    }
    const kw: HisItem[] = [{ ts: -86_400_000, val: new Num(-1, 'kW') }];
    for (let i = 0; i < SAMPLES; i++) kw.push({ ts: T0 + i * 60_000, val: new Num(i / 4, 'kW') });
    await s.store.hisWrite('kw', kw);
    await s.store.hisWrite('on', [
      { ts: T0, val: true },
      { ts: T0 + HOUR, val: false },
    ]);
    await s.store.pointWrite({ id: 'sp', level: 8, val: new Num(21), who: 'ops', durationMs: 2 * HOUR });
    await s.store.pointWrite({ id: 'sp', level: 10, val: new Num(5), who: 'x' });
    await s.store.pointWrite({ id: 'sp', level: 10, val: null, who: 'x' });
    await s.store.pointWrite({ id: 'sp', level: 16, val: new Num(19), who: 'bms' });
    const scram = await deriveScramCredentials('a long secret', { iterations: MIN_SCRAM_ITERATIONS });
    await s.users?.createUser({ username: 'admin', role: 'admin', scram });
    await s.users?.createUser({ username: 'guest', role: 'viewer', scram, enabled: false });
    return tags.length;
  } finally {
    await s.close();
  }
}

/** Everything a copy must keep, in a form to compare: entities without `mod`, history, levels, users. */
async function contents(text: string): Promise<{
  entities: string[];
  his: Record<string, string[]>;
  levels: { level: number; val: string; who: string | undefined; expires: number | undefined }[];
  users: unknown[];
}> {
  const s = await open(text);
  try {
    const store: StorageAdapter = s.store;
    const all = await store.read({ filter: 'id' });
    const entities = all
      .map((d) =>
        [...d.remove('mod').entries()]
          .map(([k, v]) => `${k}:${encodeZincValue(v)}`)
          .sort()
          .join(' '),
      )
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const zone = (id: string): TimeZone => TimeZone.get(id === 'kw' ? 'Berlin' : 'UTC');
    const his: Record<string, string[]> = {};
    for (const id of ['kw', 'on', 'empty']) {
      const items = await store.hisRead(id, { start: Number.MIN_SAFE_INTEGER, end: Number.MAX_SAFE_INTEGER });
      his[id] = items.map((it) => `${HDateTime.fromEpochMs(it.ts, zone(id)).toString()} ${String(it.val)}`);
    }
    const levels = (await store.readPriorityArray('sp')).levels
      .filter((l) => l.val !== null)
      .map((l) => ({ level: l.level, val: String(l.val), who: l.who, expires: l.expires }));
    const users = ((await s.users?.listUsers()) ?? []).map((u) => ({
      username: u.username,
      role: u.role,
      enabled: u.enabled,
      scram: u.scram,
    }));
    return { entities, his, levels, users };
  } finally {
    await s.close();
  }
}

describe('copyStore', () => {
  it('moves a SQLite store to PostgreSQL, then to Redis, then to a new SQLite file, losing nothing', async () => {
    const sqlite = 'sqlite:source.db';
    const n = await fillSource(sqlite);
    const chain = [sqlite, `${TEST_PG_URL}?schema=${scratch.schemas.next()}`];
    if (scratch.redisUp) chain.push(`redis://127.0.0.1:6379/0?prefix=${scratch.prefixes.next()}`);
    chain.push('sqlite:target.db');
    const before = await contents(sqlite);
    expect(before.his.kw).toHaveLength(SAMPLES + 1);
    expect(before.levels.map((l) => l.level)).toEqual([8, 16]);
    for (let i = 1; i < chain.length; i++) {
      const from = await open(chain[i - 1] as string);
      const to = await open(chain[i] as string);
      const stages = new Set<string>();
      try {
        const counts = await copyStore(from, to, { progress: (stage) => stages.add(stage) });
        expect(counts).toEqual({ entities: n, samples: SAMPLES + 3, points: 2, levels: 2, users: 2, changes: [] });
        expect([...stages]).toEqual(['entities', 'history', 'priority arrays', 'users']);
      } finally {
        await from.close();
        await to.close();
      }
      const after = await contents(chain[i] as string);
      expect(after.entities).toEqual(before.entities);
      expect(after.his).toEqual(before.his);
      expect(after.users).toEqual(before.users);
      const timeless = (ls: typeof before.levels): unknown[] => ls.map((l) => [l.level, l.val, l.who]);
      expect(timeless(after.levels)).toEqual(timeless(before.levels));
      // The timed override keeps its end (give or take the moments the copy took): it is not restarted.
      const end = before.levels[0]?.expires ?? 0;
      expect(after.levels[0]?.expires).toBeGreaterThanOrEqual(end);
      expect(after.levels[0]?.expires).toBeLessThan(end + 5 * 60_000);
      expect(after.levels[1]?.expires).toBeUndefined();
    }
  }, 120_000);

  it('stops between points when its signal aborts, the pages committed so far kept', async () => {
    await fillSource('sqlite:stop.db');
    const from = await open('sqlite:stop.db');
    const to = await open('sqlite:stop-copy.db');
    const stop = new AbortController();
    try {
      const err = await copyStore(from, to, {
        signal: stop.signal,
        progress: (stage) => {
          if (stage === 'history') stop.abort(new Error('Ctrl-C'));
        },
      }).catch((e: unknown) => e);
      expect((err as Error).message).toBe('Ctrl-C');
      expect(await to.store.count()).toBe(ENTITIES + 5);
      expect(await to.users?.listUsers()).toEqual([]);
      // A second run refuses the partial copy rather than adding to it.
      await expect(copyStore(from, to)).rejects.toThrow(/holds 2505 entities and 0 users/);
    } finally {
      await from.close();
      await to.close();
    }
  });

  it('leaves out a timed override that is already over', async () => {
    const from = await open('sqlite:over.db');
    const to = await open('sqlite:over-copy.db');
    try {
      await from.store.commit([{ op: 'add', tags: Dict.of({ id: new Ref('p'), point: MARKER, writable: MARKER }) }]);
      await from.store.pointWrite({ id: 'p', level: 8, val: new Num(1), who: 'a', durationMs: HOUR });
      const counts = await copyStore(from, to, { now: Date.now() + 2 * HOUR });
      expect(counts.levels).toBe(0);
      expect((await to.store.readPriorityArray('p')).effective).toBeNull();
    } finally {
      await from.close();
      await to.close();
    }
  });

  it('writes the priority arrays of many points in one batch where the target takes it, level by level else', async () => {
    const from = await open('sqlite:levels.db');
    const batched = await open('sqlite:levels-batched.db');
    const single = await open('sqlite:levels-single.db');
    const now = Date.now();
    try {
      const ids = Array.from({ length: 30 }, (_, i) => `p${String(i).padStart(2, '0')}`);
      await from.store.commit(
        ids.map((id) => ({ op: 'add' as const, tags: Dict.of({ id: new Ref(id), point: MARKER, writable: MARKER }) })),
      );
      for (const [i, id] of ids.entries()) {
        await from.store.pointWrite({ id, level: 17, val: new Num(i), who: 'default' });
        await from.store.pointWrite({ id, level: 8, val: new Num(100 + i), who: 'ops', durationMs: HOUR });
      }
      const batches: number[] = [];
      const target = withStore(batched, {
        pointWrite: () => Promise.reject(new Error('one write per level')),
        pointWriteBatch: async (reqs) => {
          batches.push(reqs.length);
          return (batched.store.pointWriteBatch as NonNullable<StorageAdapter['pointWriteBatch']>)(reqs);
        },
      });
      expect((await copyStore(from, target, { now })).levels).toBe(60);
      expect(batches).toEqual([60]);
      // A target without the batch gets the same levels one by one.
      const { pointWriteBatch: _, ...levelByLevel } = single.store;
      expect((await copyStore(from, { ...single, store: levelByLevel }, { now })).levels).toBe(60);
      for (const id of ids) {
        const want = await from.store.readPriorityArray(id);
        for (const to of [batched, single]) {
          const got = await to.store.readPriorityArray(id);
          expect(got.levels.map((l) => [l.level, l.val, l.who])).toEqual(
            want.levels.map((l) => [l.level, l.val, l.who]),
          );
          // The timed override keeps its end: what it had left at `now` runs from the target's clock.
          expect(got.levels[7]?.expires).toBeGreaterThanOrEqual(want.levels[7]?.expires ?? 0);
          expect(got.levels[7]?.expires).toBeLessThan((want.levels[7]?.expires ?? 0) + 5 * 60_000);
          expect((await to.store.readByIds([id]))[0]?.get('writeLevel')).toEqual(new Num(8));
        }
      }
    } finally {
      await from.close();
      await batched.close();
      await single.close();
    }
  });

  it("reads many points' priority arrays in a few batched reads, their levels copied in order", async () => {
    const from = await open('sqlite:levels-read.db');
    const batched = await open('sqlite:levels-read-batched.db');
    const single = await open('sqlite:levels-read-single.db');
    const now = Date.now();
    try {
      const ids = Array.from({ length: 1200 }, (_, i) => `q${String(i).padStart(4, '0')}`);
      await from.store.commit(
        ids.map((id) => ({ op: 'add' as const, tags: Dict.of({ id: new Ref(id), point: MARKER, writable: MARKER }) })),
      );
      const reqs = ids.flatMap((id, i) => [
        { id, level: 17, val: new Num(i), who: 'default' },
        ...(i % 2 === 0 ? [{ id, level: 8, val: new Num(1000 + i), who: 'ops', durationMs: HOUR }] : []),
        ...(i % 3 === 0 ? [{ id, level: 12, val: `s${String(i)}`, who: 'bms' }] : []),
      ]);
      await (from.store.pointWriteBatch as NonNullable<StorageAdapter['pointWriteBatch']>)(reqs);
      const reads: number[] = [];
      const readMany = from.store.readPriorityArrays as NonNullable<StorageAdapter['readPriorityArrays']>;
      const source = withStore(from, {
        readPriorityArray: () => Promise.reject(new Error('one read per point')),
        readPriorityArrays: (batch) => {
          reads.push(batch.length);
          return readMany(batch);
        },
      });
      const written: string[] = [];
      const target = withStore(batched, {
        pointWriteBatch: (batch) => {
          written.push(...batch.map((r) => `${r.id}/${String(r.level)}`));
          return (batched.store.pointWriteBatch as NonNullable<StorageAdapter['pointWriteBatch']>)(batch);
        },
      });
      expect((await copyStore(source, target, { now })).levels).toBe(reqs.length);
      expect(reads).toEqual([500, 500, 200]);
      const order = [...reqs].sort((a, b) => (a.id === b.id ? a.level - b.level : a.id < b.id ? -1 : 1));
      expect(written).toEqual(order.map((r) => `${r.id}/${String(r.level)}`));
      // A source without the batched read gives the same levels, read point by point.
      const { readPriorityArrays: _, ...pointByPoint } = from.store;
      expect((await copyStore({ ...from, store: pointByPoint }, single, { now })).levels).toBe(reqs.length);
      const want = await readMany(ids);
      for (const to of [batched, single]) {
        const got = await (to.store.readPriorityArrays as NonNullable<StorageAdapter['readPriorityArrays']>)(ids);
        expect(got.map((a) => a.levels.map((l) => [l.level, l.val, l.who]))).toEqual(
          want.map((a) => a.levels.map((l) => [l.level, l.val, l.who])),
        );
        expect(got.map((a) => a.effective)).toEqual(want.map((a) => a.effective));
        expect(got.map((a) => a.levels[7]?.expires !== undefined)).toEqual(
          want.map((a) => a.levels[7]?.expires !== undefined),
        );
      }
    } finally {
      await from.close();
      await batched.close();
      await single.close();
    }
  });

  it('refuses a target that holds entities or users, and a memory store, before writing anything', async () => {
    await fillSource('sqlite:full.db');
    const from = await open('sqlite:full.db');
    const to = await open('sqlite:nonempty.db');
    const memory = await open('memory');
    try {
      await to.users?.createUser({
        username: 'someone',
        role: 'viewer',
        scram: await deriveScramCredentials('pw', { iterations: MIN_SCRAM_ITERATIONS }),
      });
      const err = await copyStore(from, to).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValueError);
      expect((err as Error).message).toMatch(/holds 0 entities and 1 users: copy fills an empty store only/);
      expect(await to.store.count()).toBe(0);
      await expect(copyStore(memory, to)).rejects.toThrow(/memory store keeps nothing/);
      await expect(copyStore(from, memory)).rejects.toThrow(/memory store keeps nothing/);
    } finally {
      await from.close();
      await to.close();
      await memory.close();
    }
  });
});

/** The store texts of a new, empty store of each persistent backend (Redis when it is up). */
function freshStores(tag: string): string[] {
  const texts = [`sqlite:${tag}.db`, `${TEST_PG_URL}?schema=${scratch.schemas.next()}`];
  if (scratch.redisUp) texts.push(`redis://127.0.0.1:6379/0?prefix=${scratch.prefixes.next()}`);
  return texts;
}

/** `opened` with its store's methods replaced by `over` (the rest as they are). */
function withStore(opened: OpenedStore, over: Partial<StorageAdapter>): OpenedStore {
  return { ...opened, store: { ...opened.store, ...over } };
}

describe('copyStore reads history in pages and writes it in batches', () => {
  it('reads every point a page of chunkRows at a time from SQLite, PostgreSQL and Redis, never whole', async () => {
    for (const [i, text] of freshStores('pages').entries()) {
      const n = await fillSource(text);
      const from = await open(text);
      const to = await open(`sqlite:pages-copy-${String(i)}.db`);
      const pages: number[] = [];
      const writes: number[] = [];
      const counted = withStore(from, {
        hisRead: () => Promise.reject(new Error('read whole')),
        hisReadChunks: () => {
          throw new Error('read by a cursor');
        },
        hisReadPage: async (id, range, limit) => {
          const page = await (from.store.hisReadPage as NonNullable<StorageAdapter['hisReadPage']>)(id, range, limit);
          pages.push(page.length);
          return page;
        },
      });
      const target = withStore(to, {
        hisWrite: () => Promise.reject(new Error('one write per point')),
        hisWriteBatch: async (ws) => {
          writes.push(ws.length);
          return (to.store.hisWriteBatch as NonNullable<StorageAdapter['hisWriteBatch']>)(ws);
        },
      });
      try {
        const counts = await copyStore(counted, target, { chunkRows: 1000 });
        expect(counts).toMatchObject({ entities: n, samples: SAMPLES + 3, points: 2, changes: [] });
      } finally {
        await from.close();
        await to.close();
      }
      // kw: 25 full pages and the last sample; on: 2 samples; empty: an empty page.
      expect(
        pages.toSorted((a, b) => a - b),
        text,
      ).toEqual([0, 1, 2, ...Array<number>(25).fill(1000)]);
      // One batch for every point, each named once: 25,003 samples fit in one write.
      expect(writes, text).toEqual([2]);
      const [before, after] = [await contents(text), await contents(`sqlite:pages-copy-${String(i)}.db`)];
      expect(after.his).toEqual(before.his);
    }
  }, 120_000);

  it('refuses a chunkRows that is not a whole number of at least 1', async () => {
    const from = await open('sqlite:rows.db');
    const to = await open('sqlite:rows-copy.db');
    try {
      for (const chunkRows of [0, 1.5, -1]) {
        await expect(copyStore(from, to, { chunkRows })).rejects.toBeInstanceOf(ValueError);
      }
    } finally {
      await from.close();
      await to.close();
    }
  });
});

describe('copyStore and a source written to during the copy', () => {
  // Another process's writes, made while the copy reads the first page of @kw's history: an update of @site, a
  // sample appended to @on and a user's role changed.
  async function copyWhileWritten(
    text: string,
    target: string,
    allowLive: boolean,
  ): Promise<{ result: Awaited<ReturnType<typeof copyStore>> | undefined; err: unknown }> {
    const from = await open(text);
    const to = await open(target);
    const writer = await open(text);
    let written = false;
    const live = withStore(from, {
      hisReadPage: async (id, range, limit) => {
        if (id === 'on' && !written) {
          written = true;
          await writer.store.commit([{ op: 'update', id: 'site', changes: Dict.of({ dis: 'Changed' }) }]);
          await writer.store.hisWrite('kw', [{ ts: T0 + SAMPLES * 60_000, val: new Num(1, 'kW') }]);
          await writer.users?.updateUser('guest', { role: 'operator' });
        }
        return (from.store.hisReadPage as NonNullable<StorageAdapter['hisReadPage']>)(id, range, limit);
      },
    });
    try {
      const result = await copyStore(live, to, { allowLive });
      return { result, err: undefined };
    } catch (err) {
      return { result: undefined, err };
    } finally {
      await writer.close();
      await from.close();
      await to.close();
    }
  }

  it('fails with HS_ERR_CONFLICT naming the change, on SQLite, PostgreSQL and Redis', async () => {
    for (const [i, text] of freshStores('live').entries()) {
      await fillSource(text);
      const { result, err } = await copyWhileWritten(text, `sqlite:live-copy-${String(i)}.db`, false);
      expect(result, text).toBeUndefined();
      expect(err, text).toBeInstanceOf(StorageError);
      expect(err, text).toMatchObject({ code: 'HS_ERR_CONFLICT' });
      expect((err as Error).message, text).toMatch(/changed during the copy: 1 entity \(@site\)/);
    }
  }, 120_000);

  it('with allowLive completes and reports entities, history and users changed meanwhile', async () => {
    for (const [i, text] of freshStores('allow').entries()) {
      await fillSource(text);
      const { result, err } = await copyWhileWritten(text, `sqlite:allow-copy-${String(i)}.db`, true);
      expect(err, text).toBeUndefined();
      // @kw was copied before its new sample (points are copied in id order: empty, kw, on).
      expect(result?.changes, text).toEqual(['1 entity (@site)', 'the history of 1 point (@kw)', '1 user (guest)']);
      expect(result?.samples, text).toBe(SAMPLES + 3);
    }
  }, 120_000);
});

describe('haystack copy', () => {
  it('copies a store file and says what it copied; a second run refuses the filled target', async () => {
    const n = await fillSource('sqlite:cli.db');
    const run = await runCliCaptured(
      ['copy', '--from', 'sqlite:cli.db', '--to', 'sqlite:cli-copy.db'],
      scratch.dir.path,
    );
    expect([run.code, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toBe(
      `copied ${String(n)} entities, ${String(SAMPLES + 3)} history samples of 2 points, 2 priority levels and 2 users\n`,
    );
    const again = await runCliCaptured(
      ['copy', '--from', 'sqlite:cli.db', '--to', 'sqlite:cli-copy.db'],
      scratch.dir.path,
    );
    // What the target holds is no command-line mistake: a failure at run time (1).
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^haystack copy: The target store .* holds \d+ entities and 2 users/);
  }, 60_000);

  it('fails the copy of a source written to meanwhile, and with --allow-live completes it with a warning', async () => {
    const cwd = scratch.dir.path;
    await fillSource('sqlite:cli-live.db');
    // A server's writes: @site updated again and again, from another connection, for as long as the copies run.
    const writer = await open('sqlite:cli-live.db');
    const copying = { done: false };
    const writing = (async () => {
      for (let n = 0; !copying.done; n++) {
        await writer.store.commit([{ op: 'update', id: 'site', changes: Dict.of({ n }) }]);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    // Into PostgreSQL: its round trips give the writer turns during the copy.
    const into = (): string => `${TEST_PG_URL}?schema=${scratch.schemas.next()}`;
    let failed: Awaited<ReturnType<typeof runCliCaptured>>;
    let allowed: Awaited<ReturnType<typeof runCliCaptured>>;
    try {
      failed = await runCliCaptured(['copy', '--from', 'sqlite:cli-live.db', '--to', into()], cwd);
      allowed = await runCliCaptured(['copy', '--from', 'sqlite:cli-live.db', '--to', into(), '--allow-live'], cwd);
    } finally {
      copying.done = true;
      await writing;
      await writer.close();
    }
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /^haystack copy: The source store .*cli-live\.db changed during the copy: 1 entity \(@site\); the target may miss those writes: .*--allow-live/,
    );
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toMatch(/^copied 2505 entities, 25003 history samples of 2 points/);
    expect(allowed.stderr).toMatch(
      /^haystack copy: warning: the source changed during the copy \(1 entity \(@site\)\)/,
    );
  }, 60_000);

  it('refuses a memory store, the same store twice and a source file that does not exist', async () => {
    const cwd = scratch.dir.path;
    const memory = await runCliCaptured(['copy', '--from', 'memory', '--to', 'sqlite:m.db'], cwd);
    expect([memory.code, memory.stderr]).toEqual([2, 'haystack copy: a memory store keeps nothing to copy\n']);
    const same = await runCliCaptured(['copy', '--from', 'sqlite:x.db', '--to', 'sqlite:x.db'], cwd);
    expect([same.code, same.stderr]).toEqual([2, 'haystack copy: --from and --to name the same store\n']);
    const missing = await runCliCaptured(['copy', '--from', 'sqlite:nope.db', '--to', 'sqlite:y.db'], cwd);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/^haystack copy: .*nope\.db/);
    writeFileSync(`${cwd}/not-a-store.db`, 'hello');
    const bad = await runCliCaptured(['copy', '--from', 'sqlite:not-a-store.db', '--to', 'sqlite:z.db'], cwd);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^haystack copy: /);
  });
});
