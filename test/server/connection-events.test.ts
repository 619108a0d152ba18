// Connection events reach MetricsHooks from every listener of createServer: plain HTTP (a request, a malformed one),
// TLS (a completed handshake, a failed one) and WebSockets; the metrics listener's own connections are not counted.

import { once } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { listenMetrics } from '../../src/app/observability/metrics-server.js';
import { type DevCertificates, generateDevCertificates } from '../../src/cli/dev-certs.js';
import type { MetricsHooks } from '../../src/core/metrics-hooks.js';
import { attachMetricsHooks, createServer, type HaystackServer } from '../../src/server/index.js';
import { serverTlsOptions } from '../../src/server/tls/tls-options.js';
import { createMemoryStore } from '../../src/storage/memory/index.js';

let certs: DevCertificates;
beforeAll(async () => {
  certs = await generateDevCertificates();
});

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** Connection hooks that record `phase transport` per event, and wait for a predicate over what was recorded. */
function recorder() {
  const events: string[] = [];
  const waiting: { check: () => boolean; resolve: () => void }[] = [];
  const push = (e: string): void => {
    events.push(e);
    for (const w of waiting.splice(0)) {
      if (w.check()) w.resolve();
      else waiting.push(w);
    }
  };
  const hooks: MetricsHooks = {
    onConnectionOpen: (c) => {
      push(`open ${c.transport}`);
    },
    onConnectionClose: (c) => {
      push(`close ${c.transport}`);
    },
    onConnectionError: (c) => {
      push(`error ${c.transport}`);
    },
  };
  cleanup.push(attachMetricsHooks(hooks));
  const count = (e: string): number => events.filter((x) => x === e).length;
  return {
    events,
    count,
    /** Resolves once `e` was recorded `n` times. */
    until: (e: string, n = 1): Promise<void> =>
      new Promise((resolve) => {
        const check = (): boolean => count(e) >= n;
        if (check()) resolve();
        else waiting.push({ check, resolve });
      }),
  };
}

async function serve(options: { readonly tls?: boolean } = {}): Promise<{ server: HaystackServer; url: string }> {
  const store = createMemoryStore();
  const server = createServer({
    store,
    noAuth: true,
    ...(options.tls === true ? { tls: serverTlsOptions({ cert: certs.server.cert, key: certs.server.key }) } : {}),
  });
  const { url } = await server.listen(0, '127.0.0.1');
  cleanup.push(async () => {
    await server.close();
    await store.close();
  });
  return { server, url };
}

/** A GET on a connection of its own, read to the end (the server closes nothing: the agent does). */
async function get(url: string, options: https.RequestOptions = {}): Promise<number> {
  const client = url.startsWith('https:') ? https : http;
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    client.get(url, { agent: false, ...options }, resolve).on('error', reject);
  });
  res.resume();
  await once(res, 'end');
  return res.statusCode ?? 0;
}

/** Write `bytes` on a raw TCP connection to `url`'s port and wait until the server ends it. */
async function raw(url: string, bytes: string): Promise<void> {
  const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
  socket.on('error', () => undefined);
  socket.resume();
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.write(bytes);
  await closed(socket);
}

// `once(socket, 'close')` would reject on the error a refused connection emits first.
function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    socket.once('close', () => {
      resolve();
    });
  });
}

describe('connection events', () => {
  it('plain HTTP: a request opens and closes one; a malformed request is an error too', async () => {
    const r = recorder();
    const { url } = await serve();
    expect(await get(`${url}about`)).toBe(200);
    await r.until('close http');
    expect(r.events).toEqual(['open http', 'close http']);
    await raw(url, 'NOT HTTP AT ALL\r\n\r\n');
    await r.until('close http', 2);
    expect(r.events.slice(2)).toEqual(['open http', 'error http', 'close http']);
  });

  it('TLS: a completed handshake opens and closes one; a failed handshake is an error without an open', async () => {
    const r = recorder();
    const { url } = await serve({ tls: true });
    expect(await get(`${url}about`, { ca: certs.ca.cert, servername: 'localhost' })).toBe(200);
    await r.until('close http');
    expect(r.events).toEqual(['open http', 'close http']);
    // Plain HTTP on the TLS port, then a client that offers TLS 1.2 at most (the server wants 1.3).
    await raw(url, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await r.until('error http');
    const old = tls.connect({
      host: '127.0.0.1',
      port: Number(new URL(url).port),
      maxVersion: 'TLSv1.2',
      ca: certs.ca.cert,
      servername: 'localhost',
    });
    old.on('error', () => undefined);
    await closed(old);
    await r.until('error http', 2);
    expect(r.count('open http')).toBe(1);
    expect(r.count('close http')).toBe(1);
  });

  it('WebSocket: the upgrade is a ws connection of its own, over its HTTP one', async () => {
    const r = recorder();
    const { url } = await serve();
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}ws`);
    await once(ws, 'open');
    await r.until('open ws');
    ws.close();
    await once(ws, 'close');
    await r.until('close ws');
    await r.until('close http');
    expect([...r.events].sort()).toEqual(['close http', 'close ws', 'open http', 'open ws']);
  });

  it('the metrics listener is not counted: a scrape is no client connection', async () => {
    const r = recorder();
    const listener = await listenMetrics(
      { contentType: 'text/plain', metrics: () => Promise.resolve('up 1\n') },
      '127.0.0.1',
      0,
    );
    cleanup.push(() => listener.close());
    expect(await get(listener.url)).toBe(200);
    // The API server's connection after it: its events are the first recorded.
    const { url } = await serve();
    expect(await get(`${url}about`)).toBe(200);
    await r.until('close http');
    expect(r.events).toEqual(['open http', 'close http']);
  });
});
