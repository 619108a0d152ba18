// The server's store wrappers (change reporting, timing) keep every capability of the store they wrap: an optional
// method left out would silently send the server down its slower fallback (level by level, whole reads).

import diagnostics from 'node:diagnostics_channel';
import { afterEach, describe, expect, it } from 'vitest';
import { Dict } from '../../src/core/grid/dict.js';
import { Grid } from '../../src/core/grid/grid.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { type EntityChange, observeStore, type StoreObserver } from '../../src/server/cache/observed-store.js';
import { SERVER_CHANNELS, type StoreQueryEvent } from '../../src/server/events.js';
import type { OpDef } from '../../src/server/index.js';
import { instrumentStore } from '../../src/server/instrumented-store.js';
import type { HisItem, PointWriteRequest, StorageAdapter } from '../../src/storage/adapter.js';
import { createMemoryStore, type MemoryStore } from '../../src/storage/memory/index.js';
import { CONTRACT_EPOCH, createTestClock } from '../../src/storage/testing/test-clock.js';
import { BUILDING, type Fixture, get, post, startFixture } from './support/server-fixture.js';

// Every member of the interface: this table stops compiling when one is added, so the tests below cover it too.
const MEMBERS = {
  backend: false,
  readByIds: false,
  read: false,
  count: false,
  commit: false,
  hisRead: false,
  hisWrite: false,
  hisWriteBatch: true,
  hisCount: false,
  readPriorityArray: false,
  readPriorityArrays: true,
  pointWrite: false,
  pointWriteBatch: true,
  watchOpen: false,
  watchAdd: false,
  watchRemove: false,
  watchLease: false,
  watchClose: false,
  watchPoll: false,
  watchInfo: false,
  watches: false,
  hisReadChunks: true,
  hisReadPage: true,
  hisReadColumns: true,
  hisReadBatchChunks: true,
  overrideEnds: true,
  changeVersion: true,
  subscribeChanges: true,
  syncChanges: true,
  close: false,
} as const satisfies Record<keyof StorageAdapter, boolean>;
type Member = keyof typeof MEMBERS;
const ALL = Object.keys(MEMBERS) as Member[];
const OPTIONAL = ALL.filter((k) => MEMBERS[k]);

const POINTS = ['a', 'b', 'c'];

async function memoryStore(clock = createTestClock()): Promise<MemoryStore> {
  const store = createMemoryStore({ clock: clock.now });
  await store.commit(
    POINTS.map((id) => ({
      op: 'add',
      tags: Dict.of({ id: new Ref(id), point: MARKER, writable: MARKER, his: MARKER, kind: 'Number', tz: 'UTC' }),
    })),
  );
  return store;
}

const SAMPLES: readonly HisItem[] = [{ ts: CONTRACT_EPOCH, val: new Num(1) }];

// A memory store with every optional capability (those it lacks answer from its own reads), each call counted.
function fullStore(store: MemoryStore, calls: Map<string, number>): StorageAdapter {
  const counted = <A extends unknown[], R>(name: string, f: (...args: A) => R): ((...args: A) => R) => {
    return (...args: A): R => {
      calls.set(name, (calls.get(name) ?? 0) + 1);
      return f(...args);
    };
  };
  const full: Required<StorageAdapter> = {
    backend: store.backend,
    readByIds: counted('readByIds', store.readByIds),
    read: counted('read', store.read),
    count: counted('count', store.count),
    commit: counted('commit', store.commit),
    hisRead: counted('hisRead', store.hisRead),
    hisWrite: counted('hisWrite', store.hisWrite),
    hisWriteBatch: counted('hisWriteBatch', store.hisWriteBatch),
    hisCount: counted('hisCount', store.hisCount),
    readPriorityArray: counted('readPriorityArray', store.readPriorityArray),
    readPriorityArrays: counted('readPriorityArrays', store.readPriorityArrays),
    pointWrite: counted('pointWrite', store.pointWrite),
    pointWriteBatch: counted('pointWriteBatch', store.pointWriteBatch),
    watchOpen: counted('watchOpen', store.watchOpen),
    watchAdd: counted('watchAdd', store.watchAdd),
    watchRemove: counted('watchRemove', store.watchRemove),
    watchLease: counted('watchLease', store.watchLease),
    watchClose: counted('watchClose', store.watchClose),
    watchPoll: counted('watchPoll', store.watchPoll),
    watchInfo: counted('watchInfo', store.watchInfo),
    watches: counted('watches', store.watches),
    hisReadChunks: counted('hisReadChunks', async function* (id, range) {
      yield await store.hisRead(id, range);
    }),
    hisReadPage: counted('hisReadPage', async (id, range, limit) => (await store.hisRead(id, range)).slice(0, limit)),
    hisReadColumns: counted('hisReadColumns', store.hisReadColumns as NonNullable<StorageAdapter['hisReadColumns']>),
    hisReadBatchChunks: counted('hisReadBatchChunks', async function* (ids) {
      yield await Promise.resolve({ ts: [], vals: ids.map(() => []) });
    }),
    overrideEnds: counted('overrideEnds', store.overrideEnds as NonNullable<StorageAdapter['overrideEnds']>),
    changeVersion: counted('changeVersion', store.changeVersion),
    subscribeChanges: counted('subscribeChanges', store.subscribeChanges),
    syncChanges: counted('syncChanges', () => Promise.resolve()),
    close: counted('close', store.close),
  };
  return full;
}

// Call every optional member once through `wrapped`.
async function callOptional(wrapped: StorageAdapter): Promise<void> {
  const range = { start: CONTRACT_EPOCH, end: CONTRACT_EPOCH + 1 };
  const { hisReadChunks, hisReadBatchChunks } = wrapped;
  await wrapped.hisWriteBatch?.([{ id: 'a', items: SAMPLES }]);
  await wrapped.pointWriteBatch?.([{ id: 'a', level: 8, val: new Num(1), who: 't' }]);
  await wrapped.readPriorityArrays?.(['a', 'b']);
  if (hisReadChunks !== undefined) for await (const _ of hisReadChunks(['a'][0] as string, range));
  await wrapped.hisReadPage?.('a', range, 10);
  await wrapped.hisReadColumns?.('a', range, (await import('../../src/core/tz/time-zone.js')).TimeZone.UTC);
  if (hisReadBatchChunks !== undefined) for await (const _ of hisReadBatchChunks(['a', 'b'], range));
  await wrapped.overrideEnds?.();
  await wrapped.changeVersion?.();
  const stop = await wrapped.subscribeChanges?.(() => undefined);
  stop?.();
  await wrapped.syncChanges?.();
}

const NO_OBSERVER: StoreObserver = { changed: () => undefined, expires: () => undefined };

const WRAPPERS: readonly [string, (s: StorageAdapter) => StorageAdapter][] = [
  ['observeStore', (s) => observeStore(s, NO_OBSERVER, Date.now)],
  ['instrumentStore', (s) => instrumentStore(s)],
  ['both, as the server wraps its store', (s) => observeStore(instrumentStore(s), NO_OBSERVER, Date.now)],
];

describe.each(WRAPPERS)('%s', (_name, wrap) => {
  it('keeps every member of a memory store', async () => {
    const store = await memoryStore();
    const wrapped = wrap(store);
    const offered = ALL.filter((k) => store[k] !== undefined);
    expect(offered).toContain('pointWriteBatch');
    expect(ALL.filter((k) => wrapped[k] !== undefined)).toEqual(offered);
    expect(wrapped.backend).toBe('memory');
  });

  it('keeps every optional capability, each reaching the store', async () => {
    const calls = new Map<string, number>();
    const wrapped = wrap(fullStore(await memoryStore(), calls));
    expect(ALL.filter((k) => wrapped[k] === undefined)).toEqual([]);
    await callOptional(wrapped);
    for (const k of OPTIONAL) expect(calls.get(k), k).toBeGreaterThanOrEqual(1);
  });

  it('leaves out what the store does not offer, so that callers take their fallback', async () => {
    const all = Object.entries(await memoryStore());
    const store = Object.fromEntries(all.filter(([k]) => !OPTIONAL.includes(k as Member))) as unknown as StorageAdapter;
    const wrapped = wrap(store);
    expect(OPTIONAL.filter((k) => k in wrapped)).toEqual([]);
  });
});

describe('observeStore pointWriteBatch', () => {
  const recorder = (wants = true) => {
    const changed: (readonly EntityChange[])[] = [];
    const expires: [string, number][] = [];
    const observer: StoreObserver = {
      changed: (c) => changed.push(c),
      expires: (id, at) => expires.push([id, at]),
      wants: () => wants,
    };
    return { observer, changed, expires };
  };
  const reqs: readonly PointWriteRequest[] = [
    { id: 'a', level: 8, val: new Num(1), who: 'ops' },
    { id: 'b', level: 8, val: new Num(2), who: 'ops' },
    { id: 'a', level: 10, val: new Num(3), who: 'ops', durationMs: 60_000 },
    // Timed, then released by the same batch: no end to report.
    { id: 'b', level: 9, val: new Num(4), who: 'ops', durationMs: 30_000 },
    { id: 'b', level: 9, val: null, who: 'ops' },
    { id: 'c', level: 11, val: new Num(5), who: 'ops', durationMs: 90_000 },
  ];

  it('reports every point written, once, read back in one read, and the ends of timed levels', async () => {
    const clock = createTestClock();
    const calls = new Map<string, number>();
    const store = fullStore(await memoryStore(clock), calls);
    const { observer, changed, expires } = recorder();
    const observed = observeStore(store, observer, clock.now);
    const arrays = await (observed.pointWriteBatch as NonNullable<StorageAdapter['pointWriteBatch']>)(reqs);
    expect(arrays.map((a) => a.effective)).toEqual([
      new Num(1),
      new Num(2),
      new Num(1),
      new Num(2),
      new Num(2),
      new Num(5),
    ]);
    expect(calls.get('pointWriteBatch')).toBe(1);
    expect(calls.get('pointWrite')).toBeUndefined();
    expect(calls.get('readByIds')).toBe(1);
    expect(changed).toHaveLength(1);
    expect(changed[0]?.map((c) => [c.id, c.now?.get('curVal')])).toEqual([
      ['a', new Num(1)],
      ['b', new Num(2)],
      ['c', new Num(5)],
    ]);
    expect(expires).toEqual([
      ['a', CONTRACT_EPOCH + 60_000],
      ['c', CONTRACT_EPOCH + 90_000],
    ]);
  });

  it('skips the read back while nobody listens, and reports nothing for a failed batch', async () => {
    const calls = new Map<string, number>();
    const store = fullStore(await memoryStore(), calls);
    const idle = recorder(false);
    await observeStore(store, idle.observer, Date.now).pointWriteBatch?.(reqs);
    expect(calls.get('readByIds')).toBeUndefined();
    expect(idle.changed).toEqual([]);
    const busy = recorder();
    const failing = observeStore(store, busy.observer, Date.now).pointWriteBatch?.([
      { id: 'a', level: 8, val: new Num(9), who: 'ops' },
      { id: 'nope', level: 8, val: new Num(9), who: 'ops' },
    ]);
    await expect(failing).rejects.toMatchObject({ code: 'HS_ERR_UNKNOWN_REC' });
    expect(busy.changed).toEqual([]);
  });
});

describe('instrumentStore optional capabilities', () => {
  it('times and counts pointWriteBatch and the other optional calls like the rest', async () => {
    const events: StoreQueryEvent[] = [];
    const listen = (e: unknown): void => {
      events.push(e as StoreQueryEvent);
    };
    diagnostics.subscribe(SERVER_CHANNELS.storeQuery, listen);
    try {
      const wrapped = instrumentStore(fullStore(await memoryStore(), new Map()));
      await callOptional(wrapped);
    } finally {
      diagnostics.unsubscribe(SERVER_CHANNELS.storeQuery, listen);
    }
    const byKind = new Map(events.map((e) => [e.kind, e]));
    expect(byKind.get('pointWriteBatch')).toMatchObject({ backend: 'memory', ok: true, items: 1 });
    expect(byKind.get('hisWriteBatch')).toMatchObject({ ok: true, items: 1 });
    expect(byKind.get('readPriorityArrays')).toMatchObject({ ok: true, items: 2 });
    expect(byKind.get('hisReadPage')).toMatchObject({ ok: true, items: 1 });
    expect(byKind.get('hisReadColumns')).toMatchObject({ ok: true, items: 1 });
    expect(byKind.get('overrideEnds')).toMatchObject({ ok: true, items: 0 });
    for (const kind of ['pointWriteBatch', 'hisReadPage', 'hisReadColumns', 'overrideEnds']) {
      expect(byKind.get(kind)?.durationMs, kind).toBeGreaterThanOrEqual(0);
    }
  });
});

describe('a served store', () => {
  // An op that writes several levels with the store's batch write (refusing to fall back to level by level).
  const writeLevels: OpDef = {
    name: 'writeLevels',
    doc: 'Writes each row (id, level, val) in one batch.',
    noSideEffects: false,
    requiredRole: 'operator',
    handler: async (req, ctx) => {
      const batch = ctx.store.pointWriteBatch;
      if (batch === undefined) throw new Error('the served store lost pointWriteBatch');
      const arrays = await batch(
        req.rows.map((r) => ({
          id: (r.get('id') as Ref).id,
          level: (r.get('level') as Num).val,
          val: r.get('val') ?? null,
          who: 'writeLevels',
        })),
      );
      return Grid.fromDicts(arrays.map((a) => ({ effective: a.effective })));
    },
  };
  // An op that answers which optional capabilities its store offers.
  const capabilities: OpDef = {
    name: 'capabilities',
    doc: 'Names the optional store methods the op context offers.',
    noSideEffects: true,
    requiredRole: 'viewer',
    handler: (_req, ctx) =>
      Promise.resolve(Grid.fromDicts(OPTIONAL.filter((k) => ctx.store[k] !== undefined).map((name) => ({ name })))),
  };

  let f: Fixture | undefined;
  afterEach(async () => {
    await f?.close();
    f = undefined;
  });

  it('offers ops every optional capability of the store, over a real socket', async () => {
    const clock = createTestClock();
    const calls = new Map<string, number>();
    const store = fullStore(await memoryStore(clock), calls);
    f = await startFixture({ store, ops: [capabilities] });
    const names = (await get(f, 'capabilities')).rows.map((r) => r.get('name'));
    expect(names).toEqual(OPTIONAL);
  });

  it('takes the batch path for pointWriteBatch and its writes reach the response cache', async () => {
    const calls = new Map<string, number>();
    const building = createMemoryStore();
    await building.commit(BUILDING.map((r) => ({ op: 'add', tags: Dict.of(r) })));
    f = await startFixture({ store: fullStore(building, calls), responseCache: true, ops: [writeLevels] });
    const g = f;
    const curVal = async (): Promise<unknown> => (await get(g, 'read?id=@sp')).rows[0]?.get('curVal');
    expect(await curVal()).toBeNull();
    const answer = await post(
      g,
      'writeLevels',
      Grid.fromDicts([
        { id: new Ref('sp'), level: new Num(16), val: new Num(70, '°F') },
        { id: new Ref('sp'), level: new Num(8), val: new Num(72, '°F') },
      ]),
    );
    expect(answer.rows.map((r) => r.get('effective'))).toEqual([new Num(70, '°F'), new Num(72, '°F')]);
    expect(calls.get('pointWriteBatch')).toBe(1);
    expect(calls.get('pointWrite')).toBeUndefined();
    // The cached read is dropped: the batch write was reported like a pointWrite.
    expect(await curVal()).toEqual(new Num(72, '°F'));
    await building.close();
  });
});
