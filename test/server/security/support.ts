// A real server with authentication on port 0: memory users with passwords, a test clock, raw and client helpers.

import type { TlsOptions } from 'node:tls';
import { afterEach } from 'vitest';
import { HaystackClient } from '../../../src/client/index.js';
import { formatAuthorization } from '../../../src/core/auth/auth-header.js';
import { Dict } from '../../../src/core/grid/dict.js';
import { credentialsForPassword } from '../../../src/server/auth/passwords.js';
import {
  type CertAuthenticator,
  createSecurity,
  createServer,
  type HaystackServer,
  type HaystackServerOptions,
  type SecurityOptions,
  type ServerSecurity,
} from '../../../src/server/index.js';
import {
  createMemoryStore,
  createMemoryUserStore,
  type MemoryStore,
  type MemoryUserStore,
} from '../../../src/storage/memory/index.js';
import { createTestClock, type TestClock } from '../../../src/storage/testing/test-clock.js';
import type { UserRole } from '../../../src/storage/user-store.js';
import { BUILDING, type Exchange, gridOf } from '../support/server-fixture.js';

export { type Exchange, gridOf };

/** Iterations of every test user and of fake challenges (the RFC 7677 floor keeps PBKDF2 fast). */
export const ITERATIONS = 4096;

/** The users every secured server starts with: name -> [password, role]. */
export const PEOPLE: Readonly<Record<string, readonly [string, UserRole]>> = {
  ada: ['ada-admin-pass', 'admin'],
  otto: ['otto-operator-pass', 'operator'],
  vera: ['vera-viewer-pass', 'viewer'],
};

/** A started secured server. */
export interface SecureFixture {
  readonly server: HaystackServer;
  readonly security: ServerSecurity;
  readonly users: MemoryUserStore;
  readonly clock: TestClock;
  /** Base URL of the API, ending in `/`. */
  readonly base: string;
  /** A client logging in as a fixture user (or any username/password). */
  client(username: string, password?: string, extra?: { readonly fetch?: typeof fetch }): HaystackClient;
  close(): Promise<void>;
}

/** What to change in a secured fixture. */
export interface SecureFixtureOptions {
  readonly security?: Partial<Omit<SecurityOptions, 'users' | 'clock'>>;
  readonly tls?: TlsOptions;
  readonly server?: Partial<HaystackServerOptions>;
  readonly certAuth?: (users: MemoryUserStore) => CertAuthenticator;
  /** Fill the store instead of {@link BUILDING} (given the fixture clock's time, epoch ms). */
  readonly populate?: (store: MemoryStore, now: number) => Promise<unknown>;
}

/** Start a server over {@link BUILDING} that requires authentication; {@link PEOPLE} exist. */
export async function startSecure(options: SecureFixtureOptions = {}): Promise<SecureFixture> {
  const clock = createTestClock();
  const store = createMemoryStore({ clock: clock.now });
  if (options.populate === undefined) await store.commit(BUILDING.map((r) => ({ op: 'add', tags: Dict.of(r) })));
  else await options.populate(store, clock.now());
  const users = createMemoryUserStore({ clock: clock.now });
  for (const [username, [password, role]] of Object.entries(PEOPLE)) {
    await users.createUser({ username, role, scram: await credentialsForPassword(password, ITERATIONS) });
  }
  const certAuth = options.certAuth?.(users);
  const security = createSecurity({
    users,
    sessions: users,
    serverSecret: new Uint8Array(32).fill(9),
    iterations: ITERATIONS,
    clock: clock.now,
    ...(certAuth === undefined ? {} : { certAuth }),
    ...options.security,
  });
  const server = createServer({
    store,
    clock: clock.now,
    tz: 'New_York',
    ...security.serverOptions,
    ...options.server,
    ...(options.tls === undefined ? {} : { tls: options.tls }),
  });
  const addr = await server.listen(0, '127.0.0.1');
  return {
    server,
    security,
    users,
    clock,
    base: addr.url,
    client: (username, password, extra = {}) =>
      new HaystackClient({
        url: addr.url,
        username,
        password: password ?? PEOPLE[username]?.[0] ?? 'no-such-password',
        ...(extra.fetch === undefined ? {} : { fetch: extra.fetch }),
      }),
    close: async () => {
      server.http.closeAllConnections();
      await server.close();
      await store.close();
    },
  };
}

/** A `start(options)` for tests that each start one secured server, closed after the test. */
export function secureServerPerTest(): (options?: SecureFixtureOptions) => Promise<SecureFixture> {
  let current: SecureFixture | undefined;
  afterEach(async () => {
    await current?.close();
    current = undefined;
  });
  return async (options = {}) => (current = await startSecure(options));
}

/** Request `path` (relative to the API base) with an optional Authorization header. */
export async function raw(
  f: Pick<SecureFixture, 'base'>,
  path: string,
  init: {
    readonly method?: string;
    readonly authorization?: string;
    readonly body?: string;
    readonly contentType?: string;
    readonly accept?: string;
    readonly fetch?: typeof fetch;
  } = {},
): Promise<Exchange> {
  const headers: Record<string, string> = {};
  if (init.authorization !== undefined) headers.authorization = init.authorization;
  if (init.contentType !== undefined) headers['content-type'] = init.contentType;
  if (init.accept !== undefined) headers.accept = init.accept;
  const res = await (init.fetch ?? fetch)(f.base + path, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** The Authorization value of a bearer token. */
export function bearer(token: string): string {
  return formatAuthorization({ scheme: 'BEARER', authToken: token });
}

/** A token for a user without the handshake (the role table does not need to pay PBKDF2 per op). */
export async function tokenFor(f: SecureFixture, username: string): Promise<string> {
  return (await f.security.tokens.issue(username)).token;
}

/** `errCode` of an error grid response. */
export function errCodeOf(x: Exchange): unknown {
  const g = gridOf(x);
  return g.isError ? g.meta.get('errCode') : undefined;
}
