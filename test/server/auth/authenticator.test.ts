// The Authenticator runs HELLO -> SCRAM -> BEARER over header strings: success, every failure, and no leaks.

import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { describe, expect, it } from 'vitest';
import { formatAuthorization, parseWwwAuthenticate } from '../../../src/core/auth/auth-header.js';
import { ScramClient } from '../../../src/core/auth/scram-client.js';
import { deriveScramCredentials } from '../../../src/core/auth/scram-keys.js';
import { AuthError } from '../../../src/core/errors.js';
import type { AuthResult, LoginFailureReason } from '../../../src/server/auth/authenticator.js';
import type { MemoryUserStore } from '../../../src/storage/memory/memory-user-store.js';
import { addUser, authFixture, bearer, ITERATIONS, type LoginTrace, login, withEvents } from './support.js';

function nth(trace: LoginTrace, i: number): AuthResult {
  const r = trace.results[i];
  if (r === undefined) throw new Error(`no step ${i}`);
  return r;
}

function tokenOf(trace: LoginTrace): string {
  if (trace.token === undefined) throw new Error(`login failed: ${trace.last.kind}`);
  return trace.token;
}

function statusOf(r: AuthResult): number | undefined {
  return 'status' in r ? r.status : undefined;
}

function wwwAuth(r: AuthResult): string {
  return r.kind === 'challenge' ? (r.headers['WWW-Authenticate'] ?? '') : '';
}

describe('Authenticator: the exchange', () => {
  it('logs in with SCRAM and the token then authenticates requests with the current role', async () => {
    const { auth } = await authFixture();
    const trace = await login(auth, 'alice', 'wonderland');
    expect(trace.results.map((r) => r.kind)).toEqual(['challenge', 'challenge', 'success']);
    expect(statusOf(trace.last)).toBe(200);
    expect(wwwAuth(nth(trace, 0))).toMatch(/^SCRAM hash=SHA-256, handshakeToken=[A-Za-z0-9_-]{43}$/);
    expect(wwwAuth(nth(trace, 1))).toMatch(/^SCRAM handshakeToken=[A-Za-z0-9_-]{43}, hash=SHA-256, data=/);
    expect(trace.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const r = await auth.authenticate({ authorization: bearer(tokenOf(trace)), address: '10.0.0.1' });
    expect(r).toMatchObject({ kind: 'authenticated', username: 'alice', role: 'operator' });
  });

  it('accepts lower-case schemes and params in any order, as other Haystack clients send them', async () => {
    const { auth } = await authFixture();
    const hello = await auth.authenticate({ authorization: 'hello username=YWxpY2U', address: 'a' });
    const [c] = parseWwwAuthenticate(wwwAuth(hello));
    const client = ScramClient.create({ username: 'alice', password: 'wonderland' });
    const data = Buffer.from(client.clientFirstMessage()).toString('base64url');
    const first = await auth.authenticate({
      authorization: `scram data=${data}, handshakeToken=${c?.scheme === 'SCRAM' ? c.handshakeToken : ''}`,
      address: 'a',
    });
    expect(first.kind).toBe('challenge');
    expect(wwwAuth(first)).toContain('data=');
  });

  it('answers a missing, malformed or unknown-scheme header with 401 WWW-Authenticate: HELLO', async () => {
    const { auth } = await authFixture();
    for (const authorization of [
      undefined,
      '',
      'Basic YWxpY2U6d29uZGVybGFuZA==',
      'BEARER',
      'garbage here',
      'PLAINTEXT username=YQ, password=YQ',
    ]) {
      const r = await auth.authenticate({ authorization, address: 'a' });
      expect(r).toEqual({
        kind: 'challenge',
        status: 401,
        headers: { 'WWW-Authenticate': 'HELLO', 'Cache-Control': 'no-store' },
      });
    }
  });

  it('refuses a wrong password with 403 and a message that names no part', async () => {
    const { auth } = await authFixture();
    const trace = await login(auth, 'alice', 'looking-glass');
    expect(trace.results.map((r) => r.kind)).toEqual(['challenge', 'challenge', 'failure']);
    expect(statusOf(trace.last)).toBe(403);
    expect(trace.last.kind === 'failure' && trace.last.error.code).toBe('HS_ERR_AUTH');
    expect(trace.last.kind === 'failure' && trace.last.error.message).toBe('Authentication failed');
  });

  it('an invalid, expired or revoked token gets 401 HELLO, published as a failure with reason token', async () => {
    const { auth, tokens, clock } = await authFixture({ tokens: { idleTtlMs: 60_000 } });
    const refused = { username: '', address: 'a', outcome: 'failure', reason: 'token' };
    const bad = await withEvents('haystack:auth:login', () =>
      auth.authenticate({ authorization: bearer('x'.repeat(43)), address: 'a' }),
    );
    expect(wwwAuth(bad.result)).toBe('HELLO');
    expect(bad.events).toEqual([refused]);
    const t1 = tokenOf(await login(auth, 'alice', 'wonderland'));
    clock.advance(60_001);
    const expired = await withEvents('haystack:auth:login', () =>
      auth.authenticate({ authorization: bearer(t1), address: 'a' }),
    );
    expect(wwwAuth(expired.result)).toBe('HELLO');
    expect(expired.events).toEqual([refused]);
    const t2 = tokenOf(await login(auth, 'alice', 'wonderland'));
    expect(await tokens.revoke(t2)).toBe(true);
    const revoked = await withEvents('haystack:auth:login', () =>
      auth.authenticate({ authorization: bearer(t2), address: 'a' }),
    );
    expect(wwwAuth(revoked.result)).toBe('HELLO');
    expect(revoked.events).toEqual([refused]);
    // A good token publishes nothing: it is no login.
    const t3 = tokenOf(await login(auth, 'alice', 'wonderland'));
    const good = await withEvents('haystack:auth:login', () =>
      auth.authenticate({ authorization: bearer(t3), address: 'a' }),
    );
    expect(good.result.kind).toBe('authenticated');
    expect(good.events).toEqual([]);
  });

  it('a disabled user cannot log in and their live tokens stop working', async () => {
    const { auth, users } = await authFixture();
    const token = tokenOf(await login(auth, 'alice', 'wonderland'));
    await users.updateUser('alice', { enabled: false });
    expect((await auth.authenticate({ authorization: bearer(token), address: 'a' })).kind).toBe('challenge');
    expect((await login(auth, 'alice', 'wonderland')).last.kind).toBe('failure');
    await users.updateUser('alice', { enabled: true });
    expect((await auth.authenticate({ authorization: bearer(token), address: 'a' })).kind).toBe('challenge');
    expect((await login(auth, 'alice', 'wonderland')).last.kind).toBe('success');
  });

  // Each change made between the client-first and the client-final step: the proof still verifies against the
  // credentials the exchange started with, so only the re-read of the user refuses it.
  const changes: readonly [string, (users: MemoryUserStore) => Promise<unknown>, LoginFailureReason][] = [
    ['disabled', (users) => users.updateUser('alice', { enabled: false }), 'disabled'],
    ['deleted', (users) => users.deleteUser('alice'), 'unknown-user'],
    [
      'given a new password',
      async (users) =>
        users.updateUser('alice', { scram: await deriveScramCredentials('mirror', { iterations: ITERATIONS }) }),
      'credentials',
    ],
  ];
  it.each(changes)(
    'a user %s during the exchange does not log in (403, reason published)',
    async (_what, change, reason) => {
      const { auth, users } = await authFixture();
      const hello = await auth.authenticate({
        authorization: formatAuthorization({ scheme: 'HELLO', username: 'alice' }),
        address: 'a',
      });
      const [c] = parseWwwAuthenticate(wwwAuth(hello));
      const client = ScramClient.create({ username: 'alice', password: 'wonderland' });
      const first = await auth.authenticate({
        authorization: formatAuthorization({
          scheme: 'SCRAM',
          handshakeToken: c?.scheme === 'SCRAM' ? c.handshakeToken : '',
          data: client.clientFirstMessage(),
        }),
        address: 'a',
      });
      const [s] = parseWwwAuthenticate(wwwAuth(first));
      if (s?.scheme !== 'SCRAM' || s.data === undefined) throw new Error('no server-first');
      const clientFinal = await client.clientFinalMessage(s.data);
      await change(users);
      const { result: final, events } = await withEvents('haystack:auth:login', () =>
        auth.authenticate({
          authorization: formatAuthorization({ scheme: 'SCRAM', handshakeToken: s.handshakeToken, data: clientFinal }),
          address: 'a',
        }),
      );
      expect(final).toMatchObject({ kind: 'failure', status: 403 });
      expect(final.kind === 'failure' && final.error.code).toBe('HS_ERR_AUTH');
      expect(events).toEqual([{ username: 'alice', address: 'a', outcome: 'failure', reason }]);
    },
  );
});

describe('Authenticator: handshake tokens', () => {
  async function startExchange(auth: Awaited<ReturnType<typeof authFixture>>['auth'], address = 'a') {
    const hello = await auth.authenticate({
      authorization: formatAuthorization({ scheme: 'HELLO', username: 'alice' }),
      address,
    });
    const [c] = parseWwwAuthenticate(wwwAuth(hello));
    if (c?.scheme !== 'SCRAM') throw new Error('no challenge');
    const client = ScramClient.create({ username: 'alice', password: 'wonderland' });
    const firstMsg = formatAuthorization({
      scheme: 'SCRAM',
      handshakeToken: c.handshakeToken,
      data: client.clientFirstMessage(),
    });
    return { firstMsg, token: c.handshakeToken };
  }

  it('a handshake token works once: reusing it fails with 403', async () => {
    const { auth } = await authFixture();
    const { firstMsg } = await startExchange(auth);
    expect((await auth.authenticate({ authorization: firstMsg, address: 'a' })).kind).toBe('challenge');
    expect(await auth.authenticate({ authorization: firstMsg, address: 'a' })).toMatchObject({
      kind: 'failure',
      status: 403,
    });
  });

  it('a handshake token expires after handshakeTtlMs', async () => {
    const { auth, clock } = await authFixture({ auth: { handshakeTtlMs: 30_000 } });
    const { firstMsg } = await startExchange(auth);
    clock.advance(30_000);
    expect((await auth.authenticate({ authorization: firstMsg, address: 'a' })).kind).toBe('failure');
  });

  it('a SCRAM step without a handshake token, or with a made-up one, fails', async () => {
    const { auth } = await authFixture();
    const data = 'n,,n=alice,r=abcdef';
    for (const handshakeToken of [undefined, 'made-up']) {
      const r = await auth.authenticate({
        authorization: formatAuthorization({ scheme: 'SCRAM', handshakeToken, data }),
        address: 'a',
      });
      expect(r.kind).toBe('failure');
    }
  });

  it('a client-first naming another user than HELLO did fails', async () => {
    const { auth, users } = await authFixture();
    await addUser(users, 'mallory', 'x');
    const hello = await auth.authenticate({
      authorization: formatAuthorization({ scheme: 'HELLO', username: 'alice' }),
      address: 'a',
    });
    const [c] = parseWwwAuthenticate(wwwAuth(hello));
    const data = ScramClient.create({ username: 'mallory', password: 'x' }).clientFirstMessage();
    const r = await auth.authenticate({
      authorization: formatAuthorization({
        scheme: 'SCRAM',
        handshakeToken: c?.scheme === 'SCRAM' ? c.handshakeToken : '',
        data,
      }),
      address: 'a',
    });
    expect(r.kind).toBe('failure');
  });

  it('one address holds at most maxHandshakesPerAddress exchanges: more drop its own oldest, never lock it out', async () => {
    const { auth } = await authFixture({ auth: { maxHandshakesPerAddress: 2, handshakeTtlMs: 30_000 } });
    const first = await startExchange(auth, 'a');
    await startExchange(auth, 'a');
    const third = await startExchange(auth, 'a');
    expect((await auth.authenticate({ authorization: first.firstMsg, address: 'a' })).kind).toBe('failure');
    expect((await auth.authenticate({ authorization: third.firstMsg, address: 'a' })).kind).toBe('challenge');
    expect((await login(auth, 'alice', 'wonderland', 'a')).last.kind).toBe('success');
    expect((await login(auth, 'alice', 'wonderland', 'b')).last.kind).toBe('success');
  });

  it('keeps at most maxHandshakes exchanges, dropping the oldest', async () => {
    const { auth } = await authFixture({ auth: { maxHandshakes: 2 } });
    const first = await startExchange(auth);
    await startExchange(auth);
    await startExchange(auth);
    expect((await auth.authenticate({ authorization: first.firstMsg, address: 'a' })).kind).toBe('failure');
  });
});

describe('Authenticator: unknown usernames leak nothing', () => {
  it('get a challenge of the same shape, with a deterministic salt and the same iteration count', async () => {
    const { auth } = await authFixture();
    const shape = (s: string) => s.replace(/[A-Za-z0-9_-]{43}/g, 'T');
    const known = await login(auth, 'alice', 'wrong');
    const unknown = await login(auth, 'nobody', 'wrong');
    expect(unknown.results.map((r) => r.kind)).toEqual(known.results.map((r) => r.kind));
    expect(unknown.results.map(statusOf)).toEqual(known.results.map(statusOf));
    expect(shape(wwwAuth(nth(unknown, 0)))).toBe(shape(wwwAuth(nth(known, 0))));
    const serverFirst = (r: AuthResult) => {
      const [c] = parseWwwAuthenticate(wwwAuth(r));
      return c?.scheme === 'SCRAM' ? (c.data ?? '') : '';
    };
    const fields = (m: string) => m.split(',').map((f) => `${f.slice(0, 2)}${f.length}`);
    expect(fields(serverFirst(nth(unknown, 1)))).toEqual(fields(serverFirst(nth(known, 1))));
    expect(serverFirst(nth(unknown, 1))).toMatch(/,i=4096$/);
    const salt = (m: string) => /s=([^,]+)/.exec(m)?.[1];
    const again = await login(auth, 'nobody', 'other');
    expect(salt(serverFirst(nth(again, 1)))).toBe(salt(serverFirst(nth(unknown, 1))));
    const other = await login(auth, 'nobody2', 'x');
    expect(salt(serverFirst(nth(other, 1)))).not.toBe(salt(serverFirst(nth(unknown, 1))));
    expect(unknown.last.kind === 'failure' && unknown.last.error.message).toBe(
      known.last.kind === 'failure' ? known.last.error.message : 'x',
    );
  });
});

describe('Authenticator: throttling', () => {
  it('answers 429 with Retry-After once a username has failed too often from one address, and logs in after the wait', async () => {
    const { auth, clock } = await authFixture();
    for (let i = 0; i < 6; i++) expect((await login(auth, 'alice', 'bad', '10.0.0.1')).last.kind).toBe('failure');
    const blocked = await login(auth, 'alice', 'wonderland', '10.0.0.1');
    expect(blocked.last).toMatchObject({ kind: 'throttled', status: 429, headers: { 'Retry-After': '1' } });
    expect(blocked.last.kind === 'throttled' && blocked.last.error.code).toBe('HS_ERR_THROTTLED');
    // Only that pair is locked: alice logs in from elsewhere.
    expect((await login(auth, 'alice', 'wonderland', '10.0.0.2')).last.kind).toBe('success');
    clock.advance(1000);
    expect((await login(auth, 'alice', 'wonderland', '10.0.0.1')).last.kind).toBe('success');
  });

  it('throttles one address guessing many usernames', async () => {
    const { auth } = await authFixture({ throttle: { perAddress: { freeFailures: 3 } } });
    for (let i = 0; i < 4; i++) await login(auth, `user${i}`, 'bad', '192.0.2.9');
    expect((await login(auth, 'alice', 'wonderland', '192.0.2.9')).last.kind).toBe('throttled');
    expect((await login(auth, 'alice', 'wonderland', '192.0.2.10')).last.kind).toBe('success');
  });

  it('publishes each concluded attempt on the haystack:auth:login channel', async () => {
    const { auth } = await authFixture();
    const events: unknown[] = [];
    const listener = (e: unknown) => events.push(e);
    subscribe('haystack:auth:login', listener);
    try {
      await login(auth, 'alice', 'wonderland', '1.2.3.4');
      await login(auth, 'alice', 'bad', '1.2.3.4');
    } finally {
      unsubscribe('haystack:auth:login', listener);
    }
    expect(events).toEqual([
      { username: 'alice', address: '1.2.3.4', outcome: 'success' },
      { username: 'alice', address: '1.2.3.4', outcome: 'failure', reason: 'credentials' },
    ]);
  });
});

describe('Authenticator: PLAINTEXT (development only)', () => {
  const plain = (username: string, password: string) =>
    formatAuthorization({ scheme: 'PLAINTEXT', username, password });

  it('is refused unless enabled', async () => {
    const { auth } = await authFixture();
    expect((await auth.authenticate({ authorization: plain('alice', 'wonderland'), address: 'a' })).kind).toBe(
      'challenge',
    );
  });

  it('when enabled, is offered after SCRAM and logs in with the right password only', async () => {
    const { auth } = await authFixture({ auth: { allowPlaintext: true } });
    const hello = await auth.authenticate({
      authorization: formatAuthorization({ scheme: 'HELLO', username: 'alice' }),
      address: 'a',
    });
    expect(parseWwwAuthenticate(wwwAuth(hello)).map((c) => c.scheme)).toEqual(['SCRAM', 'PLAINTEXT']);
    const ok = await auth.authenticate({ authorization: plain('alice', 'wonderland'), address: 'a' });
    expect(ok.kind).toBe('success');
    expect(ok.kind === 'success' && ok.headers['Authentication-Info']).toMatch(/^authToken=[A-Za-z0-9_-]{43}$/);
    expect((await auth.authenticate({ authorization: plain('alice', 'nope'), address: 'a' })).kind).toBe('failure');
    expect((await auth.authenticate({ authorization: plain('ghost', 'nope'), address: 'a' })).kind).toBe('failure');
  });

  it('refuses a disabled user even with the right password, and says why on the login channel only', async () => {
    const { auth, users } = await authFixture({ auth: { allowPlaintext: true } });
    await users.updateUser('alice', { enabled: false });
    const { result: r, events } = await withEvents('haystack:auth:login', () =>
      auth.authenticate({ authorization: plain('alice', 'wonderland'), address: 'a' }),
    );
    expect(r).toMatchObject({ kind: 'failure', status: 403 });
    expect(r.kind === 'failure' && r.error.message).toBe(new AuthError().message);
    expect(events).toEqual([{ username: 'alice', address: 'a', outcome: 'failure', reason: 'disabled' }]);
  });
});
