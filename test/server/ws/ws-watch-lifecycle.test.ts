// Live watches from a user's side, over the memory and SQLite stores: entities removed while watched, watches that
// end on the server while a client holds them, and leases while pushes are held back.

import diagnostics from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket as WsSocket } from 'ws';
import {
  HaystackClient,
  isRemovedRow,
  type ReconnectEvent,
  ReconnectingWebSocketClient,
  UsersClient,
  WebSocketClient,
  WebSocketClosedError,
  type WebSocketLike,
  type WsPush,
} from '../../../src/client/index.js';
import { CallError } from '../../../src/core/errors.js';
import { type Dict, dict } from '../../../src/core/grid/dict.js';
import { Grid } from '../../../src/core/grid/grid.js';
import { MARKER } from '../../../src/core/kinds/marker.js';
import { Num } from '../../../src/core/kinds/number.js';
import { Ref } from '../../../src/core/kinds/ref.js';
import { WS_CLOSE } from '../../../src/core/ws/ws-close-codes.js';
import { encodeWsRequest } from '../../../src/core/ws/ws-envelope.js';
import {
  createServer,
  type HaystackServer,
  type OpDef,
  SERVER_CHANNELS,
  type StoreQueryEvent,
} from '../../../src/server/index.js';
import type { StorageAdapter } from '../../../src/storage/adapter.js';
import { createMemoryStore } from '../../../src/storage/memory/index.js';
import { openSqliteStore } from '../../../src/storage/sqlite/index.js';
import { createTestClock } from '../../../src/storage/testing/test-clock.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { rawSocket, stalledAnswerOp, startWsFixture } from './ws-fixture.js';

const dir = makeTempDir('hs-ws-watch-');
afterAll(() => {
  dir.remove();
});

const BACKENDS: readonly { readonly name: string; open(): Promise<StorageAdapter> }[] = [
  { name: 'memory', open: () => Promise.resolve(createMemoryStore()) },
  { name: 'sqlite', open: () => openSqliteStore({ path: dir.file(`${String(Math.random()).slice(2)}.db`) }) },
];

function point(id: string): Dict {
  return dict({ id: new Ref(id), dis: `Point ${id}`, point: MARKER, writable: MARKER, kind: 'Number', unit: '°F' });
}

describe.each(BACKENDS)('watched entities removed ($name store)', ({ open }) => {
  let store: StorageAdapter;
  let server: HaystackServer;
  let url: string;

  beforeAll(async () => {
    store = await open();
    await store.commit(['a', 'b', 'c', 'd'].map((id) => ({ op: 'add' as const, tags: point(id) })));
    // Removals come straight to the store (an import, another process): pushed watches see them at their next poll.
    server = createServer({ store, noAuth: true, webSocket: { pushPollMs: 20 } });
    url = (await server.listen(0, '127.0.0.1')).url;
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });

  it('a polled watch (HTTP) reports the removal once and forgets the entity', async () => {
    const http = new HaystackClient({ url });
    const w = await http.watch(['a', 'b']);
    expect([...w.entities.keys()]).toEqual(['a', 'b']);
    await store.commit([{ op: 'remove', id: 'b' }]);
    const changed = await w.poll();
    expect(changed.map((r) => [r.id?.id, isRemovedRow(r)])).toEqual([['b', true]]);
    expect([...w.entities.keys()]).toEqual(['a']);
    expect(await w.poll()).toEqual([]);
    await w.close();
  });

  it('a pushed watch (WebSocket) is told of the removal, and its changes() yield it', async () => {
    const ws = new WebSocketClient({ url });
    try {
      const w = await ws.watch(['c', 'd']);
      const changes = w.changes()[Symbol.asyncIterator]();
      await store.commit([{ op: 'remove', id: 'd' }]);
      const got = await changes.next();
      expect(got.value?.map((r) => [r.id?.id, isRemovedRow(r)])).toEqual([['d', true]]);
      expect([...w.entities.keys()]).toEqual(['c']);
      await w.close();
    } finally {
      await ws.close();
    }
  });
});

it('takes a row of only an id and `removed` for a removal, not an entity that has a `removed` tag', () => {
  expect(isRemovedRow(dict({ id: new Ref('x'), removed: MARKER }))).toBe(true);
  expect(isRemovedRow(dict({ id: new Ref('x'), removed: MARKER, dis: 'kept' }))).toBe(false);
  expect(isRemovedRow(dict({ id: new Ref('x'), curVal: new Num(1) }))).toBe(false);
});

describe('a pushed watch that ends on the server', () => {
  let store: StorageAdapter;
  let server: HaystackServer;
  let url: string;

  beforeAll(async () => {
    store = createMemoryStore();
    await store.commit(['a', 'b'].map((id) => ({ op: 'add' as const, tags: point(id) })));
    server = createServer({ store, noAuth: true, webSocket: { pushPollMs: 20 } });
    url = (await server.listen(0, '127.0.0.1')).url;
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });

  const closeOverHttp = (watchId: string): Promise<Grid> =>
    new HaystackClient({ url }).call('watchUnsub', Grid.make({ meta: { watchId, close: MARKER }, cols: [] }));

  it('WebSocketClient: changes() throw the error grid the server pushed, rather than wait forever', async () => {
    const ws = new WebSocketClient({ url });
    try {
      const w = await ws.watch(['a']);
      const pushes: WsPush[] = [];
      ws.onPush((p) => pushes.push(p));
      const changes = w.changes()[Symbol.asyncIterator]();
      await closeOverHttp(w.id);
      const err = await changes.next().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(CallError);
      expect((err as CallError).remoteCode).toBe('HS_ERR_UNKNOWN_NAME');
      expect(pushes.map((p) => [p.watchId, p.grid.isError])).toEqual([[w.id, true]]);
      // Opened again by the caller, it is fed again.
      await w.resubscribe();
      const again = w.changes()[Symbol.asyncIterator]();
      expect((await again.next()).value?.map((r) => r.id?.id)).toEqual(['a']);
      await w.close();
    } finally {
      await ws.close();
    }
  });

  it('ReconnectingWebSocketClient: opens the watch again by itself, and its changes() go on', async () => {
    const events: ReconnectEvent[] = [];
    const ws = new ReconnectingWebSocketClient({ url, onReconnect: (e) => events.push(e) });
    try {
      const w = await ws.watch(['a', 'b']);
      const first = w.id;
      const changes = w.changes()[Symbol.asyncIterator]();
      await closeOverHttp(first);
      // The state of every entity again, from the new watch.
      expect((await changes.next()).value?.map((r) => r.id?.id)).toEqual(['a', 'b']);
      expect(w.id).not.toBe(first);
      expect(events).toContainEqual({ type: 'resubscribed', watchId: w.id });
      await w.close();
    } finally {
      await ws.close();
    }
  });
});

describe('a pushed watch whose pushes are held back (slow reader)', () => {
  const clock = createTestClock();
  let store: StorageAdapter;
  let server: HaystackServer;
  let url: string;
  // An answer that stalls half sent until the test opens its gate: meanwhile pushes are held back.
  const slow = stalledAnswerOp();

  beforeAll(async () => {
    store = createMemoryStore({ clock: clock.now });
    await store.commit([{ op: 'add', tags: point('a') }]);
    server = createServer({
      store,
      noAuth: true,
      clock: clock.now,
      ops: [slow.op],
      webSocket: { maxBufferedBytes: 64, pushPollMs: 20 },
    });
    url = (await server.listen(0, '127.0.0.1')).url;
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });

  it('keeps its lease while held back, and sends the held changes once the client reads', async () => {
    const raw = await rawSocket(`${url.replace(/^http/, 'ws')}ws`);
    const sub = Grid.make({
      meta: { watchDis: 'held', lease: new Num(60, 's') },
      cols: ['id'],
      rows: [{ id: new Ref('a') }],
    });
    raw.ws.send(encodeWsRequest('s', 'watchSub', sub));
    const watchId = (JSON.parse(await raw.next()) as { grid: { meta: { watchId: string } } }).grid.meta.watchId;
    const stalled = slow.stalled();
    raw.ws.send(encodeWsRequest('r', 'slowRows', Grid.EMPTY));
    await stalled;
    const http = new HaystackClient({ url });
    // The first push waits behind the stalled answer; from then on pushes are held back in the watch.
    await http.pointWrite('a', 8, new Num(71, '°F'));
    await http.about();
    const renewals: string[] = [];
    let renewed: (() => void) | undefined;
    const onQuery = (m: unknown): void => {
      if ((m as StoreQueryEvent).kind !== 'watchLease') return;
      renewals.push('lease');
      renewed?.();
    };
    diagnostics.subscribe(SERVER_CHANNELS.storeQuery, onQuery);
    try {
      // Two minutes of a 60 s lease pass while the client reads nothing.
      for (let step = 0; step < 4; step++) {
        clock.advance(30_000);
        await new Promise<void>((resolve) => {
          renewed = resolve;
        });
      }
    } finally {
      diagnostics.unsubscribe(SERVER_CHANNELS.storeQuery, onQuery);
    }
    expect(renewals.length).toBeGreaterThanOrEqual(4);
    expect((await store.watchInfo(watchId))?.id).toBe(watchId);
    await http.pointWrite('a', 8, new Num(72, '°F'));
    await http.about();
    slow.open();
    const values: number[] = [];
    while (!values.includes(72)) {
      const m = JSON.parse(await raw.next()) as { type?: string; grid: { rows: { curVal?: { val: number } }[] } };
      if (m.type === 'watch') values.push(...m.grid.rows.map((r) => r.curVal?.val ?? Number.NaN));
    }
    expect(values).toEqual([71, 72]);
    raw.ws.close();
  });
});

describe('an answer longer than the client takes', () => {
  it('fails the call with the reason the client gave, not a bare 1006, and the next call connects again', async () => {
    const row = { s: 'x'.repeat(1000) };
    const big: OpDef = {
      name: 'big',
      doc: 'Answers about 200 KB.',
      noSideEffects: true,
      requiredRole: 'viewer',
      handler: () => Grid.fromDicts(Array.from({ length: 200 }, () => row)),
    };
    const server = createServer({ store: createMemoryStore(), noAuth: true, ops: [big] });
    const { url } = await server.listen(0, '127.0.0.1');
    // The `ws` package's client, as an app passes it to send headers or use a proxy; its maxPayload is 64 KiB here.
    const ws = new WebSocketClient({
      url,
      webSocket: (u, p) => new WsSocket(u, [...p], { maxPayload: 64 * 1024 }) as unknown as WebSocketLike,
    });
    try {
      const err = await ws.call('big').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(WebSocketClosedError);
      expect((err as WebSocketClosedError).message).toMatch(/max payload/i);
      expect((await ws.about()).has('productName')).toBe(true);
    } finally {
      await ws.close();
      await server.close();
    }
  });
});

describe('a user changed by an admin while connected', () => {
  it('runs the next call over the WebSocket with the new role, or not at all once disabled, as HTTP does', async () => {
    // The periodic session check is out of the picture: only the change itself may take effect.
    const f = await startWsFixture({ webSocket: { sessionCheckMs: 3_600_000 } });
    const admin = await UsersClient.connect({ url: f.url, fetch, token: await f.token('admin') });
    const ws = new WebSocketClient({ url: f.wsUrl, token: await f.token('operator') });
    try {
      await ws.pointWrite('p1', 10, new Num(70, '°F'));
      await admin.update('operator', { role: 'viewer' });
      const demoted = await ws.pointWrite('p1', 10, new Num(71, '°F')).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((demoted as CallError).remoteCode).toBe('HS_ERR_PERMISSION');
      expect((await ws.read('point')).size).toBe(3);
      await admin.update('operator', { enabled: false });
      const disabled = await ws.about().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(disabled).toBeInstanceOf(WebSocketClosedError);
      expect((disabled as WebSocketClosedError).closeCode).toBe(WS_CLOSE.SESSION_ENDED.code);
    } finally {
      await ws.disconnect();
      await f.close();
    }
  });
});
