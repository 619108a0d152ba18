// The WebSocket endpoint over real sockets: every op, batches, pushes, logins and their failures, limits, backpressure.

import diagnostics from 'node:diagnostics_channel';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  HaystackClient,
  type NetworkError,
  type ReconnectEvent,
  ReconnectingWebSocketClient,
  TODAY,
  WebSocketClient,
  type WebSocketClosedError,
  WebSocketPool,
  type WsPush,
} from '../../../src/client/index.js';
import { CallError } from '../../../src/core/errors.js';
import { Grid } from '../../../src/core/grid/grid.js';
import { HDateTime } from '../../../src/core/kinds/date-time.js';
import { MARKER } from '../../../src/core/kinds/marker.js';
import { Num } from '../../../src/core/kinds/number.js';
import { Ref } from '../../../src/core/kinds/ref.js';
import { WS_CLOSE } from '../../../src/core/ws/ws-close-codes.js';
import { encodeWsAuth, encodeWsBatch, encodeWsRequest } from '../../../src/core/ws/ws-envelope.js';
import { type OpDef, type OpEvent, SERVER_CHANNELS } from '../../../src/server/index.js';
import { PASSWORD, rawSocket, stalledAnswerOp, startWsFixture, type WsFixture, wsFactory } from './ws-fixture.js';

/** An op any viewer may call, without side effects. */
function testOp(name: string, doc: string, handler: OpDef['handler']): OpDef {
  return { name, doc, noSideEffects: true, requiredRole: 'viewer', handler };
}

async function failure(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a failure');
}

describe('WebSocket endpoint with authentication', () => {
  let f: WsFixture;
  let http: HaystackClient;

  beforeAll(async () => {
    f = await startWsFixture({ webSocket: { maxBatch: 5, maxMessageBytes: 64 * 1024, sessionCheckMs: 50 } });
    http = new HaystackClient({ url: f.url, token: await f.token('admin') });
  });
  afterAll(async () => {
    await f.close();
  });

  it('serves every op as HTTP does', async () => {
    const ws = new WebSocketClient({ url: f.wsUrl, token: await f.token('admin') });
    expect((await ws.about()).get('productName')).toBe((await http.about()).get('productName'));
    expect((await ws.ops()).size).toBe((await http.ops()).size);
    expect((await ws.formats()).size).toBeGreaterThan(0);
    expect((await ws.read('point')).size).toBe(3);
    expect((await ws.read('point', { limit: 1 })).size).toBe(1);
    expect((await ws.readByIds(['p1', '@s1'])).rows.map((r) => r.dis())).toEqual(['Point p1', 'Site 1']);
    expect((await ws.nav()).size).toBeGreaterThan(0);
    const ts = HDateTime.fromEpochMs(Date.now() - 60_000, 'New_York');
    await ws.hisWrite('p2', [{ ts, val: new Num(71, '°F') }]);
    expect((await ws.hisRead('p2', TODAY)).size).toBe((await http.hisRead('p2', TODAY)).size);
    expect((await ws.hisReadMany(['p1', 'p2'], TODAY)).cols.length).toBe(3);
    await ws.pointWrite('p3', 10, new Num(68, '°F'), { who: 'ws test' });
    expect(String((await ws.pointWriteArray('p3')).rows[9]?.get('val'))).toBe('68°F');
    const unknownAction = await failure(ws.invokeAction('p3', 'nope'));
    expect(unknownAction).toBeInstanceOf(CallError);
    for (const op of ['defs', 'libs', 'filetypes'] as const) expect((await ws[op]()).size).toBeGreaterThan(0);
    expect(((await failure(ws.call('noSuchOp'))) as CallError).remoteType).toBe('UnknownNameErr');
    await ws.close();
  });

  it('answers batches in order, built from calls or from op methods, and refuses long ones whole', async () => {
    const ws = new WebSocketClient({ url: f.wsUrl, token: await f.token('viewer') });
    const grids = await ws.batch([
      { op: 'about' },
      { op: 'nope' },
      { op: 'read', grid: Grid.fromDicts([{ filter: 'site' }]) },
    ]);
    expect(grids.map((g) => g.isError)).toEqual([false, true, false]);
    expect(grids[2]?.size).toBe(1);
    const [about, sites] = await ws.batch((b) => [b.about(), b.read('site')] as const);
    expect(about.get('productName')).toBe('haystack-ts');
    expect(sites.size).toBe(1);
    // The viewer may not write: that member fails like a single call would, in its place.
    const denied = await failure(ws.batch((b) => [b.about(), b.pointWrite('p1', 8, null)] as const));
    expect((denied as CallError).remoteType).toBe('PermissionErr');
    const long = await ws.batch(Array.from({ length: 6 }, () => ({ op: 'about' })));
    expect(long).toHaveLength(6);
    expect(long.every((g) => g.isError && g.meta.get('errType') === 'LimitErr')).toBe(true);
    await ws.close();
  });

  it('pushes watch changes to the subscribing connection only, as a poll would give them', async () => {
    const a = new WebSocketClient({ url: f.wsUrl, token: await f.token('viewer') });
    const b = new WebSocketClient({ url: f.wsUrl, token: await f.token('viewer') });
    const wa = await a.watch(['p1']);
    const wb = await b.watch(['p2']);
    const seenByB: WsPush[] = [];
    b.onPush((p) => seenByB.push(p));
    const changesA = wa.changes()[Symbol.asyncIterator]();
    const changesB = b.pushes()[Symbol.asyncIterator]();
    await http.pointWrite('p1', 8, new Num(75, '°F'));
    const first = await changesA.next();
    expect(first.done).toBe(false);
    expect(String(first.value?.[0]?.get('curVal'))).toBe('75°F');
    expect(String(wa.entities.get('p1')?.get('curVal'))).toBe('75°F');
    // b's watch changes after a's: b's first push is its own, so a's never reached it.
    await http.pointWrite('p2', 8, new Num(76, '°F'));
    const pushB = await changesB.next();
    expect(pushB.value?.watchId).toBe(wb.id);
    expect(seenByB.map((p) => p.watchId)).toEqual([wb.id]);
    await wa.close();
    await wb.close();
    await a.close();
    await b.close();
  });

  it("reports a push's own watchPoll apart from the client's calls (transport ws-push), for metrics and logs", async () => {
    const events: OpEvent[] = [];
    const listener = (m: unknown): void => {
      events.push(m as OpEvent);
    };
    diagnostics.subscribe(SERVER_CHANNELS.op, listener);
    const ws = new WebSocketClient({ url: f.wsUrl, token: await f.token('viewer') });
    try {
      const w = await ws.watch(['p1']);
      const pushes = ws.pushes()[Symbol.asyncIterator]();
      await http.pointWrite('p1', 8, new Num(77, '°F'));
      expect((await pushes.next()).value?.watchId).toBe(w.id);
      await w.close();
    } finally {
      await ws.close();
      diagnostics.unsubscribe(SERVER_CHANNELS.op, listener);
    }
    // The client called watchSub, watchUnsub and close over the socket; the server polled for the push on its own.
    expect(events.filter((e) => e.transport === 'ws').map((e) => e.op)).toEqual(['watchSub', 'watchUnsub', 'close']);
    expect(events.filter((e) => e.transport === 'ws-push').map((e) => e.op)).toContain('watchPoll');
  });

  it('logs in by header, first message or SCRAM over the socket, and refuses bad logins with close codes', async () => {
    const header = new WebSocketClient({
      url: f.wsUrl,
      webSocket: wsFactory({ authorization: `BEARER authToken=${await f.token('viewer')}` }),
    });
    expect((await header.about()).get('productName')).toBe('haystack-ts');
    await header.disconnect();
    const scram = new WebSocketClient({ url: f.url, username: 'operator', password: PASSWORD });
    await scram.pointWrite('p3', 9, new Num(66, '°F'));
    await scram.close();

    const badToken = (await failure(
      new WebSocketClient({ url: f.wsUrl, token: 'x'.repeat(43) }).about(),
    )) as WebSocketClosedError;
    expect(badToken.closeCode).toBe(WS_CLOSE.AUTH_FAILED.code);
    expect(badToken.code).toBe('HS_ERR_AUTH');
    const badPassword = await failure(
      new WebSocketClient({ url: f.wsUrl, username: 'viewer', password: 'wrong' }).about(),
    );
    expect((badPassword as WebSocketClosedError).code).toBe('HS_ERR_AUTH');
    const badHeader = await failure(rawSocket(f.wsUrl, { authorization: 'BEARER authToken=nope' }));
    expect(String(badHeader)).toMatch(/401/);
    // A page of another origin may open a socket and log in by a message: it brings its own credentials.
    const page = await rawSocket(f.wsUrl, { origin: 'https://elsewhere.example', 'sec-fetch-site': 'cross-site' });
    page.ws.send(encodeWsAuth(await f.token('viewer')));
    expect(await page.next()).toContain('authOk');
    page.ws.close();
    const early = await rawSocket(f.wsUrl);
    early.ws.send(encodeWsRequest('1', 'about', Grid.EMPTY));
    expect((await early.closed).code).toBe(WS_CLOSE.AUTH_FAILED.code);
    const junk = await rawSocket(f.wsUrl);
    junk.ws.send('not json');
    expect((await junk.closed).code).toBe(WS_CLOSE.PROTOCOL.code);
  });

  it('ends connections when their session ends: close here, revocation elsewhere', async () => {
    const token = await f.token('viewer');
    const one = new WebSocketClient({ url: f.wsUrl, token });
    const two = await rawSocket(f.wsUrl);
    two.ws.send(encodeWsAuth(token));
    expect(JSON.parse(await two.next())).toEqual({ type: 'authOk' });
    await one.about();
    await one.close();
    // Only the connection that asked gets 4002; its session's other connections ended elsewhere.
    expect((await two.closed).code).toBe(WS_CLOSE.SESSION_ENDED.code);

    const other = await rawSocket(f.wsUrl, { authorization: `BEARER authToken=${await f.token('operator')}` });
    expect(await f.security?.tokens.revokeUser('operator')).toBeGreaterThan(0);
    // The periodic check (sessionCheckMs) notices; the test waits for the close event.
    expect((await other.closed).code).toBe(WS_CLOSE.SESSION_ENDED.code);
  });

  it('ends connections at once when their session is closed over HTTP on this server', async () => {
    // No periodic session check comes round during the test: only the close itself can end the connection.
    const g = await startWsFixture({ webSocket: { sessionCheckMs: 3_600_000 } });
    try {
      const token = await g.token('viewer');
      const ws = await rawSocket(g.wsUrl, { authorization: `BEARER authToken=${token}` });
      const other = await rawSocket(g.wsUrl, { authorization: `BEARER authToken=${await g.token('viewer')}` });
      ws.ws.send(encodeWsRequest('1', 'about', Grid.EMPTY));
      expect(await ws.next()).toContain('"id":"1"');
      const res = await fetch(`${g.url}close`, {
        method: 'POST',
        headers: { authorization: `BEARER authToken=${token}` },
      });
      expect(res.status).toBe(200);
      expect((await ws.closed).code).toBe(WS_CLOSE.SESSION_ENDED.code);
      // The user's other session goes on.
      other.ws.send(encodeWsRequest('2', 'about', Grid.EMPTY));
      expect(await other.next()).toContain('"id":"2"');
    } finally {
      await g.close();
    }
  });

  it('closes on a message longer than the limit', async () => {
    const raw = await rawSocket(f.wsUrl);
    raw.ws.send(encodeWsAuth(await f.token('viewer')));
    raw.ws.send(encodeWsRequest('1', 'read', Grid.fromDicts([{ filter: `dis == "${'x'.repeat(70_000)}"` }])));
    expect((await raw.closed).code).toBe(WS_CLOSE.TOO_BIG.code);
  });

  it('decodes nothing long before a login: anyone could make the server parse megabytes', async () => {
    // A request of 60,000 characters is within the limit once logged in (sent right behind the login, it waits for it)…
    const filter = `dis == "${'x'.repeat(60_000)}"`;
    const ok = await rawSocket(f.wsUrl);
    ok.ws.send(encodeWsAuth(await f.token('viewer')));
    ok.ws.send(encodeWsRequest('1', 'read', Grid.fromDicts([{ filter }])));
    expect(await ok.next()).toContain('authOk');
    expect(await ok.next()).toContain('"id":"1"');
    ok.ws.close();
    // …but before one it is refused unread, as too big; a login message of that size is no login either.
    for (const text of [encodeWsRequest('1', 'read', Grid.fromDicts([{ filter }])), encodeWsAuth('x'.repeat(60_000))]) {
      const early = await rawSocket(f.wsUrl);
      early.ws.send(text);
      expect((await early.closed).code).toBe(WS_CLOSE.TOO_BIG.code);
    }
  });

  it('answers a batch member that is not a request with an error in its place', async () => {
    const raw = await rawSocket(f.wsUrl);
    raw.ws.send(encodeWsAuth(await f.token('viewer')));
    await raw.next();
    raw.ws.send(encodeWsBatch([encodeWsRequest('a', 'about', Grid.EMPTY), '{"id":"b","grid":5}']));
    const answers = JSON.parse(await raw.next()) as { id: string; grid: { meta: Record<string, unknown> } }[];
    expect(answers.map((x) => x.id)).toEqual(['a', 'b']);
    expect(answers[1]?.grid.meta.err).toBeDefined();
    raw.ws.close();
  });

  it('answers a lone request with a bad grid or op with an error carrying its id', async () => {
    const raw = await rawSocket(f.wsUrl);
    raw.ws.send(encodeWsAuth(await f.token('viewer')));
    await raw.next();
    type Answer = { id?: string; ch?: string; grid: { meta: Record<string, unknown> } };
    raw.ws.send('{"id":"g","ch":"c","op":"read","grid":5}');
    const badGrid = JSON.parse(await raw.next()) as Answer;
    expect([badGrid.id, badGrid.ch, badGrid.grid.meta.errCode]).toEqual(['g', 'c', 'HS_ERR_BAD_REQUEST']);
    raw.ws.send('{"id":"o","op":7}');
    const badOp = JSON.parse(await raw.next()) as Answer;
    expect([badOp.id, badOp.grid.meta.errCode]).toEqual(['o', 'HS_ERR_BAD_REQUEST']);
    // No op at all: answered too (it waited for a timeout), with or without a grid; without an id nothing can be.
    raw.ws.send('{"id":"n"}');
    raw.ws.send('{"grid":{"_kind":"grid","meta":{"ver":"3.0"},"cols":[],"rows":[]}}');
    raw.ws.send('{"id":"m","ch":"c","grid":{"_kind":"grid","meta":{"ver":"3.0"},"cols":[],"rows":[]}}');
    for (const [id, ch] of [
      ['n', undefined],
      ['m', 'c'],
    ]) {
      const noOp = JSON.parse(await raw.next()) as Answer;
      expect([noOp.id, noOp.ch, noOp.grid.meta.errCode, noOp.grid.meta.dis]).toEqual([
        id,
        ch,
        'HS_ERR_BAD_REQUEST',
        'The request has no op',
      ]);
    }
    // Before login the same message is a protocol error, as any message that is not a login step is.
    const early = await rawSocket(f.wsUrl);
    early.ws.send('{"id":"g","op":"read","grid":5}');
    expect((await early.closed).code).toBe(WS_CLOSE.PROTOCOL.code);
    raw.ws.close();
  });
});

describe('WebSocket endpoint without authentication', () => {
  let f: WsFixture;
  let running = 0;
  let most = 0;
  const gates: (() => void)[] = [];
  let arrived: (() => void) | undefined;
  const gated = testOp('gated', 'Waits until the test opens its gate.', async () => {
    running++;
    most = Math.max(most, running);
    await new Promise<void>((resolve) => {
      gates.push(resolve);
      arrived?.();
    });
    running--;
    return Grid.EMPTY;
  });

  beforeAll(async () => {
    f = await startWsFixture({
      auth: false,
      webSocket: { maxInFlight: 2 },
      extra: { ops: [gated] },
    });
  });
  afterAll(async () => {
    await f.close();
  });

  it('gives no socket to a page of another origin, nor to a Host name rebound to this machine', async () => {
    const port = new URL(f.url).port;
    // A page anywhere can open a WebSocket to a loopback server: with no login to stop it, only its origin can.
    for (const headers of [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: `http://127.0.0.1:${port}`, 'sec-fetch-site': 'cross-site' },
      { origin: `http://localhost:${String(Number(port) + 1)}` },
      { host: `evil.example:${port}`, origin: `http://evil.example:${port}` },
    ]) {
      expect(String(await failure(rawSocket(f.wsUrl, headers))), JSON.stringify(headers)).toMatch(/403/);
    }
    for (const headers of [
      {},
      { origin: `http://127.0.0.1:${port}` },
      { origin: `http://localhost:${port}`, host: `localhost:${port}`, 'sec-fetch-site': 'same-origin' },
    ]) {
      const same = await rawSocket(f.wsUrl, headers);
      same.ws.send(encodeWsRequest('1', 'about', Grid.EMPTY));
      expect(await same.next()).toContain('"id":"1"');
      same.ws.close();
    }
  });

  it('runs at most maxInFlight requests of a connection at once, and answers them all', async () => {
    const ws = new WebSocketClient({ url: f.wsUrl });
    const calls = Array.from({ length: 6 }, () => ws.call('gated'));
    // Let two requests pile up each time before opening one gate: a third never starts meanwhile.
    for (let left = 6; left > 0; left--) {
      while (gates.length < Math.min(2, left)) {
        await new Promise<void>((resolve) => {
          arrived = resolve;
        });
      }
      gates.shift()?.();
    }
    expect((await Promise.all(calls)).length).toBe(6);
    expect(most).toBe(2);
    await ws.disconnect();
  });

  it('declines permessage-deflate by default; with compression it answers compressed; drops a silent peer', async () => {
    // Pings this frequent get their own server, used only by the silent peer: on a loaded machine a live peer's pong
    // can miss 50 ms, and a live connection here (the compressed answer, the reconnect count of other tests) would
    // see that drop.
    const pinging = await startWsFixture({ auth: false, webSocket: { pingIntervalMs: 50 } });
    const compressing = await startWsFixture({ auth: false, webSocket: { compression: true } });
    const plain = await startWsFixture({ auth: false });
    try {
      // The `ws` client offers the extension, as browsers do.
      const declined = await rawSocket(plain.wsUrl);
      expect(declined.ws.extensions).toBe('');
      declined.ws.close();
      const compressed = await rawSocket(compressing.wsUrl);
      expect(compressed.ws.extensions).toContain('permessage-deflate');
      // The ops grid is past the 1 KiB threshold: it goes out compressed and reads back whole.
      compressed.ws.send(encodeWsRequest('1', 'ops', Grid.EMPTY));
      const ops = await compressed.next();
      expect(ops.length).toBeGreaterThan(1024);
      expect(ops).toContain('"hisRead"');
      compressed.ws.close();
      const silent = await rawSocket(pinging.wsUrl, {}, false);
      expect(silent.ws.protocol).toBe('haystack');
      // No pong: the server ends the connection without a close frame (1006 on this side).
      expect((await silent.closed).code).toBe(1006);
    } finally {
      await pinging.close();
      await compressing.close();
      await plain.close();
    }
  });

  it('multiplexes named channels over one socket', async () => {
    const pool = new WebSocketPool({ url: f.wsUrl });
    const [x, y] = [pool.channel('x'), pool.channel('y')];
    expect(pool.channel('x')).toBe(x);
    const [ax, ay] = await Promise.all([x.about(), y.read('site')]);
    expect(ax.get('productName')).toBe('haystack-ts');
    expect(ay.size).toBe(1);
    const wy = await y.watch(['p1']);
    const it = wy.changes()[Symbol.asyncIterator]();
    await new HaystackClient({ url: f.url }).pointWrite('p1', 8, new Num(80, '°F'));
    expect(String((await it.next()).value?.[0]?.get('curVal'))).toBe('80°F');
    await pool.disconnect();
  });

  it('keeps pushes nobody has taken from changes() as one batch: the latest state of each entity', async () => {
    const client = new WebSocketClient({ url: f.wsUrl });
    const w = await client.watch(['p1', 'p2']);
    let pushed: (() => void) | undefined;
    client.onPush(() => pushed?.());
    const http = new HaystackClient({ url: f.url });
    // An app that reads `entities` on each push and never iterates changes().
    for (const [id, v] of [
      ['p1', 91],
      ['p2', 92],
      ['p1', 93],
    ] as const) {
      const got = new Promise<void>((resolve) => {
        pushed = resolve;
      });
      await http.pointWrite(id, 8, new Num(v, '°F'));
      await got;
    }
    expect(String(w.entities.get('p1')?.get('curVal'))).toBe('93°F');
    const first = await w.changes()[Symbol.asyncIterator]().next();
    expect(first.value?.map((r) => `${String(r.id?.id)} ${String(r.get('curVal'))}`)).toEqual(['p1 93°F', 'p2 92°F']);
    await w.close();
    await client.disconnect();
  });

  it('reconnects with backoff and resubscribes its watches', async () => {
    const events: ReconnectEvent[] = [];
    let resubscribed: (() => void) | undefined;
    const client = new ReconnectingWebSocketClient({
      url: f.wsUrl,
      minDelayMs: 1,
      random: () => 0.5,
      onReconnect: (e) => {
        events.push(e);
        if (e.type === 'resubscribed') resubscribed?.();
      },
    });
    const w = await client.watch(['p2']);
    const changes = w.changes()[Symbol.asyncIterator]();
    const again = new Promise<void>((resolve) => {
      resubscribed = resolve;
    });
    f.server.handler.closeWebSockets();
    await again;
    // After a reconnect the watch reports every entity as it is now.
    expect((await changes.next()).value?.[0]?.id?.id).toBe('p2');
    await new HaystackClient({ url: f.url }).pointWrite('p2', 8, new Num(81, '°F'));
    expect(String((await changes.next()).value?.[0]?.get('curVal'))).toBe('81°F');
    expect(events.map((e) => e.type)).toEqual(['connected', 'disconnected', 'connected', 'resubscribed']);
    await client.disconnect();
  });
});

describe('ReconnectingWebSocketClient when the server goes away', () => {
  it('is told 1001 on shutdown, and close() during the reconnect stops it without waiting for the server', async () => {
    const f = await startWsFixture();
    const events: ReconnectEvent[] = [];
    let retried: (() => void) | undefined;
    const retry = new Promise<void>((resolve) => {
      retried = resolve;
    });
    const client = new ReconnectingWebSocketClient({
      url: f.url,
      username: 'viewer',
      password: PASSWORD,
      // Waits until aborted: the server never comes back, so only a close() that stops the loop can end this test.
      delay: (_ms, signal) =>
        new Promise<void>((_, reject) => {
          signal?.addEventListener('abort', () => {
            reject(new Error('stopped'));
          });
        }),
      onReconnect: (e) => {
        events.push(e);
        if (e.type === 'retry') retried?.();
      },
    });
    await client.about();
    await f.close();
    await retry;
    const dropped = events.find((e) => e.type === 'disconnected');
    expect(dropped?.type === 'disconnected' ? dropped.error.closeCode : undefined).toBe(WS_CLOSE.GOING_AWAY.code);
    await client.close();
    expect(((await failure(client.about())) as NetworkError).aborted).toBe(true);
  });
});

describe('push-fed watches when their connection ends', () => {
  let f: WsFixture;
  beforeAll(async () => {
    // The session check notices a session closed over HTTP within 50 ms.
    f = await startWsFixture({ webSocket: { sessionCheckMs: 50 } });
  });
  afterAll(async () => {
    await f.close();
  });

  it('WebSocketClient: changes() throws the close error instead of waiting forever', async () => {
    const client = new WebSocketClient({ url: f.wsUrl, token: await f.token('operator') });
    const w = await client.watch(['p1']);
    const changes = w.changes()[Symbol.asyncIterator]();
    f.server.handler.closeWebSockets();
    const err = await failure(changes.next());
    expect((err as WebSocketClosedError).closeCode).toBe(WS_CLOSE.GOING_AWAY.code);
    // The client connects again on its next call, and a watch subscribed again is fed by the new connection.
    await w.resubscribe();
    const again = w.changes()[Symbol.asyncIterator]();
    expect((await again.next()).value?.[0]?.id?.id).toBe('p1');
    // Closing the client ends the iteration quietly.
    await client.close();
    expect(await again.next()).toEqual({ done: true, value: undefined });
  });

  it('ReconnectingWebSocketClient: changes() ends when it stops, and throws when the session ends for good', async () => {
    const stopped = new ReconnectingWebSocketClient({ url: f.wsUrl, token: await f.token('operator') });
    const w1 = await stopped.watch(['p1']);
    const changes1 = w1.changes()[Symbol.asyncIterator]();
    await stopped.disconnect();
    expect(await changes1.next()).toEqual({ done: true, value: undefined });

    // A token without a password: once its session is closed elsewhere, no reconnect can log in again.
    const token = await f.token('operator');
    const ended = new ReconnectingWebSocketClient({ url: f.wsUrl, token });
    const w2 = await ended.watch(['p2']);
    const changes2 = w2.changes()[Symbol.asyncIterator]();
    await new HaystackClient({ url: f.url, token }).close();
    const err = await failure(changes2.next());
    expect(err).toMatchObject({ closeCode: WS_CLOSE.SESSION_ENDED.code, code: 'HS_ERR_AUTH' });
    await ended.disconnect();
  });
});

describe('WebSocket endpoint when the client reads slowly, or asks for a lot at once', () => {
  let f: WsFixture;
  // A long answer that stalls half sent until the test opens its gate.
  const slow = stalledAnswerOp();

  beforeAll(async () => {
    // A buffer limit below one push of a point: one unread push is a backlog.
    f = await startWsFixture({
      auth: false,
      webSocket: { maxBufferedBytes: 256 },
      extra: { ops: [slow.op], limits: { maxWatchesPerUser: 2, maxWatchIds: 3 } },
    });
  });
  afterAll(async () => {
    await f.close();
  });

  type Raw = Awaited<ReturnType<typeof rawSocket>>;
  // The next message, or how the connection closed instead.
  const nextOrClose = (raw: Raw): Promise<string> =>
    Promise.race([raw.next(), raw.closed.then((c) => `closed ${String(c.code)}`)]);

  it('answers a prompt reader an answer longer than four times the buffer limit, and stays open', async () => {
    const raw = await rawSocket(f.wsUrl);
    raw.ws.send(encodeWsRequest('1', 'ops', Grid.EMPTY));
    expect((await nextOrClose(raw)).length).toBeGreaterThan(1024);
    raw.ws.send(encodeWsRequest('2', 'about', Grid.EMPTY));
    expect(await nextOrClose(raw)).toContain('"id":"2"');
    raw.ws.close();
  });

  it('queues no pushes behind a stalled answer: their changes go out merged once it is sent', async () => {
    const raw = await rawSocket(f.wsUrl);
    const sub = Grid.make({ meta: { watchDis: 'stalled' }, cols: ['id'], rows: [{ id: new Ref('p1') }] });
    raw.ws.send(encodeWsRequest('s', 'watchSub', sub));
    const subscribed = JSON.parse(await nextOrClose(raw)) as { id: string; grid: { meta: { watchId: string } } };
    expect(subscribed.id).toBe('s');
    const stalled = slow.stalled();
    raw.ws.send(encodeWsRequest('r', 'slowRows', Grid.EMPTY));
    const closed = raw.closed.then((c) => `closed ${String(c.code)}`);
    expect(await Promise.race([stalled.then(() => 'stalled'), closed])).toBe('stalled');
    const http = new HaystackClient({ url: f.url });
    for (let v = 71; v <= 75; v++) await http.pointWrite('p1', 8, new Num(v, '°F'));
    // One more exchange: the pushes of those writes are made by now.
    await http.about();
    slow.open();
    expect(await nextOrClose(raw)).toContain('"id":"r"');
    const values: number[] = [];
    while (!values.includes(75)) {
      const push = JSON.parse(await nextOrClose(raw)) as { grid: { rows: { curVal: { val: number } }[] } };
      values.push(...push.grid.rows.map((r) => r.curVal.val));
    }
    // The first change went out behind the answer; the later ones waited in the watch and came as one.
    expect(values).toEqual([71, 75]);
    raw.ws.close();
    await http.call(
      'watchUnsub',
      Grid.make({ meta: { watchId: subscribed.grid.meta.watchId, close: MARKER }, cols: [] }),
    );
  });

  it('keeps a peer that takes a long answer as it comes while the server reads none of its pongs', async () => {
    // One request in flight is the limit: while the answer goes out the server reads nothing, pongs included.
    // Each ping lets one more piece of the answer go.
    let next: (() => void) | undefined;
    const piece = testOp('piecesOnPing', 'Answers a chunk each time the test lets one go.', () => ({
      meta: Grid.EMPTY.meta,
      cols: Grid.fromDicts([{ n: 1 }]).cols,
      chunks: (async function* () {
        for (let n = 1; n <= 4; n++) {
          await new Promise<void>((resolve) => {
            next = resolve;
          });
          yield Grid.fromDicts([{ n }]);
        }
      })(),
    }));
    const options = { pingIntervalMs: 200, maxInFlight: 1 };
    const pinging = await startWsFixture({ auth: false, webSocket: options, extra: { ops: [piece] } });
    try {
      const raw = await rawSocket(pinging.wsUrl);
      raw.ws.on('ping', () => next?.());
      raw.ws.send(encodeWsRequest('long', 'piecesOnPing', Grid.EMPTY));
      const answer = JSON.parse(await nextOrClose(raw)) as { id: string; grid: { rows: unknown[] } };
      expect([answer.id, answer.grid.rows.length]).toEqual(['long', 4]);
      raw.ws.close();
    } finally {
      await pinging.close();
    }
  });

  it('ends a connection it reads nothing from at once, not after the closing handshake times out', async () => {
    let release: (() => void) | undefined;
    let running: (() => void) | undefined;
    const started = new Promise<void>((resolve) => {
      running = resolve;
    });
    const hold = testOp('hold', 'Runs until the test releases it.', async () => {
      await new Promise<void>((resolve) => {
        release = resolve;
        running?.();
      });
      return Grid.EMPTY;
    });
    // With one request in flight the server reads nothing; its session check ends the connection meanwhile.
    const options = { maxInFlight: 1, sessionCheckMs: 50 };
    const secured = await startWsFixture({ webSocket: options, extra: { ops: [hold] } });
    try {
      const token = await secured.token('viewer');
      const raw = await rawSocket(secured.wsUrl, { authorization: `BEARER authToken=${token}` });
      raw.ws.send(encodeWsRequest('h', 'hold', Grid.EMPTY));
      await started;
      await secured.security?.tokens.revokeUser('viewer');
      // The close frame reaches the client at once; the connection is gone once the server reads its reply.
      expect((await raw.closed).code).toBe(WS_CLOSE.SESSION_ENDED.code);
    } finally {
      release?.();
      await secured.close();
    }
  });

  it('remembers of a watch the entities it holds, not every id a client names to it', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const raw = await rawSocket(f.wsUrl);
    const sub = (meta: Record<string, unknown>, ids: readonly string[]): string =>
      encodeWsRequest('s', 'watchSub', Grid.make({ meta, cols: ['id'], rows: ids.map((id) => ({ id: new Ref(id) })) }));
    raw.ws.send(sub({ watchDis: 'named' }, ['p1']));
    const watchId = (JSON.parse(await raw.next()) as { grid: { meta: { watchId: string } } }).grid.meta.watchId;
    // Ids of no entity, each a third of a megabyte: answered with rows of nulls, and no part of the watch.
    const nobody = async (n: number): Promise<void> => {
      raw.ws.send(
        sub(
          { watchId },
          [1, 2, 3].map((i) => `nobody${String(n)}${String(i)}${'x'.repeat(300_000)}`),
        ),
      );
      expect(await raw.next()).toContain('"id":"s"');
    };
    await nobody(0);
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let n = 1; n <= 20; n++) await nobody(n);
    gc();
    // Remembered, they would hold about 18 MB.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(6 * 1024 * 1024);
    raw.ws.send(encodeWsRequest('u', 'watchUnsub', Grid.make({ meta: { watchId, close: MARKER }, cols: [] })));
    await raw.next();
    raw.ws.close();
  });

  it('waits for the end of a timed override of weeks without a timer overflow', async () => {
    const overflows: string[] = [];
    const onWarning = (w: Error): void => {
      if (w.name === 'TimeoutOverflowWarning') overflows.push(w.message);
    };
    process.on('warning', onWarning);
    const client = new WebSocketClient({ url: f.wsUrl });
    try {
      const w = await client.watch(['p3']);
      const changes = w.changes()[Symbol.asyncIterator]();
      const month = new Num(30, 'day');
      await new HaystackClient({ url: f.url }).pointWrite('p3', 8, new Num(60, '°F'), { duration: month });
      // Pushed after the server set its wait for the end, by when a warning would have been emitted.
      expect(String((await changes.next()).value?.[0]?.get('curVal'))).toBe('60°F');
      expect(overflows).toEqual([]);
      await w.close();
    } finally {
      process.off('warning', onWarning);
      await client.disconnect();
    }
  });

  it('keeps the watch limits when a batch subscribes many at once', async () => {
    const ws = new WebSocketClient({ url: f.wsUrl });
    const open = (n: number) => ({
      op: 'watchSub',
      grid: Grid.make({ meta: { watchDis: `w${String(n)}` }, cols: ['id'], rows: [{ id: new Ref('p1') }] }),
    });
    const opened = await ws.batch([1, 2, 3, 4].map(open));
    expect(opened.map((g) => (g.isError ? g.meta.get('errCode') : 'ok'))).toEqual([
      'ok',
      'ok',
      'HS_ERR_LIMIT',
      'HS_ERR_LIMIT',
    ]);
    const watchId = opened[0]?.meta.get('watchId');
    const add = (id: string) => ({
      op: 'watchSub',
      grid: Grid.make({ meta: { watchId }, cols: ['id'], rows: [{ id: new Ref(id) }] }),
    });
    // The watch holds p1: two more ids reach the limit of three, a third is refused.
    const added = await ws.batch(['p2', 'p3', 's1'].map(add));
    expect(added.filter((g) => g.isError).map((g) => g.meta.get('errCode'))).toEqual(['HS_ERR_LIMIT']);
    const all = await ws.call('watchPoll', Grid.make({ meta: { watchId, refresh: MARKER }, cols: ['empty'] }));
    expect(all.size).toBe(3);
    await ws.disconnect();
  });
});
