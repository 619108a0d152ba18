// `haystack serve --metrics`: the series after real traffic (HTTP, WebSocket, logins, watches, history), the
// admin-only metrics route, and a full run's log that holds none of the secrets the run used.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HaystackClient, UsersClient, WebSocketClient } from '../../../src/client/index.js';
import { decodeBase64UrlText } from '../../../src/core/auth/base64.js';
import { Grid, HDateTime, num, ref } from '../../../src/core/index.js';
import { startServe } from '../../support/serve-cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'haystack-observability-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const ROOT_PASSWORD = 'correct horse battery staple';
const VERA_PASSWORD = 'vera-secret-passphrase-77';
const WRONG_PASSWORD = 'not-the-password-at-all-99';
const ENV = { HS_SUPERUSER_USERNAME: 'root', HS_SUPERUSER_PASSWORD: ROOT_PASSWORD };

/** One sample line's value: `name{labels} value` for the series whose labels include every `labels` pair. */
function sample(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

/** A fetch that records every credential-bearing header sent and received, and the tokens issued. */
function recordingFetch(secrets: string[], tokens: string[]): typeof fetch {
  const note = (header: string | null): void => {
    if (header === null) return;
    for (const m of header.matchAll(/(authToken|data|handshakeToken)=([^,\s]+)/g)) {
      const value = m[2] ?? '';
      secrets.push(value);
      if (m[1] === 'authToken') tokens.push(value);
      // SCRAM data is base64url of `c=...,r=...,p=PROOF`: the proof and nonce themselves must not appear either.
      try {
        for (const attr of decodeBase64UrlText(value).split(',')) {
          if (/^[rps]=/.test(attr) && attr.length > 10) secrets.push(attr.slice(2));
        }
      } catch {
        // Not base64: recorded as it is.
      }
    }
  };
  return async (input, init) => {
    const headers = new Headers(init?.headers);
    note(headers.get('authorization'));
    const res = await fetch(input, init);
    note(res.headers.get('authentication-info'));
    note(res.headers.get('www-authenticate'));
    return res;
  };
}

describe('haystack serve --metrics', () => {
  it('answers /metrics with every series after traffic, and the log of the run holds no secret', async () => {
    const s = await startServe(
      [
        '--store',
        'memory',
        '--port',
        '0',
        '--demo-days',
        '0',
        '--metrics',
        '--metrics-listen',
        '127.0.0.1:0',
        '--log-level',
        'trace',
      ],
      dir,
      ENV,
    );
    const secrets: string[] = [ROOT_PASSWORD, VERA_PASSWORD, WRONG_PASSWORD];
    const tokens: string[] = [];
    const f = recordingFetch(secrets, tokens);
    let text = '';
    try {
      const metricsUrl = /metrics at (\S+)/.exec(s.stdout())?.[1];
      expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const root = new HaystackClient({ url: s.url, username: 'root', password: ROOT_PASSWORD, fetch: f });
      await root.about();
      const rootToken = tokens.at(-1) ?? '';
      const sites = await root.read('site');
      expect(sites.size).toBeGreaterThan(0);
      await expect(root.call('noSuchOp')).rejects.toThrow();
      const point = (await root.read('point and his and kind == "Number"', { limit: 1 })).rows[0];
      const id = point?.id;
      expect(id).toBeDefined();
      const tz = point?.get('tz');
      const now = HDateTime.now(typeof tz === 'string' ? tz : 'UTC');
      await root.hisWrite(id ?? ref('x'), [
        { ts: now.plusMillis(-60_000), val: num(1) },
        { ts: now, val: num(2) },
      ]);
      // The users API with a token, a user's own login, and a failed one.
      const users = await UsersClient.connect({
        url: s.url,
        credentials: { username: 'root', password: ROOT_PASSWORD },
        fetch: f,
      });
      await users.create({ username: 'vera', password: VERA_PASSWORD, role: 'viewer' });
      const vera = new HaystackClient({ url: s.url, username: 'vera', password: VERA_PASSWORD, fetch: f });
      await vera.about();
      const veraToken = tokens.at(-1) ?? '';
      expect(veraToken).not.toBe(rootToken);
      await expect(
        new HaystackClient({ url: s.url, username: 'vera', password: WRONG_PASSWORD, fetch: f }).about(),
      ).rejects.toThrow();
      // A WebSocket on root's token: a watch opened over it.
      const wsc = new WebSocketClient({ url: s.url, token: rootToken });
      try {
        const sub = await wsc.call('watchSub', watchSubGrid(id?.id ?? ''));
        expect(sub.meta.get('watchId')).toBeTypeOf('string');
      } finally {
        await wsc.disconnect();
      }
      // A bearer token the server never issued: 401, counted as an auth failure (reason token), logged without it.
      const forged = 'f'.repeat(43);
      secrets.push(forged);
      expect((await f(`${s.url}about`, { headers: { authorization: `BEARER authToken=${forged}` } })).status).toBe(401);
      // The admin route on the API needs an admin; the listener needs nothing.
      const adminRoute = await f(`${s.url}metrics`, {
        headers: { authorization: `BEARER authToken=${rootToken}` },
      });
      expect(adminRoute.status).toBe(200);
      await adminRoute.text();
      expect((await f(`${s.url}metrics`, { headers: { authorization: `BEARER authToken=${veraToken}` } })).status).toBe(
        403,
      );
      const scrape = await fetch(metricsUrl ?? '');
      expect(scrape.headers.get('content-type')).toContain('text/plain');
      text = await scrape.text();
      await users.close();
      await vera.close();
      await root.close();
    } finally {
      await s.stop();
    }
    // Per-op counts and latency, errors by code.
    expect(
      sample(text, 'haystack_op_requests_total', { op: 'read', transport: 'http', outcome: 'ok' }),
    ).toBeGreaterThanOrEqual(2);
    expect(
      sample(text, 'haystack_op_duration_seconds_count', { op: 'read', transport: 'http' }),
    ).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'haystack_op_errors_total', { op: 'unknown', code: 'HS_ERR_UNKNOWN_OP' })).toBe(1);
    expect(sample(text, 'haystack_op_requests_total', { op: 'watchSub', transport: 'ws' })).toBe(1);
    // Auth by outcome and failure reason; sessions.
    expect(sample(text, 'haystack_auth_logins_total', { outcome: 'success' })).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'haystack_auth_failures_total', { reason: 'credentials' })).toBe(1);
    expect(sample(text, 'haystack_auth_failures_total', { reason: 'token' })).toBe(1);
    // A refused token is no login attempt.
    expect(sample(text, 'haystack_auth_logins_total', { outcome: 'failure' })).toBe(1);
    expect(sample(text, 'haystack_sessions_active')).toBeGreaterThanOrEqual(1);
    // Connections, WebSocket messages, watches.
    expect(sample(text, 'haystack_connections_total', { transport: 'http' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'haystack_connections_total', { transport: 'ws' })).toBe(1);
    expect(sample(text, 'haystack_connections_active', { transport: 'ws' })).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'haystack_messages_total', { transport: 'ws', direction: 'received' })).toBeGreaterThanOrEqual(
      2,
    );
    expect(sample(text, 'haystack_watch_changes_total', { action: 'open' })).toBe(1);
    expect(sample(text, 'haystack_watches_active')).toBeDefined();
    // The store: latency by backend and kind, history samples written.
    expect(
      sample(text, 'haystack_store_query_duration_seconds_count', { backend: 'memory', kind: 'read' }),
    ).toBeGreaterThan(0);
    expect(sample(text, 'haystack_his_samples_written_total', { backend: 'memory' })).toBeGreaterThanOrEqual(2);
    // The process: event-loop lag and heap.
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);

    const log = `${s.stdout()}\n${s.stderr()}`;
    // The run logged what it did (requests, logins, the user created, store calls at trace level)...
    expect(log).toContain('"msg":"request"');
    expect(log).toMatch(/"outcome":"failure".*"reason":"credentials".*"msg":"login"/);
    expect(log).toMatch(/"reason":"token".*"msg":"token refused"/);
    expect(log).toMatch(/"action":"create","user":"vera"/);
    expect(log).toContain('"msg":"store call"');
    // ...and none of the secrets it used: passwords, tokens, SCRAM data, nonces and proofs.
    const leaked = [...new Set(secrets)].filter((secret) => secret.length >= 8 && log.includes(secret));
    expect(secrets.length).toBeGreaterThan(10);
    expect(leaked).toEqual([]);
  });
});

function watchSubGrid(id: string): Grid {
  return Grid.make({ meta: { watchDis: 'metrics test' }, cols: ['id'], rows: [{ id: ref(id) }] });
}
