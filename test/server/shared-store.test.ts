// Two servers over one store (as two processes over one database): each one's response cache and change observers
// see the other's writes, through the store's change notifications.

import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Dict } from '../../src/core/grid/dict.js';
import { Num } from '../../src/core/kinds/number.js';
import { type EntityChange, followStore } from '../../src/server/cache/observed-store.js';
import { createServer, type HaystackServer } from '../../src/server/index.js';
import type { StorageAdapter } from '../../src/storage/adapter.js';
import type { StoreChangeListener } from '../../src/storage/change-notifier.js';
import { createMemoryStore } from '../../src/storage/memory/index.js';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import { createTestClock } from '../../src/storage/testing/test-clock.js';
import { makeTempDir } from '../support/temp-dir.js';
import { BUILDING, type Fixture, get } from './support/server-fixture.js';

const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closing.splice(0).reverse()) await c();
});
const dir = makeTempDir('hs-shared-store-');
afterAll(() => {
  dir.remove();
});

async function serve(store: StorageAdapter): Promise<{ server: HaystackServer; base: string }> {
  const server = createServer({ store, noAuth: true, tz: 'New_York', responseCache: true });
  const addr = await server.listen(0, '127.0.0.1');
  closing.push(() => server.close());
  return { server, base: addr.url };
}

/** Resolves with the first changes `server` reports about `id` (its own writes or another process's). */
function nextChange(server: HaystackServer, id: string): Promise<readonly EntityChange[]> {
  return new Promise((resolve) => {
    const stop = server.handler.pipeline.observeChanges({
      changed: (changes) => {
        if (!changes.some((c) => c.id === id)) return;
        stop();
        resolve(changes);
      },
      expires: () => undefined,
    });
  });
}

/** Resolves when `server` is told that changes may have been missed. */
function nextReset(server: HaystackServer): Promise<void> {
  return new Promise((resolve) => {
    const stop = server.handler.pipeline.observeChanges({
      changed: () => undefined,
      expires: () => undefined,
      reset: () => {
        stop();
        resolve();
      },
    });
  });
}

const asFixture = (s: { server: HaystackServer; base: string }, store: StorageAdapter): Fixture =>
  ({ ...s, store, clock: undefined, close: () => Promise.resolve() }) as unknown as Fixture;

describe('servers sharing one store', () => {
  it("drop cached responses when another server's store writes, and report the entity as it is now", async () => {
    const a = createMemoryStore();
    await a.commit(BUILDING.map((r) => ({ op: 'add', tags: Dict.of(r) })));
    const b = createMemoryStore({ shareWith: a });
    const one = asFixture(await serve(a), a);
    const two = await serve(b);
    expect((await get(one, 'read?id=@s1')).rows[0]?.get('dis')).toBe('Alpha');
    const seen = nextChange(one.server, 's1');
    await two.server.handler.store.commit([{ op: 'update', id: 's1', changes: Dict.of({ dis: 'Renamed' }) }]);
    const changes = await seen;
    expect(changes.find((c) => c.id === 's1')?.now?.get('dis')).toBe('Renamed');
    expect((await get(one, 'read?id=@s1')).rows[0]?.get('dis')).toBe('Renamed');
  });

  it("answer a cached read with another server's write once that write is acknowledged", async () => {
    // Two SQLite adapters over one file, whose change polls never come round: only asking the store can tell.
    const file = dir.file('cached.db');
    const a = await openSqliteStore({ path: file, changePollMs: 3_600_000 });
    closing.push(() => a.close());
    await a.commit(BUILDING.map((r) => ({ op: 'add', tags: Dict.of(r) })));
    const b = await openSqliteStore({ path: file, changePollMs: 3_600_000 });
    closing.push(() => b.close());
    const one = asFixture(await serve(a), a);
    const two = asFixture(await serve(b), b);
    const curVal = async () => (await get(two, 'read?filter=writable')).rows[0]?.get('curVal');
    await curVal();
    for (let v = 1; v <= 3; v++) {
      // Cached by the second server, then written through the first (as another worker's request would).
      await curVal();
      await one.server.handler.store.pointWrite({ id: 'sp', level: 8, val: new Num(v), who: 't' });
      expect(await curVal()).toEqual(new Num(v));
    }
    await one.server.handler.store.commit([{ op: 'update', id: 's1', changes: Dict.of({ dis: 'Renamed' }) }]);
    expect((await get(two, 'read?id=@s1')).rows[0]?.get('dis')).toBe('Renamed');
  });

  it('see a timed override end that was written before they started (a restart)', async () => {
    const file = dir.file('restart.db');
    const clock = createTestClock();
    const before = await openSqliteStore({ path: file, clock: clock.now });
    await before.commit(BUILDING.map((r) => ({ op: 'add', tags: Dict.of(r) })));
    await before.pointWrite({ id: 'sp', level: 17, val: new Num(70), who: 't' });
    await before.pointWrite({ id: 'sp', level: 9, val: new Num(72), who: 't', durationMs: 120_000 });
    await before.pointWrite({ id: 'sp', level: 8, val: new Num(75), who: 't', durationMs: 60_000 });
    await before.close();
    // The server that starts on the file never saw those writes.
    const after = await openSqliteStore({ path: file, clock: clock.now });
    closing.push(() => after.close());
    const server = createServer({ store: after, noAuth: true, clock: clock.now, responseCache: true });
    const base = (await server.listen(0, '127.0.0.1')).url;
    closing.push(() => server.close());
    const f = asFixture({ server, base }, after);
    const curVal = async () => (await get(f, 'read?id=@sp')).rows[0]?.get('curVal');
    expect(await curVal()).toEqual(new Num(75));
    clock.advance(60_001);
    expect(await curVal()).toEqual(new Num(72));
    clock.advance(60_000);
    expect(await curVal()).toEqual(new Num(70));
  });

  it('tell observers when a timed override written elsewhere ends', async () => {
    const a = createMemoryStore();
    await a.commit(BUILDING.map((r) => ({ op: 'add', tags: Dict.of(r) })));
    const b = createMemoryStore({ shareWith: a });
    const one = await serve(a);
    const two = await serve(b);
    const expiry = new Promise<{ id: string; at: number }>((resolve) => {
      one.server.handler.pipeline.observeChanges({
        changed: () => undefined,
        expires: (id, at) => {
          resolve({ id, at });
        },
      });
    });
    const before = Date.now();
    await two.server.handler.store.pointWrite({ id: 'sp', level: 8, val: new Num(70), who: 't', durationMs: 60_000 });
    const e = await expiry;
    expect(e.id).toBe('sp');
    expect(e.at).toBeGreaterThanOrEqual(before + 60_000);
  });
});

describe('a store whose notifications were interrupted', () => {
  // Failure injection: a memory store whose change listener the test drives, and whose reads can be made to fail.
  function injectable(): { store: StorageAdapter; emit: StoreChangeListener; failReads: () => void } {
    const inner = createMemoryStore();
    let listener: StoreChangeListener | undefined;
    let failing = false;
    const store: StorageAdapter = {
      ...inner,
      readByIds: (ids) => (failing ? Promise.reject(new Error('store away')) : inner.readByIds(ids)),
      read: (q) => inner.read(q),
      subscribeChanges: (l) => {
        listener = l;
        return Promise.resolve(() => {
          listener = undefined;
        });
      },
    };
    return {
      store,
      emit: (c) => listener?.(c),
      failReads: () => {
        failing = true;
      },
    };
  }

  const sneak = (store: StorageAdapter, dis: string) =>
    store.commit([{ op: 'update', id: 's1', changes: Dict.of({ dis }) }]);
  const disOfS1 = async (f: Fixture) =>
    (await get(f, 'read?filter=site')).rows.find((r) => r.id?.id === 's1')?.get('dis');

  it('clears the response cache on a reset, and treats a failed read-back as one', async () => {
    const inj = injectable();
    await inj.store.commit(BUILDING.map((r) => ({ op: 'add', tags: Dict.of(r) })));
    const s = await serve(inj.store);
    const one = asFixture(s, inj.store);
    expect(await disOfS1(one)).toBe('Alpha');
    // Changed behind the server's back: the cached answer stays until the store says something changed.
    await sneak(inj.store, 'Sneaky');
    expect(await disOfS1(one)).toBe('Alpha');
    let reset = nextReset(s.server);
    inj.emit({ kind: 'reset' });
    await reset;
    expect(await disOfS1(one)).toBe('Sneaky');
    await sneak(inj.store, 'Again');
    reset = nextReset(s.server);
    inj.failReads();
    inj.emit({ kind: 'entities', ids: ['s1'] });
    await reset;
    expect(await disOfS1(one)).toBe('Again');
  });

  it('tells a reset (and user changes) to an observer that wants no entity changes: sessions are re-checked', async () => {
    const inj = injectable();
    const told: string[] = [];
    const follower = followStore(inj.store, {
      wants: () => false,
      changed: () => told.push('changed'),
      expires: () => undefined,
      reset: () => told.push('reset'),
      usersChanged: (names) => told.push(`users ${names.join()}`),
    });
    await follower.ready;
    inj.emit({ kind: 'entities', ids: ['s1'] });
    inj.emit({ kind: 'reset' });
    inj.emit({ kind: 'users', usernames: ['vera'] });
    expect(told).toEqual(['reset', 'users vera']);
    follower.stop();
  });

  it('stops following when the server closes', async () => {
    const inj = injectable();
    const s = await serve(inj.store);
    let calls = 0;
    s.server.handler.pipeline.observeChanges({
      changed: () => undefined,
      expires: () => undefined,
      reset: () => {
        calls++;
      },
    });
    await s.server.close();
    inj.emit({ kind: 'reset' });
    expect(calls).toBe(0);
  });
});
