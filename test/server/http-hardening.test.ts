// HTTP-level hardening over real sockets: bodies for ops without arguments, large Zinc bodies, shutdown grace,
// log escaping, Host checks without auth, other methods, security headers, unauthenticated uploads, bad UTF-8.

import diagnostics from 'node:diagnostics_channel';
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { logRequests } from '../../src/app/logging.js';
import { encodeZinc } from '../../src/core/codec/zinc/index.js';
import { Grid } from '../../src/core/grid/grid.js';
import { HDateTime } from '../../src/core/kinds/date-time.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { createServer, type RequestEvent, SERVER_CHANNELS } from '../../src/server/index.js';
import { createMemoryStore } from '../../src/storage/memory/index.js';
import { bearer, secureServerPerTest, tokenFor } from './security/support.js';
import { call, type Fixture, gridOf, startFixture } from './support/server-fixture.js';

let f: Fixture | undefined;
afterEach(async () => {
  await f?.close();
  f = undefined;
});
const startSecure = secureServerPerTest();

const ZINC = 'text/zinc; charset=utf-8';

/** A raw request with full control of headers and body bytes; resolves with status, headers and text. */
function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: init.method ?? 'GET', headers: init.headers ?? {}, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('request bodies', () => {
  it('refuses a body beyond an empty grid for an op that takes no arguments (about), unread', async () => {
    f = await startFixture();
    const small = await call(f, 'about', { body: 'ver:"3.0"\nempty\n', contentType: ZINC });
    expect(small.status).toBe(200);
    const big = await call(f, 'about', { body: `ver:"3.0"\nempty\n${'\n'.repeat(10_000)}`, contentType: ZINC });
    expect(big.status).toBe(413);
    expect(gridOf(big).meta.get('errCode')).toBe('HS_ERR_TOO_LARGE');
  });

  it('reads a large Zinc body a slice at a time, to the same grid', async () => {
    f = await startFixture({ limits: { largeBodyBytes: 1000, maxConcurrentLargeBodies: 1 } });
    const start = HDateTime.parse('2024-06-01T00:00:00-04:00 New_York').epochMs;
    const rows = Array.from({ length: 7_500 }, (_, i) => ({
      ts: HDateTime.fromEpochMs(start + i * 60_000, 'New_York'),
      val: new Num(i / 4, '°F'),
    }));
    const body = encodeZinc(Grid.make({ meta: { id: new Ref('temp') }, cols: ['ts', 'val'], rows }));
    // Longer than one 256 KB slice, so it is read in slices.
    expect(body.length).toBeGreaterThan(256 * 1024);
    // Two at once through a gate of one: the second waits its turn, both are written.
    const answers = await Promise.all([1, 2].map(() => call(f as Fixture, 'hisWrite', { body, contentType: ZINC })));
    expect(answers.map((a) => gridOf(a).isError)).toEqual([false, false]);
    expect(await f.store.hisCount('temp')).toBe(7_500);
    const back = await f.store.hisRead('temp', { start: 0, end: Number.MAX_SAFE_INTEGER });
    expect(back[7_499]?.val).toEqual(new Num(7_499 / 4, '°F'));
    // Two 7,500-row uploads under coverage instrumentation on a busy machine take seconds.
  }, 60_000);

  it('answers 400 to a body that is not UTF-8, instead of replacing bytes', async () => {
    f = await startFixture();
    const body = Buffer.concat([
      Buffer.from('ver:"3.0"\nfilter\n"site'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"\n'),
    ]);
    const x = await request(`${f.base}read`, { method: 'POST', headers: { 'content-type': ZINC }, body });
    expect(x.status).toBe(400);
    expect(x.text).toContain('HS_ERR_PARSE');
  });
});

describe('shutdown', () => {
  it('closes idle and half-sent connections after the grace period', async () => {
    const store = createMemoryStore();
    const server = createServer({ store, noAuth: true, shutdownGraceMs: 50 });
    const addr = await server.listen(0, '127.0.0.1');
    const idle = net.connect(addr.port, '127.0.0.1');
    const half = net.connect(addr.port, '127.0.0.1');
    await Promise.all([idle, half].map((s) => new Promise((resolve) => s.once('connect', resolve))));
    // A keep-alive exchange that leaves its connection idle, and a request whose headers never finish.
    const answered = new Promise((resolve) => idle.once('data', resolve));
    idle.write('GET /api/about HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await answered;
    half.write('POST /api/read HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\nver:');
    const closed = [idle, half].map((s) => new Promise((resolve) => s.once('close', resolve)));
    await server.close();
    await Promise.all(closed);
    await store.close();
  });

  it('waits for a request whose client hung up before it lets the store be closed', async () => {
    const store = createMemoryStore();
    let entered!: () => void;
    const started = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const steps: string[] = [];
    const slow = {
      name: 'slow',
      doc: 'Answers once the test opens the gate, then reads the store.',
      noSideEffects: true,
      requiredRole: 'viewer' as const,
      handler: async () => {
        entered();
        await gate;
        steps.push('op done');
        const n = await store.count();
        steps.push(`counted ${String(n)}`);
        return Grid.fromDicts([{ n: new Num(n) }]);
      },
    };
    const server = createServer({ store, noAuth: true, shutdownGraceMs: 10_000, ops: [slow] });
    const addr = await server.listen(0, '127.0.0.1');
    const socket = net.connect(addr.port, '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write('GET /api/slow HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await started;
    // The client hangs up mid-request: its connection is gone, its op is not.
    const gone = new Promise((resolve) => socket.once('close', resolve));
    socket.destroy();
    await gone;
    const closed = server.close().then(() => steps.push('server closed'));
    // Let the server see the connection end before the op may finish.
    await new Promise((resolve) => setImmediate(resolve));
    release();
    await closed;
    expect(steps).toEqual(['op done', 'counted 0', 'server closed']);
    await store.close();
  });

  it('takes a client that hangs up mid-body for a bad request, not an internal error', async () => {
    const store = createMemoryStore();
    const server = createServer({ store, noAuth: true });
    const addr = await server.listen(0, '127.0.0.1');
    const errors: unknown[] = [];
    const onError = (m: unknown): void => {
      errors.push(m);
    };
    let logged!: (e: RequestEvent) => void;
    const request = new Promise<RequestEvent>((resolve) => {
      logged = resolve;
    });
    const onRequest = (m: unknown): void => {
      if ((m as RequestEvent).requestId === 'cut-short') logged(m as RequestEvent);
    };
    diagnostics.subscribe(SERVER_CHANNELS.error, onError);
    diagnostics.subscribe(SERVER_CHANNELS.request, onRequest);
    try {
      const socket = net.connect(addr.port, '127.0.0.1');
      socket.on('error', () => undefined);
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(
        'POST /api/read HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: cut-short\r\n' +
          'Content-Type: text/zinc\r\nContent-Length: 100\r\n\r\nver:"3.0"\n',
        () => socket.destroy(),
      );
      const event = await request;
      // Nothing of ours failed: no internal error (logged at `error` with a stack, counted as HS_ERR_INTERNAL).
      expect(event.errorCode).toBe('HS_ERR_BAD_REQUEST');
      expect(event.status).toBe(400);
      expect(errors).toEqual([]);
    } finally {
      diagnostics.unsubscribe(SERVER_CHANNELS.error, onError);
      diagnostics.unsubscribe(SERVER_CHANNELS.request, onRequest);
      await server.close();
      await store.close();
    }
  });

  it('refuses a negative grace', () => {
    expect(() => createServer({ store: createMemoryStore(), noAuth: true, shutdownGraceMs: -1 })).toThrow(
      /shutdownGraceMs/,
    );
  });

  it('refuses a grace or WebSocket timer longer than a timer can wait (2^31 - 1 ms), which would fire at once', () => {
    // Node runs a longer timer after 1 ms: the grace would end at once, and pings would go out every millisecond.
    const store = createMemoryStore();
    const long = [
      { shutdownGraceMs: 2 ** 31 },
      ...['pingIntervalMs', 'authTimeoutMs', 'sessionCheckMs', 'pushPollMs'].map((k) => ({
        webSocket: { [k]: Number.MAX_SAFE_INTEGER },
      })),
    ];
    for (const options of long) {
      expect(() => createServer({ store, noAuth: true, ...options }), JSON.stringify(options)).toThrow(
        expect.objectContaining({ code: 'HS_ERR_OPTION_RANGE' }) as Error,
      );
    }
    expect(() =>
      createServer({ store, noAuth: true, shutdownGraceMs: 2 ** 31 - 1, webSocket: { pingIntervalMs: 2 ** 31 - 1 } }),
    ).not.toThrow();
  });
});

describe('methods, hosts and headers', () => {
  it('answers OPTIONS with Allow, and other methods with a 501 that says what is wrong', async () => {
    f = await startFixture();
    const opts = await request(`${f.base}about`, { method: 'OPTIONS' });
    expect(opts.status).toBe(204);
    expect(opts.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
    // It answers no grid: an Accept no format satisfies does not make it a 406.
    const anyAccept = await request(`${f.base}about`, { method: 'OPTIONS', headers: { accept: 'image/png' } });
    expect(anyAccept.status).toBe(204);
    for (const method of ['PUT', 'DELETE', 'PATCH', 'TRACE']) {
      const x = await request(`${f.base}about`, { method });
      expect(x.status, method).toBe(501);
      expect(x.headers.allow).toBe('GET, HEAD, POST, OPTIONS');
      expect(x.text).toContain('HS_ERR_NOT_IMPLEMENTED');
      expect(x.text).not.toContain('Internal server error');
    }
  });

  it('without authentication serves loopback and configured Host names only', async () => {
    f = await startFixture({ allowedHosts: ['dev.example'] });
    const as = (host: string) => request(`${f?.base ?? ''}about`, { headers: { host } });
    // Twice each, in turn: a verdict kept for one Host header is never another's.
    for (let round = 0; round < 2; round++) {
      expect((await as('evil.example')).status).toBe(403);
      expect((await as('127.0.0.1.evil.example:80')).status).toBe(403);
      for (const host of ['localhost:8080', '127.0.0.1', '[::1]:80', 'DEV.example:1'])
        expect((await as(host)).status, host).toBe(200);
    }
    // Past the verdicts kept (they start afresh), still the same answers.
    for (let i = 0; i < 70; i++) expect((await as(`h${String(i)}.example`)).status).toBe(403);
    expect((await as('localhost')).status).toBe(200);
    expect((await as('evil.example')).status).toBe(403);
  });

  it('survives a client that resets the connection after its WebSocket upgrade was refused', async () => {
    // Node leaves an upgraded socket without an error listener: one ECONNRESET on it would end the process.
    const uncaught: unknown[] = [];
    const record = (err: unknown): void => {
      uncaught.push(err);
    };
    process.on('uncaughtException', record);
    try {
      for (const webSocket of [true, false]) {
        f = await startFixture(webSocket ? {} : { webSocket: false });
        const serverSide = new Promise<net.Socket>((resolve) => {
          f?.server.http.once('upgrade', (_req, socket: net.Socket) => {
            resolve(socket);
          });
        });
        const s = net.connect(Number(new URL(f.base).port), '127.0.0.1');
        s.write(
          // A Host name rebound to this machine (403), or an upgrade with no WebSocket endpoint (501).
          `GET /api/ws HTTP/1.1\r\nHost: ${webSocket ? 'evil.example' : 'localhost'}\r\nConnection: Upgrade\r\n` +
            'Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
        );
        const answer = await new Promise<string>((resolve) => {
          s.once('data', (d) => {
            resolve(String(d));
          });
        });
        expect(answer).toMatch(webSocket ? /^HTTP\/1\.1 403/ : /^HTTP\/1\.1 501/);
        const socket = await serverSide;
        const closed = new Promise((resolve) => socket.once('close', resolve));
        s.resetAndDestroy();
        await closed;
        await f.close();
        f = undefined;
      }
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', record);
    }
  });

  it('without authentication refuses a change a page of another origin sends (CSRF), and serves its own pages', async () => {
    f = await startFixture();
    const port = new URL(f.base).port;
    // What a form or a no-cors fetch of any web page can send: text/plain is read as Zinc (haystack-java posts it).
    const write = (headers: Record<string, string>) =>
      request(`${f?.base ?? ''}pointWrite`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain', ...headers },
        body: 'ver:"3.0"\nid,level,val,who\n@sp,8,99,"csrf"\n',
      });
    for (const headers of [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: 'not a url' },
      { origin: `http://127.0.0.1:${String(Number(port) + 1)}` },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site', origin: `http://127.0.0.1:${port}` },
    ]) {
      const r = await write(headers);
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect(r.text).toContain('HS_ERR_PERMISSION');
    }
    expect((await f.store.readByIds(['sp']))[0]?.has('writeLevel')).toBe(false);
    // Reads stay open to any page (without CORS it cannot read the answer), and the UI's own requests are served.
    const read = await request(`${f.base}read?filter=site`, { headers: { origin: 'https://evil.example' } });
    expect(read.status).toBe(200);
    for (const headers of [
      {},
      { origin: `http://127.0.0.1:${port}` },
      { origin: `http://localhost:${port}`, host: `localhost:${port}` },
      { origin: 'http://localhost', host: 'localhost:80' },
      { 'sec-fetch-site': 'same-origin', origin: `http://127.0.0.1:${port}` },
    ]) {
      expect((await write(headers)).status, JSON.stringify(headers)).toBe(200);
    }
  });

  it('sends nosniff everywhere, and no-store on authenticated answers', async () => {
    f = await startFixture();
    const open = await request(`${f.base}about`);
    expect(open.headers['x-content-type-options']).toBe('nosniff');
    expect(open.headers['strict-transport-security']).toBeUndefined();
    const s = await startSecure();
    const x = await request(`${s.base}about`, { headers: { authorization: bearer(await tokenFor(s, 'vera')) } });
    expect(x.status).toBe(200);
    expect(x.headers['cache-control']).toBe('no-store');
    expect(x.headers['x-content-type-options']).toBe('nosniff');
  });

  it('sends the request id and nosniff with every kind of answer, once each', async () => {
    f = await startFixture();
    const answers = [
      await request(`${f.base}read?filter=site`),
      await request(`${f.base}read?filter=site`, { headers: { accept: 'application/json' } }),
      await request(`${f.base}nosuchop`),
      await request(`${f.base}read?filter=site`, { headers: { accept: 'image/png' } }),
      await request(`${f.base}pointWrite`),
      await request(`${f.base}about`, { method: 'OPTIONS' }),
      await request(`${f.base}about`, { method: 'PUT' }),
      await request(`${f.base}read?filter=(`),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 404, 406, 405, 204, 501, 200]);
    for (const a of answers) {
      expect(a.headers['x-content-type-options']).toBe('nosniff');
      expect(a.headers['x-request-id']).toMatch(/^\S+$/);
    }
    const traced = await request(`${f.base}read?filter=site`, { headers: { 'x-request-id': 'trace-7' } });
    expect(traced.headers['x-request-id']).toBe('trace-7');
  });

  it('closes the connection after refusing an unauthenticated upload', async () => {
    const s = await startSecure();
    const x = await request(`${s.base}hisWrite`, {
      method: 'POST',
      headers: { 'content-type': ZINC, 'content-length': String(1024 * 1024) },
      body: Buffer.alloc(1024 * 1024, 0x20),
    }).catch((err: unknown) => {
      const none: http.IncomingHttpHeaders = {};
      return { status: -1, headers: none, text: String(err) };
    });
    // Either the 401 arrives with Connection: close, or the socket is closed before the rest is read.
    if (x.status !== -1) {
      expect(x.status).toBe(401);
      expect(x.headers.connection).toBe('close');
    }
    const authed = await request(`${s.base}about`, {
      method: 'POST',
      headers: { 'content-type': ZINC, connection: 'keep-alive', authorization: bearer(await tokenFor(s, 'vera')) },
      body: 'ver:"3.0"\nempty\n',
    });
    expect(authed.headers.connection).not.toBe('close');
  });
});

describe('logs', () => {
  it('escape control characters of an op name taken from the URL', async () => {
    f = await startFixture();
    const lines: string[] = [];
    const stop = logRequests((l) => lines.push(l));
    try {
      await request(`${f.base}about%0D%0AGET%20read%20200%201.0ms`);
    } finally {
      stop();
    }
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/[\r\n]/);
    expect(lines[0]).toContain('\\u000d\\u000a');
  });
});
