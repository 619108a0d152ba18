// Auth over real HTTPS: SCRAM logins with HaystackClient, TLS 1.3 only, and mutual TLS mapping certificates to users.

import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDevCa, type DevCa, type PemPair } from '../../../src/cli/dev-certs.js';
import { HaystackClient } from '../../../src/client/index.js';
import { createTlsFetch, type TlsFetch } from '../../../src/client/node/index.js';
import { CertAuthenticator, SERVER_CHANNELS, serverTlsOptions } from '../../../src/server/index.js';
import { bearer, errCodeOf, raw, type SecureFixture, startSecure, tokenFor } from './support.js';

let ca: DevCa;
let server: PemPair;
/** Client certificates of our CA by CN, and one of a foreign CA. */
const clientCerts = new Map<string, PemPair>();
let foreign: PemPair;

beforeAll(async () => {
  const notBefore = new Date(Date.now() - 3_600_000);
  ca = await createDevCa('test CA', 2, notBefore);
  server = await ca.issue({
    cn: 'localhost',
    usage: 'server',
    altNames: ['localhost', '127.0.0.1'],
    days: 1,
    notBefore,
  });
  for (const cn of ['otto', 'vera', 'stranger']) {
    clientCerts.set(cn, await ca.issue({ cn, usage: 'client', days: 1, notBefore }));
  }
  foreign = await (await createDevCa('other CA', 2, notBefore)).issue({
    cn: 'otto',
    usage: 'client',
    days: 1,
    notBefore,
  });
});

function certOf(cn: string): PemPair {
  const c = clientCerts.get(cn);
  if (c === undefined) throw new Error(`no certificate for ${cn}`);
  return c;
}

let f: SecureFixture | undefined;
const fetches: TlsFetch[] = [];
afterEach(async () => {
  for (const x of fetches.splice(0)) await x.close();
  await f?.close();
  f = undefined;
});
afterAll(async () => {
  for (const x of fetches.splice(0)) await x.close();
});

function tlsFetch(...args: Parameters<typeof createTlsFetch>): typeof fetch {
  const made = createTlsFetch(...args);
  fetches.push(made);
  return made.fetch;
}

/** The error behind undici's "fetch failed", with its causes' messages joined. */
async function failure(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    const parts: string[] = [];
    for (let e: unknown = err; e instanceof Error; e = e.cause)
      parts.push(e.message, (e as { code?: string }).code ?? '');
    return parts.join(' | ');
  }
  return 'no failure';
}

/** Count requests the server finished (published on the request channel). */
function countRequests(): { count: () => number; stop: () => void } {
  let n = 0;
  const listener = (): void => {
    n++;
  };
  subscribe(SERVER_CHANNELS.request, listener);
  return { count: () => n, stop: () => unsubscribe(SERVER_CHANNELS.request, listener) };
}

describe('HTTPS', () => {
  it('HaystackClient logs in with SCRAM over TLS and reads', async () => {
    const fx = await startSecure({ tls: serverTlsOptions(server) });
    f = fx;
    expect(fx.base).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/api\/$/);
    const client = fx.client('vera', undefined, { fetch: tlsFetch({ ca: ca.pem.cert }) });
    expect((await client.read('site')).size).toBe(2);
    // Over TLS every answer tells browsers to stay on HTTPS.
    const x = await raw(fx, 'about', { fetch: tlsFetch({ ca: ca.pem.cert }) });
    expect(x.headers.get('strict-transport-security')).toBe('max-age=31536000');
    await client.close();
    expect(await fx.users.listUserSessions('vera')).toHaveLength(0);
  });

  it('refuses a client limited to TLS 1.2', async () => {
    f = await startSecure({ tls: serverTlsOptions(server) });
    const old = tlsFetch({ ca: ca.pem.cert }, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    expect(await failure(old(`${f.base}about`))).toMatch(/protocol version|ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION/i);
  });

  it('a client that does not trust the server certificate refuses it', async () => {
    f = await startSecure({ tls: serverTlsOptions(server) });
    expect(await failure(tlsFetch({})(`${f.base}about`))).toMatch(/certificate|self.signed|verify/i);
  });
});

describe('mutual TLS', () => {
  const startMtls = async (requireClientCert = true): Promise<SecureFixture> => {
    f = await startSecure({
      tls: serverTlsOptions({ ...server, ca: ca.pem.cert, requireClientCert }),
      certAuth: (users) => CertAuthenticator.create({ users }),
    });
    return f;
  };

  // TLS 1.3 checks the client certificate after the client has sent its request, so the client sees the
  // connection closed; that no request reached the server shows the handshake refused it.
  it('refuses a client without a certificate at the TLS handshake', async () => {
    const fx = await startMtls();
    const reached = countRequests();
    try {
      expect(await failure(tlsFetch({ ca: ca.pem.cert })(`${fx.base}about`))).toMatch(/other side closed|certificate/i);
      expect(reached.count()).toBe(0);
    } finally {
      reached.stop();
    }
  });

  it('refuses a certificate from another CA', async () => {
    const fx = await startMtls();
    const reached = countRequests();
    try {
      const wrong = tlsFetch({ ca: ca.pem.cert, ...foreign });
      expect(await failure(wrong(`${fx.base}about`))).toMatch(/other side closed|unknown ca|certificate/i);
      expect(reached.count()).toBe(0);
    } finally {
      reached.stop();
    }
  });

  it('maps a verified certificate to its user by CN: no login, and that user’s role applies', async () => {
    const fx = await startMtls();
    const otto = new HaystackClient({ url: fx.base, fetch: tlsFetch({ ca: ca.pem.cert, ...certOf('otto') }) });
    expect((await otto.read('site')).size).toBe(2);
    await otto.pointWrite('sp', 8, null);
    expect(otto.authenticated).toBe(false);
    const vera = tlsFetch({ ca: ca.pem.cert, ...certOf('vera') });
    const denied = await raw(fx, 'pointWrite', {
      method: 'POST',
      body: 'ver:"3.0"\nid,level,val\n@sp,8,70°F\n',
      contentType: 'text/zinc',
      fetch: vera,
    });
    expect(denied.status).toBe(403);
    expect(errCodeOf(denied)).toBe('HS_ERR_PERMISSION');
    expect((await raw(fx, 'users/', { fetch: vera })).status).toBe(403);
  });

  it('a certificate does not let a page of another origin change anything (CSRF); a bearer token still does', async () => {
    const fx = await startMtls();
    const otto = tlsFetch({ ca: ca.pem.cert, ...certOf('otto') });
    // The browser presents the certificate to whatever page sends it here: a form posting text/plain (Zinc).
    const post = (headers: Record<string, string>) =>
      otto(`${fx.base}pointWrite`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', ...headers },
        body: 'ver:"3.0"\nid,level,val\n@sp,8,99°F\n',
      });
    const forged = await post({ origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('HS_ERR_PERMISSION');
    expect((await fx.server.handler.store.readByIds(['sp']))[0]?.has('writeLevel')).toBe(false);
    expect((await post({ origin: new URL(fx.base).origin })).status).toBe(200);
    const token = await tokenFor(fx, 'otto');
    const withToken = await post({ origin: 'https://evil.example', authorization: bearer(token) });
    expect(withToken.status).toBe(200);
  });

  it('a verified certificate of no user, or of a disabled user, authenticates nobody (401); SCRAM still works', async () => {
    const fx = await startMtls();
    const stranger = tlsFetch({ ca: ca.pem.cert, ...certOf('stranger') });
    const r = await raw(fx, 'about', { fetch: stranger });
    expect(r.status).toBe(401);
    expect(r.headers.get('www-authenticate')).toBe('HELLO');
    expect((await fx.client('vera', undefined, { fetch: stranger }).about()).get('serverName')).toBe('haystack-ts');
    await fx.users.updateUser('otto', { enabled: false });
    expect((await raw(fx, 'about', { fetch: tlsFetch({ ca: ca.pem.cert, ...certOf('otto') }) })).status).toBe(401);
  });

  it('with optional client certificates, a certificate-less client logs in with SCRAM and a bearer token', async () => {
    const fx = await startMtls(false);
    const plain = tlsFetch({ ca: ca.pem.cert });
    expect((await raw(fx, 'about', { fetch: plain })).status).toBe(401);
    const token = await tokenFor(fx, 'vera');
    expect((await raw(fx, 'about', { fetch: plain, authorization: bearer(token) })).status).toBe(200);
    expect((await fx.client('otto', undefined, { fetch: plain }).read('site')).size).toBe(2);
    const foreignFetch = tlsFetch({ ca: ca.pem.cert, ...foreign });
    expect((await raw(fx, 'about', { fetch: foreignFetch })).status).toBe(401);
    expect((await raw(fx, 'about', { fetch: tlsFetch({ ca: ca.pem.cert, ...certOf('otto') }) })).status).toBe(200);
  });
});
