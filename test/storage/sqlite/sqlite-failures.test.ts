// A SQLite store whose file fails under it (damaged pages, a write lock another process holds, a file it cannot
// write): every call fails with a typed storage error naming the file, the server answers error grids with their
// code, nothing of a failed write is kept (a user change with the end of its sessions included), and the store
// works again once the cause is gone.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { Dict, MARKER, Num, Ref } from '../../../src/core/index.js';
import { credentialsForPassword } from '../../../src/server/auth/passwords.js';
import { createServer } from '../../../src/server/index.js';
import { openSqliteStore } from '../../../src/storage/sqlite/index.js';
import { makeTempDir } from '../../support/temp-dir.js';

const dir = makeTempDir('hs-sqlite-failures-');
let n = 0;
const nextFile = (): string => dir.file(`f${String(++n)}.db`);
afterAll(() => {
  dir.remove();
});

// A store holding a point with history and a user, closed (so the file is whole, its WAL checkpointed).
async function makeStore(path: string): Promise<void> {
  const s = await openSqliteStore({ path });
  await s.commit([{ op: 'add', tags: Dict.of({ id: new Ref('p'), point: MARKER, his: MARKER, writable: MARKER }) }]);
  await s.hisWrite('p', [{ ts: 0, val: new Num(1) }]);
  await s.close();
}

// Overwrite the root pages of `tables` with bytes no b-tree page starts with: the file opens, their rows cannot be read.
function damageTables(path: string, tables: readonly string[]): void {
  const db = new Database(path);
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const roots = tables.map(
    (t) => db.prepare('SELECT rootpage FROM sqlite_schema WHERE name = ?').pluck().get(t) as number,
  );
  db.close();
  const bytes = readFileSync(path);
  for (const root of roots) bytes.fill(0xab, (root - 1) * pageSize, root * pageSize);
  writeFileSync(path, bytes);
}

describe('a SQLite store file that fails under the store', () => {
  it('with damaged pages: every call is a StorageError naming the file, and the server answers HS_ERR_STORAGE', async () => {
    const path = nextFile();
    await makeStore(path);
    damageTables(path, ['meta', 'entity', 'his', 'user', 'auth_throttle']);
    const store = await openSqliteStore({ path });
    try {
      const failure = { name: 'StorageError', code: 'HS_ERR_STORAGE', message: expect.stringContaining(path) };
      await expect(store.count()).rejects.toMatchObject(failure);
      await expect(store.read({ filter: 'point' })).rejects.toMatchObject(failure);
      await expect(store.hisRead('p', { start: 0, end: 1e12 })).rejects.toMatchObject(failure);
      await expect(store.hisWrite('p', [{ ts: 1000, val: new Num(2) }])).rejects.toMatchObject(failure);
      await expect(store.commit([{ op: 'add', tags: Dict.of({ id: new Ref('q') }) }])).rejects.toMatchObject(failure);
      await expect(store.users.getUser('admin')).rejects.toMatchObject(failure);
      await expect(store.authState.throttleRecords([{ scope: 'username', key: 'admin' }])).rejects.toMatchObject(
        failure,
      );

      const server = createServer({ store, noAuth: true });
      const { url } = await server.listen(0, '127.0.0.1');
      try {
        const res = await fetch(`${url}read?filter=point`, { headers: { accept: 'application/json' } });
        const body = (await res.json()) as { readonly meta: Readonly<Record<string, unknown>> };
        expect(body.meta.errCode).toBe('HS_ERR_STORAGE');
      } finally {
        await server.close();
      }
    } finally {
      await store.close();
    }
  });

  it('locked by another writer past the busy timeout: HS_ERR_UNAVAILABLE (503), nothing applied, then it works', async () => {
    const path = nextFile();
    await makeStore(path);
    // SQLite waits for the lock synchronously: a short wait keeps this test (and its process) from stalling.
    const store = await openSqliteStore({ path, busyTimeoutMs: 50 });
    const server = createServer({ store, noAuth: true });
    const { url } = await server.listen(0, '127.0.0.1');
    const other = new Database(path);
    try {
      // Another process's long write transaction holds the file's one write lock.
      other.prepare('BEGIN IMMEDIATE').run();
      const res = await fetch(`${url}hisWrite`, {
        method: 'POST',
        headers: { 'content-type': 'text/zinc; charset=utf-8', accept: 'application/json' },
        body: 'ver:"3.0" id:@p\nts,val\n2025-01-01T00:00:00Z UTC,2\n',
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
      const body = (await res.json()) as { readonly meta: Readonly<Record<string, unknown>> };
      expect(body.meta.errCode).toBe('HS_ERR_UNAVAILABLE');
      other.prepare('ROLLBACK').run();

      expect(await store.hisCount('p')).toBe(1);
      await store.hisWrite('p', [{ ts: 1000, val: new Num(2) }]);
      expect(await store.hisCount('p')).toBe(2);
    } finally {
      if (other.inTransaction) other.prepare('ROLLBACK').run();
      other.close();
      await server.close();
      await store.close();
    }
  });

  it('failing to end a user’s sessions undoes the change of the user that asked for it', async () => {
    const path = nextFile();
    await makeStore(path);
    const store = await openSqliteStore({ path });
    const other = new Database(path);
    try {
      const scram = await credentialsForPassword('password-1', 4096);
      await store.users.createUser({ username: 'vera', role: 'viewer', scram });
      await store.users.putSession({ id: 's1', username: 'vera', created: 1, lastUsed: 1, expires: 9e12 });
      // Failure injection in the file itself: any end of a session is refused, as a failing disk would refuse it.
      other.exec("CREATE TRIGGER refuse_end BEFORE DELETE ON session BEGIN SELECT RAISE(ABORT, 'injected'); END");
      const next = await credentialsForPassword('password-2', 4096);
      await expect(store.users.updateUser('vera', { scram: next, endSessions: true })).rejects.toMatchObject({
        code: 'HS_ERR_STORAGE',
      });
      await expect(store.users.deleteUser('vera')).rejects.toMatchObject({ code: 'HS_ERR_STORAGE' });
      expect((await store.users.getUser('vera'))?.scram).toEqual(scram);
      expect(await store.users.getSession('s1')).toBeDefined();
      other.exec('DROP TRIGGER refuse_end');
      await store.users.updateUser('vera', { scram: next, endSessions: true });
      expect((await store.users.getUser('vera'))?.scram).toEqual(next);
      expect(await store.users.getSession('s1')).toBeUndefined();
    } finally {
      other.close();
      await store.close();
    }
  });

  it('refuses a busy timeout that is not a whole number of ms', async () => {
    const path = nextFile();
    await expect(openSqliteStore({ path, busyTimeoutMs: -1 })).rejects.toMatchObject({ code: 'HS_ERR_OPTION_RANGE' });
    await expect(openSqliteStore({ path, busyTimeoutMs: 1.5 })).rejects.toMatchObject({ code: 'HS_ERR_OPTION_RANGE' });
  });

  it('refuses a change poll or busy timeout longer than a timer can wait (2^31 - 1 ms), which would poll at once', async () => {
    const path = nextFile();
    // Node runs a longer interval every millisecond: the change poll would spin instead of waiting.
    for (const options of [{ changePollMs: 2 ** 31 }, { busyTimeoutMs: 2 ** 31 }]) {
      await expect(openSqliteStore({ path, ...options })).rejects.toMatchObject({ code: 'HS_ERR_OPTION_RANGE' });
    }
    const store = await openSqliteStore({ path, changePollMs: 2 ** 31 - 1, busyTimeoutMs: 2 ** 31 - 1 });
    await store.close();
  });

  it('that cannot be written where it lies: refused at open as unopenable (not as damaged), left as it was', async () => {
    const path = nextFile();
    await makeStore(path);
    const before = readFileSync(path);
    // The WAL index (`-shm`) cannot be made beside the file, as in a read-only folder (which root would ignore).
    mkdirSync(`${path}-shm`);
    await expect(openSqliteStore({ path })).rejects.toMatchObject({
      code: 'HS_ERR_STORAGE',
      message: expect.stringMatching(/^Cannot open the SQLite store /),
    });
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});
