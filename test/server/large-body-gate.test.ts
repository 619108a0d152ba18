// The large-body gate under slow uploads: bodies are read outside it under a budget of bytes received, a gate slot is
// taken only to decode a body that has arrived, and a body that stops arriving is answered 408 and its connection
// closed. Stalls are driven by not sending; the tests observe answers and their order, never time.

import diagnostics from 'node:diagnostics_channel';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type RequestEvent, SERVER_CHANNELS } from '../../src/server/events.js';
import { resolveServerLimits } from '../../src/server/limits.js';
import { call, type Fixture, gridOf, ids, startFixture } from './support/server-fixture.js';

let f: Fixture | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await f?.close();
  f = undefined;
});

const ZINC = 'text/zinc; charset=utf-8';
/** A `read` of every site, padded with rows to `bytes` (at least): a body of the given size that reads s1 and s2. */
function paddedRead(bytes: number): string {
  const head = 'ver:"3.0"\nfilter,pad\n"site",N\n';
  const row = `N,"${'x'.repeat(96)}"\n`;
  return head + row.repeat(Math.ceil((bytes - head.length) / row.length));
}

/** Resolves once the server has been handed `n` more requests (Node's own `http.server.request.start`). */
function requestsStarted(n: number): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const listener = (): void => {
      if (++seen < n) return;
      diagnostics.unsubscribe('http.server.request.start', listener);
      resolve();
    };
    diagnostics.subscribe('http.server.request.start', listener);
    cleanups.push(() => diagnostics.unsubscribe('http.server.request.start', listener));
  });
}

/** The server's side of the connection of the next request it is handed. */
function nextServerSocket(): Promise<net.Socket> {
  return new Promise((resolve) => {
    const listener = (message: unknown): void => {
      diagnostics.unsubscribe('http.server.request.start', listener);
      resolve((message as { socket: net.Socket }).socket);
    };
    diagnostics.subscribe('http.server.request.start', listener);
    cleanups.push(() => diagnostics.unsubscribe('http.server.request.start', listener));
  });
}

/** A chunked POST to `read` that sends one chunk of `first` and then nothing; collects what the server answers. */
function stalledUpload(fixture: Fixture, first: string): { socket: net.Socket; sent: number; answer: Promise<string> } {
  const url = new URL(fixture.base);
  const socket = net.connect(Number(url.port), url.hostname);
  socket.on('error', () => undefined);
  cleanups.push(() => {
    socket.destroy();
  });
  const request =
    `POST ${url.pathname}read HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: ${ZINC}\r\n` +
    `Transfer-Encoding: chunked\r\n\r\n${Buffer.byteLength(first).toString(16)}\r\n${first}\r\n`;
  socket.write(request);
  const answer = new Promise<string>((resolve) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
    });
    socket.on('close', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
  return { socket, sent: Buffer.byteLength(request), answer };
}

describe('slow uploads and the large-body gate', () => {
  it('two stalled chunked uploads do not keep a third client from a large read', async () => {
    // The default gate of two slots: before, each staller held one from its first byte.
    f = await startFixture();
    const arrived = requestsStarted(2);
    const stallers = [stalledUpload(f, 'ver:"3.0"\n'), stalledUpload(f, 'ver:"3.0"\n')];
    await arrived;
    // A round trip after both were handed over: their handlers have begun reading their bodies by now.
    expect((await call(f, 'about')).status).toBe(200);
    const big = await call(f, 'read', { body: paddedRead(1_200_000), contentType: ZINC });
    expect(big.status).toBe(200);
    expect(ids(gridOf(big))).toEqual(['s1', 's2']);
    // The stallers were still waiting (nothing answered them) while the read was served.
    for (const s of stallers) expect(s.socket.destroyed).toBe(false);
  }, 20_000);

  it('answers a stalled upload 408 with an error grid and closes its connection', async () => {
    f = await startFixture({ limits: { bodyIdleTimeoutMs: 50 } });
    const { answer } = stalledUpload(f, 'ver:"3.0"\nfilter\n');
    const text = await answer;
    expect(text.startsWith('HTTP/1.1 408 ')).toBe(true);
    expect(text.toLowerCase()).toContain('connection: close');
    expect(text).toContain('HS_ERR_BAD_REQUEST');
    expect(text).toContain('Request body stopped arriving: no bytes for 50 ms');
    // The server is still serving.
    expect((await call(f, 'about')).status).toBe(200);
  });

  it('refuses a large body with 503 and Retry-After while others hold the byte budget, and serves it after', async () => {
    f = await startFixture({ limits: { maxBodyBytes: 2_000_000, largeBodyBudgetBytes: 2_000_000 } });
    const ended = new Promise<RequestEvent>((resolve) => {
      const listener = (e: unknown): void => {
        const event = e as RequestEvent;
        // The staller's own end: its client went away mid-body.
        if (event.op === 'read' && event.errorCode === 'HS_ERR_BAD_REQUEST') resolve(event);
      };
      diagnostics.subscribe(SERVER_CHANNELS.request, listener);
      cleanups.push(() => diagnostics.unsubscribe(SERVER_CHANNELS.request, listener));
    });
    // A staller that sent 1 MB holds 1 MB of the budget; 1.2 MB more does not fit beside it.
    const serverSide = nextServerSocket();
    const staller = stalledUpload(f, paddedRead(1_000_000));
    const socket = await serverSide;
    // Round trips until the server has read all the staller sent, then one more so that its body has taken it: a
    // large body sent meanwhile could take the budget first and have the staller refused instead.
    while (socket.bytesRead < staller.sent) await call(f, 'about');
    await call(f, 'about');
    const body = paddedRead(1_200_000);
    const refused = await call(f, 'read', { body, contentType: ZINC });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(gridOf(refused).meta.get('errCode')).toBe('HS_ERR_UNAVAILABLE');
    // Refused again: the staller still holds its megabyte.
    expect((await call(f, 'read', { body, contentType: ZINC })).status).toBe(503);
    // The staller gives up: what it held is let go, and the same body is served.
    staller.socket.destroy();
    await ended;
    const served = await call(f, 'read', { body, contentType: ZINC });
    expect(served.status).toBe(200);
    expect(ids(gridOf(served))).toEqual(['s1', 's2']);
  }, 20_000);

  it('takes the budget from maxConcurrentLargeBodies x maxBodyBytes, and never below one body', () => {
    expect(resolveServerLimits(undefined).largeBodyBudgetBytes).toBe(64 * 1024 * 1024);
    expect(resolveServerLimits({ maxBodyBytes: 1000, maxConcurrentLargeBodies: 3 }).largeBodyBudgetBytes).toBe(3000);
    expect(() => resolveServerLimits({ maxBodyBytes: 1000, largeBodyBudgetBytes: 999 })).toThrow(
      expect.objectContaining({ code: 'HS_ERR_OPTION_CONFLICT' }),
    );
  });
});
