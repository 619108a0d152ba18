// What Haystack 3 clients and clients in the field need from the ops: a `name`/`summary` ops grid, `close` over GET.

import { afterEach, describe, expect, it } from 'vitest';
import type { Sym } from '../../src/core/kinds/symbol.js';
import { bearer, errCodeOf, raw, type SecureFixture, startSecure, tokenFor } from './security/support.js';
import { type Fixture, get, startFixture } from './support/server-fixture.js';

let f: Fixture | undefined;
let s: SecureFixture | undefined;
afterEach(async () => {
  await f?.close();
  await s?.close();
  f = undefined;
  s = undefined;
});

describe('the ops grid', () => {
  it('has the Haystack 4 def column and the Haystack 3 name and summary columns, on every row', async () => {
    f = await startFixture();
    const g = await get(f, 'ops');
    expect(g.cols.slice(0, 3).map((c) => c.name)).toEqual(['def', 'name', 'summary']);
    expect(g.size).toBeGreaterThan(10);
    for (const row of g) {
      expect((row.get('def') as Sym).val).toBe(`op:${String(row.get('name'))}`);
      expect(typeof row.get('summary')).toBe('string');
    }
    const read = g.rows.find((r) => r.get('name') === 'read');
    expect(read?.get('summary')).toBe(f.server.handler.ops.get('read')?.doc);
  });

  it('a filter still sees only the defs', async () => {
    f = await startFixture();
    const g = await get(f, `ops?filter=${encodeURIComponent('noSideEffects')}`);
    const names = g.rows.map((r) => r.get('name'));
    expect(names).toContain('read');
    expect(names).not.toContain('hisWrite');
  });
});

describe('close over GET', () => {
  it('ends the caller session as POST does; the token then gets 401', async () => {
    s = await startSecure();
    for (const method of ['GET', 'POST']) {
      const token = await tokenFor(s, 'vera');
      expect((await raw(s, 'about', { authorization: bearer(token) })).status).toBe(200);
      const closed = await raw(s, 'close', { method, authorization: bearer(token) });
      expect(closed.status).toBe(200);
      expect(errCodeOf(closed)).toBeUndefined();
      expect((await raw(s, 'about', { authorization: bearer(token) })).status).toBe(401);
    }
  });

  it('every other op with side effects still refuses GET with 405 and Allow: POST', async () => {
    s = await startSecure();
    const token = await tokenFor(s, 'ada');
    for (const op of ['hisWrite', 'pointWrite', 'invokeAction', 'watchSub', 'watchUnsub', 'watchPoll']) {
      const r = await raw(s, op, { authorization: bearer(token) });
      expect(r.status, op).toBe(405);
      expect(r.headers.get('allow'), op).toBe('POST');
    }
  });
});
