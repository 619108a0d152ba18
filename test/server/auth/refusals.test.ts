// Server auth refusals and defaults not covered elsewhere: bad options, a lock that starts mid-exchange, expired
// exchanges purged, the known-address table's cap, and the documented defaults (real clock, default throttle).

import { describe, expect, it } from 'vitest';
import { formatAuthorization, parseWwwAuthenticate } from '../../../src/core/auth/auth-header.js';
import { ScramClient } from '../../../src/core/auth/scram-client.js';
import { DEFAULT_SCRAM_ITERATIONS } from '../../../src/core/auth/scram-keys.js';
import { ValueError } from '../../../src/core/errors.js';
import { AuthThrottle } from '../../../src/server/auth/auth-throttle.js';
import { Authenticator, type AuthResult } from '../../../src/server/auth/authenticator.js';
import { FakeCredentials } from '../../../src/server/auth/fake-credentials.js';
import { TokenService } from '../../../src/server/auth/token-service.js';
import { createMemoryUserStore } from '../../../src/storage/memory/index.js';
import { addUser, authFixture, login, manualClock } from './support.js';

const SECRET = new Uint8Array(32).fill(7);

function challengeToken(r: AuthResult): string {
  if (r.kind !== 'challenge') throw new Error(`expected a challenge, got ${r.kind}`);
  const [c] = parseWwwAuthenticate(r.headers['WWW-Authenticate'] ?? '');
  if (c?.scheme !== 'SCRAM' || c.handshakeToken === undefined) throw new Error('expected a SCRAM challenge');
  return c.handshakeToken;
}

describe('options', () => {
  it('FakeCredentials refuses an iteration count below 1 and salts outside 1..32 bytes', () => {
    expect(() => FakeCredentials.create({ secret: SECRET, iterations: 0 })).toThrow(ValueError);
    expect(() => FakeCredentials.create({ secret: SECRET, iterations: 1.5 })).toThrow(ValueError);
    expect(() => FakeCredentials.create({ secret: SECRET, saltBytes: 0 })).toThrow(ValueError);
    expect(() => FakeCredentials.create({ secret: SECRET, saltBytes: 33 })).toThrow(ValueError);
    expect(FakeCredentials.create({ secret: SECRET, saltBytes: 32 }).forUsername('x').salt).toHaveLength(32);
  });

  it('TokenService refuses a negative touch interval', () => {
    const users = createMemoryUserStore();
    expect(() => TokenService.create({ users, touchIntervalMs: -1 })).toThrow(ValueError);
    expect(() => TokenService.create({ users, touchIntervalMs: Number.NaN })).toThrow(ValueError);
    expect(() => TokenService.create({ users, touchIntervalMs: 0 })).not.toThrow();
  });

  it('an authenticator with every default: real clock, own throttle and sessions, the default iterations', async () => {
    const users = createMemoryUserStore();
    await addUser(users, 'alice', 'wonderland');
    const tokens = TokenService.create({ users });
    const auth = Authenticator.create({ users, tokens, serverSecret: SECRET });
    expect(auth.iterations).toBe(DEFAULT_SCRAM_ITERATIONS);
    const trace = await login(auth, 'alice', 'wonderland');
    expect(trace.last.kind).toBe('success');
    const session = await tokens.verify(trace.token ?? '');
    expect(session?.username).toBe('alice');
    // An unknown user's challenge announces the same default count, so the two cannot be told apart.
    const hello = await auth.authenticate({
      authorization: formatAuthorization({ scheme: 'HELLO', username: 'nobody' }),
      address: '10.0.0.9',
    });
    expect(hello.kind).toBe('challenge');
  });

  it('a throttle with the real clock locks and tells how long', async () => {
    const throttle = AuthThrottle.create({ perPair: { freeFailures: 0, baseDelayMs: 60_000 } });
    expect((await throttle.check('alice', 'a')).allowed).toBe(true);
    await throttle.recordFailure('alice', 'a');
    const d = await throttle.check('alice', 'a');
    expect(d.allowed).toBe(false);
    expect(d.allowed ? 0 : d.retryAfterMs).toBeGreaterThan(0);
  });
});

describe('exchanges', () => {
  it('refuses the next step of an exchange once its pair got locked in between (429, no SCRAM work)', async () => {
    const { auth } = await authFixture({ throttle: { perPair: { freeFailures: 0, baseDelayMs: 60_000 } } });
    const address = '10.0.0.2';
    const hello = await auth.authenticate({
      authorization: formatAuthorization({ scheme: 'HELLO', username: 'alice' }),
      address,
    });
    const token = challengeToken(hello);
    // Meanwhile a wrong password for the same account from the same address locks the pair.
    expect((await login(auth, 'alice', 'wrong', address)).last.kind).toBe('failure');
    const client = ScramClient.create({ username: 'alice', password: 'wonderland' });
    const next = await auth.authenticate({
      authorization: formatAuthorization({ scheme: 'SCRAM', handshakeToken: token, data: client.clientFirstMessage() }),
      address,
    });
    expect(next.kind).toBe('throttled');
  });

  it('forgets exchanges older than the handshake TTL when new ones start', async () => {
    const { auth, clock } = await authFixture({ auth: { handshakeTtlMs: 1000 } });
    const hello = (address: string): Promise<AuthResult> =>
      auth.authenticate({ authorization: formatAuthorization({ scheme: 'HELLO', username: 'alice' }), address });
    const stale = challengeToken(await hello('10.0.0.3'));
    clock.advance(1001);
    challengeToken(await hello('10.0.0.4'));
    const client = ScramClient.create({ username: 'alice', password: 'wonderland' });
    const late = await auth.authenticate({
      authorization: formatAuthorization({ scheme: 'SCRAM', handshakeToken: stale, data: client.clientFirstMessage() }),
      address: '10.0.0.3',
    });
    expect(late.kind).toBe('failure');
  });
});

describe('known addresses', () => {
  it('keeps at most maxEntries users: the least recent one loses its known-good addresses', async () => {
    const clock = manualClock();
    const throttle = AuthThrottle.create({ maxEntries: 2, clock: clock.now });
    await throttle.recordSuccess('alice', 'a');
    await throttle.recordSuccess('bob', 'b');
    expect(await throttle.isKnownAddress('alice', 'a')).toBe(true);
    await throttle.recordSuccess('carol', 'c');
    expect(await throttle.isKnownAddress('alice', 'a')).toBe(false);
    expect(await throttle.isKnownAddress('bob', 'b')).toBe(true);
    expect(await throttle.isKnownAddress('carol', 'c')).toBe(true);
  });

  it('a prepaid success without a recorded failure takes nothing back', async () => {
    const clock = manualClock();
    const throttle = AuthThrottle.create({ perAddress: { freeFailures: 0, baseDelayMs: 1000 }, clock: clock.now });
    await throttle.recordSuccess('alice', 'a', true);
    expect(await throttle.check('alice', 'a')).toEqual({ allowed: true });
    // A locked address stays locked by a success there (the prepaid count is only taken back while still free).
    await throttle.recordFailure('mallory', 'a');
    await throttle.recordSuccess('alice', 'a', true);
    expect((await throttle.check('bob', 'a')).allowed).toBe(false);
  });
});
