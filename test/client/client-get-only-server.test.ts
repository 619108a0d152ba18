// The client and CLI against a scripted server that, like haystack-py's, refuses POST for read-only ops and speaks JSON v3 as plain application/json.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MAX_GET_QUERY } from '../../src/client/get-query.js';
import { HaystackClient } from '../../src/client/index.js';
import { decodeZinc, decodeZincValue } from '../../src/core/codec/zinc/index.js';
import type { Grid } from '../../src/core/grid/grid.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { runCliCaptured } from '../support/run-cli.js';

/** One request as the server saw it. */
interface Seen {
  readonly method: string;
  readonly op: string;
  readonly params: URLSearchParams;
  readonly authorization: string | undefined;
}

// Ops this server serves only over GET (haystack-py's server: about, ops, formats, close; we add the rest).
const GET_ONLY = new Set(['about', 'ops', 'formats', 'read', 'nav', 'defs', 'libs', 'filetypes', 'hisRead', 'close']);
const ABOUT = 'ver:"3.0"\nhaystackVersion,serverName,productName\n"3.0","GetOnly","Scripted"\n';
const SITES = 'ver:"3.0"\nid,dis,site\n@s1 "Site One","Site One",M\n@s2 "Site Two","Site Two",M\n';
const HIS =
  'ver:"3.0" id:@p1 hisStart:2024-01-01T00:00:00-05:00 New_York hisEnd:2024-01-02T00:00:00-05:00 New_York\n' +
  'ts,val\n2024-01-01T00:15:00-05:00 New_York,72.1°F\n2024-01-01T00:30:00-05:00 New_York,74.2°F\n';
// JSON v3 as servers in the field label it: no `version` parameter.
const SITES_V3 = JSON.stringify({
  meta: { ver: '3.0' },
  cols: [{ name: 'id' }, { name: 'dis' }, { name: 'area' }],
  rows: [
    { id: 'r:s1 Site One', dis: 's:Site One', area: 'n:2000 ft²' },
    { id: 'r:s2 Site Two', dis: 's:Site Two', area: 'n:3000 ft²' },
  ],
});

describe('client and CLI against a server that takes only GET for read-only ops', () => {
  let server: Server;
  let base: string;
  const seen: Seen[] = [];

  beforeAll(async () => {
    const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
      for await (const _ of req) {
        // drain the body: only the method and query matter here
      }
      const url = new URL(req.url ?? '/', 'http://x');
      const op = url.pathname.replace(/^\/api\//, '');
      const method = req.method ?? '';
      seen.push({ method, op, params: url.searchParams, authorization: req.headers.authorization });
      const send = (status: number, contentType: string, text: string, extra: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': contentType, ...extra });
        res.end(text);
      };
      if (GET_ONLY.has(op) && method !== 'GET') {
        send(405, 'application/json', '{"detail":"Method Not Allowed"}', { allow: 'GET' });
        return;
      }
      const json = (req.headers.accept ?? '').includes('json');
      const zinc = (text: string) => {
        send(200, 'text/zinc; charset=utf-8', text);
      };
      const param = (name: string) => {
        const v = url.searchParams.get(name);
        return v === null ? undefined : decodeZincValue(v);
      };
      switch (op) {
        case 'about':
          zinc(ABOUT);
          return;
        case 'read':
          if (param('filter') !== 'site') {
            zinc('ver:"3.0"\nempty\n');
            return;
          }
          if (json) send(200, 'application/json', SITES_V3);
          else zinc(SITES);
          return;
        case 'hisRead':
          if (!new Ref('p1').equals(param('id')) || param('range') !== 'today') {
            zinc('ver:"3.0" err dis:"bad hisRead request"\nempty\n');
            return;
          }
          zinc(HIS);
          return;
        case 'close':
          zinc('ver:"3.0"\nempty\n');
          return;
        case 'hisWrite':
          // Ops with side effects are POST only.
          if (method !== 'POST') send(405, 'text/plain', 'no', { allow: 'POST' });
          else zinc('ver:"3.0"\nempty\n');
          return;
        default:
          send(404, 'text/plain', 'unknown op');
      }
    };
    server = createServer((req, res) => {
      handle(req, res).catch((err: unknown) => {
        res.writeHead(500);
        res.end(String(err));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  });

  beforeEach(() => {
    seen.length = 0;
  });

  it('about, read by filter and hisRead work; hisRead switches to GET after one 405 and stays there', async () => {
    const c = new HaystackClient({ url: base });
    expect((await c.about()).get('serverName')).toBe('GetOnly');
    expect((await c.read('site', { limit: 5 })).size).toBe(2);
    expect(seen.map((s) => `${s.method} ${s.op}`)).toEqual(['GET about', 'GET read']);
    expect(seen[1]?.params.get('limit')).toBe('5');
    const his = await c.hisRead('p1', 'today');
    expect(his.column('val')).toEqual([new Num(72.1, '°F'), new Num(74.2, '°F')]);
    await c.hisRead('p1', 'today');
    expect(seen.slice(2).map((s) => `${s.method} ${s.op}`)).toEqual(['POST hisRead', 'GET hisRead', 'GET hisRead']);
  });

  it('close goes as POST, then GET on 405, with the bearer token both times', async () => {
    const c = new HaystackClient({ url: base, token: 'tok123' });
    await c.close();
    expect(seen.map((s) => `${s.method} ${s.op} ${s.authorization ?? ''}`)).toEqual([
      'POST close BEARER authToken=tok123',
      'GET close BEARER authToken=tok123',
    ]);
    expect(c.authenticated).toBe(false);
  });

  it('a request too long for a URL goes as POST; an op with side effects is never retried as GET', async () => {
    const c = new HaystackClient({ url: base });
    const long = `site or ${'point or '.repeat(MAX_GET_QUERY / 9)}site`;
    await expect(c.read(long)).rejects.toMatchObject({ httpStatus: 405 });
    expect(seen.map((s) => s.method)).toEqual(['POST']);
    seen.length = 0;
    expect(await c.call('hisWrite')).toBeDefined();
    expect(seen.map((s) => s.method)).toEqual(['POST']);
  });

  it('JSON v3 labelled application/json (no version) is read as v3 by its shape', async () => {
    const c = new HaystackClient({ url: base, format: 'json' });
    const sites = await c.read('site');
    expect(sites.size).toBe(2);
    expect(sites.row(0).get('dis')).toBe('Site One');
    expect(new Ref('s1').equals(sites.row(0).get('id'))).toBe(true);
    expect(sites.row(1).get('area')).toEqual(new Num(3000, 'ft²'));
  });

  it('the CLI prints about, read and his from it', async () => {
    const cwd = tmpdir();
    const about = await runCliCaptured(['about', '--url', base], cwd);
    expect(about.stderr).toBe('');
    expect(about.code).toBe(0);
    expect((decodeZinc(about.stdout) as Grid).first?.get('serverName')).toBe('GetOnly');
    const read = await runCliCaptured(['read', '--url', base, 'site'], cwd);
    expect(read.code).toBe(0);
    expect((decodeZinc(read.stdout) as Grid).size).toBe(2);
    const his = await runCliCaptured(['his', '--url', base, '@p1', 'today', '--to', 'csv'], cwd);
    expect(his.stderr).toBe('');
    expect(his.code).toBe(0);
    expect(his.stdout.trim().split('\n')).toHaveLength(3);
  });
});
