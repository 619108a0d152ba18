// The client against servers that answer as servers in the field do: stalled bodies, loosely labelled formats.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HaystackClient, NetworkError } from '../../src/client/index.js';

let server: Server | undefined;

afterEach(async () => {
  const s = server;
  server = undefined;
  if (s === undefined) return;
  s.closeAllConnections();
  await new Promise<void>((resolve) => {
    s.close(() => {
      resolve();
    });
  });
});

/** A server answering every request with `handler`; returns its API root. */
async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
}

/** Sends the status line, headers and the start of a Zinc grid, then nothing more (a stalled server). */
function stall(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/zinc; charset=utf-8' });
  res.write('ver:"3.0"\nid,dis\n@a,"A"\n');
}

describe('a server that stalls after the headers', () => {
  // Before the fix the timer stopped at the headers, so each of these waited forever.
  it.each([
    ['about', (c: HaystackClient) => c.about()],
    ['hisRead', (c: HaystackClient) => c.hisRead('p', 'today')],
    [
      'hisReadStream',
      async (c: HaystackClient) => {
        for await (const _ of c.hisReadStream('p', 'today'));
      },
    ],
  ] as const)('%s fails with a timed-out NetworkError', async (op, run) => {
    const url = await serve(stall);
    const err = await run(new HaystackClient({ url, timeoutMs: 200 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ timedOut: true, aborted: false, failure: 'timeout' });
    expect((err as NetworkError).message).toMatch(new RegExp(`^${op === 'hisReadStream' ? 'hisRead' : op}: timed out`));
  });

  it("the caller's signal aborts a call whose body stalls, as an aborted NetworkError", async () => {
    const url = await serve(stall);
    const controller = new AbortController();
    // The response event comes once the headers are in: the abort then lands in the body read.
    const client = new HaystackClient({
      url,
      onEvent: (e) => {
        if (e.type === 'response') controller.abort();
      },
    });
    const pending = client.about({ signal: controller.signal }).catch((e: unknown) => e);
    const err = await pending;
    expect(err).toBeInstanceOf(NetworkError);
    expect(err).toMatchObject({ aborted: true, timedOut: false, message: 'about: aborted' });
  });
});

describe('a server that closes the connection mid-body', () => {
  it.each(['text/zinc', 'application/json'])(
    'every read of a %s answer fails with a reset NetworkError saying so',
    async (contentType) => {
      const url = await serve((req, res) => {
        res.writeHead(200, { 'content-type': contentType });
        res.write('ver:"3.0"\nid\n@a\n');
        setImmediate(() => req.socket.destroy());
      });
      const c = new HaystackClient({ url });
      const reads = [
        c.about(),
        c.hisRead('p', 'today'),
        // A non-Zinc answer to a stream was read outside the error mapping: a bare TypeError escaped.
        (async () => {
          for await (const _ of c.hisReadStream('p', 'today'));
        })(),
      ].map((read) => read.catch((e: unknown) => e));
      for (const err of await Promise.all(reads)) {
        expect(err).toBeInstanceOf(NetworkError);
        expect(err).toMatchObject({ failure: 'reset', message: expect.stringMatching(/: connection to .* closed/) });
      }
    },
  );
});

describe('JSON v3 as haystack-py writes it', () => {
  // Its FastAPI server's answer to `Accept: application/vnd.haystack+json;version=3`, byte for byte: plain
  // `application/json` and a grid meta without `ver`.
  const ABOUT_V3 =
    '{"meta":{},"cols":[{"name":"haystackVersion"},{"name":"productName"}],' +
    '"rows":[{"haystackVersion":"4.0","productName":"hs-py"}]}';

  it.each(['json3', 'json'] as const)('is read as a grid with format %s', async (format) => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(ABOUT_V3);
    });
    const about = await new HaystackClient({ url, format }).about();
    expect(about.get('productName')).toBe('hs-py');
  });
});
