// The embeddable pipeline: mounted in an app's own server, with an authentication step, per-op roles, custom ops,
// eagerly validated options, and the upgrade hook.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeZincGrid } from '../../src/core/codec/zinc/index.js';
import { AuthError } from '../../src/core/errors.js';
import { Dict } from '../../src/core/grid/dict.js';
import { Grid } from '../../src/core/grid/grid.js';
import { createHandler, type HaystackHandler, type OpDef, type Principal } from '../../src/server/index.js';
import { createMemoryStore } from '../../src/storage/memory/index.js';
import { BUILDING } from './support/server-fixture.js';

const whoami: OpDef = {
  name: 'whoami',
  doc: 'The caller.',
  noSideEffects: true,
  requiredRole: 'admin',
  handler: (_req, ctx) => Grid.fromDicts([{ user: ctx.principal.username, role: ctx.principal.role }]),
};

const USERS: Record<string, Principal> = {
  vera: { username: 'vera', role: 'viewer' },
  otto: { username: 'otto', role: 'operator' },
  ada: { username: 'ada', role: 'admin' },
};

let handler: HaystackHandler;
let app: http.Server;
let base: string;
beforeAll(async () => {
  const store = createMemoryStore();
  await store.commit(BUILDING.map((r) => ({ op: 'add', tags: Dict.of(r) })));
  handler = createHandler({
    store,
    ops: [whoami],
    authenticate: (req, res) => {
      const user = req.headers['x-user'];
      if (user === 'challenge') {
        // A handshake step answers by itself.
        res.writeHead(401, { 'www-authenticate': 'HELLO' }).end();
        return Promise.resolve(undefined);
      }
      const p = typeof user === 'string' ? USERS[user] : undefined;
      if (p === undefined) return Promise.reject(new AuthError('Unknown user'));
      return Promise.resolve(p);
    },
  });
  // The app keeps its own routes and hands /api/ to haystack-ts.
  app = http.createServer((req, res) => {
    if (req.url === '/health') res.end('ok');
    else handler(req, res);
  });
  app.on('upgrade', (req: http.IncomingMessage, socket, head: Buffer) => {
    handler.handleUpgrade(req, socket, head);
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => app.close(resolve));
});

const as = (user: string, path: string, init: RequestInit = {}) =>
  fetch(base + path, { ...init, headers: { 'x-user': user, ...(init.headers as Record<string, string>) } });

describe('mounted in an app server', () => {
  it('serves the app routes and the API side by side', async () => {
    expect(await (await fetch(`${base}/health`)).text()).toBe('ok');
    const res = await as('vera', '/api/read?filter=site');
    expect(decodeZincGrid(await res.text()).size).toBe(2);
  });
});

describe('authentication and roles', () => {
  it('401 with an error grid when the step refuses', async () => {
    const res = await as('mallory', '/api/about');
    expect(res.status).toBe(401);
    expect(decodeZincGrid(await res.text()).meta.get('errCode')).toBe('HS_ERR_AUTH');
  });

  it('the step may answer by itself', async () => {
    const res = await as('challenge', '/api/about');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('HELLO');
  });

  it('403 when the role is too low, before the body is read', async () => {
    const body = 'ver:"3.0"\nid,level,val\n@sp,17,70\n';
    const res = await as('vera', '/api/pointWrite', { method: 'POST', body, headers: { 'content-type': 'text/zinc' } });
    expect(res.status).toBe(403);
    expect(decodeZincGrid(await res.text()).meta.get('errCode')).toBe('HS_ERR_PERMISSION');
    const ok = await as('otto', '/api/pointWrite', { method: 'POST', body, headers: { 'content-type': 'text/zinc' } });
    expect(decodeZincGrid(await ok.text()).isError).toBe(false);
  });

  it('custom ops get the principal and their role rule', async () => {
    expect((await as('otto', '/api/whoami')).status).toBe(403);
    const g = decodeZincGrid(await (await as('ada', '/api/whoami')).text());
    expect(g.row(0).get('user')).toBe('ada');
  });
});

describe('options and hooks', () => {
  const store = createMemoryStore();
  it('are validated when the handler is made', () => {
    expect(() => createHandler({ store })).toThrow(/noAuth/);
    expect(() => createHandler({ store, noAuth: true, authenticate: () => Promise.resolve(undefined) })).toThrow();
    expect(() => createHandler({ store, noAuth: true, bogus: 1 } as never)).toThrow(/bogus/);
    expect(() => createHandler({ store, noAuth: true, tz: 'Atlantis' })).toThrow(/time zone/);
    expect(() => createHandler({ store, noAuth: true, limits: { maxBodyBytes: -1 } })).toThrow(/maxBodyBytes/);
    expect(() => createHandler({ store, noAuth: true, defaultLeaseMs: 10, maxLeaseMs: 5 })).toThrow(/Lease/i);
    expect(() => createHandler({ store, noAuth: true, ops: [{ ...whoami, name: 'Bad Name' }] })).toThrow(/op name/);
  });

  it('hands upgrades to the WebSocket endpoint (a malformed one gets 400)', async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = http.request(`${base}/api/ws`, { headers: { connection: 'upgrade', upgrade: 'websocket' } });
      req.on('response', (res) => {
        resolve(res.statusCode);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(400);
  });
});
