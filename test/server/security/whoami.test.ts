// `{api}/whoami`: any logged-in user learns their own name and role (the web UI's header shows them).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UsersClient } from '../../../src/client/users-client.js';
import { bearer, raw, type SecureFixture, startSecure, tokenFor } from './support.js';

let f: SecureFixture;
beforeEach(async () => {
  f = await startSecure();
});
afterEach(async () => {
  await f.close();
});

describe('whoami', () => {
  it('answers each role its own name and role as JSON', async () => {
    for (const [name, role] of [
      ['vera', 'viewer'],
      ['otto', 'operator'],
      ['ada', 'admin'],
    ] as const) {
      const r = await raw(f, 'whoami', { method: 'GET', authorization: bearer(await tokenFor(f, name)) });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(JSON.parse(r.text)).toEqual({ username: name, role });
    }
  });

  it('follows a role change at once, through the users client', async () => {
    const vera = await UsersClient.connect({ url: f.base, token: await tokenFor(f, 'vera'), fetch });
    expect(await vera.whoami()).toEqual({ username: 'vera', role: 'viewer' });
    await f.users.updateUser('vera', { role: 'operator' });
    expect(await vera.whoami()).toEqual({ username: 'vera', role: 'operator' });
  });

  it('needs a login (401), and answers only GET and HEAD (405)', async () => {
    expect((await raw(f, 'whoami', { method: 'GET' })).status).toBe(401);
    const post = await raw(f, 'whoami', { method: 'POST', authorization: bearer(await tokenFor(f, 'vera')) });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await raw(f, 'whoami/x', { method: 'GET', authorization: bearer(await tokenFor(f, 'vera')) })).status).toBe(
      404,
    );
  });
});
