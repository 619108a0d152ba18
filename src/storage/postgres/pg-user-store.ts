// Users (SCRAM credentials only) and sessions (SHA-256 of the token only) in the PostgreSQL store's schema.

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
import { userChangePayload } from './pg-changes.js';
import type { PgPool } from './pg-driver.js';
import { storageFailure } from './pg-errors.js';

const USER_COLUMNS = 'username, role, enabled, created, modified, hash, salt, iterations, stored_key, server_key';
const SESSION_COLUMNS = 'id, username, created, last_used, expires';
// unique_violation: the name was taken between the check and the insert (another process).
const UNIQUE_VIOLATION = '23505';

/**
 * A UserStore and SessionStore over a store's pool; `guard` runs first in every call (the closed check). A change of
 * a user (and the end of any of their sessions) is NOTIFYed on `channel` in the statement that makes it, so other
 * processes check its sessions at once.
 */
export function pgUserStore(pool: PgPool, clock: Clock, guard: () => void, channel: string): UserStore & SessionStore {
  // Every call is one statement, committed before its promise settles.
  const q = async (sql: string, params: readonly unknown[]): Promise<{ rows: unknown[]; n: number }> => {
    guard();
    try {
      const r = await pool.query(sql, params as unknown[]);
      return { rows: r.rows, n: r.rowCount ?? 0 };
    } catch (err) {
      throw storageFailure(err);
    }
  };
  // A change of users or sessions (`change`, whose RETURNING names the users it changed) and its notice as one
  // statement: NOTIFY is sent at commit, and only if the change commits, so no process dying in between and no failed
  // notice leaves a change untold (a refused notice fails the statement, and the change with it). Listeners read the
  // user after they hear. One notice per user however many rows: PostgreSQL folds a transaction's identical
  // notices. Resolves to the rows changed.
  // `endSessions` also ends the changed users' sessions in that statement: the change and their end are one unit.
  const changeAndTell = async (change: string, params: readonly unknown[], endSessions = false): Promise<number> => {
    const n = params.length;
    const ended = endSessions ? ', s AS (DELETE FROM session WHERE username IN (SELECT username FROM c))' : '';
    const told = `WITH c AS (${change} RETURNING username)${ended} SELECT pg_notify($${String(n + 1)}, $${String(n + 2)} || username) FROM c`;
    return (await q(told, [...params, channel, userChangePayload('')])).n;
  };
  const getUser = async (username: string): Promise<UserRecord | undefined> =>
    userFromColumns(
      (await q(`SELECT ${USER_COLUMNS} FROM users WHERE username = $1`, [username])).rows[0] as UserColumns | undefined,
    );

  return {
    getUser,
    listUsers: async () =>
      ((await q(`SELECT ${USER_COLUMNS} FROM users ORDER BY username`, [])).rows as UserColumns[]).map(
        (r) => userFromColumns(r) as UserRecord,
      ),
    createUser: async (user: NewUser) => {
      const username = validateUsername(user.username);
      const role = validateUserRole(user.role);
      const scram = copyScramCredentials(validateScramCredentials(user.scram));
      const now = clock();
      const enabled = user.enabled ?? true;
      try {
        const r = await q(
          `INSERT INTO users (${USER_COLUMNS}) VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
          [username, role, enabled, now, ...scramColumns(scram)],
        );
        if (r.n === 0) throw new DuplicateUserError(username);
      } catch (err) {
        if ((err as { cause?: { code?: unknown } }).cause?.code === UNIQUE_VIOLATION) {
          throw new DuplicateUserError(username);
        }
        throw err;
      }
      return { username, role, scram: copyScramCredentials(scram), enabled, created: now, modified: now };
    },
    updateUser: async (username: string, changes: UserChanges) => {
      const current = await getUser(username);
      if (current === undefined) throw new UnknownUserError(username);
      const role = changes.role === undefined ? current.role : validateUserRole(changes.role);
      const scram =
        changes.scram === undefined ? current.scram : copyScramCredentials(validateScramCredentials(changes.scram));
      const enabled = changes.enabled ?? current.enabled;
      const modified = clock();
      const n = await changeAndTell(
        `UPDATE users SET role = $1, enabled = $2, modified = $3, hash = $4, salt = $5, iterations = $6,
         stored_key = $7, server_key = $8 WHERE username = $9`,
        [role, enabled, modified, ...scramColumns(scram), username],
        changes.endSessions === true,
      );
      if (n === 0) throw new UnknownUserError(username);
      return { ...current, role, scram: copyScramCredentials(scram), enabled, modified };
    },
    deleteUser: async (username: string) => {
      if ((await changeAndTell('DELETE FROM users WHERE username = $1', [username], true)) === 0) {
        throw new UnknownUserError(username);
      }
    },

    putSession: async (r) => {
      await q(
        `INSERT INTO session (${SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET
         username = excluded.username, created = excluded.created, last_used = excluded.last_used,
         expires = excluded.expires`,
        [r.id, r.username, r.created, r.lastUsed, r.expires],
      );
    },
    getSession: async (id) =>
      sessionFromColumns(
        (await q(`SELECT ${SESSION_COLUMNS} FROM session WHERE id = $1`, [id])).rows[0] as SessionColumns | undefined,
      ),
    touchSession: async (id, lastUsed, expires) =>
      (await q('UPDATE session SET last_used = $1, expires = $2 WHERE id = $3', [lastUsed, expires, id])).n > 0,
    // No process can accept the token after the notice: it is sent once the session has gone.
    deleteSession: async (id) => (await changeAndTell('DELETE FROM session WHERE id = $1', [id])) > 0,
    listUserSessions: async (username) => {
      const r = await q(`SELECT ${SESSION_COLUMNS} FROM session WHERE username = $1 ORDER BY created, id`, [username]);
      return (r.rows as SessionColumns[]).map((x) => sessionFromColumns(x) as SessionRecord);
    },
    deleteUserSessions: (username) => changeAndTell('DELETE FROM session WHERE username = $1', [username]),
    purgeExpiredSessions: async (now) => (await q('DELETE FROM session WHERE expires <= $1', [now])).n,
  };
}

function scramColumns(s: ScramCredentials): [string, Buffer, number, Buffer, Buffer] {
  return [s.hash, Buffer.from(s.salt), s.iterations, Buffer.from(s.storedKey), Buffer.from(s.serverKey)];
}
