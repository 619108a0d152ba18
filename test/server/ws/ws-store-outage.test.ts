// A store that cannot be reached is not a refused login: WebSocket sessions outlive an outage of the user and
// session store (calls answer "unavailable" meanwhile), and logins during one close with 1013 (try again later),
// which clients retry, rather than 4001/4003, which they take as final. Failure injection: the user store fails
// while `down` is set.

import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../../src/core/errors.js';
import { Grid } from '../../../src/core/grid/grid.js';
import { WS_CLOSE } from '../../../src/core/ws/ws-close-codes.js';
import { encodeWsAuth, encodeWsBatch, encodeWsRequest } from '../../../src/core/ws/ws-envelope.js';
import { credentialsForPassword } from '../../../src/server/auth/passwords.js';
import { createSecurity, createServer, type HaystackServer, type ServerSecurity } from '../../../src/server/index.js';
import { createMemoryStore, createMemoryUserStore, type MemoryUserStore } from '../../../src/storage/memory/index.js';
import { rawSocket } from './ws-fixture.js';

// Set: every call on the user store fails as an unreachable PostgreSQL or Redis would. `failed` is told of each.
let down = false;
let failed: (() => void) | undefined;

function failing(users: MemoryUserStore): MemoryUserStore {
  return new Proxy(users, {
    get(target, prop, receiver) {
      const v: unknown = Reflect.get(target, prop, receiver);
      if (typeof v !== 'function') return v;
      return (...args: unknown[]): unknown => {
        if (!down) return (v as (...a: unknown[]) => unknown).apply(target, args);
        failed?.();
        return Promise.reject(new StoreUnavailableError('redis', { cause: new Error('connect ECONNREFUSED') }));
      };
    },
  });
}

// Resolves at the next call the down store fails.
function nextFailure(): Promise<void> {
  return new Promise((resolve) => {
    failed = () => {
      failed = undefined;
      resolve();
    };
  });
}

// The next message, or the close that came instead (which fails the test at once rather than by its timeout).
async function answer(s: Awaited<ReturnType<typeof rawSocket>>): Promise<string> {
  return Promise.race([
    s.next(),
    s.closed.then((c) => {
      throw new Error(`closed ${String(c.code)} ${c.reason}`);
    }),
  ]);
}

let server: HaystackServer | undefined;
let security: ServerSecurity;
let wsUrl: string;

beforeAll(async () => {
  const users = createMemoryUserStore();
  await users.createUser({
    username: 'viewer',
    role: 'viewer',
    scram: await credentialsForPassword('a long password', 4096),
  });
  security = createSecurity({ users: failing(users), serverSecret: randomBytes(32), iterations: 4096 });
  // A session check every 20 ms: the test waits for the one that meets the outage, never for a time.
  server = createServer({ store: createMemoryStore(), ...security.serverOptions, webSocket: { sessionCheckMs: 20 } });
  const { url } = await server.listen(0, '127.0.0.1');
  wsUrl = `${url.replace(/^http/, 'ws')}ws`;
});
afterAll(async () => {
  down = false;
  await server?.close();
});

describe('WebSocket sessions when the user store is unreachable', () => {
  it('stay open; calls and batches answer HS_ERR_UNAVAILABLE until the store is back, then run', async () => {
    const s = await rawSocket(wsUrl, {
      authorization: `BEARER authToken=${(await security.tokens.issue('viewer')).token}`,
    });
    try {
      down = true;
      await nextFailure();
      s.ws.send(encodeWsRequest('1', 'about', Grid.EMPTY));
      const one = await answer(s);
      expect(one).toContain('"id":"1"');
      expect(one).toContain('HS_ERR_UNAVAILABLE');
      s.ws.send(encodeWsBatch([encodeWsRequest('2', 'about', Grid.EMPTY), encodeWsRequest('3', 'ops', Grid.EMPTY)]));
      const batch = await answer(s);
      expect(batch.startsWith('[')).toBe(true);
      expect(batch.match(/HS_ERR_UNAVAILABLE/g)).toHaveLength(2);
      expect(batch).toContain('"id":"3"');
      down = false;
      s.ws.send(encodeWsRequest('4', 'about', Grid.EMPTY));
      const back = await answer(s);
      expect(back).toContain('"id":"4"');
      expect(back).toContain('haystack-ts');
      expect(back).not.toContain('err');
    } finally {
      down = false;
      s.ws.close();
    }
  });

  it('close a login by message with 1013 (try again later), not as refused', async () => {
    const token = (await security.tokens.issue('viewer')).token;
    const s = await rawSocket(wsUrl);
    down = true;
    s.ws.send(encodeWsAuth(token));
    const closed = await s.closed;
    down = false;
    expect(closed.code).toBe(WS_CLOSE.UNAVAILABLE.code);
    expect(closed.code).toBe(1013);
  });

  it('refuse an upgrade that brings a token with 503 and Retry-After, not 401', async () => {
    const token = (await security.tokens.issue('viewer')).token;
    down = true;
    const refused = await rawSocket(wsUrl, { authorization: `BEARER authToken=${token}` }).then(
      () => 'opened',
      (e: unknown) => String(e),
    );
    down = false;
    expect(refused).toMatch(/503/);
  });
});
