// Two servers over one PostgreSQL schema, one Redis prefix or one SQLite file, each with its own adapter (as two
// processes): another
// process's writes reach watchers and cached reads after the change feed's connection is lost, user changes reach
// open WebSocket sessions at once, and the watch quotas hold across both.

import { afterEach, describe, expect, it } from 'vitest';
import { decodeZinc } from '../../src/core/codec/zinc/zinc-reader.js';
import { encodeZinc } from '../../src/core/codec/zinc/zinc-writer.js';
import { Dict } from '../../src/core/grid/dict.js';
import { Grid } from '../../src/core/grid/grid.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { WS_CLOSE } from '../../src/core/ws/ws-close-codes.js';
import { encodeWsRequest } from '../../src/core/ws/ws-envelope.js';
import { credentialsForPassword } from '../../src/server/auth/passwords.js';
import {
  createSecurity,
  createServer,
  type HaystackServer,
  type HaystackServerOptions,
  type SecurityOptions,
  type ServerSecurity,
} from '../../src/server/index.js';
import type { StorageAdapter } from '../../src/storage/adapter.js';
import { openPostgresStore, type PostgresStore } from '../../src/storage/postgres/index.js';
import { openRedisStore, type RedisStore } from '../../src/storage/redis/index.js';
import { openSqliteStore, type SqliteStore } from '../../src/storage/sqlite/index.js';
import { adminQuery, TEST_PG_URL } from '../support/postgres.js';
import { SHARED_REDIS_URL } from '../support/redis.js';
import { type SilentProxy, startSilentProxy } from '../support/silent-proxy.js';
import { storeScratch } from '../support/store-scratch.js';
import { rawSocket } from './ws/ws-fixture.js';

const scratch = await storeScratch('scale');
const closing: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closing.splice(0).reverse()) await c();
});

type SharedStore = PostgresStore | RedisStore | SqliteStore;

/** How a backend opens adapters over one shared store; `url` reaches the server another way (a proxy). */
interface Backend {
  readonly name: string;
  readonly up: boolean;
  /** The server's address, to proxy (none: the store is a file). */
  readonly target: URL | undefined;
  /** What the client sends on its change-feed connection only (to drop that one). */
  readonly feedMark: (store: SharedStore) => string;
  /** A new shared store: opens adapters over it. */
  place(): (options?: {
    readonly url?: string;
    readonly check?: boolean;
    readonly maxWatches?: number;
  }) => Promise<SharedStore>;
}

const postgres: Backend = {
  name: 'PostgreSQL',
  up: true,
  target: new URL(TEST_PG_URL),
  feedMark: (store) => `scale-${(store as PostgresStore).schema}:listen`,
  place: () => {
    const schema = scratch.schemas.next();
    let opened = 0;
    return (o = {}) =>
      openPostgresStore({
        url: o.url ?? TEST_PG_URL,
        schema,
        poolSize: 3,
        // The first adapter's connections (server `a`'s) are told from the others'.
        applicationName: opened++ === 0 ? `scale-${schema}` : 'haystack-ts',
        ...(o.check === true ? { listenCheckMs: 200 } : {}),
        ...(o.maxWatches === undefined ? {} : { limits: { maxWatches: o.maxWatches } }),
      });
  },
};

const redis: Backend = {
  name: 'Redis',
  up: scratch.redisUp,
  target: new URL(SHARED_REDIS_URL),
  feedMark: () => 'subscribe',
  place: () => {
    const prefix = scratch.prefixes.next();
    return (o = {}) =>
      openRedisStore({
        url: o.url ?? SHARED_REDIS_URL,
        prefix,
        ...(o.check === true ? { subscriberCheckMs: 200 } : {}),
        ...(o.maxWatches === undefined ? {} : { limits: { maxWatches: o.maxWatches } }),
      });
  },
};

const sqlite: Backend = {
  name: 'SQLite',
  up: true,
  target: undefined,
  feedMark: () => '',
  place: () => {
    const path = scratch.dir.file(`scale-${String(++files)}.db`);
    return (o = {}) =>
      openSqliteStore({
        path,
        changePollMs: 20,
        ...(o.maxWatches === undefined ? {} : { limits: { maxWatches: o.maxWatches } }),
      });
  },
};
let files = 0;

const SECRET = new Uint8Array(32).fill(7);
const PASSWORD = 'correct horse battery staple';

interface Served {
  readonly server: HaystackServer;
  readonly base: string;
  readonly security: ServerSecurity;
  readonly store: SharedStore;
  /** A bearer token of `username`, issued by this server (its session is in the shared store). */
  bearer(username: string): Promise<string>;
}

/** Token and clock options of both servers' security. */
type SecurityExtra = Pick<SecurityOptions, 'clock' | 'idleTtlMs'>;

async function serve(
  store: SharedStore,
  extra: Partial<HaystackServerOptions> = {},
  secure: SecurityExtra = {},
): Promise<Served> {
  const security = createSecurity({
    users: store.users,
    sessions: store.users,
    authState: store.authState,
    serverSecret: SECRET,
    iterations: 4096,
    ...secure,
  });
  const server = createServer({ store, tz: 'New_York', responseCache: true, ...security.serverOptions, ...extra });
  const addr = await server.listen(0, '127.0.0.1');
  closing.push(async () => {
    server.http.closeAllConnections();
    await server.close();
    await store.close();
  });
  return {
    server,
    base: addr.url,
    security,
    store,
    bearer: async (username) => `BEARER authToken=${(await security.tokens.issue(username)).token}`,
  };
}

// A proxy to the backend's server that can drop connections silently, closed after the test, and its URL.
async function proxyTo(backend: Backend): Promise<{ readonly proxy: SilentProxy; readonly url: string }> {
  const target = backend.target as URL;
  const proxy = await startSilentProxy(target.hostname, Number(target.port));
  closing.push(() => proxy.close());
  const url = new URL(target);
  url.port = String(proxy.port);
  return { proxy, url: url.toString() };
}

// Users and a point in a new shared store, and two servers over it (`a` through `url` when given).
async function pair(
  backend: Backend,
  options: { readonly url?: string; readonly check?: boolean; readonly maxWatches?: number } = {},
  extra: Partial<HaystackServerOptions> = {},
  secure: SecurityExtra = {},
): Promise<{ readonly a: Served; readonly b: Served }> {
  const open = backend.place();
  const first = await open(options);
  const scram = await credentialsForPassword(PASSWORD, 4096);
  for (const [username, role] of [
    ['admin', 'admin'],
    ['vera', 'viewer'],
    ['otto', 'operator'],
  ] as const) {
    await first.users.createUser({ username, role, scram });
  }
  await first.commit([
    { op: 'add', tags: Dict.of({ id: new Ref('s1'), site: MARKER, dis: 'Site' }) },
    { op: 'add', tags: Dict.of({ id: new Ref('p1'), point: MARKER, writable: MARKER, curVal: new Num(1) }) },
  ]);
  const a = await serve(first, extra, secure);
  const b = await serve(
    await open({ ...(options.maxWatches === undefined ? {} : { maxWatches: options.maxWatches }) }),
    extra,
    secure,
  );
  await Promise.all([a.server.handler.pipeline.following, b.server.handler.pipeline.following]);
  return { a, b };
}

async function call(
  s: Served,
  authorization: string,
  op: string,
  grid?: Grid,
): Promise<{ status: number; grid: Grid }> {
  const res = await fetch(`${s.base}${op}`, {
    method: grid === undefined ? 'GET' : 'POST',
    headers: {
      authorization,
      accept: 'text/zinc',
      ...(grid === undefined ? {} : { 'content-type': 'text/zinc; charset=utf-8' }),
    },
    ...(grid === undefined ? {} : { body: encodeZinc(grid) }),
  });
  const text = await res.text();
  return { status: res.status, grid: res.status === 200 ? (decodeZinc(text) as Grid) : Grid.EMPTY };
}

// Resolves when `server` is told of a change of `id` by another process, or that it may have missed some.
function heard(server: HaystackServer, id: string): Promise<void> {
  return new Promise((resolve) => {
    const stop = server.handler.pipeline.observeChanges({
      changed: (changes) => {
        if (!changes.some((c) => c.id === id)) return;
        stop();
        resolve();
      },
      expires: () => undefined,
      reset: () => {
        stop();
        resolve();
      },
    });
  });
}

const wsUrl = (s: Served): string => `${s.base.replace(/^http/, 'ws')}ws`;

async function curValOn(s: Served, authorization: string): Promise<unknown> {
  return (await call(s, authorization, 'read?id=@p1')).grid.rows[0]?.get('curVal');
}

const setCur = (store: StorageAdapter, v: number) =>
  store.commit([{ op: 'update', id: 'p1', changes: Dict.of({ curVal: new Num(v) }) }]);

for (const backend of [postgres, redis, sqlite]) {
  describe.skipIf(!backend.up)(`two servers over one ${backend.name} store`, () => {
    it.skipIf(backend.target === undefined)(
      "hear the other's writes after the change feed's connection is dropped silently, with no write of their own",
      async () => {
        const { proxy, url } = await proxyTo(backend);
        const { a, b } = await pair(backend, { url, check: true });
        const viewer = await a.bearer('vera');
        expect(await curValOn(a, viewer)).toEqual(new Num(1));
        expect(proxy.dropSilently(backend.feedMark(a.store))).toBe(1);
        const told = heard(a.server, 'p1');
        await setCur(b.store, 2);
        await told;
        expect(await curValOn(a, viewer)).toEqual(new Num(2));
      },
    );

    it.skipIf(backend !== postgres)(
      "hear the other's writes after the LISTEN connection is terminated (pg_terminate_backend)",
      async () => {
        const { a, b } = await pair(backend);
        const viewer = await a.bearer('vera');
        expect(await curValOn(a, viewer)).toEqual(new Num(1));
        const pids = await adminQuery<{ readonly pid: number }>(
          'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
          [backend.feedMark(a.store)],
        );
        expect(pids).toHaveLength(1);
        await adminQuery('SELECT pg_terminate_backend($1)', [pids[0]?.pid]);
        const told = heard(a.server, 'p1');
        await setCur(b.store, 2);
        await told;
        expect(await curValOn(a, viewer)).toEqual(new Num(2));
      },
    );

    it("end a user's WebSocket sessions on one server at once when the other disables the user", async () => {
      // No periodic session check comes round during the test: only the store's notice can end the session.
      const { a, b } = await pair(backend, {}, { webSocket: { sessionCheckMs: 3_600_000 } });
      const token = await b.bearer('vera');
      const ws = await rawSocket(`${b.base.replace(/^http/, 'ws')}ws`, { authorization: token });
      ws.ws.send(encodeWsRequest('1', 'about', Grid.EMPTY));
      expect(await ws.next()).toContain('"id":"1"');
      const res = await fetch(`${a.base}users/vera`, {
        method: 'PATCH',
        headers: { authorization: await a.bearer('admin'), 'content-type': 'application/json' },
        body: JSON.stringify({ enabled: false }),
      });
      expect(res.status).toBe(200);
      expect((await ws.closed).code).toBe(WS_CLOSE.SESSION_ENDED.code);
      expect((await call(b, token, 'about')).status).toBe(401);
    });

    it("apply a role change made on one server to the other's WebSocket session before its next call", async () => {
      const { a, b } = await pair(backend, {}, { webSocket: { sessionCheckMs: 3_600_000 } });
      const ws = await rawSocket(`${b.base.replace(/^http/, 'ws')}ws`, { authorization: await b.bearer('otto') });
      const write = (id: string) =>
        encodeWsRequest(
          id,
          'pointWrite',
          Grid.make({
            cols: ['id', 'level', 'val'],
            rows: [{ id: new Ref('p1'), level: new Num(8), val: new Num(5) }],
          }),
        );
      ws.ws.send(write('1'));
      expect(await ws.next()).not.toContain('HS_ERR');
      const noticed = new Promise<void>((resolve) => {
        b.server.handler.pipeline.observeChanges({
          changed: () => undefined,
          expires: () => undefined,
          usersChanged: (names) => {
            if (names.includes('otto')) resolve();
          },
        });
      });
      await a.store.users.updateUser('otto', { role: 'viewer' });
      await noticed;
      ws.ws.send(write('2'));
      expect(await ws.next()).toContain('HS_ERR_PERMISSION');
    });

    it("end the other server's WebSocket session at once when its token is closed (logout) on one", async () => {
      // No periodic session check comes round during the test: only the store's notice can end the session.
      const { a, b } = await pair(backend, {}, { webSocket: { sessionCheckMs: 3_600_000 } });
      const token = await b.bearer('vera');
      const ws = await rawSocket(wsUrl(b), { authorization: token });
      const other = await rawSocket(wsUrl(b), { authorization: await b.bearer('vera') });
      ws.ws.send(encodeWsRequest('1', 'about', Grid.EMPTY));
      expect(await ws.next()).toContain('"id":"1"');
      expect((await call(a, token, 'close')).status).toBe(200);
      expect((await ws.closed).code).toBe(WS_CLOSE.SESSION_ENDED.code);
      expect((await call(b, token, 'about')).status).toBe(401);
      // The user's other session goes on.
      other.ws.send(encodeWsRequest('2', 'about', Grid.EMPTY));
      expect(await other.next()).toContain('"id":"2"');
    });

    it('answer a WebSocket its own close before ending its connections, though the store announces the logout', async () => {
      const { b } = await pair(backend, {}, { webSocket: { sessionCheckMs: 3_600_000 } });
      const token = await b.bearer('vera');
      const ws = await rawSocket(wsUrl(b), { authorization: token });
      const twin = await rawSocket(wsUrl(b), { authorization: token });
      ws.ws.send(encodeWsRequest('1', 'close', Grid.EMPTY));
      expect(await ws.next()).toContain('"id":"1"');
      expect((await ws.closed).code).toBe(WS_CLOSE.SESSION_CLOSED.code);
      expect((await twin.closed).code).toBe(WS_CLOSE.SESSION_ENDED.code);
      expect((await call(b, token, 'about')).status).toBe(401);
    });

    it('close 4002 only the connection that asked `close`, and 4001 every other on its session, on either server', async () => {
      const { a, b } = await pair(backend, {}, { webSocket: { sessionCheckMs: 3_600_000 } });
      const token = await a.bearer('vera');
      for (let round = 0; round < 3; round++) {
        const session = round === 0 ? token : await a.bearer('vera');
        const asking = await rawSocket(wsUrl(a), { authorization: session });
        const here = await rawSocket(wsUrl(a), { authorization: session });
        const there = await rawSocket(wsUrl(b), { authorization: session });
        asking.ws.send(encodeWsRequest('1', 'close', Grid.EMPTY));
        expect(await asking.next()).toContain('"id":"1"');
        const codes = await Promise.all([asking.closed, here.closed, there.closed]);
        expect(codes.map((c) => c.code)).toEqual([
          WS_CLOSE.SESSION_CLOSED.code,
          WS_CLOSE.SESSION_ENDED.code,
          WS_CLOSE.SESSION_ENDED.code,
        ]);
      }
    });

    it('refuse a token past its expiry on the other server, purged or not: each checks `expires` itself', async () => {
      // One clock for both servers' tokens; the WebSocket's periodic session check runs on real time.
      let now = Date.now();
      const secure = { clock: () => now, idleTtlMs: 60_000 };
      const { a, b } = await pair(backend, {}, { webSocket: { sessionCheckMs: 50 } }, secure);
      const viaHttp = await a.bearer('vera');
      const viaWs = await a.bearer('vera');
      const ws = await rawSocket(wsUrl(b), { authorization: viaWs });
      ws.ws.send(encodeWsRequest('1', 'about', Grid.EMPTY));
      expect(await ws.next()).toContain('"id":"1"');
      expect((await call(b, viaHttp, 'about')).status).toBe(200);
      now += 60_000;
      // Nobody purged nor announced anything: the other server's own checks end both at once, or at the next tick.
      expect((await call(b, viaHttp, 'about')).status).toBe(401);
      expect((await ws.closed).code).toBe(WS_CLOSE.SESSION_ENDED.code);
      // What a purge could announce is gone already; one that ran first would leave no session to serve either.
      expect(await a.security.tokens.purgeExpired()).toBe(0);
      const late = await a.bearer('vera');
      now += 60_000;
      expect(await a.security.tokens.purgeExpired()).toBe(1);
      expect((await call(b, late, 'about')).status).toBe(401);
    });

    it.skipIf(backend.target === undefined)(
      "push nothing more to a WebSocket session whose user changed while the server's change feed was away",
      async () => {
        const { proxy, url } = await proxyTo(backend);
        const { a, b } = await pair(backend, { url, check: true }, { webSocket: { sessionCheckMs: 3_600_000 } });
        const ws = await rawSocket(wsUrl(a), { authorization: await a.bearer('vera') });
        const sub = Grid.make({ meta: { watchDis: 'w' }, cols: ['id'], rows: [{ id: new Ref('p1') }] });
        ws.ws.send(encodeWsRequest('1', 'watchSub', sub));
        expect(await ws.next()).toContain('"id":"1"');
        const pushed: string[] = [];
        ws.ws.on('message', (data: Buffer) => pushed.push(data.toString('utf8')));
        expect(proxy.dropSilently(backend.feedMark(a.store))).toBe(1);
        const reset = new Promise<void>((resolve) => {
          a.server.handler.pipeline.observeChanges({
            changed: () => undefined,
            expires: () => undefined,
            reset: resolve,
          });
        });
        // Announced to a connection that no longer delivers: only the feed's return can tell of it.
        await b.store.users.updateUser('vera', { enabled: false });
        await reset;
        // The push of this write waits for the session's check, which ends the session instead.
        await setCur(b.store, 2);
        expect((await ws.closed).code).toBe(WS_CLOSE.SESSION_ENDED.code);
        expect(pushed).toEqual([]);
      },
    );

    it('open exactly maxWatchesPerUser watches for watchSubs sent to both servers at once', async () => {
      const { a, b } = await pair(backend, {}, { limits: { maxWatchesPerUser: 3 } });
      const tokens = [await a.bearer('vera'), await b.bearer('vera')];
      const sub = Grid.make({ meta: { watchDis: 'w' }, cols: ['id'], rows: [{ id: new Ref('p1') }] });
      const answers = await Promise.all(
        Array.from({ length: 16 }, (_, i) => call(i % 2 === 0 ? a : b, tokens[i % 2] as string, 'watchSub', sub)),
      );
      const opened = answers.filter((r) => r.status === 200 && !r.grid.meta.has('err'));
      expect(opened).toHaveLength(3);
      expect((await a.store.watches()).filter((w) => w.owner === 'vera')).toHaveLength(3);
    });

    it('open exactly the store-wide maxWatches when two adapters open at once', async () => {
      const open = backend.place();
      const one = await open({ maxWatches: 4 });
      const two = await open({ maxWatches: 4 });
      closing.push(async () => {
        await one.close();
        await two.close();
      });
      const tries = await Promise.allSettled(
        Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? one : two).watchOpen(`w${String(i)}`, 60_000)),
      );
      expect(tries.filter((t) => t.status === 'fulfilled')).toHaveLength(4);
      expect(await one.watches()).toHaveLength(4);
    });
  });
}
