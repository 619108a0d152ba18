// TLS over real node:https on port 0: TLS 1.3 only, and mutual TLS that maps a verified client certificate to a user.

import { once } from 'node:events';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { type ConnectionOptions, TLSSocket } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createDevCa,
  type DevCertificates,
  generateDevCertificates,
  type PemPair,
} from '../../../src/cli/dev-certs.js';
import { clientTlsOptions } from '../../../src/client/node/index.js';
import { CertAuthenticator } from '../../../src/server/tls/cert-authenticator.js';
import { parseSubjectAltNames, peerIdentity } from '../../../src/server/tls/peer-identity.js';
import { type ServerTlsInput, serverTlsOptions } from '../../../src/server/tls/tls-options.js';
import { createMemoryUserStore } from '../../../src/storage/memory/memory-user-store.js';
import { fakeScram } from '../../../src/storage/testing/user-store-contract.js';

let certs: DevCertificates;
let foreignClient: PemPair;

beforeAll(async () => {
  certs = await generateDevCertificates({ clientCn: 'admin' });
  const notBefore = new Date(Date.now() - 3_600_000);
  const foreign = await createDevCa('some other CA');
  foreignClient = await foreign.issue({ cn: 'admin', usage: 'client', days: 1, notBefore });
});

const servers: https.Server[] = [];
/** Requests that reached a handler (a refused handshake must never get there). */
let handled = 0;
afterEach(async () => {
  handled = 0;
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
    await once(s, 'close');
  }
});

function tlsSocket(socket: unknown): TLSSocket {
  if (socket instanceof TLSSocket) return socket;
  throw new Error('not a TLS socket');
}

type Handler = (socket: TLSSocket) => Promise<string> | string;

async function serve(input: Omit<ServerTlsInput, 'cert' | 'key'>, handler: Handler = () => 'ok'): Promise<number> {
  const server = https.createServer(
    serverTlsOptions({ cert: certs.server.cert, key: certs.server.key, ...input }),
    (req, res) => {
      handled++;
      void Promise.resolve(handler(tlsSocket(req.socket))).then((body) => {
        res.end(body);
      });
    },
  );
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

interface Reply {
  readonly body: string;
  readonly protocol: string | null;
}

function get(port: number, options: ConnectionOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host: '127.0.0.1', port, path: '/', servername: 'localhost', agent: false, ...options },
      (res) => {
        const protocol = tlsSocket(res.socket).getProtocol();
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          resolve({ body, protocol });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.setTimeout(4000, () => req.destroy(new Error('timeout')));
  });
}

describe('serverTlsOptions', () => {
  it('serves over TLS 1.3 to a client that trusts the CA', async () => {
    const port = await serve({});
    const reply = await get(port, clientTlsOptions({ ca: certs.ca.cert }));
    expect(reply).toEqual({ body: 'ok', protocol: 'TLSv1.3' });
  });

  it('sets TLS 1.3 as the minimum and asks for client certificates only with a CA', () => {
    expect(serverTlsOptions({ cert: 'c', key: 'k' })).toMatchObject({
      minVersion: 'TLSv1.3',
      requestCert: false,
      rejectUnauthorized: false,
    });
    expect(serverTlsOptions({ cert: 'c', key: 'k', ca: 'a' })).toMatchObject({
      requestCert: true,
      rejectUnauthorized: true,
    });
    expect(() => serverTlsOptions({ cert: 'c', key: 'k', requestClientCert: true })).toThrow();
    expect(clientTlsOptions()).toEqual({ minVersion: 'TLSv1.3', rejectUnauthorized: true });
    expect(() => clientTlsOptions({ cert: 'c' })).toThrow();
  });

  it('refuses a client limited to TLS 1.2', async () => {
    const port = await serve({});
    await expect(get(port, { ca: certs.ca.cert, maxVersion: 'TLSv1.2' })).rejects.toThrow(/protocol version/);
  });

  it('the client refuses a server whose certificate it cannot verify', async () => {
    const port = await serve({});
    await expect(get(port, clientTlsOptions())).rejects.toThrow(/verify|self.signed/);
  });
});

describe('mutual TLS', () => {
  const users = createMemoryUserStore();
  beforeAll(async () => {
    await users.createUser({ username: 'admin', role: 'admin', scram: fakeScram(1) });
    await users.createUser({ username: 'ops', role: 'operator', scram: fakeScram(2), enabled: false });
  });
  const certAuth = CertAuthenticator.create({ users });
  const whoAmI: Handler = async (socket) => {
    const r = await certAuth.authenticate(socket);
    return r === undefined ? 'nobody' : `${r.username}:${r.role}:${r.source}`;
  };

  it('refuses a client without a certificate', async () => {
    const port = await serve({ ca: certs.ca.cert }, whoAmI);
    await expect(get(port, clientTlsOptions({ ca: certs.ca.cert }))).rejects.toThrow(/certificate required/);
    expect(handled).toBe(0);
  });

  it('refuses a client certificate from another CA', async () => {
    const port = await serve({ ca: certs.ca.cert }, whoAmI);
    await expect(get(port, clientTlsOptions({ ca: certs.ca.cert, ...foreignClient }))).rejects.toThrow();
    expect(handled).toBe(0);
  });

  it('maps a client certificate from the CA to its user by CN', async () => {
    const port = await serve({ ca: certs.ca.cert }, whoAmI);
    const reply = await get(port, clientTlsOptions({ ca: certs.ca.cert, ...certs.client }));
    expect(reply).toEqual({ body: 'admin:admin:cn', protocol: 'TLSv1.3' });
  });

  it('with optional client certificates, lets a certificate-less client through unidentified', async () => {
    const port = await serve({ ca: certs.ca.cert, requireClientCert: false }, whoAmI);
    expect((await get(port, clientTlsOptions({ ca: certs.ca.cert }))).body).toBe('nobody');
    expect((await get(port, clientTlsOptions({ ca: certs.ca.cert, ...foreignClient }))).body).toBe('nobody');
    expect((await get(port, clientTlsOptions({ ca: certs.ca.cert, ...certs.client }))).body).toBe('admin:admin:cn');
  });
});

describe('peerIdentity and SAN mapping', () => {
  it('reads CN and SANs of a verified client certificate, and maps by email SAN', async () => {
    const ca = await createDevCa();
    const server = await ca.issue({
      cn: 'localhost',
      usage: 'server',
      altNames: ['localhost'],
      days: 1,
      notBefore: new Date(Date.now() - 60_000),
    });
    const client = await ca.issue({
      cn: 'Ops Console',
      usage: 'client',
      altNames: ['email:ops@example.com', 'console.example.com', '10.1.2.3', 'uri:urn:haystack:ops'],
      days: 1,
      notBefore: new Date(Date.now() - 60_000),
    });
    const users = createMemoryUserStore();
    await users.createUser({ username: 'ops', role: 'operator', scram: fakeScram(3) });
    const byEmail = CertAuthenticator.create({
      users,
      sources: ['cn', 'email'],
      mapIdentity: (name, source) => (source === 'email' ? name.split('@')[0] : name),
    });
    const seen: unknown[] = [];
    const httpsServer = https.createServer(serverTlsOptions({ ...server, ca: ca.pem.cert }), (req, res) => {
      const socket = tlsSocket(req.socket);
      seen.push(peerIdentity(socket));
      void byEmail.authenticate(socket).then((r) => res.end(r === undefined ? 'nobody' : `${r.username}:${r.source}`));
    });
    servers.push(httpsServer);
    httpsServer.listen(0, '127.0.0.1');
    await once(httpsServer, 'listening');
    const port = (httpsServer.address() as AddressInfo).port;
    const reply = await get(port, clientTlsOptions({ ca: ca.pem.cert, ...client }));
    expect(reply.body).toBe('ops:email');
    expect(seen[0]).toMatchObject({
      cn: 'Ops Console',
      dns: ['console.example.com'],
      ip: ['10.1.2.3'],
      email: ['ops@example.com'],
      uri: ['urn:haystack:ops'],
    });
  });

  it('a disabled user is not authenticated by certificate', async () => {
    const users = createMemoryUserStore();
    await users.createUser({ username: 'admin', role: 'admin', scram: fakeScram(1), enabled: false });
    const certAuth = CertAuthenticator.create({ users });
    const port = await serve({ ca: certs.ca.cert }, async (s) =>
      (await certAuth.authenticate(s)) === undefined ? 'nobody' : 'somebody',
    );
    expect((await get(port, clientTlsOptions({ ca: certs.ca.cert, ...certs.client }))).body).toBe('nobody');
  });

  it('parses Node SAN strings, including JSON-quoted values', () => {
    expect(
      parseSubjectAltNames(
        'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, email:"a,b@x.org", URI:urn:x, othername:<unsupported>',
      ),
    ).toEqual({
      dns: ['localhost'],
      ip: ['127.0.0.1', '0:0:0:0:0:0:0:1'],
      email: ['a,b@x.org'],
      uri: ['urn:x'],
    });
    expect(parseSubjectAltNames(undefined)).toEqual({ dns: [], ip: [], email: [], uri: [] });
  });
});
