// `haystack serve`: starts on an OS-chosen port with the demo building or a data file, answers, stops on the signal.

import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { decodeZincGrid } from '../../src/core/index.js';
import { serveExit as runOnce, startServe as serve } from '../support/serve-cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'haystack-serve-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('haystack serve', () => {
  it('refuses --no-auth on a host other than loopback', async () => {
    const r = await runOnce(['--no-auth', '--store', 'memory', '--port', '0', '--host', '0.0.0.0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--no-auth is refused on 0.0.0.0');
  });

  it('compresses WebSocket messages with --ws-compression only', async () => {
    for (const [flags, extensions] of [
      [[], ''],
      [['--ws-compression'], 'permessage-deflate'],
    ] as const) {
      const s = await serve(['--no-auth', '--store', 'memory', '--port', '0', '--demo-days', '0', ...flags], dir);
      try {
        // The `ws` client offers permessage-deflate, as browsers do; the server decides.
        const ws = new WebSocket(`${s.url.replace(/^http/, 'ws')}ws`, ['haystack']);
        await once(ws, 'open');
        expect(ws.extensions.split(';')[0]).toBe(extensions);
        ws.close();
      } finally {
        expect(await s.stop()).toBe(0);
      }
    }
  });

  it('refuses a bad port', async () => {
    expect((await runOnce(['--no-auth', '--store', 'memory', '--port', '70000'])).code).toBe(2);
  });

  it('says what to do when the port is taken', async () => {
    const taken = createServer();
    taken.listen(0, '127.0.0.1');
    await once(taken, 'listening');
    try {
      const port = String((taken.address() as AddressInfo).port);
      const r = await serve(['--no-auth', '--store', 'memory', '--port', port, '--demo-days', '1'], dir);
      expect(r.url).toBe(
        `exited 1: haystack serve: cannot listen on 127.0.0.1:${port}: the port is in use (EADDRINUSE): ` +
          'stop what listens there, or choose another --port (0 picks a free one)\n',
      );
    } finally {
      taken.close();
    }
  });

  it('serves the demo building: read?filter=site answers a Zinc grid of sites; the signal stops it', async () => {
    const s = await serve(['--no-auth', '--store', 'memory', '--port', '0', '--demo-days', '1'], dir);
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
    try {
      const res = await fetch(`${s.url}read?filter=site`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/zinc');
      const grid = decodeZincGrid(await res.text());
      expect(grid.size).toBeGreaterThan(0);
      expect(grid.rows.every((r) => r.has('site'))).toBe(true);
      const his = decodeZincGrid(
        await (await fetch(`${s.url}read?filter=${encodeURIComponent('point and his')}&limit=1`)).text(),
      );
      expect(his.size).toBe(1);
    } finally {
      expect(await s.stop()).toBe(0);
    }
    expect(s.stdout()).toContain('stopped');
  });

  it('serves the web UI of --ui DIR at /, and the plain page of links with --no-ui', async () => {
    const ui = path.join(dir, 'my-ui');
    mkdirSync(ui, { recursive: true });
    writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>My own UI</title><div id="app"></div>');
    const base = ['--no-auth', '--store', 'memory', '--port', '0', '--demo-days', '0'];
    const withUi = await serve([...base, '--ui', 'my-ui'], dir);
    try {
      const page = await fetch(new URL('/', withUi.url));
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('My own UI');
    } finally {
      expect(await withUi.stop()).toBe(0);
    }
    const without = await serve([...base, '--ui', 'my-ui', '--no-ui'], dir);
    try {
      const page = await (await fetch(new URL('/', without.url))).text();
      expect(page).not.toContain('My own UI');
      expect(page).toContain('/api/about');
    } finally {
      expect(await without.stop()).toBe(0);
    }
    const missing = await serve([...base, '--ui', 'no-such-folder'], dir);
    expect(missing.url).toMatch(/^exited [12]: .*no-such-folder/);
  });

  it('serves the entities of a --data file, and logs one JSON line per request (time, address, user, op, status, id)', async () => {
    const file = path.join(dir, 'site.zinc');
    writeFileSync(file, 'ver:"3.0"\nid,dis,site\n@a,"A",M\n@b,"B",M\n');
    const s = await serve(['--no-auth', '--store', 'memory', '--port', '0', '--data', 'site.zinc'], dir);
    let requestId: string | null = null;
    try {
      const res = await fetch(`${s.url}read?filter=site`);
      requestId = res.headers.get('x-request-id');
      const grid = decodeZincGrid(await res.text());
      expect(grid.rows.map((r) => r.id?.id)).toEqual(['a', 'b']);
      expect(s.stdout()).toContain('2 entities from site.zinc');
    } finally {
      await s.stop();
    }
    const records = s
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const request = records.find((r) => r.msg === 'request');
    expect(request).toMatchObject({
      level: 'info',
      subsystem: 'http',
      addr: '127.0.0.1',
      method: 'GET',
      op: 'read',
      status: 200,
      reqId: requestId,
    });
    expect(request?.time).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    expect(typeof request?.ms).toBe('number');
  });

  it('logs the documented pretty line with --log-format pretty, and takes a sane X-Request-Id', async () => {
    writeFileSync(path.join(dir, 'site.zinc'), 'ver:"3.0"\nid,dis,site\n@a,"A",M\n');
    const s = await serve(
      ['--no-auth', '--store', 'memory', '--port', '0', '--data', 'site.zinc', '--log-format', 'pretty'],
      dir,
    );
    try {
      const res = await fetch(`${s.url}read?filter=site`, { headers: { 'x-request-id': 'trace-42' } });
      expect(res.headers.get('x-request-id')).toBe('trace-42');
      const odd = await fetch(`${s.url}about`, { headers: { 'x-request-id': 'bad id with spaces' } });
      expect(odd.headers.get('x-request-id')).toMatch(/^[\w-]+$/);
    } finally {
      await s.stop();
    }
    expect(s.stderr()).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z info request addr=127\.0\.0\.1 user=\S+ method=GET op=read status=200 ms=[\d.]+ reqId=trace-42$/m,
    );
  });

  it('refuses a bad --log-level, --log-format or --metrics-listen', async () => {
    for (const bad of [
      ['--log-level', 'loud'],
      ['--log-format', 'xml'],
      ['--metrics-listen', 'nowhere'],
    ]) {
      const r = await runOnce(['--no-auth', '--store', 'memory', '--port', '0', ...bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(bad[0]);
    }
  });

  it('logs nothing per request with --quiet; still accepts the old --verbose', async () => {
    writeFileSync(path.join(dir, 'site.zinc'), 'ver:"3.0"\nid,dis,site\n@a,"A",M\n');
    const s = await serve(
      ['--no-auth', '--store', 'memory', '--port', '0', '--data', 'site.zinc', '--quiet', '--verbose'],
      dir,
    );
    try {
      expect((await fetch(`${s.url}about`)).status).toBe(200);
    } finally {
      await s.stop();
    }
    expect(s.stderr()).not.toMatch(/request/);
  });

  it('reads Trio data files, and serves defs from --defs', async () => {
    writeFileSync(path.join(dir, 'site.trio'), 'id: @t1\ndis: "T1"\nsite\n---\nid: @t2\nequip\nsiteRef: @t1\n');
    const defs = path.join(dir, 'defs');
    mkdirSync(defs, { recursive: true });
    writeFileSync(path.join(defs, 'lib.trio'), 'def: ^lib:mine\nversion: "1"\n---\ndef: ^widget\nis: ^marker\n');
    const s = await serve(
      ['--no-auth', '--store', 'memory', '--port', '0', '--data', 'site.trio', '--defs', 'defs'],
      dir,
    );
    try {
      const grid = decodeZincGrid(await (await fetch(`${s.url}read?filter=site`)).text());
      expect(grid.rows.map((r) => r.id?.id)).toEqual(['t1']);
      const libs = decodeZincGrid(await (await fetch(`${s.url}libs`)).text());
      expect(libs.rows.map((r) => String(r.get('def')))).toEqual(['^lib:haystackTs', '^lib:mine']);
    } finally {
      await s.stop();
    }
  });

  it('fails clearly for a data file it cannot read', async () => {
    const bad = await serve(['--no-auth', '--store', 'memory', '--port', '0', '--data', 'missing.zinc'], dir);
    expect(bad.url).toMatch(/^exited 1: .*cannot read missing\.zinc/);
    writeFileSync(path.join(dir, 'x.xml'), '<x/>');
    const ext = await serve(['--no-auth', '--store', 'memory', '--port', '0', '--data', 'x.xml'], dir);
    expect(ext.url).toMatch(/^exited 2/);
  });
});
