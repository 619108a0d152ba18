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
 * a user (and the end of any of their sessions) is NOTIFYed on `channel`, so other processes check its sessions at once.
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
  // After the change committed (a statement of its own): listeners read the user after they hear. The change is
  // made whether or not this reaches the server: a failure is not the caller's (the periodic session checks cover it).
  const announce = async (username: string): Promise<void> => {
    await q('SELECT pg_notify($1, $2)', [channel, userChangePayload(username)]).catch(() => undefined);
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
      const r = await q(
        `UPDATE users SET role = $1, enabled = $2, modified = $3, hash = $4, salt = $5, iterations = $6,
         stored_key = $7, server_key = $8 WHERE username = $9`,
        [role, enabled, modified, ...scramColumns(scram), username],
      );
      if (r.n === 0) throw new UnknownUserError(username);
      await announce(username);
      return { ...current, role, scram: copyScramCredentials(scram), enabled, modified };
    },
    deleteUser: async (username: string) => {
      if ((await q('DELETE FROM users WHERE username = $1', [username])).n === 0) {
        throw new UnknownUserError(username);
      }
      await announce(username);
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
    // One statement: the notice is sent on commit only, and no process can accept the token after it has gone.
    deleteSession: async (id) =>
      (
        await q(
          'WITH d AS (DELETE FROM session WHERE id = $1 RETURNING username) SELECT pg_notify($2, $3 || username) FROM d',
          [id, channel, userChangePayload('')],
        )
      ).n > 0,
    listUserSessions: async (username) => {
      const r = await q(`SELECT ${SESSION_COLUMNS} FROM session WHERE username = $1 ORDER BY created, id`, [username]);
      return (r.rows as SessionColumns[]).map((x) => sessionFromColumns(x) as SessionRecord);
    },
    deleteUserSessions: async (username) => {
      const n = (await q('DELETE FROM session WHERE username = $1', [username])).n;
      if (n > 0) await announce(username);
      return n;
    },
    purgeExpiredSessions: async (now) => (await q('DELETE FROM session WHERE expires <= $1', [now])).n,
  };
}

function scramColumns(s: ScramCredentials): [string, Buffer, number, Buffer, Buffer] {
  return [s.hash, Buffer.from(s.salt), s.iterations, Buffer.from(s.storedKey), Buffer.from(s.serverKey)];
}
