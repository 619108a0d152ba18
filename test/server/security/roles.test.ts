// The role table: every standard op against every role over real HTTP (allowed, or 403 with an error grid).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeZincGrid } from '../../../src/core/codec/zinc/index.js';
import { PermissionError } from '../../../src/core/errors.js';
import { Grid } from '../../../src/core/grid/grid.js';
import { type ActionDef, STANDARD_OPS } from '../../../src/server/index.js';
import type { OpContext } from '../../../src/server/op.js';
import type { UserRole } from '../../../src/storage/user-store.js';
import { bearer, errCodeOf, gridOf, raw, type SecureFixture, startSecure, tokenFor } from './support.js';

/** What each standard op needs, as the issue states it (not read from the code under test). */
const REQUIRED: Readonly<Record<string, UserRole>> = {
  about: 'viewer',
  ops: 'viewer',
  formats: 'viewer',
  close: 'viewer',
  defs: 'viewer',
  libs: 'viewer',
  filetypes: 'viewer',
  read: 'viewer',
  nav: 'viewer',
  watchSub: 'viewer',
  watchUnsub: 'viewer',
  watchPoll: 'viewer',
  pointWrite: 'operator',
  hisRead: 'viewer',
  hisWrite: 'operator',
  invokeAction: 'operator',
};

const RANK: readonly UserRole[] = ['viewer', 'operator', 'admin'];
const USER_OF: Readonly<Record<UserRole, string>> = { viewer: 'vera', operator: 'otto', admin: 'ada' };

/** A request body that the op serves without error, given an open watch. */
function body(op: string, watchId: string): string {
  switch (op) {
    case 'read':
      return 'ver:"3.0"\nfilter\n"site"\n';
    case 'watchSub':
      return 'ver:"3.0" watchDis:"roles"\nid\n@temp\n';
    case 'watchPoll':
    case 'watchUnsub':
      return `ver:"3.0" watchId:${JSON.stringify(watchId)}\nempty\n`;
    case 'pointWrite':
      return 'ver:"3.0"\nid,level,val\n@sp,8,70°F\n';
    case 'hisRead':
      return 'ver:"3.0"\nid,range\n@temp,"2024-06-01"\n';
    case 'hisWrite':
      return 'ver:"3.0" id:@temp\nts,val\n2024-06-01T08:00:00-04:00 New_York,72°F\n';
    case 'invokeAction':
      return 'ver:"3.0" id:@ahu1 action:"ping"\nempty\n';
    default:
      return '';
  }
}

const actions: ActionDef[] = [{ name: 'ping', handler: () => Grid.fromDicts([{ pong: 'yes' }]) }];

let f: SecureFixture;
beforeAll(async () => {
  f = await startSecure({ server: { actions } });
});
afterAll(async () => {
  await f.close();
});

async function callAs(role: UserRole, op: string, watchId = 'none') {
  const text = body(op, watchId);
  return raw(f, op, {
    method: 'POST',
    authorization: bearer(await tokenFor(f, USER_OF[role])),
    body: text,
    ...(text === '' ? {} : { contentType: 'text/zinc; charset=utf-8' }),
  });
}

describe('role table', () => {
  it('covers exactly the standard ops, each declaring the role the issue gives it', () => {
    expect(STANDARD_OPS.map((o) => o.name).sort()).toEqual(Object.keys(REQUIRED).sort());
    for (const op of STANDARD_OPS) {
      // The role of the request this table sends (pointWrite's is a write: reading its array needs less).
      const text = body(op.name, 'w');
      const role = op.roleFor?.(text === '' ? Grid.EMPTY : decodeZincGrid(text)) ?? op.requiredRole;
      expect([op.name, role]).toEqual([op.name, REQUIRED[op.name]]);
    }
  });

  it("a viewer reads a point's priority array, and may not write a level or a val", async () => {
    const as = async (user: string, text: string) =>
      raw(f, 'pointWrite', {
        method: 'POST',
        authorization: bearer(await tokenFor(f, user)),
        body: text,
        contentType: 'text/zinc',
      });
    const read = await as('vera', 'ver:"3.0"\nid\n@sp\n');
    expect(read.status).toBe(200);
    expect(gridOf(read).rows.map((r) => Number(String(r.get('level'))))).toEqual(
      Array.from({ length: 17 }, (_, i) => i + 1),
    );
    for (const text of [
      'ver:"3.0"\nid,level,val\n@sp,9,55°F\n',
      'ver:"3.0"\nid,val\n@sp,55°F\n',
      'ver:"3.0"\nid,level\n@sp,9\n',
    ]) {
      const denied = await as('vera', text);
      expect([denied.status, errCodeOf(denied)]).toEqual([403, 'HS_ERR_PERMISSION']);
    }
  });

  for (const role of RANK) {
    it(`${role}: every op is allowed (200, no error) or denied (403, PermissionErr error grid)`, async () => {
      const watch = gridOf(await callAs(role, 'watchSub'));
      const watchId = String(watch.meta.get('watchId'));
      const outcome: Record<string, string> = {};
      const expected: Record<string, string> = {};
      for (const [op, needs] of Object.entries(REQUIRED)) {
        const allowed = RANK.indexOf(role) >= RANK.indexOf(needs);
        expected[op] = allowed ? '200 ok' : '403 HS_ERR_PERMISSION PermissionErr';
        const r = await callAs(role, op, watchId);
        const g = gridOf(r);
        outcome[op] = g.isError
          ? `${r.status} ${String(g.meta.get('errCode'))} ${String(g.meta.get('errType'))}`
          : `${r.status} ok`;
      }
      expect(outcome).toEqual(expected);
    });
  }

  it('a denied write changes nothing', async () => {
    const arrayOf = async () =>
      gridOf(
        await raw(f, 'pointWrite', {
          method: 'POST',
          authorization: bearer(await tokenFor(f, 'vera')),
          body: 'ver:"3.0"\nid\n@sp\n',
          contentType: 'text/zinc',
        }),
      );
    const seen = (await arrayOf()).rows.map((r) => String(r.get('val') ?? ''));
    expect(seen).toHaveLength(17);
    const denied = await raw(f, 'pointWrite', {
      method: 'POST',
      authorization: bearer(await tokenFor(f, 'vera')),
      body: 'ver:"3.0"\nid,level,val\n@sp,9,55°F\n',
      contentType: 'text/zinc',
    });
    expect(denied.status).toBe(403);
    expect((await arrayOf()).rows.map((r) => String(r.get('val') ?? ''))).toEqual(seen);
  });

  it('the users API needs admin: 403 error for operator and viewer, 200 for admin', async () => {
    for (const role of RANK) {
      const r = await raw(f, 'users/', { authorization: bearer(await tokenFor(f, USER_OF[role])) });
      expect([role, r.status]).toEqual([role, role === 'admin' ? 200 : 403]);
      if (role !== 'admin') expect(JSON.parse(r.text)).toMatchObject({ err: true, errCode: 'HS_ERR_PERMISSION' });
    }
  });

  it('every op and the users API answer 401 without a token', async () => {
    for (const op of [...Object.keys(REQUIRED), 'users/']) {
      const r = await raw(f, op, { method: 'POST' });
      expect([op, r.status, r.headers.get('www-authenticate')]).toEqual([op, 401, 'HELLO']);
    }
    expect(errCodeOf(await raw(f, 'about'))).toBe('HS_ERR_AUTH');
  });

  it('the op registry runs the role check itself, for any transport that runs an op through it', async () => {
    const pointWrite = f.server.handler.ops.get('pointWrite');
    if (pointWrite === undefined) throw new Error('no pointWrite');
    const ctx = { principal: { username: 'vera', role: 'viewer' } } as unknown as OpContext;
    await expect(async () => pointWrite.handler(Grid.EMPTY, ctx)).rejects.toBeInstanceOf(PermissionError);
  });
});
