// TLS over real node:https on port 0: TLS 1.3 only, mutual TLS that maps a verified client certificate to a user, and
// renewed credentials served without a restart.

import { webcrypto } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type ConnectionOptions, TLSSocket } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createDevCa,
  type DevCertificates,
  generateDevCertificates,
  type PemPair,
} from '../../../src/cli/dev-certs.js';
import { clientTlsOptions } from '../../../src/client/node/index.js';
import { ValueError } from '../../../src/core/errors.js';
import { createServer } from '../../../src/server/index.js';
import { CertAuthenticator } from '../../../src/server/tls/cert-authenticator.js';
import { parseSubjectAltNames, peerIdentity } from '../../../src/server/tls/peer-identity.js';
import { readServerTlsFiles, type ServerTlsInput, serverTlsOptions } from '../../../src/server/tls/tls-options.js';
import { createMemoryStore } from '../../../src/storage/memory/index.js';
import { createMemoryUserStore } from '../../../src/storage/memory/memory-user-store.js';
import { fakeScram } from '../../../src/storage/testing/user-store-contract.js';

let certs: DevCertificates;
let foreignClient: PemPair;
/** A client certificate that expired yesterday, and the CA that signed it. */
let expired: { readonly ca: string; readonly client: PemPair };

beforeAll(async () => {
  certs = await generateDevCertificates({ clientCn: 'admin' });
  const notBefore = new Date(Date.now() - 3_600_000);
  const foreign = await createDevCa('some other CA');
  foreignClient = await foreign.issue({ cn: 'admin', usage: 'client', days: 1, notBefore });
  const expiring = await createDevCa('expiring CA');
  const client = await expiring.issue({
    cn: 'admin',
    usage: 'client',
    days: 1,
    notBefore: new Date(Date.now() - 2 * 86_400_000),
  });
  expired = { ca: expiring.pem.cert, client };
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

  it('refuses an expired client certificate from the CA; optional client certificates leave it unidentified', async () => {
    const required = await serve({ ca: expired.ca }, whoAmI);
    await expect(get(required, clientTlsOptions({ ca: certs.ca.cert, ...expired.client }))).rejects.toThrow();
    expect(handled).toBe(0);
    const optional = await serve({ ca: expired.ca, requireClientCert: false }, whoAmI);
    expect((await get(optional, clientTlsOptions({ ca: certs.ca.cert, ...expired.client }))).body).toBe('nobody');
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

/** A client certificate signed by `ca` whose subject is exactly `subject` (no CN, or several), with SANs. */
async function customClient(
  ca: PemPair,
  subject: Record<string, string[]>,
  altNames: { type: 'email' | 'dns'; value: string }[],
): Promise<PemPair> {
  await import('reflect-metadata');
  const lib = await import('@peculiar/x509');
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const caKey = await webcrypto.subtle.importKey(
    'pkcs8',
    lib.PemConverter.decode(ca.key)[0] as ArrayBuffer,
    alg,
    false,
    ['sign'],
  );
  const keys = await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify']);
  const cert = await lib.X509CertificateGenerator.create({
    serialNumber: '0a1b2c',
    subject: new lib.Name([subject]),
    issuer: new lib.X509Certificate(ca.cert).subjectName,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: alg,
    extensions: [
      new lib.ExtendedKeyUsageExtension([lib.ExtendedKeyUsage.clientAuth]),
      new lib.SubjectAlternativeNameExtension(altNames),
    ],
  });
  const key = lib.PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  return { cert: cert.toString('pem'), key };
}

describe('certificates without one plain CN', () => {
  async function identify(client: PemPair, certAuth: CertAuthenticator): Promise<{ body: string; seen: unknown }> {
    let seen: unknown;
    const port = await serve({ ca: certs.ca.cert }, async (s) => {
      seen = peerIdentity(s);
      const r = await certAuth.authenticate(s);
      return r === undefined ? 'nobody' : `${r.username}:${r.source}`;
    });
    const { body } = await get(port, clientTlsOptions({ ca: certs.ca.cert, ...client }));
    return { body, seen };
  }

  it('a certificate without a CN has no cn; it maps by another source, never by CN', async () => {
    const users = createMemoryUserStore();
    await users.createUser({ username: 'ops@example.com', role: 'operator', scram: fakeScram(4) });
    const client = await customClient(certs.ca, { O: ['Acme'] }, [{ type: 'email', value: 'ops@example.com' }]);
    const certAuth = CertAuthenticator.create({ users, sources: ['cn', 'email'] });
    const { body, seen } = await identify(client, certAuth);
    expect(seen).toMatchObject({ cn: undefined, email: ['ops@example.com'] });
    expect(body).toBe('ops@example.com:email');
  });

  it('of several CNs the first is the cn', async () => {
    const users = createMemoryUserStore();
    await users.createUser({ username: 'first', role: 'viewer', scram: fakeScram(5) });
    const client = await customClient(certs.ca, { CN: ['first', 'second'] }, [{ type: 'dns', value: 'x.example' }]);
    const { body, seen } = await identify(client, CertAuthenticator.create({ users }));
    expect(seen).toMatchObject({ cn: 'first', dns: ['x.example'] });
    expect(body).toBe('first:cn');
  });

  it('a name that mapIdentity maps to no username authenticates nobody', async () => {
    const users = createMemoryUserStore();
    await users.createUser({ username: 'admin', role: 'admin', scram: fakeScram(6) });
    const certAuth = CertAuthenticator.create({ users, mapIdentity: () => undefined });
    expect((await identify(certs.client, certAuth)).body).toBe('nobody');
  });

  it('skips a JSON-quoted SAN value that is not valid JSON', () => {
    expect(parseSubjectAltNames('DNS:"a\\qb", DNS:ok')).toEqual({ dns: ['ok'], ip: [], email: [], uri: [] });
  });
});

describe('TLS inputs', () => {
  it('takes a certificate chain as several PEMs', () => {
    expect(serverTlsOptions({ cert: ['a', 'b'], key: 'k', ca: [Buffer.from('c')] })).toMatchObject({
      cert: ['a', 'b'],
      ca: [Buffer.from('c')],
    });
  });

  it('reads the PEM files, with and without a CA file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hs-tls-'));
    try {
      await writeFile(path.join(dir, 'c.pem'), certs.server.cert);
      await writeFile(path.join(dir, 'k.pem'), certs.server.key);
      await writeFile(path.join(dir, 'ca.pem'), certs.ca.cert);
      const two = await readServerTlsFiles({ certFile: path.join(dir, 'c.pem'), keyFile: path.join(dir, 'k.pem') });
      expect(Object.keys(two)).toEqual(['cert', 'key']);
      expect(String(two.cert)).toBe(certs.server.cert);
      const three = await readServerTlsFiles({
        certFile: path.join(dir, 'c.pem'),
        keyFile: path.join(dir, 'k.pem'),
        caFile: path.join(dir, 'ca.pem'),
      });
      expect(String(three.ca)).toBe(certs.ca.cert);
      await expect(readServerTlsFiles({ certFile: path.join(dir, 'none'), keyFile: 'k' })).rejects.toThrow();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('HaystackServer.setTls: renewed credentials without a restart', () => {
  it('serves the new certificate from the next handshake on, keeps TLS 1.3, and refuses a key that does not match', async () => {
    const renewed = await generateDevCertificates({ clientCn: 'admin' });
    const store = createMemoryStore();
    const server = createServer({
      store,
      noAuth: true,
      tls: serverTlsOptions({ cert: certs.server.cert, key: certs.server.key }),
    });
    const { port } = await server.listen(0);
    try {
      const about = { ...clientTlsOptions({ ca: certs.ca.cert }), path: '/api/about' };
      expect((await get(port, about)).protocol).toBe('TLSv1.3');
      // A key of another certificate: refused, and the current credentials stay.
      expect(() => {
        server.setTls({ cert: renewed.server.cert, key: certs.server.key });
      }).toThrow(ValueError);
      expect((await get(port, about)).body).toContain('haystack-ts');
      server.setTls({ cert: renewed.server.cert, key: renewed.server.key });
      // Clients that trust only the old CA now refuse the server; those that trust the new one get TLS 1.3.
      await expect(get(port, about)).rejects.toThrow(/verify|self.signed|signature/);
      const next = { ...clientTlsOptions({ ca: renewed.ca.cert }), path: '/api/about' };
      expect(await get(port, next)).toMatchObject({ protocol: 'TLSv1.3' });
      await expect(get(port, { ca: renewed.ca.cert, maxVersion: 'TLSv1.2' })).rejects.toThrow(/protocol version/);
    } finally {
      await server.close();
      await store.close();
    }
    const plain = createServer({ store: createMemoryStore(), noAuth: true });
    expect(() => {
      plain.setTls({ cert: certs.server.cert, key: certs.server.key });
    }).toThrow(/has no TLS/);
  });
});
