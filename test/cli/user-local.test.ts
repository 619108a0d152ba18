// `haystack user ... --store sqlite:PATH`: users of a store file managed without a server, by the users API's rules.

import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import { runCliCaptured, spawnCli } from '../support/run-cli.js';
import { makeTempDir } from '../support/temp-dir.js';

const dir = makeTempDir('hs-user-local-');
afterAll(() => {
  dir.remove();
});

const STORE = ['--store', 'sqlite:users.db'];
const PASSWORD = { HAYSTACK_NEW_PASSWORD: 'a long enough secret' };

describe('haystack user --store', () => {
  it('adds, lists, changes and removes users in the file, keeping the last admin', async () => {
    const add = await runCliCaptured(['user', 'add', 'root', '--role', 'admin', ...STORE], dir.path, PASSWORD);
    expect([add.code, add.stderr]).toEqual([0, '']);
    expect(add.stdout).toContain('created user "root" (admin)');
    const gen = await runCliCaptured(['user', 'add', 'vera', '--generate-password', ...STORE], dir.path);
    expect(gen.stdout).toMatch(/password: \S{20,}/);

    const list = await runCliCaptured(['user', 'list', '--json', ...STORE], dir.path);
    expect((JSON.parse(list.stdout) as { username: string; role: string }[]).map((u) => [u.username, u.role])).toEqual([
      ['root', 'admin'],
      ['vera', 'viewer'],
    ]);

    // A session of vera's ends when she is disabled.
    const store = await openSqliteStore({ path: dir.file('users.db') });
    await store.users.putSession({ id: 'cd'.repeat(32), username: 'vera', created: 1, lastUsed: 1, expires: 9e15 });
    await store.close();
    const set = await runCliCaptured(['user', 'set', 'vera', '--disable', '--role', 'operator', ...STORE], dir.path);
    expect(set.stdout).toContain('updated user "vera" (operator, disabled)');
    const after = await openSqliteStore({ path: dir.file('users.db') });
    expect(await after.users.getSession('cd'.repeat(32))).toBeUndefined();
    await after.close();

    const last = await runCliCaptured(['user', 'remove', 'root', ...STORE], dir.path);
    expect(last.code).toBe(1);
    expect(last.stderr).toContain('last enabled admin');
    expect((await runCliCaptured(['user', 'remove', 'vera', ...STORE], dir.path)).stdout).toContain(
      'removed user "vera"',
    );
    expect((await runCliCaptured(['user', 'remove', 'ghost', ...STORE], dir.path)).code).toBe(1);
  });

  it('a password change whose sessions cannot end is not made: both happen or neither', async () => {
    const store = ['--store', 'sqlite:unit.db'];
    expect((await runCliCaptured(['user', 'add', 'root', '--role', 'admin', ...store], dir.path, PASSWORD)).code).toBe(
      0,
    );
    expect((await runCliCaptured(['user', 'add', 'otto', ...store], dir.path, PASSWORD)).code).toBe(0);
    const before = await openSqliteStore({ path: dir.file('unit.db') });
    const scram = (await before.users.getUser('otto'))?.scram;
    await before.users.putSession({ id: 'ef'.repeat(32), username: 'otto', created: 1, lastUsed: 1, expires: 9e15 });
    await before.close();
    // Failure injection in the file: any end of a session is refused, as a failing disk would refuse it.
    const db = new Database(dir.file('unit.db'));
    db.exec("CREATE TRIGGER refuse_end BEFORE DELETE ON session BEGIN SELECT RAISE(ABORT, 'injected'); END");
    db.close();
    const next = { HAYSTACK_NEW_PASSWORD: 'another long secret' };
    for (const args of [
      ['set', 'otto', '--password'],
      ['remove', 'otto'],
    ]) {
      expect((await runCliCaptured(['user', ...args, ...store], dir.path, next)).code, args.join(' ')).toBe(1);
    }
    const after = await openSqliteStore({ path: dir.file('unit.db') });
    expect((await after.users.getUser('otto'))?.scram).toEqual(scram);
    expect(await after.users.getSession('ef'.repeat(32))).toBeDefined();
    await after.close();
  });

  it('list, set and remove refuse a store file that does not exist (only add makes one)', async () => {
    for (const args of [['list'], ['set', 'x', '--enable'], ['remove', 'x']]) {
      const r = await runCliCaptured(['user', ...args, '--store', 'sqlite:typo.db'], dir.path);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('typo.db');
      // The hint names the user command that makes a store, not only import.
      expect(r.stderr).toContain('user add creates one');
    }
    expect(existsSync(dir.file('typo.db'))).toBe(false);
  });

  it('refuses a store that keeps no users, and a bad role', async () => {
    const mem = await runCliCaptured(['user', 'list', '--store', 'memory'], dir.path);
    expect(mem.code).toBe(1);
    const bad = await runCliCaptured(['user', 'add', 'x', '--role', 'king', ...STORE], dir.path, PASSWORD);
    expect(bad.code).toBe(2);
  });

  it('refuses server flags beside --store, which it would ignore, and changes nothing', async () => {
    const add = ['user', 'add', 'zed', '--url', 'http://127.0.0.1:9/api/', '-u', 'root', '--store', 'sqlite:flags.db'];
    expect(await spawnCli(add, dir.path, PASSWORD)).toEqual({
      code: 2,
      stdout: '',
      stderr: 'haystack user: --store changes a store file without a server: give it or --url, -u, not both\n',
    });
    expect(existsSync(dir.file('flags.db'))).toBe(false);
  }, 60_000);
});
