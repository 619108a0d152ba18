// watchSub, watchPoll and watchUnsub over time with leases, on a controllable clock (no sleeps).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Dict } from '../../src/core/grid/dict.js';
import { Grid } from '../../src/core/grid/grid.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { createServer } from '../../src/server/index.js';
import type { StorageAdapter } from '../../src/storage/adapter.js';
import { createMemoryStore } from '../../src/storage/memory/index.js';
import { createTestClock } from '../../src/storage/testing/test-clock.js';
import { BUILDING, type Fixture, ids, post, startFixture } from './support/server-fixture.js';

let f: Fixture;
beforeEach(async () => {
  f = await startFixture({ defaultLeaseMs: 60_000, maxLeaseMs: 600_000, limits: { maxWatchIds: 3 } });
});
afterEach(async () => {
  await f.close();
});

function subGrid(refs: string[], meta: Record<string, unknown>): Grid {
  return Grid.make({ meta, cols: ['id'], rows: refs.map((id) => ({ id: new Ref(id) })) });
}

async function touch(id: string, dis: string): Promise<void> {
  await f.store.commit([{ op: 'update', id, changes: Dict.of({ dis }) }]);
}

describe('watchSub', () => {
  it('opens a watch, answers current state in request order with nulls for unknown ids, and the lease', async () => {
    const g = await post(
      f,
      'watchSub',
      subGrid(['temp', 'nope', 'sp'], { watchDis: 'test', lease: new Num(2, 'min') }),
    );
    expect(ids(g)).toEqual(['temp', null, 'sp']);
    expect(typeof g.meta.get('watchId')).toBe('string');
    expect(g.meta.get('lease')).toEqual(new Num(2, 'min'));
    const w = (await f.store.watches())[0];
    expect(w?.ids).toEqual(['temp', 'sp']);
  });

  it('uses the default lease, and shortens a lease over the maximum', async () => {
    const a = await post(f, 'watchSub', subGrid(['temp'], { watchDis: 'a' }));
    expect(a.meta.get('lease')).toEqual(new Num(1, 'min'));
    const b = await post(f, 'watchSub', subGrid(['temp'], { watchDis: 'b', lease: new Num(5, 'h') }));
    expect(b.meta.get('lease')).toEqual(new Num(10, 'min'));
  });

  it('answers an unknown or expired watchId with an error grid, opening nothing', async () => {
    // Ops chapter, watchSub: on an error grid the client must assume the watch is gone and open a new one.
    const unknown = await post(f, 'watchSub', subGrid(['temp'], { watchId: 'nope', watchDis: 'w' }));
    expect(unknown.isError).toBe(true);
    expect(unknown.meta.get('errCode')).toBe('HS_ERR_UNKNOWN_NAME');
    expect(await f.store.watches()).toEqual([]);
    const a = await post(f, 'watchSub', subGrid(['temp'], { watchDis: 'a', lease: new Num(30, 's') }));
    f.clock.advance(30_001);
    const expired = await post(f, 'watchSub', subGrid(['sp'], { watchId: a.meta.get('watchId') }));
    expect(expired.meta.get('errCode')).toBe('HS_ERR_UNKNOWN_NAME');
  });

  it('adds to an existing watch', async () => {
    const a = await post(f, 'watchSub', subGrid(['temp'], { watchDis: 'a' }));
    const watchId = a.meta.get('watchId');
    const b = await post(f, 'watchSub', subGrid(['sp'], { watchId }));
    expect(b.meta.get('watchId')).toBe(watchId);
    expect(ids(b)).toEqual(['sp']);
    expect((await f.store.watches())[0]?.ids).toEqual(['temp', 'sp']);
  });

  it('refuses a new watch without watchDis, a unitless lease, and more ids than allowed', async () => {
    const noDis = await post(f, 'watchSub', subGrid(['temp'], {}));
    expect(noDis.meta.get('errCode')).toBe('HS_ERR_BAD_REQUEST');
    const unitless = await post(f, 'watchSub', subGrid(['temp'], { watchDis: 'x', lease: new Num(60) }));
    expect(unitless.meta.get('errCode')).toBe('HS_ERR_BAD_REQUEST');
    const a = await post(f, 'watchSub', subGrid(['temp', 'sp', 'occ'], { watchDis: 'a' }));
    const more = await post(f, 'watchSub', subGrid(['meter'], { watchId: a.meta.get('watchId') }));
    expect(more.meta.get('errCode')).toBe('HS_ERR_LIMIT');
    const tooMany = await post(f, 'watchSub', subGrid(['temp', 'sp', 'occ', 'meter'], { watchDis: 'b' }));
    expect(tooMany.meta.get('errCode')).toBe('HS_ERR_LIMIT');
  });
});

describe('watchPoll', () => {
  it('reports only what changed since the last poll, and everything with refresh', async () => {
    const sub = await post(f, 'watchSub', subGrid(['temp', 'sp'], { watchDis: 'w' }));
    const watchId = sub.meta.get('watchId');
    const first = await post(f, 'watchPoll', Grid.make({ meta: { watchId }, cols: ['empty'] }));
    expect(first.isError).toBe(false);
    expect(first.size).toBe(0);
    f.clock.advance(1000);
    await touch('sp', 'renamed');
    await touch('meter', 'not watched');
    const second = await post(f, 'watchPoll', Grid.make({ meta: { watchId }, cols: ['empty'] }));
    expect(ids(second)).toEqual(['sp']);
    expect(second.row(0).get('dis')).toBe('renamed');
    const third = await post(f, 'watchPoll', Grid.make({ meta: { watchId }, cols: ['empty'] }));
    expect(third.size).toBe(0);
    const refresh = await post(f, 'watchPoll', Grid.make({ meta: { watchId, refresh: MARKER }, cols: ['empty'] }));
    expect(ids(refresh).sort()).toEqual(['sp', 'temp']);
  });

  it('keeps a watch alive while it is polled within its lease, and closes it after the lease', async () => {
    const sub = await post(f, 'watchSub', subGrid(['temp'], { watchDis: 'w', lease: new Num(30, 's') }));
    const watchId = sub.meta.get('watchId');
    const poll = () => post(f, 'watchPoll', Grid.make({ meta: { watchId }, cols: ['empty'] }));
    for (let i = 0; i < 3; i++) {
      f.clock.advance(20_000);
      expect((await poll()).isError).toBe(false);
    }
    f.clock.advance(30_001);
    const expired = await poll();
    expect(expired.isError).toBe(true);
    expect(expired.meta.get('errCode')).toBe('HS_ERR_UNKNOWN_NAME');
  });

  it('reports a watched entity removed since the last poll once, as a row of its id and `removed`', async () => {
    const sub = await post(f, 'watchSub', subGrid(['temp', 'sp'], { watchDis: 'w' }));
    const watchId = sub.meta.get('watchId');
    const poll = (meta: Record<string, unknown> = {}) =>
      post(f, 'watchPoll', Grid.make({ meta: { watchId, ...meta }, cols: ['empty'] }));
    await f.store.commit([{ op: 'remove', id: 'sp' }]);
    await touch('temp', 'still here');
    const first = await poll();
    expect(ids(first)).toEqual(['temp', 'sp']);
    expect(first.row(0).has('removed')).toBe(false);
    expect(first.row(1).get('removed')).toBe(MARKER);
    expect(first.row(1).has('dis')).toBe(false);
    // Told once: later polls, and a refresh (the entities that exist), no longer name it.
    expect((await poll()).size).toBe(0);
    expect(ids(await poll({ refresh: MARKER }))).toEqual(['temp']);
  });

  it('leaves a removed entity out of a refresh, even the first poll after the removal', async () => {
    // Ops, WatchPoll: a full refresh answers a row per entity in the watch, "invalid identifiers are not be
    // included"; a client replaces its state with it, so a removed row would only show up as a bare entity.
    const sub = await post(f, 'watchSub', subGrid(['temp', 'sp'], { watchDis: 'w' }));
    const watchId = sub.meta.get('watchId');
    await f.store.commit([{ op: 'remove', id: 'sp' }]);
    const refresh = await post(f, 'watchPoll', Grid.make({ meta: { watchId, refresh: MARKER }, cols: ['empty'] }));
    expect(refresh.isError).toBe(false);
    expect(ids(refresh)).toEqual(['temp']);
    expect(refresh.hasCol('removed')).toBe(false);
    // The refresh stood in for the removal: the next poll has nothing to tell.
    expect((await post(f, 'watchPoll', Grid.make({ meta: { watchId }, cols: ['empty'] }))).size).toBe(0);
  });

  it('needs a watchId', async () => {
    const g = await post(f, 'watchPoll', Grid.make({ cols: ['empty'] }));
    expect(g.meta.get('errCode')).toBe('HS_ERR_BAD_REQUEST');
  });
});

describe('watchUnsub', () => {
  it('removes ids, so later changes to them are not reported', async () => {
    const sub = await post(f, 'watchSub', subGrid(['temp', 'sp'], { watchDis: 'w' }));
    const watchId = sub.meta.get('watchId');
    const un = await post(f, 'watchUnsub', subGrid(['sp'], { watchId }));
    expect(un.isError).toBe(false);
    await touch('sp', 'changed');
    await touch('temp', 'changed too');
    const poll = await post(f, 'watchPoll', Grid.make({ meta: { watchId }, cols: ['empty'] }));
    expect(ids(poll)).toEqual(['temp']);
  });

  it('closes the whole watch with close', async () => {
    const sub = await post(f, 'watchSub', subGrid(['temp'], { watchDis: 'w' }));
    const watchId = sub.meta.get('watchId');
    await post(f, 'watchUnsub', Grid.make({ meta: { watchId, close: MARKER }, cols: ['empty'] }));
    expect(await f.store.watches()).toEqual([]);
    const poll = await post(f, 'watchPoll', Grid.make({ meta: { watchId }, cols: ['empty'] }));
    expect(poll.meta.get('errCode')).toBe('HS_ERR_UNKNOWN_NAME');
  });
});

describe('watchSub racing a write', () => {
  it('answers the state as of the subscription: a write between its read and its add is not lost', async () => {
    await f.close();
    const clock = createTestClock();
    const store = createMemoryStore({ clock: clock.now });
    await store.commit(BUILDING.map((r) => ({ op: 'add' as const, tags: Dict.of(r) })));
    // Failure injection: another writer's commit lands while watchSub is between reading the entities and adding
    // them to the watch.
    let raced = false;
    const racing: StorageAdapter = Object.create(store) as StorageAdapter;
    Object.assign(racing, {
      watchAdd: async (watchId: string, idsToAdd: readonly string[]) => {
        if (!raced) {
          raced = true;
          await store.commit([{ op: 'update', id: 'sp', changes: Dict.of({ dis: 'written meanwhile' }) }]);
        }
        return store.watchAdd(watchId, idsToAdd);
      },
    });
    const server = createServer({ store: racing, noAuth: true, clock: clock.now });
    const base = (await server.listen(0, '127.0.0.1')).url;
    f = { server, store, clock, base, close: () => server.close() };
    const sub = await post(f, 'watchSub', subGrid(['sp'], { watchDis: 'race' }));
    const watchId = sub.meta.get('watchId');
    const poll = await post(f, 'watchPoll', Grid.make({ meta: { watchId }, cols: ['empty'] }));
    // Either the answer or the next poll has the write; before, neither did and the client kept the old name.
    const seen = [...sub.rows, ...poll.rows].map((r) => r.get('dis'));
    expect(seen).toContain('written meanwhile');
  });
});
