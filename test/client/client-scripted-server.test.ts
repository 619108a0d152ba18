// The client against a scripted server that answers with a standard server's exact header forms and grids.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateRange, HaystackClient, HttpStatusError, NetworkError, TODAY, YESTERDAY } from '../../src/client/index.js';
import { decodeBase64, decodeBase64UrlText, encodeBase64UrlText } from '../../src/core/auth/base64.js';
import { type ScramServerHandshake, scramServerFinal, scramServerFirst } from '../../src/core/auth/scram-server.js';
import { decodeZinc } from '../../src/core/codec/zinc/index.js';
import { AuthError, CallError, type HaystackError, PermissionError } from '../../src/core/errors.js';
import { Grid } from '../../src/core/grid/grid.js';
import { HDate } from '../../src/core/kinds/date.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { loadSharedJson, sharedAvailable } from '../support/shared.js';

interface ScramVector {
  readonly scram: Record<string, string | number>;
}

function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g) ?? [], (h) => Number.parseInt(h, 16));
}

/** One request as the scripted server saw it. */
interface Seen {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly authorization: string | undefined;
  readonly contentType: string | undefined;
  readonly accept: string | undefined;
  readonly body: string;
}

const ABOUT =
  'ver:"3.0"\nhaystackVersion,tz,serverName,productName,productVersion\n"4.0","New_York","Scripted","SkySpark","3.1.8"\n';
const SITES = 'ver:"3.0"\nid,dis,site,area\n@s1 "Site One","Site One",M,2000ft²\n@s2 "Site Two","Site Two",M,3000ft²\n';
const HIS =
  'ver:"3.0" id:@p1 hisStart:2024-01-01T00:00:00-05:00 New_York hisEnd:2024-01-02T00:00:00-05:00 New_York\n' +
  'ts,val\n2024-01-01T00:15:00-05:00 New_York,72.1°F\n2024-01-01T00:30:00-05:00 New_York,74.2°F\n';
// HttpApi "Error Grid": request errors answer 200 with an `err` grid.
const ERR_GRID = 'ver:"3.0" err dis:"Cannot resolve id: badId" errTrace:"UnknownRecErr: badId\\n  at x"\nempty\n';

describe.skipIf(!sharedAvailable('conformance/auth-scram.json'))('client against a scripted standard server', () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];
  let tokenValid = true;
  let logins = 0;
  let badServerSignature = false;
  let rejectFinal = false;
  const handshakes = new Map<string, ScramServerHandshake>();

  beforeAll(async () => {
    const v = loadSharedJson<ScramVector>('conformance/auth-scram.json').scram;
    const creds = {
      hash: 'SHA-256' as const,
      salt: decodeBase64(String(v.saltBase64)),
      iterations: Number(v.iterations),
      storedKey: hex(String(v.storedKeyHex)),
      serverKey: hex(String(v.serverKeyHex)),
    };
    const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      const auth = req.headers.authorization;
      const url = new URL(req.url ?? '/', 'http://x');
      const path = url.pathname;
      seen.push({
        method: req.method ?? '',
        path,
        query: url.search,
        authorization: auth,
        contentType: req.headers['content-type'],
        accept: req.headers.accept,
        body,
      });
      const zinc = (status: number, text: string): void => {
        res.writeHead(status, { 'content-type': 'text/zinc; charset=utf-8' });
        res.end(text);
      };
      // Auth chapter, exactly the header forms of its example exchange.
      if (auth?.startsWith('HELLO ') === true) {
        expect(auth).toBe(`HELLO username=${encodeBase64UrlText('user')}`);
        res.writeHead(401, { 'www-authenticate': 'SCRAM hash=SHA-256, handshakeToken=aabbcc' });
        res.end();
        return;
      }
      if (auth?.startsWith('SCRAM ') === true) {
        const m = /^SCRAM handshakeToken=(\w+), data=([\w-]+)$/.exec(auth);
        expect(m).not.toBeNull();
        const data = decodeBase64UrlText(m?.[2] ?? '');
        if (data.startsWith('n,,')) {
          const hs = scramServerFirst(data, creds, { serverNonce: String(v.serverNonce) });
          handshakes.set('aabbcc', hs);
          res.writeHead(401, {
            'www-authenticate': `SCRAM handshakeToken=aabbcc, hash=SHA-256, data=${encodeBase64UrlText(hs.serverFirst)}`,
          });
          res.end();
          return;
        }
        const hs = handshakes.get(m?.[1] ?? '');
        if (hs === undefined || rejectFinal) {
          res.writeHead(403);
          res.end();
          return;
        }
        let final = await scramServerFinal(hs, data, creds).catch(() => undefined);
        if (final === undefined) {
          res.writeHead(403);
          res.end();
          return;
        }
        if (badServerSignature) final = `v=${Buffer.alloc(32, 7).toString('base64')}`;
        logins++;
        tokenValid = true;
        res.writeHead(200, {
          'authentication-info': `authToken=xxyyzz, hash=SHA-256, data=${encodeBase64UrlText(final)}`,
        });
        res.end();
        return;
      }
      if (auth !== 'BEARER authToken=xxyyzz' || !tokenValid) {
        res.writeHead(401, { 'www-authenticate': 'HELLO' });
        res.end();
        return;
      }
      switch (path) {
        case '/haystack/about': {
          zinc(200, ABOUT);
          return;
        }
        case '/haystack/read': {
          zinc(200, SITES);
          return;
        }
        case '/haystack/hisRead': {
          zinc(200, HIS);
          return;
        }
        case '/haystack/badId': {
          zinc(200, ERR_GRID);
          return;
        }
        case '/haystack/errStatus': {
          zinc(500, ERR_GRID);
          return;
        }
        case '/haystack/forbidden': {
          zinc(403, 'ver:"3.0" err dis:"Not allowed"\nempty\n');
          return;
        }
        case '/haystack/plain404':
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('no such op');
          return;
        case '/haystack/expire':
          tokenValid = false;
          res.writeHead(401);
          res.end();
          return;
        case '/haystack/hang':
          return; // never answers: the client's timeout must fire
        case '/haystack/watchSub': {
          zinc(200, 'ver:"3.0" watchId:"w-1" lease:60s\nid,dis,curVal\n@p1 "P1","P1",72°F\nN,N,N\n');
          return;
        }
        case '/haystack/watchPoll': {
          zinc(200, 'ver:"3.0" watchId:"w-1"\nid,curVal\n@p1,73°F\n');
          return;
        }
        case '/haystack/watchUnsub': {
          zinc(200, 'ver:"3.0"\nempty\n');
          return;
        }
        default: {
          zinc(404, `ver:"3.0" err dis:"Unknown op ${path}"\nempty\n`);
          return;
        }
      }
    };
    server = createServer((req, res) => {
      handle(req, res).catch((err: unknown) => {
        res.writeHead(500);
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/haystack`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  });

  const client = (): HaystackClient => new HaystackClient({ url: base, username: 'user', password: 'pencil' });

  it('logs in with HELLO, SCRAM and BEARER in the Auth chapter forms, then GETs about (HttpApi)', async () => {
    seen.length = 0;
    const c = client();
    const about = await c.about();
    expect(about.get('productName')).toBe('SkySpark');
    expect(seen.map((s) => s.authorization?.split(' ')[0])).toEqual(['HELLO', 'SCRAM', 'SCRAM', 'BEARER']);
    expect(seen.slice(0, 3).every((s) => s.method === 'GET' && s.path === '/haystack/about')).toBe(true);
    const call = seen[3];
    expect(call?.method).toBe('GET');
    expect(call?.query).toBe('');
    expect(call?.body).toBe('');
    expect(call?.contentType).toBeUndefined();
    expect(call?.accept).toBe('text/zinc');
    expect(call?.authorization).toBe('BEARER authToken=xxyyzz');
  });

  it('reuses the token; read by filter is a GET with Zinc query parameters, read by ids a POSTed grid', async () => {
    const c = client();
    await c.about();
    seen.length = 0;
    const sites = await c.read('site', { limit: 10 });
    expect(sites.size).toBe(2);
    expect(new Ref('s1').equals(sites.row(0).get('id'))).toBe(true);
    expect((sites.row(0).get('id') as Ref).dis).toBe('Site One');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe('GET');
    const params = new URLSearchParams(seen[0]?.query);
    expect([...params.keys()]).toEqual(['filter', 'limit']);
    expect(params.get('filter')).toBe('"site"');
    expect(params.get('limit')).toBe('10');
    await c.readByIds(['@s1', new Ref('s2')]);
    expect(seen[1]?.method).toBe('POST');
    expect(seen[1]?.contentType).toMatch(/^text\/zinc/);
    const byIds = decodeZinc(seen[1]?.body ?? '') as Grid;
    expect(byIds.column('id')).toEqual([new Ref('s1'), new Ref('s2')]);
  });

  it('encodes every hisRead range form as the Ops chapter writes them', async () => {
    const c = client();
    const ranges: [Parameters<HaystackClient['hisRead']>[1], string][] = [
      [TODAY, 'today'],
      [YESTERDAY, 'yesterday'],
      [new HDate(2024, 1, 1), '2024-01-01'],
      [dateRange(new HDate(2024, 1, 1), new HDate(2024, 1, 31)), '2024-01-01,2024-01-31'],
    ];
    for (const [range, text] of ranges) {
      seen.length = 0;
      const his = await c.hisRead('p1', range);
      expect(his.size).toBe(2);
      expect(his.meta.get('hisStart')?.toString()).toBe('2024-01-01T00:00:00-05:00 New_York');
      const req = decodeZinc(seen.at(-1)?.body ?? '') as Grid;
      expect(req.first?.get('range')).toBe(text);
      expect(req.first?.get('id')).toEqual(new Ref('p1'));
    }
  });

  it('turns an error grid into a CallError whether the status is 200 or 500, with that status', async () => {
    const c = client();
    for (const [op, status] of [
      ['badId', 200],
      ['errStatus', 500],
    ] as const) {
      const err = await c.call(op).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CallError);
      expect((err as CallError).message).toBe('Cannot resolve id: badId');
      expect((err as CallError).trace).toContain('UnknownRecErr');
      expect((err as CallError).code).toBe('HS_ERR_CALL');
      expect((err as CallError).httpStatus).toBe(status);
      const streamed = await (async () => {
        for await (const _ of c.callStream(op));
      })().catch((e: unknown) => e);
      expect(streamed).toBeInstanceOf(CallError);
      expect((streamed as CallError).httpStatus).toBe(status);
    }
  });

  it('maps 403 to PermissionError and a non-grid 404 to HttpStatusError that names the op', async () => {
    const c = client();
    await expect(c.call('forbidden')).rejects.toBeInstanceOf(PermissionError);
    const err = await c.call('plain404').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpStatusError);
    expect((err as HttpStatusError).httpStatus).toBe(404);
    expect((err as HttpStatusError).body).toBe('no such op');
    expect((err as HttpStatusError).op).toBe('plain404');
    expect((err as HttpStatusError).message).toBe('plain404: HTTP 404 Not Found');
  });

  it('logs in again once when the token stops working', async () => {
    const c = client();
    await c.about();
    const before = logins;
    await expect(c.call('expire')).rejects.toBeInstanceOf(AuthError);
    expect(logins).toBe(before + 1);
    // The fresh token works for the next call.
    expect((await c.read('site')).size).toBe(2);
  });

  it('refuses a token from a server whose SCRAM signature is wrong', async () => {
    badServerSignature = true;
    try {
      await expect(client().about()).rejects.toBeInstanceOf(AuthError);
    } finally {
      badServerSignature = false;
    }
  });

  it('fails the login with AuthError on a 403 during the exchange', async () => {
    rejectFinal = true;
    try {
      await expect(client().about()).rejects.toBeInstanceOf(AuthError);
    } finally {
      rejectFinal = false;
    }
    await expect(new HaystackClient({ url: base, username: 'user', password: 'wrong' }).about()).rejects.toBeInstanceOf(
      AuthError,
    );
  });

  it('times out and aborts with NetworkError', async () => {
    const c = new HaystackClient({ url: base, username: 'user', password: 'pencil', timeoutMs: 200 });
    await c.login();
    const timedOut = await c.call('hang').catch((e: unknown) => e);
    expect(timedOut).toBeInstanceOf(NetworkError);
    expect((timedOut as NetworkError).timedOut).toBe(true);
    const controller = new AbortController();
    const pending = c.call('hang', Grid.EMPTY, { signal: controller.signal, timeoutMs: 0 });
    controller.abort();
    const aborted = await pending.catch((e: unknown) => e);
    expect(aborted).toBeInstanceOf(NetworkError);
    expect((aborted as NetworkError).aborted).toBe(true);
  });

  it('reports a refused connection as NetworkError', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) =>
      probe.close(() => {
        resolve();
      }),
    );
    const err = await new HaystackClient({ url: `http://127.0.0.1:${port}/api` }).about().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as HaystackError).code).toBe('HS_ERR_NETWORK');
  });

  it('keeps watch state from watchSub and watchPoll, with canonical ids from the server', async () => {
    const c = client();
    seen.length = 0;
    const w = await c.watch(['p1', 'missing'], { leaseMs: 30_000, dis: 'test' });
    expect(w.id).toBe('w-1');
    expect(w.leaseMs).toBe(60_000);
    const sub = decodeZinc(seen.at(-1)?.body ?? '') as Grid;
    expect(sub.meta.get('watchDis')).toBe('test');
    expect(sub.meta.get('lease')).toEqual(new Num(30, 's'));
    expect([...w.entities.keys()]).toEqual(['p1']);
    const changed = await w.poll();
    expect(changed).toHaveLength(1);
    expect(w.entities.get('p1')?.get('curVal')).toEqual(new Num(73, '°F'));
    await w.close();
    const unsub = decodeZinc(seen.at(-1)?.body ?? '') as Grid;
    expect(unsub.meta.get('close')).toBe(MARKER);
    expect(unsub.meta.get('watchId')).toBe('w-1');
    expect(w.closed).toBe(true);
  });
});
