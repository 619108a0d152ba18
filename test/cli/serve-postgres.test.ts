// `haystack serve --store postgres://...` keeps its data: seeded once into an empty schema, and points, history and
// users written during one run are there in the next (the "done when").

import { afterAll, describe, expect, it } from 'vitest';
import { dateRange, HaystackClient } from '../../src/client/index.js';
import { HDate, HDateTime, Num, type Ref } from '../../src/core/index.js';
import { TEST_PG_URL, testSchemas } from '../support/postgres.js';
import { serveExit, startServe } from '../support/serve-cli.js';
import { makeTempDir } from '../support/temp-dir.js';

const dir = makeTempDir('hs-serve-pg-');
const schemas = testSchemas('serve');
afterAll(async () => {
  dir.remove();
  await schemas.dropAll();
});

const ADMIN = { HS_SUPERUSER_USERNAME: 'root', HS_SUPERUSER_PASSWORD: 'correct horse battery' };
const USER = { username: ADMIN.HS_SUPERUSER_USERNAME, password: ADMIN.HS_SUPERUSER_PASSWORD };

describe('haystack serve over PostgreSQL', () => {
  it('seeds an empty schema once and keeps points, history and users across a restart', async () => {
    const store = `${TEST_PG_URL}?schema=${schemas.next()}`;
    const args = ['--port', '0', '--demo-days', '1', '--store', store];
    const first = await startServe(args, dir.path, ADMIN);
    expect(first.url).toMatch(/^http:/);
    let point: Ref;
    try {
      expect(first.stdout()).toMatch(/store postgres .*: \d+ entities, demo building/);
      expect(first.stdout()).toContain('created user "root"');
      const client = new HaystackClient({ url: first.url, ...USER });
      const sp = (await client.read('point and writable', { limit: 1 })).first;
      point = sp?.id as Ref;
      await client.pointWrite(point, 8, new Num(123, '°F'), { who: 'test' });
      const tz = String(sp?.get('tz') ?? 'UTC');
      await client.hisWrite(point, [{ ts: HDateTime.fromEpochMs(Date.UTC(2001, 0, 1), tz), val: new Num(7) }]);
      await client.close();
    } finally {
      expect(await first.stop()).toBe(0);
    }

    const second = await startServe(args, dir.path, {
      HS_SUPERUSER_USERNAME: 'other',
      HS_SUPERUSER_PASSWORD: 'x'.repeat(12),
    });
    try {
      expect(second.stdout()).toMatch(/: \d+ entities, kept from before \(nothing seeded\)/);
      expect(second.stdout()).not.toContain('created user');
      const client = new HaystackClient({ url: second.url, ...USER });
      const [again] = (await client.readByIds([point])).rows;
      expect(again?.get('curVal')).toEqual(new Num(123, '°F'));
      expect(again?.get('writeLevel')).toEqual(new Num(8));
      const his = await client.hisRead(point, dateRange(HDate.parse('2000-12-30'), HDate.parse('2001-01-02')));
      expect(his.rows.map((r) => r.get('val'))).toEqual([new Num(7)]);
      await client.close();
    } finally {
      expect(await second.stop()).toBe(0);
    }
  }, 120_000);

  it('answers postgresql:// too, hides the password, and fails to start on a server that is not there', async () => {
    const schema = schemas.next();
    const s = await startServe(
      [
        '--no-auth',
        '--port',
        '0',
        '--demo-days',
        '0',
        '--store',
        `${TEST_PG_URL.replace('postgres:', 'postgresql:')}?schema=${schema}`,
      ],
      dir.path,
    );
    try {
      expect(s.url).toMatch(/^http:/);
      expect(s.stdout()).toContain(`schema ${schema}`);
    } finally {
      await s.stop();
    }
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const bad = await serveExit(['--no-auth', '--store', 'postgres://u:secret@127.0.0.1:1/x', '--port', '0']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/cannot open store postgres:\/\/u:\*\*\*@127\.0\.0\.1:1\/x/);
    expect(bad.stderr).not.toContain('secret');
  });
});
