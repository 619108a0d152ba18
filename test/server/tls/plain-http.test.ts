// Plain HTTP sent to the HTTPS port of createServer: a 400 that says to use https://, over a real socket; TLS clients
// (mutual TLS included) see no difference, and what is neither is still refused without an answer.

import { once } from 'node:events';
import https from 'node:https';
import net from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DevCertificates, generateDevCertificates } from '../../../src/cli/dev-certs.js';
import { clientTlsOptions } from '../../../src/client/node/index.js';
import { createServer, type HaystackServer } from '../../../src/server/index.js';
import { type ServerTlsInput, serverTlsOptions } from '../../../src/server/tls/tls-options.js';
import { createMemoryStore } from '../../../src/storage/memory/index.js';

let certs: DevCertificates;
beforeAll(async () => {
  certs = await generateDevCertificates({ clientCn: 'admin' });
});

const servers: HaystackServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function serve(
  input: Omit<ServerTlsInput, 'cert' | 'key'> = {},
  handshakeTimeout?: number,
): Promise<{ server: HaystackServer; port: number }> {
  const tls = serverTlsOptions({ cert: certs.server.cert, key: certs.server.key, ...input });
  const server = createServer({
    store: createMemoryStore(),
    noAuth: true,
    tls: handshakeTimeout === undefined ? tls : { ...tls, handshakeTimeout },
  });
  servers.push(server);
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port };
}

interface RawReply {
  /** Everything the server sent before it closed. */
  readonly text: string;
  /** Whether the connection ended in an error (a reset) rather than a close. */
  readonly error: boolean;
}

/** Connect over plain TCP, send `chunks` one write each, and read until the server closes. */
async function raw(port: number, ...chunks: (string | Buffer)[]): Promise<RawReply> {
  return rawThen(port, chunks, false);
}

/** As {@link raw}, then end the connection's sending side when `end`. */
async function rawThen(port: number, chunks: readonly (string | Buffer)[], end: boolean): Promise<RawReply> {
  const socket = net.connect(port, '127.0.0.1');
  let error = false;
  socket.on('error', () => {
    error = true;
  });
  const got: Buffer[] = [];
  socket.on('data', (c: Buffer) => got.push(c));
  await once(socket, 'connect');
  for (const c of chunks) socket.write(c);
  if (end) socket.end();
  await new Promise((resolve) => socket.once('close', resolve));
  return { text: Buffer.concat(got).toString('latin1'), error };
}

function tlsGet(port: number, options: https.RequestOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host: '127.0.0.1', port, path: '/api/about', servername: 'localhost', agent: false, ...options },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', reject);
  });
}

describe('plain HTTP on the HTTPS port', () => {
  it('answers 400 naming the https:// URL, with Connection: close, then closes', async () => {
    const { port } = await serve();
    const reply = await raw(port, `GET /api/about?x=1 HTTP/1.1\r\nHost: 127.0.0.1:${String(port)}\r\n\r\n`);
    const [head = '', body] = reply.text.split('\r\n\r\n');
    expect(head.split('\r\n')).toEqual([
      'HTTP/1.1 400 Bad Request',
      'Content-Type: text/plain; charset=utf-8',
      `Content-Length: ${String(Buffer.byteLength(body ?? ''))}`,
      'X-Content-Type-Options: nosniff',
      'Cache-Control: no-store',
      'Connection: close',
    ]);
    expect(body).toBe(`This port speaks HTTPS only: use https://127.0.0.1:${String(port)}/api/about?x=1\n`);
    expect(reply.error).toBe(false);
  });

  it('names the port reached when Host has none, and / for a target it does not echo', async () => {
    const { port } = await serve();
    const reply = await raw(port, 'GET http://example.com/ HTTP/1.1\r\nhost:   localhost  \r\n\r\n');
    expect(reply.text).toMatch(
      new RegExp(`\\r\\n\\r\\nThis port speaks HTTPS only: use https://localhost:${String(port)}/\\n$`),
    );
    const v6 = await raw(port, 'GET /<script> HTTP/1.1\r\nHost: [::1]:8443\r\n\r\n');
    expect(v6.text).toMatch(/use https:\/\/\[::1\]:8443\/\n$/);
  });

  it('says https:// without a URL when there is no Host, or one not fit to echo; HEAD gets no body', async () => {
    const { port } = await serve();
    const generic = 'This port speaks HTTPS only: use https:// rather than http://\n';
    expect((await raw(port, 'GET / HTTP/1.0\r\n\r\n')).text).toMatch(new RegExp(`\\r\\n\\r\\n${generic}$`));
    const markup = await raw(port, 'GET / HTTP/1.1\r\nHost: <b>x</b>\r\n\r\n');
    expect(markup.text.endsWith(`\r\n\r\n${generic}`)).toBe(true);
    expect(markup.text).not.toContain('<b>');
    const head = await raw(port, 'HEAD / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    expect(head.text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*Content-Length: \d+\r\n[\s\S]*\r\n\r\n$/);
  });

  it('reads what else the client sends before closing, and cuts off one that keeps sending', async () => {
    const { port } = await serve();
    const body = await raw(
      port,
      'POST /api/read HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\n',
      '0123456789',
    );
    expect(body.text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    // Cut off: the connection ends now, not at the 120 s handshake timeout (a reset may take the answer with it).
    const flood = await raw(port, 'POST / HTTP/1.1\r\nHost: localhost\r\n\r\n', Buffer.alloc(200_000, 'x'));
    expect(flood.text === '' || flood.text.startsWith('HTTP/1.1 400 Bad Request\r\n')).toBe(true);
  });

  it('closes what is neither TLS nor an HTTP request without an answer', async () => {
    const { port } = await serve();
    expect((await raw(port, 'NOT HTTP AT ALL\r\n\r\n')).text).toBe('');
    expect((await raw(port, Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]))).text).toBe('');
    // A request line cut short by the client's end is no request either, nor one whose header never ends.
    expect(await rawThen(port, ['GET / HTTP/1.1'], true)).toEqual({ text: '', error: false });
    expect((await rawThen(port, ['GET / HTTP/1.1\r\nHost: localhost\r\n'], true)).text).toBe('');
  });

  it('waits for a request line and header that come in several packets', async () => {
    const { server, port } = await serve();
    const accepted = once(server.http, 'connection') as Promise<[net.Socket]>;
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    const got: Buffer[] = [];
    socket.on('data', (c: Buffer) => got.push(c));
    await once(socket, 'connect');
    const [peer] = await accepted;
    let sent = 0;
    // Each piece is read by the server before the next is sent, so that each is a read of its own.
    for (const piece of ['G', 'ET /api/ab', 'out HTTP/1.', '1\r', '\nHost: local', 'host\r\n', '\r\n']) {
      socket.write(piece);
      sent += piece.length;
      while (peer.bytesRead < sent || peer.readableLength > 0) await new Promise((r) => setImmediate(r));
      expect(got).toEqual([]);
    }
    await once(socket, 'close');
    expect(Buffer.concat(got).toString()).toMatch(/use https:\/\/localhost:\d+\/api\/about\n$/);
  });

  it('answers a request whose header does not end within 8 KB, and ends one cut short at the timeout', async () => {
    const { port } = await serve({}, 50);
    const long = await raw(port, `GET / HTTP/1.1\r\nHost: localhost\r\nX-Long: ${'x'.repeat(9000)}`);
    expect(long.text).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*use https:\/\/localhost:\d+\/\n$/);
    expect(await raw(port, 'GET / HTTP/1.1')).toEqual({ text: '', error: false });
    expect((await raw(port, 'GET / HTTP/1.1\r\nHost: x\r\n')).text).toBe('');
  });

  it('ends a connection that says nothing, at the handshake timeout, and one that ends without a byte', async () => {
    const { port } = await serve({}, 50);
    expect(await raw(port)).toEqual({ text: '', error: false });
    const socket = net.connect(port, '127.0.0.1');
    await once(socket, 'connect');
    socket.end();
    await once(socket, 'close');
  });

  it('a connection reset before its first byte is no uncaught error', async () => {
    const { server, port } = await serve();
    const accepted = once(server.http, 'connection') as Promise<[net.Socket]>;
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    const [peer] = await accepted;
    const failed = once(peer, 'error') as Promise<[NodeJS.ErrnoException]>;
    socket.resetAndDestroy();
    expect((await failed)[0].code).toBe('ECONNRESET');
    expect((await tlsGet(port, clientTlsOptions({ ca: certs.ca.cert }))).status).toBe(200);
  });

  it('close() ends connections that never sent a byte rather than waiting for them', async () => {
    const { server, port } = await serve();
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await once(socket, 'connect');
    // The server has it once a byte of something else went through: wait on a TLS round trip.
    await tlsGet(port, clientTlsOptions({ ca: certs.ca.cert }));
    const closed = once(socket, 'close');
    servers.splice(servers.indexOf(server), 1);
    await server.close();
    await closed;
  });
});

describe('TLS clients on the same port', () => {
  it('are served as before, after plain HTTP was answered', async () => {
    const { port } = await serve();
    await raw(port, 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n');
    const reply = await tlsGet(port, clientTlsOptions({ ca: certs.ca.cert }));
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('haystack-ts');
  });

  it('with mutual TLS: a certificate gets through, none is refused, plain HTTP is still answered', async () => {
    const { port } = await serve({ ca: certs.ca.cert });
    const ok = await tlsGet(port, clientTlsOptions({ ca: certs.ca.cert, ...certs.client }));
    expect(ok.status).toBe(200);
    await expect(tlsGet(port, clientTlsOptions({ ca: certs.ca.cert }))).rejects.toThrow(/certificate required/);
    expect((await raw(port, 'GET / HTTP/1.1\r\nHost: localhost\r\n\r\n')).text).toMatch(/^HTTP\/1\.1 400 /);
  });
});
