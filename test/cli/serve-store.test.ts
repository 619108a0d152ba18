// `haystack serve` keeps its data: the default store is sqlite:haystack.db in the working folder, seeded only when
// empty, and points, history and users written during one run are there in the next.

import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dateRange, HaystackClient } from '../../src/client/index.js';
import { decodeZincGrid, HDate, HDateTime, Num, type Ref } from '../../src/core/index.js';
import { serveExit, startServe } from '../support/serve-cli.js';
import { makeTempDir } from '../support/temp-dir.js';

const dir = makeTempDir('hs-serve-store-');
afterAll(() => {
  dir.remove();
});

const ADMIN = { HS_SUPERUSER_USERNAME: 'root', HS_SUPERUSER_PASSWORD: 'correct horse battery' };
const ARGS = ['--port', '0', '--demo-days', '1'];

describe('haystack serve over the default SQLite store', () => {
  it('creates haystack.db in the working folder, seeds it once, and keeps writes and users across restarts', async () => {
    const first = await startServe(ARGS, dir.path, ADMIN);
    expect(first.url).toMatch(/^http:/);
    const file = path.join(dir.path, 'haystack.db');
    let point: Ref;
    try {
      expect(existsSync(file)).toBe(true);
      expect(first.stdout()).toMatch(
        new RegExp(`store sqlite ${file.replaceAll('/', '\\/')}: \\d+ entities, demo building`),
      );
      expect(first.stdout()).toContain('created user "root"');
      const client = new HaystackClient({ url: first.url, ...userOf(ADMIN) });
      const sp = (await client.read('point and writable', { limit: 1 })).first;
      point = sp?.id as Ref;
      await client.pointWrite(point, 8, new Num(123, '°F'), { who: 'test' });
      const tz = String(sp?.get('tz') ?? 'UTC');
      await client.hisWrite(point, [{ ts: HDateTime.fromEpochMs(Date.UTC(2001, 0, 1), tz), val: new Num(7) }]);
      await client.close();
    } finally {
      expect(await first.stop()).toBe(0);
    }

    // Other superuser settings do not make another admin: the first one persists, with its password.
    const second = await startServe(ARGS, dir.path, {
      HS_SUPERUSER_USERNAME: 'other',
      HS_SUPERUSER_PASSWORD: 'x'.repeat(12),
    });
    try {
      expect(second.stdout()).toMatch(/: \d+ entities, kept from before \(nothing seeded\)/);
      expect(second.stdout()).not.toContain('created user');
      const client = new HaystackClient({ url: second.url, ...userOf(ADMIN) });
      const [again] = (await client.readByIds([point])).rows;
      expect(again?.get('curVal')).toEqual(new Num(123, '°F'));
      const his = await client.hisRead(point, dateRange(HDate.parse('2000-12-30'), HDate.parse('2001-01-02')));
      expect(his.rows.map((r) => r.get('val'))).toEqual([new Num(7)]);
      await client.close();
    } finally {
      expect(await second.stop()).toBe(0);
    }
  }, 120_000);

  it('serves another file with --store sqlite:PATH, and refuses a file that is not a store', async () => {
    const s = await startServe(
      ['--no-auth', '--store', 'sqlite:other.db', '--port', '0', '--demo-days', '0'],
      dir.path,
    );
    try {
      const grid = decodeZincGrid(await (await fetch(`${s.url}read?filter=site`)).text());
      expect(grid.size).toBeGreaterThan(0);
    } finally {
      await s.stop();
    }
    expect(existsSync(path.join(dir.path, 'other.db'))).toBe(true);
    writeFileSync(path.join(dir.path, 'notes.txt'), 'not a database, only text '.repeat(40));
    const bad = await startServe(['--no-auth', '--store', 'sqlite:notes.txt', '--port', '0'], dir.path);
    expect(bad.url).toMatch(/^exited 1: .*not a usable haystack-ts store/);
    expect((await serveExit(['--store', 'sqlite:', '--no-auth'])).code).toBe(2);
  });
});

function userOf(env: { HS_SUPERUSER_USERNAME: string; HS_SUPERUSER_PASSWORD: string }): {
  username: string;
  password: string;
} {
  return { username: env.HS_SUPERUSER_USERNAME, password: env.HS_SUPERUSER_PASSWORD };
}
