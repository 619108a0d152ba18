// Login abuse over real HTTP: no lockout switch (HELLO floods, malformed SCRAM), flood-proof throttle records,
// username length at HELLO, PLAINTEXT bursts, trusted proxies, and a short idle limit that still slides.

import { describe, expect, it } from 'vitest';
import { HaystackClient } from '../../../src/client/index.js';
import { formatAuthorization, parseWwwAuthenticate } from '../../../src/core/auth/auth-header.js';
import { ScramClient } from '../../../src/core/auth/scram-client.js';
import { bearer, errCodeOf, type SecureFixture, secureServerPerTest } from './support.js';

const start = secureServerPerTest();

interface Step {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

async function send(fx: SecureFixture, authorization: string, headers: Record<string, string> = {}): Promise<Step> {
  const res = await fetch(`${fx.base}about`, { headers: { authorization, ...headers } });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const hello = (username: string): string => formatAuthorization({ scheme: 'HELLO', username });

function challengeToken(step: Step): { token: string; data: string | undefined } {
  const [c] = parseWwwAuthenticate(step.headers.get('www-authenticate') ?? '');
  if (c?.scheme !== 'SCRAM') throw new Error(`no SCRAM challenge: ${step.status}`);
  return { token: c.handshakeToken ?? '', data: c.data };
}

/** A whole SCRAM login; the status of its last step (200 success, 403 failure, 429 throttled). */
async function login(fx: SecureFixture, username: string, password: string, headers: Record<string, string> = {}) {
  const h = await send(fx, hello(username), headers);
  if (h.status !== 401) return h.status;
  const scram = ScramClient.create({ username, password });
  const first = await send(
    fx,
    formatAuthorization({ scheme: 'SCRAM', handshakeToken: challengeToken(h).token, data: scram.clientFirstMessage() }),
    headers,
  );
  if (first.status !== 401) return first.status;
  const c = challengeToken(first);
  const last = await send(
    fx,
    formatAuthorization({
      scheme: 'SCRAM',
      handshakeToken: c.token,
      data: await scram.clientFinalMessage(c.data ?? ''),
    }),
    headers,
  );
  return last.status;
}

describe('no lockout switch', () => {
  it('a flood of HELLOs from one address does not block logins from it', async () => {
    const fx = await start();
    for (let i = 0; i < 40; i++) expect((await send(fx, hello(`nobody${i}`))).status).toBe(401);
    expect(await login(fx, 'ada', 'ada-admin-pass')).toBe(200);
  });

  it('malformed SCRAM messages naming the admin do not count against the admin', async () => {
    const fx = await start();
    for (let i = 0; i < 10; i++) {
      const h = await send(fx, hello('ada'));
      const bad = formatAuthorization({
        scheme: 'SCRAM',
        handshakeToken: challengeToken(h).token,
        data: 'bm90IHNjcmFt',
      });
      expect((await send(fx, bad)).status).toBe(403);
    }
    expect(await login(fx, 'ada', 'ada-admin-pass')).toBe(200);
  });

  it('guesses from one address lock that address for the user, never the user everywhere', async () => {
    const fx = await start({
      security: { trustedProxies: ['127.0.0.1'], throttle: { perPair: { freeFailures: 2, baseDelayMs: 60_000 } } },
    });
    const attacker = { 'x-forwarded-for': '203.0.113.7' };
    for (let i = 0; i < 3; i++) expect(await login(fx, 'ada', 'guess', attacker)).toBe(403);
    expect(await login(fx, 'ada', 'ada-admin-pass', attacker)).toBe(429);
    expect(await login(fx, 'ada', 'ada-admin-pass', { 'x-forwarded-for': '198.51.100.1' })).toBe(200);
  });

  it("tells the client's user a refused password from a throttle, and how long to wait", async () => {
    const fx = await start({ security: { throttle: { perPair: { freeFailures: 1, baseDelayMs: 60_000 } } } });
    const as = (password: string): Promise<unknown> =>
      new HaystackClient({ url: fx.base, username: 'ada', password }).about().catch((e: unknown) => e);
    expect(String(await as('guess'))).toMatch(/Login failed: the username or password was refused \(HTTP 403\)/);
    await as('guess');
    expect(String(await as('ada-admin-pass'))).toMatch(
      /Login failed: too many attempts, try again in \d+ s \(HTTP 429\)/,
    );
  });

  it('ignores X-Forwarded-For unless the peer is a trusted proxy', async () => {
    const fx = await start({ security: { throttle: { perPair: { freeFailures: 2, baseDelayMs: 60_000 } } } });
    for (let i = 0; i < 3; i++) expect(await login(fx, 'ada', 'guess', { 'x-forwarded-for': '203.0.113.7' })).toBe(403);
    expect(await login(fx, 'ada', 'ada-admin-pass', { 'x-forwarded-for': '198.51.100.1' })).toBe(429);
  });
});

describe('throttle records', () => {
  it('a flood of fresh usernames does not reset the record of a user under attack', async () => {
    const fx = await start({
      security: {
        throttle: {
          perPair: { freeFailures: 1, baseDelayMs: 60_000 },
          perAddress: { freeFailures: 1000 },
          maxEntries: 4,
        },
      },
    });
    expect(await login(fx, 'vera', 'guess')).toBe(403);
    expect(await login(fx, 'vera', 'guess')).toBe(403);
    for (let i = 0; i < 8; i++) expect(await login(fx, `flood${i}`, 'x')).toBe(403);
    expect(await login(fx, 'vera', 'vera-viewer-pass')).toBe(429);
  });

  it('refuses a HELLO username longer than any user can have, keeping no exchange for it', async () => {
    const fx = await start();
    const long = await send(fx, hello('a'.repeat(6000)));
    expect(long.status).toBe(403);
    expect(long.headers.get('www-authenticate')).toBeNull();
    expect(errCodeOf(long)).toBe('HS_ERR_AUTH_FAILED');
    const ctl = await send(fx, hello('ada\u0007'));
    expect(ctl.status).toBe(403);
  });
});

describe('PLAINTEXT', () => {
  it('counts each attempt before its PBKDF2 runs, so a burst is throttled after the free failures', async () => {
    const fx = await start({
      security: { allowPlaintext: true, throttle: { perPair: { freeFailures: 2, baseDelayMs: 60_000 } } },
    });
    const bad = formatAuthorization({ scheme: 'PLAINTEXT', username: 'vera', password: 'guess' });
    const statuses = await Promise.all(Array.from({ length: 12 }, () => send(fx, bad).then((x) => x.status)));
    expect(statuses.filter((s) => s === 403)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(9);
    const long = formatAuthorization({ scheme: 'PLAINTEXT', username: 'v'.repeat(500), password: 'x' });
    expect((await send(fx, long)).status).toBe(403);
  });

  it('a successful PLAINTEXT login takes back its advance count', async () => {
    const fx = await start({ security: { allowPlaintext: true, throttle: { perAddress: { freeFailures: 1 } } } });
    const good = formatAuthorization({ scheme: 'PLAINTEXT', username: 'vera', password: 'vera-viewer-pass' });
    for (let i = 0; i < 3; i++) expect((await send(fx, good)).status).toBe(200);
  });
});

describe('sessions', () => {
  it('a one-minute idle limit slides with use', async () => {
    const fx = await start({ security: { idleTtlMs: 60_000 } });
    const token = (await fx.security.tokens.issue('vera')).token;
    for (let i = 0; i < 4; i++) {
      fx.clock.advance(40_000);
      expect((await send(fx, bearer(token))).status).toBe(200);
    }
  });
});
