// Haystack auth over real HTTP: full handshakes with HaystackClient, the wire shape of each step, and every failure path.

import { afterEach, describe, expect, it } from 'vitest';
import { HaystackClient, LoginRequiredError } from '../../../src/client/index.js';
import { formatAuthorization, parseWwwAuthenticate } from '../../../src/core/auth/auth-header.js';
import { ScramClient } from '../../../src/core/auth/scram-client.js';
import { AuthError } from '../../../src/core/errors.js';
import { bearer, type Exchange, errCodeOf, gridOf, raw, type SecureFixture, startSecure } from './support.js';

let f: SecureFixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});

async function start(options: Parameters<typeof startSecure>[0] = {}): Promise<SecureFixture> {
  f = await startSecure(options);
  return f;
}

/** The three GETs of a login, as a Haystack client sends them, with every response. */
async function handshake(fx: SecureFixture, username: string, password: string): Promise<Exchange[]> {
  const seen: Exchange[] = [];
  const hello = await raw(fx, 'about', { authorization: formatAuthorization({ scheme: 'HELLO', username }) });
  seen.push(hello);
  if (hello.status !== 401) return seen;
  const [c] = parseWwwAuthenticate(hello.headers.get('www-authenticate') ?? '');
  if (c?.scheme !== 'SCRAM') return seen;
  const scram = ScramClient.create({ username, password });
  const first = await raw(fx, 'about', {
    authorization: formatAuthorization({
      scheme: 'SCRAM',
      handshakeToken: c.handshakeToken,
      data: scram.clientFirstMessage(),
    }),
  });
  seen.push(first);
  if (first.status !== 401) return seen;
  const [s] = parseWwwAuthenticate(first.headers.get('www-authenticate') ?? '');
  if (s?.scheme !== 'SCRAM' || s.data === undefined) return seen;
  seen.push(
    await raw(fx, 'about', {
      authorization: formatAuthorization({
        scheme: 'SCRAM',
        handshakeToken: s.handshakeToken,
        data: await scram.clientFinalMessage(s.data),
      }),
    }),
  );
  return seen;
}

function tokenOf(x: Exchange | undefined): string {
  const m = /authToken=([A-Za-z0-9_-]+)/.exec(x?.headers.get('authentication-info') ?? '');
  if (m?.[1] === undefined) throw new Error('no authToken');
  return m[1];
}

describe('login over HTTP', () => {
  it('HaystackClient logs in with SCRAM and reads; the token is a 256-bit base64url bearer token', async () => {
    const fx = await start();
    const events: string[] = [];
    const client = new HaystackClient({
      url: fx.base,
      username: 'vera',
      password: 'vera-viewer-pass',
      onEvent: (e) => {
        if (e.type === 'login') events.push(e.username);
      },
    });
    const sites = await client.read('site');
    expect(sites.size).toBe(2);
    expect((await client.about()).get('serverName')).toBe('haystack-ts');
    expect(events).toEqual(['vera']);
  });

  it('each step has the Auth chapter shape: 401 HELLO challenge, 401 SCRAM server-first, 200 Authentication-Info', async () => {
    const fx = await start();
    const [hello, first, final] = await handshake(fx, 'otto', 'otto-operator-pass');
    expect(hello?.status).toBe(401);
    expect(hello?.headers.get('www-authenticate')).toMatch(/^SCRAM hash=SHA-256, handshakeToken=[A-Za-z0-9_-]{43}$/);
    expect(hello?.headers.get('cache-control')).toBe('no-store');
    expect(first?.status).toBe(401);
    expect(first?.headers.get('www-authenticate')).toMatch(
      /^SCRAM handshakeToken=[A-Za-z0-9_-]{43}, hash=SHA-256, data=/,
    );
    expect(final?.status).toBe(200);
    expect(final?.headers.get('authentication-info')).toMatch(
      /^authToken=[A-Za-z0-9_-]{43}, hash=SHA-256, data=[A-Za-z0-9_-]+$/,
    );
    const token = tokenOf(final);
    const about = await raw(fx, 'about', { authorization: bearer(token) });
    expect(about.status).toBe(200);
    expect(gridOf(about).first?.get('serverName')).toBe('haystack-ts');
    // RFC 6750's form, what generic HTTP tools send, carries the same token.
    expect((await raw(fx, 'about', { authorization: `Bearer ${token}` })).status).toBe(200);
    // Tokens are kept hashed: the session id is the SHA-256 of the token, never the token.
    const sessions = await fx.users.listUserSessions('otto');
    expect(sessions).toHaveLength(1);
    expect(sessions[0]?.id).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(sessions)).not.toContain(token);
  });

  it('a request without a token, or with a bad one, gets 401 WWW-Authenticate: HELLO and an error grid', async () => {
    const fx = await start();
    for (const authorization of [
      undefined,
      bearer('x'.repeat(43)),
      'Basic dmVyYTp4',
      'BEARER authToken=short',
      'Bearer short',
    ]) {
      const r = await raw(fx, 'read?filter=site', authorization === undefined ? {} : { authorization });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toBe('HELLO');
      expect(errCodeOf(r)).toBe('HS_ERR_AUTH');
    }
  });
});

describe('a client without credentials', () => {
  it('is told whether it gave nothing or a token the server refused', async () => {
    const fx = await start();
    await expect(new HaystackClient({ url: fx.base }).read('site')).rejects.toThrow(
      /read: authentication required, and no credentials were given/,
    );
    const stale = new HaystackClient({ url: fx.base, token: 'x'.repeat(43) });
    const err = await stale.read('site').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoginRequiredError);
    expect((err as Error).message).toBe('read: the session token was refused (expired or revoked): log in again');
  });
});

describe('login failures', () => {
  it('a wrong password ends with 403 and an error grid that names no part', async () => {
    const fx = await start();
    const steps = await handshake(fx, 'vera', 'not-her-password');
    expect(steps.map((s) => s.status)).toEqual([401, 401, 403]);
    const last = steps[2] as Exchange;
    expect(errCodeOf(last)).toBe('HS_ERR_AUTH_FAILED');
    expect(gridOf(last).meta.get('dis')).toBe('Authentication failed');
    await expect(fx.client('vera', 'not-her-password').about()).rejects.toBeInstanceOf(AuthError);
  });

  it('an unknown username gets the same challenge shape, iteration count and final answer as a wrong password', async () => {
    const fx = await start();
    const known = await handshake(fx, 'vera', 'wrong-password');
    const unknown = await handshake(fx, 'nobody', 'wrong-password');
    const shape = (x: Exchange | undefined) => (x?.headers.get('www-authenticate') ?? '').replace(/=[^,]+/g, '=*');
    expect(unknown.map((x) => x.status)).toEqual(known.map((x) => x.status));
    expect(shape(unknown[0])).toBe(shape(known[0]));
    expect(shape(unknown[1])).toBe(shape(known[1]));
    const serverFirst = (x: Exchange | undefined) => {
      const [c] = parseWwwAuthenticate(x?.headers.get('www-authenticate') ?? '');
      return c?.scheme === 'SCRAM' ? (c.data ?? '') : '';
    };
    const lengths = (m: string) => m.split(',').map((p) => `${p.slice(0, 2)}${p.length}`);
    expect(lengths(serverFirst(unknown[1]))).toEqual(lengths(serverFirst(known[1])));
    expect(serverFirst(unknown[1])).toMatch(/,i=4096$/);
    // Deterministic fake salt: asking again shows the same salt, as a real user's would.
    const again = await handshake(fx, 'nobody', 'other-password');
    const salt = (m: string) => /s=([^,]+)/.exec(m)?.[1];
    expect(salt(serverFirst(again[1]))).toBe(salt(serverFirst(unknown[1])));
    expect(unknown[2]?.text).toBe(known[2]?.text);
  });

  it('an expired token gets 401; the client logs in again by itself', async () => {
    const fx = await start({ security: { idleTtlMs: 60_000, maxLifetimeMs: 3_600_000 } });
    const [, , final] = await handshake(fx, 'vera', 'vera-viewer-pass');
    const token = tokenOf(final);
    fx.clock.advance(60_001);
    const r = await raw(fx, 'about', { authorization: bearer(token) });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('HELLO');
    let logins = 0;
    const client = new HaystackClient({
      url: fx.base,
      username: 'vera',
      password: 'vera-viewer-pass',
      onEvent: (e) => {
        if (e.type === 'login') logins++;
      },
    });
    await client.about();
    fx.clock.advance(60_001);
    await client.about();
    expect(logins).toBe(2);
  });

  it('tokens slide with use but end at the absolute cap', async () => {
    const minute = 60_000;
    const fx = await start({ security: { idleTtlMs: 10 * minute, maxLifetimeMs: 25 * minute } });
    const token = tokenOf((await handshake(fx, 'vera', 'vera-viewer-pass'))[2]);
    // Each use 9 minutes after the last keeps it alive past the first 10-minute idle deadline...
    for (let i = 0; i < 2; i++) {
      fx.clock.advance(9 * minute);
      expect((await raw(fx, 'about', { authorization: bearer(token) })).status).toBe(200);
    }
    // ...but 25 minutes after login it ends, though it was used 7 minutes ago.
    fx.clock.advance(7 * minute);
    expect((await raw(fx, 'about', { authorization: bearer(token) })).status).toBe(401);
  });

  it('close revokes the token: the next call with it gets 401', async () => {
    const fx = await start();
    const token = tokenOf((await handshake(fx, 'vera', 'vera-viewer-pass'))[2]);
    const closed = await raw(fx, 'close', { method: 'POST', authorization: bearer(token) });
    expect(closed.status).toBe(200);
    expect(gridOf(closed).isError).toBe(false);
    expect((await raw(fx, 'about', { authorization: bearer(token) })).status).toBe(401);
    expect(await fx.users.listUserSessions('vera')).toHaveLength(0);
    const client = fx.client('vera');
    await client.about();
    await client.close();
    expect(client.authenticated).toBe(false);
    expect(await fx.users.listUserSessions('vera')).toHaveLength(0);
  });

  it('a disabled user cannot log in and their live token stops working at once', async () => {
    const fx = await start();
    const token = tokenOf((await handshake(fx, 'otto', 'otto-operator-pass'))[2]);
    await fx.users.updateUser('otto', { enabled: false });
    expect((await raw(fx, 'about', { authorization: bearer(token) })).status).toBe(401);
    expect((await handshake(fx, 'otto', 'otto-operator-pass')).map((x) => x.status)).toEqual([401, 401, 403]);
  });

  it('throttles a username after repeated failures (429 Retry-After), and lets it in after the wait', async () => {
    const fx = await start({ security: { throttle: { perUsername: { freeFailures: 2, baseDelayMs: 4000 } } } });
    for (let i = 0; i < 3; i++) expect((await handshake(fx, 'vera', 'guess')).at(-1)?.status).toBe(403);
    const blocked = await handshake(fx, 'vera', 'vera-viewer-pass');
    expect(blocked).toHaveLength(1);
    expect(blocked[0]?.status).toBe(429);
    expect(blocked[0]?.headers.get('retry-after')).toBe('4');
    expect(errCodeOf(blocked[0] as Exchange)).toBe('HS_ERR_THROTTLED');
    // Other users are not affected by vera's lockout (the address allows more failures).
    expect((await handshake(fx, 'otto', 'otto-operator-pass')).at(-1)?.status).toBe(200);
    fx.clock.advance(4000);
    expect((await handshake(fx, 'vera', 'vera-viewer-pass')).at(-1)?.status).toBe(200);
  });

  it('throttles a client address guessing many usernames', async () => {
    const fx = await start({ security: { throttle: { perAddress: { freeFailures: 2, baseDelayMs: 2000 } } } });
    for (const name of ['u1', 'u2', 'u3']) expect((await handshake(fx, name, 'guess')).at(-1)?.status).toBe(403);
    const blocked = await handshake(fx, 'otto', 'otto-operator-pass');
    expect(blocked[0]?.status).toBe(429);
    expect(blocked[0]?.headers.get('retry-after')).toBe('2');
  });

  it('PLAINTEXT is refused unless enabled, then accepted (development only)', async () => {
    const plain = formatAuthorization({ scheme: 'PLAINTEXT', username: 'vera', password: 'vera-viewer-pass' });
    const off = await start();
    const refused = await raw(off, 'about', { authorization: plain });
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe('HELLO');
    await off.close();
    f = undefined;
    const on = await start({ security: { allowPlaintext: true } });
    const hello = await raw(on, 'about', { authorization: formatAuthorization({ scheme: 'HELLO', username: 'vera' }) });
    expect(hello.headers.get('www-authenticate')).toMatch(/, PLAINTEXT$/);
    const ok = await raw(on, 'about', { authorization: plain });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('authentication-info')).toMatch(/^authToken=/);
    const wrong = formatAuthorization({ scheme: 'PLAINTEXT', username: 'vera', password: 'wrong-password' });
    expect((await raw(on, 'about', { authorization: wrong })).status).toBe(403);
  });

  it('a replayed handshake token is refused', async () => {
    const fx = await start();
    const hello = await raw(fx, 'about', { authorization: formatAuthorization({ scheme: 'HELLO', username: 'vera' }) });
    const [c] = parseWwwAuthenticate(hello.headers.get('www-authenticate') ?? '');
    if (c?.scheme !== 'SCRAM') throw new Error('no challenge');
    const data = ScramClient.create({ username: 'vera', password: 'x' }).clientFirstMessage();
    const authorization = formatAuthorization({ scheme: 'SCRAM', handshakeToken: c.handshakeToken, data });
    expect((await raw(fx, 'about', { authorization })).status).toBe(401);
    expect((await raw(fx, 'about', { authorization })).status).toBe(403);
  });
});
