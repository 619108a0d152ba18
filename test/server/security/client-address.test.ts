// The client address throttling counts against, over real HTTP: X-Forwarded-For is read only from trusted proxies,
// right to left, skipping trusted hops; and the security hooks' defaults (socket address, memory sessions).

import { once } from 'node:events';
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { formatAuthorization } from '../../../src/core/auth/auth-header.js';
import { Authenticator } from '../../../src/server/auth/authenticator.js';
import { TokenService } from '../../../src/server/auth/token-service.js';
import { createServer } from '../../../src/server/index.js';
import { createSecurity, forwardedClientAddress, securityHooks } from '../../../src/server/security.js';
import { createMemoryStore } from '../../../src/storage/memory/index.js';
import { createMemoryUserStore } from '../../../src/storage/memory/memory-user-store.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** A server that answers each request with the address `of` finds for it (listening on `host`, reached over IPv4). */
async function echoAddress(of: (req: IncomingMessage) => string, host = '127.0.0.1'): Promise<string> {
  const server = http.createServer((req, res) => res.end(of(req)));
  server.listen(0, host);
  await once(server, 'listening');
  closers.push(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** GET with raw header lines (so a header may be repeated). */
function get(url: string, headers: [string, string][] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    // Raw header lines: node:http adds no Host of its own then.
    const req = http.get(url, { headers: [['host', 'localhost'], ...headers].flat(), agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        resolve(body);
      });
    });
    req.on('error', reject);
  });
}

describe('forwardedClientAddress', () => {
  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    const url = await echoAddress(forwardedClientAddress(['10.9.9.9']));
    expect(await get(url, [['x-forwarded-for', '1.2.3.4']])).toBe('127.0.0.1');
  });

  it('from a trusted proxy: the peer without the header, else the rightmost hop that is not a trusted proxy', async () => {
    const url = await echoAddress(forwardedClientAddress(['127.0.0.1', '10.0.0.7']));
    expect(await get(url)).toBe('127.0.0.1');
    expect(await get(url, [['x-forwarded-for', '6.6.6.6, 1.2.3.4, 10.0.0.7']])).toBe('1.2.3.4');
    // Repeated headers are one list, in order.
    expect(
      await get(url, [
        ['x-forwarded-for', '6.6.6.6'],
        ['x-forwarded-for', '5.5.5.5, 10.0.0.7'],
      ]),
    ).toBe('5.5.5.5');
    // Only trusted or empty hops: the peer itself.
    expect(await get(url, [['x-forwarded-for', ' , 10.0.0.7,127.0.0.1']])).toBe('127.0.0.1');
  });

  it('on a dual-stack listener, trusts an IPv4 proxy named as usual, and gives IPv4 clients as IPv4', async () => {
    // Listening on `::`, the socket reports an IPv4 peer as `::ffff:127.0.0.1`: `--trust-proxy 127.0.0.1` must match
    // it, or every client behind the proxy is counted as the proxy and one guesser locks them all out.
    const url = await echoAddress(forwardedClientAddress(['127.0.0.1']), '::');
    expect(await get(url, [['x-forwarded-for', '1.2.3.4']])).toBe('1.2.3.4');
    expect(await get(url, [['x-forwarded-for', '1.2.3.4, ::ffff:127.0.0.1']])).toBe('1.2.3.4');
    expect(await get(url)).toBe('127.0.0.1');
    const mapped = await echoAddress(forwardedClientAddress(['::FFFF:127.0.0.1']), '::');
    expect(await get(mapped, [['x-forwarded-for', '::ffff:5.6.7.8']])).toBe('5.6.7.8');
  });

  it('a request whose connection is gone has the empty address', async () => {
    let seen: string | undefined;
    const url = await echoAddress((req) => {
      req.socket.destroy();
      seen = forwardedClientAddress([])(req);
      return '';
    });
    await expect(get(url)).rejects.toThrow();
    expect(seen).toBe('');
  });
});

describe('security hooks with their defaults', () => {
  it('count against the socket address and close a session-less principal without revoking anything', async () => {
    const users = createMemoryUserStore();
    const tokens = TokenService.create({ users });
    const authenticator = Authenticator.create({
      users,
      tokens,
      serverSecret: new Uint8Array(32).fill(3),
      iterations: 4096,
    });
    const hooks = securityHooks({ authenticator, tokens });
    const store = createMemoryStore();
    const server = createServer({ store, ...hooks });
    const addr = await server.listen(0, '127.0.0.1');
    closers.push(async () => {
      await server.close();
      await store.close();
    });
    const hello = await fetch(`${addr.url}about`, {
      headers: { authorization: formatAuthorization({ scheme: 'HELLO', username: 'nobody' }) },
    });
    expect(hello.status).toBe(401);
    expect(hello.headers.get('www-authenticate')).toMatch(/^SCRAM /);
    // A principal authenticated by certificate has no session: closing it does nothing, and does not fail.
    await expect(hooks.closeSession({ username: 'admin', role: 'admin' })).resolves.toBeUndefined();
  });

  it('createSecurity keeps sessions in memory unless given a store', async () => {
    const users = createMemoryUserStore();
    const security = createSecurity({ users, serverSecret: new Uint8Array(32).fill(4), iterations: 4096 });
    const issued = await security.tokens.issue('ghost');
    // The user does not exist, so the session is found and ended on first use.
    expect(await security.tokens.verify(issued.token)).toBeUndefined();
    expect(security.iterations).toBe(4096);
  });
});
