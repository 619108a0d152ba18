// The SQLite store file: everything persists across a reopen, and a file that is not our store fails at open.

import { readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { Dict, deriveScramCredentials, MARKER, Num, Ref } from '../../../src/core/index.js';
import { APPLICATION_ID, openSqliteStore, SCHEMA_VERSION } from '../../../src/storage/sqlite/index.js';
import { makeTempDir } from '../../support/temp-dir.js';

const dir = makeTempDir('hs-sqlite-file-');
let n = 0;
const nextFile = (): string => dir.file(`s${String(++n)}.db`);
afterAll(() => {
  dir.remove();
});

describe('a SQLite store file', () => {
  it('keeps entities, history, priority arrays, watches, users and sessions across a reopen', async () => {
    const path = nextFile();
    let t = Date.UTC(2025, 0, 1);
    const clock = (): number => t;
    const a = await openSqliteStore({ path, clock });
    await a.commit([{ op: 'add', tags: Dict.of({ id: new Ref('p'), point: MARKER, his: MARKER, writable: MARKER }) }]);
    await a.hisWrite('p', [
      { ts: t, val: new Num(1.5, 'kW') },
      { ts: t + 1000, val: new Num(Number.NaN) },
      { ts: t + 2000, val: 'text' },
    ]);
    await a.pointWrite({ id: 'p', level: 8, val: new Num(72, '°F'), who: 'op' });
    await a.pointWrite({ id: 'p', level: 3, val: new Num(60, '°F'), who: 'op', durationMs: 60_000 });
    const w = await a.watchOpen('ui', 600_000);
    await a.watchAdd(w.id, ['p']);
    const scram = await deriveScramCredentials('a long secret', { iterations: 4096 });
    await a.users.createUser({ username: 'admin', role: 'admin', scram });
    await a.users.putSession({ id: 'ab'.repeat(32), username: 'admin', created: t, lastUsed: t, expires: t + 1e6 });
    await a.close();

    t += 30_000;
    const b = await openSqliteStore({ path, clock, mustExist: true });
    const [p] = await b.readByIds(['p']);
    expect(p?.get('curVal')).toEqual(new Num(60, '°F'));
    const his = await b.hisRead('p', { start: 0, end: Number.MAX_SAFE_INTEGER });
    expect(his.map((h) => String(h.val))).toEqual(['1.5kW', 'NaN', 'text']);
    expect((await b.readPriorityArray('p')).effectiveLevel).toBe(3);
    expect((await b.watches()).map((x) => x.ids)).toEqual([['p']]);
    expect((await b.users.getUser('admin'))?.scram.storedKey).toEqual(scram.storedKey);
    expect(await b.users.getSession('ab'.repeat(32))).toMatchObject({ username: 'admin' });
    // The timed override ends on the reopened store's clock.
    t += 60_000;
    expect((await b.readPriorityArray('p')).effectiveLevel).toBe(8);
    await b.close();
  });

  it('refuses a file that is not SQLite', async () => {
    const path = nextFile();
    writeFileSync(path, 'id,dis\n1,not a database at all, but long enough to look like one '.repeat(20));
    await expect(openSqliteStore({ path })).rejects.toMatchObject({ code: 'HS_ERR_STORAGE' });
  });

  it('refuses a store whose header is damaged', async () => {
    const path = nextFile();
    await (await openSqliteStore({ path })).close();
    const bytes = readFileSync(path);
    bytes.fill(0x55, 0, 32);
    writeFileSync(path, bytes);
    await expect(openSqliteStore({ path })).rejects.toMatchObject({ code: 'HS_ERR_STORAGE' });
  });

  it("refuses another application's SQLite file, leaving it untouched", async () => {
    const path = nextFile();
    const other = new Database(path);
    other.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)');
    other.close();
    await expect(openSqliteStore({ path })).rejects.toMatchObject({ code: 'HS_ERR_STORAGE' });
    const again = new Database(path);
    expect(again.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all()).toEqual(['invoices']);
    again.close();
  });

  it('refuses a store written by a newer schema version', async () => {
    const path = nextFile();
    await (await openSqliteStore({ path })).close();
    const db = new Database(path);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    db.prepare('INSERT INTO schema_version (version, applied) VALUES (?, ?)').run(SCHEMA_VERSION + 1, 0);
    db.close();
    await expect(openSqliteStore({ path })).rejects.toMatchObject({ code: 'HS_ERR_STORAGE' });
  });

  it('refuses to create a missing file when it must exist', async () => {
    await expect(openSqliteStore({ path: dir.file('absent.db'), mustExist: true })).rejects.toMatchObject({
      code: 'HS_ERR_STORAGE',
    });
  });
});

describe('schema migrations', () => {
  it('brings a version-1 file forward, keeping its data', async () => {
    const path = nextFile();
    const a = await openSqliteStore({ path });
    await a.commit([{ op: 'add', tags: Dict.of({ id: new Ref('s'), site: MARKER }) }]);
    await a.close();
    // Roll the file back to version 1, as the first release wrote it.
    const db = new Database(path);
    db.exec(
      `CREATE INDEX tag_by_str ON tag (name, str) WHERE str IS NOT NULL;
       DROP TABLE entity_change; DROP TABLE auth_throttle; DROP TABLE auth_known; DROP TABLE auth_handshake;
       DROP TRIGGER session_ended; DROP TRIGGER user_deleted; DROP TABLE session_end;
       DELETE FROM meta WHERE key = 'change_pruned'; DELETE FROM schema_version WHERE version > 1`,
    );
    db.close();
    const b = await openSqliteStore({ path });
    expect((await b.read({ filter: 'site' })).length).toBe(1);
    await b.close();
    const check = new Database(path);
    expect(check.prepare('SELECT max(version) FROM schema_version').pluck().get()).toBe(SCHEMA_VERSION);
    expect(check.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'tag_by_str'").pluck().get()).toBe(0);
    expect(check.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'entity_change'").pluck().get()).toBe(1);
    expect(check.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'session_ended'").pluck().get()).toBe(1);
    check.close();
  });

  it('refines the ended-session triggers of a version-5 file in place, dropping counts of deleted users', async () => {
    const path = nextFile();
    const a = await openSqliteStore({ path });
    const scram = await deriveScramCredentials('a long secret', { iterations: 4096 });
    await a.users.createUser({ username: 'ann', role: 'viewer', scram });
    await a.close();
    // As the release that made version 5 left a file: its one trigger, and the count of a user deleted since.
    const db = new Database(path);
    db.exec(
      `DROP TRIGGER session_ended; DROP TRIGGER user_deleted;
       CREATE TRIGGER session_ended AFTER DELETE ON session BEGIN
         INSERT INTO session_end (username, n) VALUES (old.username, 1) ON CONFLICT (username) DO UPDATE SET n = n + 1;
       END;
       INSERT INTO session_end (username, n) VALUES ('ann', 2), ('gone', 5);`,
    );
    db.close();
    await (await openSqliteStore({ path })).close();
    const check = new Database(path);
    // No new version: a process of the release before still opens the file (it refuses a newer one).
    expect(SCHEMA_VERSION).toBe(5);
    expect(check.prepare('SELECT max(version) FROM schema_version').pluck().get()).toBe(SCHEMA_VERSION);
    const triggers = "SELECT name FROM sqlite_schema WHERE type = 'trigger' ORDER BY name";
    expect(check.prepare(triggers).pluck().all()).toEqual(['session_ended', 'user_deleted']);
    expect(check.prepare('SELECT username, n FROM session_end').all()).toEqual([{ username: 'ann', n: 2 }]);
    // A file refined already is not written at open.
    const before = check.pragma('data_version', { simple: true }) as number;
    await (await openSqliteStore({ path })).close();
    expect(check.pragma('data_version', { simple: true })).toBe(before);
    check.close();
  });
});
