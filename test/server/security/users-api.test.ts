// The users API over real HTTP: JSON in and out, admin only, every status, the last-admin rule, sessions ended;
// its errors reach the request's log line and, when internal, the error channel.

import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentialsForPassword } from '../../../src/server/auth/passwords.js';
import {
  createSecurity,
  createServer,
  type RequestEvent,
  SERVER_CHANNELS,
  type ServerErrorEvent,
  type SessionEvent,
} from '../../../src/server/index.js';
import { updateKeepingAdmin } from '../../../src/server/users/last-admin.js';
import { createMemoryStore, type MemoryUserStore } from '../../../src/storage/memory/index.js';
import { createMemorySessionStore } from '../../../src/storage/memory/memory-user-store.js';
import type { UserRecord } from '../../../src/storage/user-store.js';
import { bearer, ITERATIONS, raw, type SecureFixture, startSecure, tokenFor } from './support.js';

let f: SecureFixture;
let admin: string;
beforeEach(async () => {
  f = await startSecure();
  admin = bearer(await tokenFor(f, 'ada'));
});
afterEach(async () => {
  await f.close();
});

interface Reply {
  readonly status: number;
  readonly json: Record<string, unknown> | undefined;
  readonly headers: Headers;
}

async function api(method: string, path: string, body?: unknown, authorization = admin): Promise<Reply> {
  const r = await raw(f, `users/${path}`, {
    method,
    authorization,
    ...(body === undefined
      ? {}
      : { body: typeof body === 'string' ? body : JSON.stringify(body), contentType: 'application/json' }),
  });
  return {
    status: r.status,
    json: r.text === '' ? undefined : (JSON.parse(r.text) as Record<string, unknown>),
    headers: r.headers,
  };
}

describe('users API: reading', () => {
  it('lists users without any credential material', async () => {
    const r = await api('GET', '');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
    const users = r.json?.users as Record<string, unknown>[];
    expect(users.map((u) => [u.username, u.role, u.enabled])).toEqual([
      ['ada', 'admin', true],
      ['otto', 'operator', true],
      ['vera', 'viewer', true],
    ]);
    expect(Object.keys(users[0] ?? {}).sort()).toEqual(['created', 'enabled', 'modified', 'role', 'username']);
    expect(users[0]?.created).toBe('2024-06-01T12:00:00.000Z');
  });

  it('gets one user (200), an unknown one is 404', async () => {
    expect((await api('GET', 'otto')).json).toMatchObject({ username: 'otto', role: 'operator' });
    const missing = await api('GET', 'ghost');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ err: true, errCode: 'HS_ERR_UNKNOWN_NAME' });
  });

  it('decodes percent-encoded names', async () => {
    expect((await api('POST', '', { username: 'a/b?c', password: 'long-enough' })).status).toBe(201);
    expect((await api('GET', encodeURIComponent('a/b?c'))).json).toMatchObject({ username: 'a/b?c' });
  });
});

describe('users API: usernames that could pass for another', () => {
  it('refuses invisible, bidi, full-width, spaced and mixed-script names, and case twins of existing ones', async () => {
    const refused = [
      'admin\u200b',
      'ad\u202emin',
      'ａｄａ',
      'ad min',
      '\u0430dmin',
      'Ωmega',
      'Ada',
      'x\u3164',
      'a\u00ad',
    ];
    for (const username of refused) {
      const r = await api('POST', '', { username, password: 'long-enough' });
      expect(r.status, JSON.stringify(username)).toBe(400);
      expect(r.json?.errCode).toBe('HS_ERR_INVALID_VALUE');
    }
    for (const username of ['ada2', 'やまだ太郎', 'Ωμέγα', 'josé']) {
      expect((await api('POST', '', { username, password: 'long-enough' })).status, username).toBe(201);
    }
  });
});

describe('users API: create', () => {
  it('creates from a password (201, Location); the new user logs in with it', async () => {
    const r = await api('POST', '', { username: 'nina', password: 'nina-password', role: 'operator' });
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toBe('/api/users/nina');
    expect(r.json).toMatchObject({ username: 'nina', role: 'operator', enabled: true });
    const stored = await f.users.getUser('nina');
    expect(stored?.scram.iterations).toBe(4096);
    expect(JSON.stringify(stored)).not.toContain('nina-password');
    expect((await f.client('nina', 'nina-password').read('site')).size).toBe(2);
  });

  it('defaults the role to viewer; can create disabled', async () => {
    expect((await api('POST', '', { username: 'v2', password: 'password-2' })).json?.role).toBe('viewer');
    expect((await api('POST', '', { username: 'off', password: 'password-3', enabled: false })).json?.enabled).toBe(
      false,
    );
  });

  it('answers 409 for a duplicate username', async () => {
    const r = await api('POST', '', { username: 'vera', password: 'another-pass' });
    expect(r.status).toBe(409);
    expect(r.json).toMatchObject({ err: true, errCode: 'HS_ERR_CONFLICT' });
  });

  it('answers 400 for bad input', async () => {
    const bad: unknown[] = [
      { password: 'long-enough' },
      { username: '', password: 'long-enough' },
      { username: ' padded', password: 'long-enough' },
      { username: 'x', password: 'short' },
      { username: 'x' },
      { username: 'x', password: 12345678 },
      { username: 'x', password: 'long-enough', role: 'root' },
      { username: 'x', password: 'long-enough', enabled: 'yes' },
      { username: 'x', password: 'long-enough', scram: {} },
      '{not json',
      '[1,2]',
    ];
    for (const b of bad) {
      const r = await api('POST', '', b);
      expect([b, r.status]).toEqual([b, 400]);
      expect(r.json?.err).toBe(true);
    }
    expect(await f.users.getUser('x')).toBeUndefined();
  });

  it('answers 415 for a body that is not JSON, 405 for another method', async () => {
    const r = await raw(f, 'users/', { method: 'POST', authorization: admin, body: 'u=x', contentType: 'text/plain' });
    expect(r.status).toBe(415);
    const put = await api('PUT', '', { username: 'x' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
    expect((await api('POST', 'vera', {})).headers.get('allow')).toBe('GET, PATCH, DELETE');
  });
});

describe('users API: update and delete', () => {
  it('changes the role, which applies to live tokens at once', async () => {
    const vera = bearer(await tokenFor(f, 'vera'));
    const write = () =>
      raw(f, 'pointWrite', {
        method: 'POST',
        authorization: vera,
        body: 'ver:"3.0"\nid,level,val\n@sp,8,70°F\n',
        contentType: 'text/zinc',
      });
    expect((await write()).status).toBe(403);
    const r = await api('PATCH', 'vera', { role: 'operator' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ username: 'vera', role: 'operator' });
    expect((await write()).status).toBe(200);
  });

  it('a password change ends the user’s sessions; the new password works, the old does not', async () => {
    const old = bearer(await tokenFor(f, 'otto'));
    f.clock.advance(1000);
    const r = await api('PATCH', 'otto', { password: 'brand-new-pass' });
    expect(r.status).toBe(200);
    expect(r.json?.modified).toBe('2024-06-01T12:00:01.000Z');
    expect((await raw(f, 'about', { authorization: old })).status).toBe(401);
    expect((await f.client('otto', 'brand-new-pass').about()).get('serverName')).toBe('haystack-ts');
    await expect(f.client('otto', 'otto-operator-pass').about()).rejects.toThrow();
  });

  it('disabling a user stops their live token and their logins; enabling lets them log in again', async () => {
    const token = bearer(await tokenFor(f, 'vera'));
    expect((await api('PATCH', 'vera', { enabled: false })).json?.enabled).toBe(false);
    expect((await raw(f, 'about', { authorization: token })).status).toBe(401);
    await expect(f.client('vera').about()).rejects.toThrow();
    await api('PATCH', 'vera', { enabled: true });
    expect((await raw(f, 'about', { authorization: token })).status).toBe(401);
    expect((await f.client('vera').about()).get('serverName')).toBe('haystack-ts');
  });

  it('update: 400 bad input, 404 unknown', async () => {
    for (const b of [{}, { role: 'boss' }, { enabled: 1 }, { password: 'short' }, { username: 'renamed' }]) {
      expect([b, (await api('PATCH', 'vera', b)).status]).toEqual([b, 400]);
    }
    expect((await api('PATCH', 'ghost', { role: 'viewer' })).status).toBe(404);
  });

  it('deletes (204) and ends the user’s sessions; a second delete is 404', async () => {
    const token = bearer(await tokenFor(f, 'otto'));
    const r = await api('DELETE', 'otto');
    expect(r.status).toBe(204);
    expect(r.json).toBeUndefined();
    expect(await f.users.getUser('otto')).toBeUndefined();
    expect((await raw(f, 'about', { authorization: token })).status).toBe(401);
    expect((await api('DELETE', 'otto')).status).toBe(404);
  });

  it('publishes every change on haystack:auth:users (who, what, which fields; never values)', async () => {
    const seen: unknown[] = [];
    const listener = (m: unknown): void => {
      seen.push(m);
    };
    subscribe('haystack:auth:users', listener);
    try {
      await api('POST', '', { username: 'temp', password: 'temp-password' });
      await api('PATCH', 'temp', { password: 'other-password', role: 'operator' });
      await api('DELETE', 'temp');
    } finally {
      unsubscribe('haystack:auth:users', listener);
    }
    // Where each came from: the admin's address and the request (its X-Request-Id, its log line's reqId).
    const from = { address: '127.0.0.1', requestId: expect.any(String) as unknown };
    expect(seen).toEqual([
      { action: 'create', username: 'temp', by: 'ada', fields: [], ...from },
      { action: 'update', username: 'temp', by: 'ada', fields: ['password', 'role'], ...from },
      { action: 'delete', username: 'temp', by: 'ada', fields: [], ...from },
    ]);
  });
});

describe('users API: the last enabled admin', () => {
  it('cannot be deleted, demoted or disabled (409), by itself or anyone', async () => {
    for (const [method, body] of [
      ['DELETE', undefined],
      ['PATCH', { role: 'operator' }],
      ['PATCH', { enabled: false }],
    ] as const) {
      const r = await api(method, 'ada', body);
      expect([method, body, r.status]).toEqual([method, body, 409]);
      expect(r.json).toMatchObject({ errCode: 'HS_ERR_CONFLICT', dis: 'At least one enabled admin must remain' });
    }
    expect((await f.users.getUser('ada'))?.role).toBe('admin');
  });

  it('can be changed once another enabled admin exists; a disabled admin does not count', async () => {
    await api('POST', '', { username: 'root2', password: 'root2-password', role: 'admin', enabled: false });
    expect((await api('DELETE', 'ada')).status).toBe(409);
    await api('PATCH', 'root2', { enabled: true });
    // Demoted and given a new password in one change: both apply.
    const scramBefore = (await f.users.getUser('ada'))?.scram.storedKey;
    expect((await api('PATCH', 'ada', { role: 'viewer', password: 'ada-new-password' })).status).toBe(200);
    expect((await f.users.getUser('ada'))?.scram.storedKey).not.toEqual(scramBefore);
    // ada is a viewer now, and her sessions ended with the new password.
    expect((await raw(f, 'users/', { authorization: admin })).status).toBe(401);
    const root2 = bearer(await tokenFor(f, 'root2'));
    expect((await api('DELETE', 'root2', undefined, root2)).status).toBe(409);
    // Another admin, enabled or not, may be deleted.
    for (const enabled of [true, false]) {
      await api('POST', '', { username: 'root3', password: 'root3-password', role: 'admin', enabled }, root2);
      expect((await api('DELETE', 'root3', undefined, root2)).status).toBe(204);
    }
    expect((await f.users.listUsers()).filter((u) => u.role === 'admin').map((u) => u.username)).toEqual(['root2']);
  });

  it('two concurrent demotions of the last two admins leave one admin', async () => {
    await api('POST', '', { username: 'root2', password: 'root2-password', role: 'admin' });
    const root2 = bearer(await tokenFor(f, 'root2'));
    // Each demotes the other: whichever runs second is refused (409, or 403 once its own demotion applied).
    const [a, b] = await Promise.all([
      api('PATCH', 'root2', { role: 'viewer' }),
      api('PATCH', 'ada', { role: 'viewer' }, root2),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses[0]).toBe(200);
    expect([403, 409]).toContain(statuses[1]);
    const admins = (await f.users.listUsers()).filter((u) => u.role === 'admin' && u.enabled);
    expect(admins).toHaveLength(1);
  });
});

describe('users API: the last enabled admin, with two server processes on one user store', () => {
  // A second server over the fixture's users, as another process over one store would be: its own users route, so
  // nothing in process orders its changes with the first one's.
  async function secondServer(first: SecureFixture): Promise<{ base: string; close: () => Promise<void> }> {
    const security = createSecurity({
      users: first.users,
      sessions: first.users,
      clock: first.clock.now,
      serverSecret: new Uint8Array(32).fill(9),
      iterations: ITERATIONS,
    });
    const store = createMemoryStore();
    const server = createServer({ store, clock: first.clock.now, tz: 'New_York', ...security.serverOptions });
    const addr = await server.listen(0, '127.0.0.1');
    return {
      base: addr.url,
      close: async () => {
        server.http.closeAllConnections();
        await server.close();
        await store.close();
      },
    };
  }

  // Hold the first two listings of the users until both are asked for (or `release` is called): each process counts
  // the admins before the other writes anything, the interleaving in which a check made before the write cannot see
  // the other's demotion.
  function countTogether(users: MemoryUserStore): () => void {
    const held: (() => void)[] = [];
    let open = false;
    const release = (): void => {
      open = true;
      for (const r of held.splice(0)) r();
    };
    const list = users.listUsers.bind(users);
    users.listUsers = async () => {
      if (!open) {
        await new Promise<void>((resolve) => {
          held.push(resolve);
          if (held.length === 2) release();
        });
      }
      return list();
    };
    return release;
  }

  it('two demotions of the last two admins through different processes leave one admin', async () => {
    await f.users.createUser({
      username: 'root2',
      role: 'admin',
      scram: await credentialsForPassword('root2-password', ITERATIONS),
    });
    const other = await secondServer(f);
    try {
      const root2 = bearer(await tokenFor(f, 'root2'));
      const release = countTogether(f.users);
      // Each demotes the other, one through each process.
      const viaOther = raw(other, 'users/ada', {
        method: 'PATCH',
        authorization: root2,
        body: JSON.stringify({ enabled: false }),
        contentType: 'application/json',
      });
      const viaFirst = api('PATCH', 'root2', { role: 'viewer' });
      // A request that ends without counting (refused before) must not leave the other one held.
      for (const p of [viaOther, viaFirst]) void p.finally(release);
      const [a, b] = await Promise.all([viaFirst, viaOther]);
      const admins = (await f.users.listUsers()).filter((u) => u.role === 'admin' && u.enabled);
      expect(admins.length).toBeGreaterThanOrEqual(1);
      // Each demotion that was undone was refused (409): every 200 is an admin fewer, and no other answer came.
      const statuses = [a.status, b.status];
      expect(statuses.filter((s) => s === 200).length).toBe(2 - admins.length);
      expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    } finally {
      await other.close();
    }
  });
});

describe('users API: paths and bodies it refuses', () => {
  it('answers 404 for a path below a user, 400 for malformed percent-encoding', async () => {
    const nested = await api('GET', 'otto/sessions');
    expect(nested.status).toBe(404);
    expect(nested.json).toMatchObject({ errCode: 'HS_ERR_UNKNOWN_NAME' });
    const malformed = await api('GET', '%E0%A4%A');
    expect(malformed.status).toBe(400);
    expect(malformed.json).toMatchObject({ errCode: 'HS_ERR_BAD_REQUEST' });
  });

  it('answers 415 for a body without a Content-Type', async () => {
    // fetch labels a string body text/plain; a Blob without a type goes without any Content-Type.
    const r = await fetch(`${f.base}users/`, {
      method: 'POST',
      headers: { authorization: admin },
      body: new Blob(['{"username":"x","password":"long-enough"}']),
    });
    expect(r.status).toBe(415);
    expect(await r.json()).toMatchObject({ errCode: 'HS_ERR_UNSUPPORTED_MEDIA' });
  });

  it('lets the only admin change its own password (it stays an enabled admin)', async () => {
    const r = await api('PATCH', 'ada', { password: 'another-long-one' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ username: 'ada', role: 'admin', enabled: true });
  });
});

describe('users API: a change and the end of its sessions are one step', () => {
  // Failure injection: the store fails the sessions' end, as a second call would meet a store error.
  function failSessionsEnd(): void {
    f.users.deleteUserSessions = () => Promise.reject(new Error('connection lost'));
  }

  it('a password change ends the old sessions even when ending them alone would fail', async () => {
    const old = bearer(await tokenFor(f, 'otto'));
    failSessionsEnd();
    expect((await api('PATCH', 'otto', { password: 'brand-new-pass' })).status).toBe(200);
    expect((await raw(f, 'about', { authorization: old })).status).toBe(401);
  });

  it('a failed password change leaves the old password and the old sessions, the admin told it failed', async () => {
    const old = bearer(await tokenFor(f, 'otto'));
    f.users.updateUser = () => Promise.reject(new Error('connection lost'));
    expect((await api('PATCH', 'otto', { password: 'brand-new-pass' })).status).toBe(500);
    expect((await raw(f, 'about', { authorization: old })).status).toBe(200);
    expect((await f.client('otto', 'otto-operator-pass').about()).get('serverName')).toBe('haystack-ts');
  });

  it('a disable or delete ends the sessions with it: re-enabling or recreating the user revives none', async () => {
    const vera = bearer(await tokenFor(f, 'vera'));
    const otto = bearer(await tokenFor(f, 'otto'));
    failSessionsEnd();
    expect((await api('PATCH', 'vera', { enabled: false })).status).toBe(200);
    expect((await api('DELETE', 'otto')).status).toBe(204);
    expect(await f.users.listUserSessions('vera')).toEqual([]);
    expect(await f.users.listUserSessions('otto')).toEqual([]);
    expect((await api('PATCH', 'vera', { enabled: true })).status).toBe(200);
    expect((await api('POST', '', { username: 'otto', password: 'otto-again-pass' })).status).toBe(201);
    expect((await raw(f, 'about', { authorization: vera })).status).toBe(401);
    expect((await raw(f, 'about', { authorization: otto })).status).toBe(401);
  });

  it('an admin disabled with a new password (the last-admin path) loses its sessions with the change', async () => {
    await f.users.createUser({
      username: 'root2',
      role: 'admin',
      scram: await credentialsForPassword('root2-admin-pass', ITERATIONS),
    });
    const root2 = bearer(await tokenFor(f, 'root2'));
    failSessionsEnd();
    expect((await api('PATCH', 'root2', { enabled: false, password: 'root2-next-pass' })).status).toBe(200);
    expect(await f.users.listUserSessions('root2')).toEqual([]);
    expect((await api('PATCH', 'root2', { enabled: true })).status).toBe(200);
    expect((await raw(f, 'about', { authorization: root2 })).status).toBe(401);
  });

  it('the last-admin rule ends sessions only when the change asks (a library caller may not)', async () => {
    for (const name of ['root2', 'root3']) {
      await f.users.createUser({
        username: name,
        role: 'admin',
        scram: await credentialsForPassword('admin-password', ITERATIONS),
      });
      await tokenFor(f, name);
    }
    const refuse = (): Error => new Error('refused');
    const scram = await credentialsForPassword('next-password', ITERATIONS);
    const root2 = (await f.users.getUser('root2')) as UserRecord;
    expect((await updateKeepingAdmin(f.users, root2, { role: 'viewer', scram }, refuse)).scram).toEqual(scram);
    expect(await f.users.listUserSessions('root2')).toHaveLength(1);
    const root3 = (await f.users.getUser('root3')) as UserRecord;
    await updateKeepingAdmin(f.users, root3, { enabled: false, endSessions: true }, refuse);
    expect(await f.users.listUserSessions('root3')).toEqual([]);
  });
});

describe('users API: sessions kept apart from the users (in process memory)', () => {
  it('a password change, disable or delete still ends the user’s sessions, and reports them ended', async () => {
    const apart = await startSecure({ security: { sessions: createMemorySessionStore() } });
    const closed: number[] = [];
    const onSession = (m: unknown): void => {
      const e = m as SessionEvent;
      if (e.action === 'close') closed.push(e.count);
    };
    subscribe(SERVER_CHANNELS.session, onSession);
    try {
      const root = bearer(await tokenFor(apart, 'ada'));
      const tokens = await Promise.all(['otto', 'vera', 'vera'].map(async (u) => bearer(await tokenFor(apart, u))));
      const call = (method: string, path: string, body: unknown) =>
        raw(apart, `users/${path}`, {
          method,
          authorization: root,
          ...(body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' }),
        });
      expect((await call('PATCH', 'otto', { password: 'brand-new-pass' })).status).toBe(200);
      expect((await call('DELETE', 'vera', undefined)).status).toBe(204);
      for (const t of tokens) expect((await raw(apart, 'about', { authorization: t })).status).toBe(401);
      expect(closed).toEqual([1, 2]);
    } finally {
      unsubscribe(SERVER_CHANNELS.session, onSession);
      await apart.close();
    }
  });

  it('with the sessions in the user store, the sessions ended are reported too', async () => {
    const closed: number[] = [];
    const onSession = (m: unknown): void => {
      const e = m as SessionEvent;
      if (e.action === 'close') closed.push(e.count);
    };
    await tokenFor(f, 'otto');
    await tokenFor(f, 'otto');
    await tokenFor(f, 'vera');
    subscribe(SERVER_CHANNELS.session, onSession);
    try {
      expect((await api('PATCH', 'otto', { enabled: false })).status).toBe(200);
      expect((await api('DELETE', 'vera')).status).toBe(204);
      expect(closed).toEqual([2, 1]);
    } finally {
      unsubscribe(SERVER_CHANNELS.session, onSession);
    }
  });
});

describe('users API: errors in the log', () => {
  it("names the error code on the request's line, and publishes an internal error with the request's id", async () => {
    const requests: RequestEvent[] = [];
    const errors: ServerErrorEvent[] = [];
    const onRequest = (m: unknown): void => {
      requests.push(m as RequestEvent);
    };
    const onError = (m: unknown): void => {
      errors.push(m as ServerErrorEvent);
    };
    subscribe(SERVER_CHANNELS.request, onRequest);
    subscribe(SERVER_CHANNELS.error, onError);
    try {
      expect((await api('GET', 'ghost')).status).toBe(404);
      // A user store that fails (failure injection): the caller sees a 500 without details.
      f.users.listUsers = () => Promise.reject(new Error('disk I/O error in users.db'));
      const failed = await api('GET', '');
      expect(failed.status).toBe(500);
      expect(failed.json).toMatchObject({ errCode: 'HS_ERR_INTERNAL', dis: 'Internal server error' });
      const requestId = failed.headers.get('x-request-id');
      expect(requests.map((r) => [r.op, r.status, r.errorCode])).toEqual([
        ['users', 404, 'HS_ERR_UNKNOWN_NAME'],
        ['users', 500, 'HS_ERR_INTERNAL'],
      ]);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ op: 'users', requestId });
      expect(String((errors[0]?.error as Error | undefined)?.message)).toContain('disk I/O error');
    } finally {
      unsubscribe(SERVER_CHANNELS.request, onRequest);
      unsubscribe(SERVER_CHANNELS.error, onError);
    }
  });
});
