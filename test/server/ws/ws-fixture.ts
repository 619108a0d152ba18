// A server with users, a small building and the WebSocket endpoint on port 0, for the WebSocket tests.

import { randomBytes } from 'node:crypto';
import { WebSocket as WsSocket } from 'ws';
import type { WebSocketFactory, WebSocketLike } from '../../../src/client/index.js';
import { dict } from '../../../src/core/grid/dict.js';
import { Grid } from '../../../src/core/grid/grid.js';
import { MARKER } from '../../../src/core/kinds/marker.js';
import { Num } from '../../../src/core/kinds/number.js';
import { Ref } from '../../../src/core/kinds/ref.js';
import { credentialsForPassword } from '../../../src/server/auth/passwords.js';
import {
  createSecurity,
  createServer,
  type HaystackServer,
  type HaystackServerOptions,
  type OpDef,
  type ServerSecurity,
} from '../../../src/server/index.js';
import type { WebSocketOptions } from '../../../src/server/ws/ws-options.js';
import { createMemoryStore, createMemoryUserStore } from '../../../src/storage/memory/index.js';

/** Passwords of the fixture's users (the username is the role). */
export const PASSWORD = 'correct horse battery staple';

/** A running server and what tests need of it. */
export interface WsFixture {
  readonly server: HaystackServer;
  /** HTTP API root. */
  readonly url: string;
  /** `ws://…/api/ws`. */
  readonly wsUrl: string;
  /** Undefined when started without authentication. */
  readonly security: ServerSecurity | undefined;
  /** A fresh bearer token for `admin`, `operator` or `viewer`. */
  token(username: string): Promise<string>;
  close(): Promise<void>;
}

/** Start a server; `auth` false serves without login. */
export async function startWsFixture(
  options: {
    readonly auth?: boolean;
    readonly webSocket?: Partial<WebSocketOptions>;
    readonly extra?: Partial<HaystackServerOptions>;
  } = {},
): Promise<WsFixture> {
  const store = createMemoryStore();
  await store.commit([
    { op: 'add', tags: dict({ id: new Ref('s1'), dis: 'Site 1', site: MARKER, tz: 'New_York' }) },
    { op: 'add', tags: dict({ id: new Ref('e1'), dis: 'AHU 1', equip: MARKER, siteRef: new Ref('s1') }) },
    ...['p1', 'p2', 'p3'].map((id) => ({
      op: 'add' as const,
      tags: dict({
        id: new Ref(id),
        dis: `Point ${id}`,
        point: MARKER,
        writable: MARKER,
        his: MARKER,
        kind: 'Number',
        unit: '°F',
        tz: 'New_York',
        curVal: new Num(70, '°F'),
        siteRef: new Ref('s1'),
        equipRef: new Ref('e1'),
      }),
    })),
  ]);
  let security: ServerSecurity | undefined;
  if (options.auth !== false) {
    const users = createMemoryUserStore();
    // Few iterations: the tests log in often, and the count is not what they test.
    const scram = await credentialsForPassword(PASSWORD, 4096);
    for (const role of ['admin', 'operator', 'viewer'] as const)
      await users.createUser({ username: role, role, scram });
    security = createSecurity({ users, serverSecret: randomBytes(32), iterations: 4096 });
  }
  const server = createServer({
    store,
    ...(security === undefined ? { noAuth: true } : security.serverOptions),
    ...(options.webSocket === undefined ? {} : { webSocket: options.webSocket }),
    ...options.extra,
  });
  const { url } = await server.listen(0, '127.0.0.1');
  const sec = security;
  return {
    server,
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}ws`,
    security,
    async token(username: string) {
      if (sec === undefined) throw new Error('no security');
      return (await sec.tokens.issue(username)).token;
    },
    close: () => server.close(),
  };
}

/** A factory for the `ws` package's client (Node), which can send headers on the upgrade. */
export function wsFactory(headers: Readonly<Record<string, string>> = {}): WebSocketFactory {
  return (url, protocols) => new WsSocket(url, [...protocols], { headers }) as unknown as WebSocketLike;
}

/** A raw `ws` client socket, open, with its messages and its close as promises. */
export async function rawSocket(
  url: string,
  headers: Readonly<Record<string, string>> = {},
  autoPong = true,
): Promise<{
  readonly ws: WsSocket;
  next(): Promise<string>;
  readonly closed: Promise<{ code: number; reason: string }>;
}> {
  const ws = new WsSocket(url, ['haystack'], { headers, autoPong });
  const queue: string[] = [];
  const waiters: ((s: string) => void)[] = [];
  ws.on('message', (data: Buffer) => {
    const s = data.toString('utf8');
    const w = waiters.shift();
    if (w !== undefined) w(s);
    else queue.push(s);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code: number, reason: Buffer) => {
      resolve({ code, reason: reason.toString() });
    });
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => {
      resolve();
    });
    ws.once('error', reject);
  });
  return {
    ws,
    next: () => {
      const s = queue.shift();
      if (s !== undefined) return Promise.resolve(s);
      return new Promise<string>((resolve) => waiters.push(resolve));
    },
    closed,
  };
}

/** An op (`slowRows`) whose answer stalls half sent until the test opens its gate. */
export interface StalledAnswer {
  /** Answers two chunks, the second once {@link StalledAnswer.open} is called. */
  readonly op: OpDef;
  /** Resolves once the next call has sent its first chunk and waits: take it before sending the call. */
  stalled(): Promise<void>;
  /** Let the waiting call send its second chunk. */
  open(): void;
}

/** A new {@link StalledAnswer}. */
export function stalledAnswerOp(): StalledAnswer {
  let gate: (() => void) | undefined;
  let waiting: (() => void) | undefined;
  return {
    op: {
      name: 'slowRows',
      doc: 'Answers two chunks, the second once the test opens its gate.',
      noSideEffects: true,
      requiredRole: 'viewer',
      handler: () => ({
        meta: Grid.EMPTY.meta,
        cols: Grid.fromDicts([{ n: 1 }]).cols,
        chunks: (async function* () {
          yield Grid.fromDicts([{ n: 1 }]);
          await new Promise<void>((resolve) => {
            gate = resolve;
            waiting?.();
          });
          yield Grid.fromDicts([{ n: 2 }]);
        })(),
      }),
    },
    stalled: () =>
      new Promise<void>((resolve) => {
        waiting = resolve;
      }),
    open: () => gate?.(),
  };
}
