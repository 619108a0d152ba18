// Users (SCRAM credentials only) and sessions (SHA-256 of the token only) in the SQLite store file.

import { Buffer } from 'node:buffer';
import type { ScramCredentials } from '../../core/auth/scram-keys.js';
import type { Clock } from '../adapter.js';
import { type SessionColumns, type SessionRecord, type SessionStore, sessionFromColumns } from '../session-store.js';
import {
  copyScramCredentials,
  DuplicateUserError,
  type NewUser,
  UnknownUserError,
  type UserChanges,
  type UserColumns,
  type UserRecord,
  type UserStore,
  userFromColumns,
  validateScramCredentials,
  validateUsername,
  validateUserRole,
} from '../user-store.js';
import { sqliteFailure } from './sqlite-errors.js';
import type { SqliteDb } from './sqlite-schema.js';

const USER_COLUMNS = 'username, role, enabled, created, modified, hash, salt, iterations, stored_key, server_key';
const SESSION_COLUMNS = 'id, username, created, last_used, expires';

/** A UserStore and SessionStore over the open store file `where`; `guard` runs first in every call (closed check). */
export function sqliteUserStore(
  db: SqliteDb,
  clock: Clock,
  guard: () => void,
  where: string,
): UserStore & SessionStore {
  const q = {
    get: db.prepare(`SELECT ${USER_COLUMNS} FROM user WHERE username = ?`),
    list: db.prepare(`SELECT ${USER_COLUMNS} FROM user ORDER BY username`),
    insert: db.prepare(`INSERT INTO user (${USER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
    update: db.prepare(
      'UPDATE user SET role = ?, enabled = ?, modified = ?, hash = ?, salt = ?, iterations = ?, stored_key = ?, server_key = ? WHERE username = ?',
    ),
    remove: db.prepare('DELETE FROM user WHERE username = ?'),
    putSession: db.prepare(`INSERT OR REPLACE INTO session (${SESSION_COLUMNS}) VALUES (?, ?, ?, ?, ?)`),
    getSession: db.prepare(`SELECT ${SESSION_COLUMNS} FROM session WHERE id = ?`),
    touch: db.prepare('UPDATE session SET last_used = ?, expires = ? WHERE id = ?'),
    deleteSession: db.prepare('DELETE FROM session WHERE id = ?'),
    userSessions: db.prepare(`SELECT ${SESSION_COLUMNS} FROM session WHERE username = ? ORDER BY created, id`),
    deleteUserSessions: db.prepare('DELETE FROM session WHERE username = ?'),
    purge: db.prepare('DELETE FROM session WHERE expires <= ?'),
  };
  // Every call is one statement or one immediate transaction, committed before its promise settles; a driver
  // failure (disk full, read-only file, a lock held too long) reaches the caller typed.
  const run = <T>(work: () => T): Promise<T> =>
    Promise.resolve()
      .then(() => {
        guard();
        return db.inTransaction ? work() : db.transaction(work).immediate();
      })
      .catch((err: unknown) => {
        throw sqliteFailure(err, where);
      });

  return {
    getUser: (username) => run(() => userFromColumns(q.get.get(username) as UserColumns | undefined)),
    listUsers: () => run(() => (q.list.all() as UserColumns[]).map((r) => userFromColumns(r) as UserRecord)),
    createUser: (user: NewUser) =>
      run(() => {
        const username = validateUsername(user.username);
        const role = validateUserRole(user.role);
        const scram = copyScramCredentials(validateScramCredentials(user.scram));
        if (q.get.get(username) !== undefined) throw new DuplicateUserError(username);
        const now = clock();
        const enabled = user.enabled ?? true;
        q.insert.run(username, role, enabled ? 1 : 0, now, now, ...scramColumns(scram));
        return { username, role, scram: copyScramCredentials(scram), enabled, created: now, modified: now };
      }),
    updateUser: (username: string, changes: UserChanges) =>
      run(() => {
        const current = userFromColumns(q.get.get(username) as UserColumns | undefined);
        if (current === undefined) throw new UnknownUserError(username);
        const role = changes.role === undefined ? current.role : validateUserRole(changes.role);
        const scram =
          changes.scram === undefined ? current.scram : copyScramCredentials(validateScramCredentials(changes.scram));
        const enabled = changes.enabled ?? current.enabled;
        const modified = clock();
        const [hash, salt, iterations, storedKey, serverKey] = scramColumns(scram);
        q.update.run(role, enabled ? 1 : 0, modified, hash, salt, iterations, storedKey, serverKey, username);
        if (changes.endSessions === true) q.deleteUserSessions.run(username);
        return { ...current, role, scram: copyScramCredentials(scram), enabled, modified };
      }),
    deleteUser: (username: string) =>
      run(() => {
        if (q.remove.run(username).changes === 0) throw new UnknownUserError(username);
        q.deleteUserSessions.run(username);
      }),

    putSession: (r) =>
      run(() => {
        q.putSession.run(r.id, r.username, r.created, r.lastUsed, r.expires);
      }),
    getSession: (id) => run(() => sessionFromColumns(q.getSession.get(id) as SessionColumns | undefined)),
    touchSession: (id, lastUsed, expires) => run(() => q.touch.run(lastUsed, expires, id).changes > 0),
    deleteSession: (id) => run(() => q.deleteSession.run(id).changes > 0),
    listUserSessions: (username) =>
      run(() => (q.userSessions.all(username) as SessionColumns[]).map((r) => sessionFromColumns(r) as SessionRecord)),
    deleteUserSessions: (username) => run(() => q.deleteUserSessions.run(username).changes),
    purgeExpiredSessions: (now) => run(() => q.purge.run(now).changes),
  };
}

function scramColumns(s: ScramCredentials): [string, Buffer, number, Buffer, Buffer] {
  return [s.hash, Buffer.from(s.salt), s.iterations, Buffer.from(s.storedKey), Buffer.from(s.serverKey)];
}
