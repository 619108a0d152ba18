// Test fixtures for server auth: a movable clock, a memory user store with users, and a client that drives the exchange.

import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import {
  formatAuthorization,
  parseAuthenticationInfo,
  parseWwwAuthenticate,
} from '../../../src/core/auth/auth-header.js';
import { ScramClient } from '../../../src/core/auth/scram-client.js';
import { deriveScramCredentials } from '../../../src/core/auth/scram-keys.js';
import { AuthThrottle, type AuthThrottleOptions } from '../../../src/server/auth/auth-throttle.js';
import { Authenticator, type AuthenticatorOptions, type AuthResult } from '../../../src/server/auth/authenticator.js';
import { TokenService, type TokenServiceOptions } from '../../../src/server/auth/token-service.js';
import { createMemoryUserStore, type MemoryUserStore } from '../../../src/storage/memory/memory-user-store.js';
import type { UserRole } from '../../../src/storage/user-store.js';

/** Iterations used by every test user (the RFC 7677 floor keeps PBKDF2 fast). */
export const ITERATIONS = 4096;

/** A clock moved by hand. */
export interface ManualClock {
  readonly now: () => number;
  advance(ms: number): void;
}

/** A clock starting at 2024-06-01T12:00:00Z. */
export function manualClock(): ManualClock {
  let t = Date.UTC(2024, 5, 1, 12);
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

/** Add a user with a password. */
export async function addUser(users: MemoryUserStore, username: string, password: string, role: UserRole = 'viewer') {
  return users.createUser({
    username,
    role,
    scram: await deriveScramCredentials(password, { iterations: ITERATIONS }),
  });
}

/** A complete auth setup over one memory store and clock. */
export interface AuthFixture {
  readonly clock: ManualClock;
  readonly users: MemoryUserStore;
  readonly tokens: TokenService;
  readonly auth: Authenticator;
}

/** Options of {@link authFixture}, each merged over the defaults. */
export interface AuthFixtureOptions {
  readonly auth?: Partial<AuthenticatorOptions>;
  readonly tokens?: Partial<TokenServiceOptions>;
  readonly throttle?: Omit<AuthThrottleOptions, 'clock'>;
}

/** Build the fixture; `alice`/`wonderland` (operator) exists. */
export async function authFixture(options: AuthFixtureOptions = {}): Promise<AuthFixture> {
  const clock = manualClock();
  const users = createMemoryUserStore({ clock: clock.now });
  await addUser(users, 'alice', 'wonderland', 'operator');
  const tokens = TokenService.create({ users, sessions: users, clock: clock.now, ...options.tokens });
  const auth = Authenticator.create({
    users,
    tokens,
    serverSecret: new Uint8Array(32).fill(7),
    iterations: ITERATIONS,
    clock: clock.now,
    throttle: AuthThrottle.create({ ...options.throttle, clock: clock.now }),
    ...options.auth,
  });
  return { clock, users, tokens, auth };
}

/** Every request a client made and every answer it got, for assertions on the shape of an exchange. */
export interface LoginTrace {
  readonly results: AuthResult[];
  readonly last: AuthResult;
  /** The authToken when the exchange succeeded. */
  readonly token: string | undefined;
}

function header(result: AuthResult, name: string): string {
  const v = 'headers' in result ? result.headers[name] : undefined;
  if (v === undefined) throw new Error(`no ${name} header in ${result.kind}`);
  return v;
}

/** Drive HELLO -> client-first -> client-final as a Haystack client would, stopping at the first non-401. */
export async function login(
  auth: Pick<Authenticator, 'authenticate'>,
  username: string,
  password: string,
  address = '10.0.0.1',
): Promise<LoginTrace> {
  const results: AuthResult[] = [];
  const send = async (authorization: string): Promise<AuthResult> => {
    const r = await auth.authenticate({ authorization, address });
    results.push(r);
    return r;
  };
  const done = (last: AuthResult, token?: string): LoginTrace => ({ results, last, token });
  const hello = await send(formatAuthorization({ scheme: 'HELLO', username }));
  if (hello.kind !== 'challenge') return done(hello);
  const [challenge] = parseWwwAuthenticate(header(hello, 'WWW-Authenticate'));
  if (challenge?.scheme !== 'SCRAM') throw new Error('expected a SCRAM challenge');
  const client = ScramClient.create({ username, password, hash: challenge.hash });
  const first = await send(
    formatAuthorization({
      scheme: 'SCRAM',
      handshakeToken: challenge.handshakeToken,
      data: client.clientFirstMessage(),
    }),
  );
  if (first.kind !== 'challenge') return done(first);
  const [serverFirst] = parseWwwAuthenticate(header(first, 'WWW-Authenticate'));
  if (serverFirst?.scheme !== 'SCRAM' || serverFirst.data === undefined) throw new Error('expected server-first');
  const final = await send(
    formatAuthorization({
      scheme: 'SCRAM',
      handshakeToken: serverFirst.handshakeToken,
      data: await client.clientFinalMessage(serverFirst.data),
    }),
  );
  if (final.kind !== 'success') return done(final);
  const info = parseAuthenticationInfo(header(final, 'Authentication-Info'));
  client.verifyServerFinal(info.data ?? '');
  return done(final, info.authToken);
}

/** The Authorization value to use a token. */
export function bearer(token: string): string {
  return formatAuthorization({ scheme: 'BEARER', authToken: token });
}

/** Run `fn` while collecting what is published on the diagnostics channel `name`; returns its result and the events. */
export async function withEvents<T>(name: string, fn: () => Promise<T>): Promise<{ result: T; events: unknown[] }> {
  const events: unknown[] = [];
  const listener = (e: unknown) => events.push(e);
  subscribe(name, listener);
  try {
    return { result: await fn(), events };
  } finally {
    unsubscribe(name, listener);
  }
}
