// The persistence check every store's `haystack serve` test runs: seeded once into an empty store, and a point
// write, history and the bootstrap admin written during one run are there in the next.

import { expect } from 'vitest';
import { dateRange, HaystackClient } from '../../src/client/index.js';
import { HDate, HDateTime, Num, type Ref } from '../../src/core/index.js';
import { type StartedServe, startServe } from './serve-cli.js';

/** The bootstrap admin the first run creates from the environment. */
export const RESTART_ADMIN = { HS_SUPERUSER_USERNAME: 'root', HS_SUPERUSER_PASSWORD: 'correct horse battery' };
const USER = { username: RESTART_ADMIN.HS_SUPERUSER_USERNAME, password: RESTART_ADMIN.HS_SUPERUSER_PASSWORD };

/**
 * Run `haystack serve ...args` twice in `cwd` and check that the second run keeps the first one's writes and admin.
 * `seeded` matches the first run's store line; `onFirst` checks more of the first run while it is up.
 */
export async function expectRestartKeepsWrites(
  args: readonly string[],
  cwd: string,
  seeded: RegExp,
  onFirst: (first: StartedServe) => void = () => undefined,
): Promise<void> {
  const first = await startServe(args, cwd, RESTART_ADMIN);
  expect(first.url).toMatch(/^http:/);
  let point: Ref;
  try {
    onFirst(first);
    expect(first.stdout()).toMatch(seeded);
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

  // Other superuser settings do not make another admin: the first one persists, with its password.
  const second = await startServe(args, cwd, { HS_SUPERUSER_USERNAME: 'other', HS_SUPERUSER_PASSWORD: 'x'.repeat(12) });
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
}
