// Login-throttle records, known-good addresses and SCRAM exchanges in the PostgreSQL schema, shared by every process.

import { Buffer } from 'node:buffer';
import type { AuthStateStore, ThrottleKey, ThrottleRecord } from '../auth-state-store.js';
import type { PgClient, PgPool } from './pg-driver.js';
import { rollbackAfter, storageFailure } from './pg-errors.js';
import { AUTH_LOCK_CLASS } from './pg-schema.js';

// A throttle key as stored: any string exactly (NUL and lone surrogates included), compared byte for byte.
const keyBytes = (k: ThrottleKey): Buffer => Buffer.from(k.key, 'utf16le');

/**
 * An AuthStateStore over a store's pool; `guard` runs first in every call (the closed check). A failure count is one
 * upsert (the row lock of `ON CONFLICT DO UPDATE` makes concurrent counts add up), an exchange is taken by one
 * `DELETE ... RETURNING` (a second taker finds the row gone), and the bounded writes (known addresses, exchanges)
 * run in a transaction. Like SQLite's and Redis', records are bounded by expiry (`purgeAuthState`), not by count.
 */
export function pgAuthState(pool: PgPool, schema: string, guard: () => void): AuthStateStore {
  const query = async <R extends object>(sql: string, params: readonly unknown[]): Promise<R[]> => {
    guard();
    try {
      return (await pool.query<R>(sql, params as unknown[])).rows;
    } catch (err) {
      throw storageFailure(err);
    }
  };
  const tx = async (work: (c: PgClient) => Promise<void>): Promise<void> => {
    guard();
    let c: PgClient;
    try {
      c = await pool.connect();
    } catch (err) {
      throw storageFailure(err);
    }
    let broken: Error | undefined;
    try {
      await c.query('BEGIN');
      await work(c);
      await c.query('COMMIT');
    } catch (err) {
      broken = await rollbackAfter(c, err);
      throw storageFailure(err);
    } finally {
      c.release(broken);
    }
  };
  return {
    throttleRecords: async (keys) => {
      if (keys.length === 0) return [];
      const rows = await query<{ readonly n: number; readonly failures: number; readonly last_failure: number }>(
        `SELECT k.n::int AS n, t.failures, t.last_failure
         FROM unnest($1::text[], $2::bytea[]) WITH ORDINALITY AS k(scope, key, n)
         JOIN auth_throttle t ON t.scope = k.scope AND t.key = k.key`,
        [keys.map((k) => k.scope), keys.map(keyBytes)],
      );
      const out: (ThrottleRecord | undefined)[] = keys.map(() => undefined);
      for (const r of rows) out[r.n - 1] = { failures: r.failures, lastFailure: r.last_failure };
      return out;
    },
    recordThrottleFailure: async (key, f) => {
      const rows = await query<{ readonly failures: number }>(
        `INSERT INTO auth_throttle AS t (scope, key, failures, last_failure, keep_until) VALUES ($1, $2, 1, $3, $5)
         ON CONFLICT (scope, key) DO UPDATE SET
           failures = CASE WHEN $3 - t.last_failure > $4 THEN 1 ELSE t.failures + 1 END,
           last_failure = excluded.last_failure, keep_until = excluded.keep_until
         RETURNING failures`,
        [key.scope, keyBytes(key), f.now, f.windowMs, f.now + f.keepMs],
      );
      return { failures: rows[0]?.failures ?? 1, lastFailure: f.now };
    },
    refundThrottleFailure: async (key, maxFailures) => {
      await query(
        'UPDATE auth_throttle SET failures = failures - 1 WHERE scope = $1 AND key = $2 AND failures BETWEEN 1 AND $3',
        [key.scope, keyBytes(key), maxFailures],
      );
    },
    clearThrottle: async (key) => {
      await query('DELETE FROM auth_throttle WHERE scope = $1 AND key = $2', [key.scope, keyBytes(key)]);
    },
    rememberAddress: (username, address, now, keep, keepMs) =>
      tx(async (c) => {
        await c.query(
          `INSERT INTO auth_known (username, address, at, keep_until) VALUES ($1, $2, $3, $4)
           ON CONFLICT (username, address) DO UPDATE SET at = excluded.at, keep_until = excluded.keep_until`,
          [username, address, now, now + keepMs],
        );
        // Beyond `keep`, the least recent successes go.
        await c.query(
          `DELETE FROM auth_known WHERE username = $1 AND address NOT IN
           (SELECT address FROM auth_known WHERE username = $1 ORDER BY at DESC, address LIMIT $2)`,
          [username, keep],
        );
      }),
    addressKnownAt: async (username, address) => {
      const rows = await query<{ readonly at: number }>(
        'SELECT at FROM auth_known WHERE username = $1 AND address = $2',
        [username, address],
      );
      return rows[0]?.at;
    },
    putHandshake: (h, limits, now) =>
      tx(async (c) => {
        // The bounds count every record: puts are serialised per schema (a login's first step; not a hot path).
        await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [AUTH_LOCK_CLASS, schema]);
        await c.query('DELETE FROM auth_handshake WHERE expires <= $1', [now]);
        // The owner keeps its newest maxPerOwner - 1, so that it holds maxPerOwner with this one.
        await c.query(
          `DELETE FROM auth_handshake WHERE owner = $1 AND seq NOT IN
           (SELECT seq FROM auth_handshake WHERE owner = $1 ORDER BY seq DESC LIMIT $2)`,
          [h.owner, Math.max(0, limits.maxPerOwner - 1)],
        );
        // A record with the same alias is replaced, as one with the same token is (one exchange per step).
        if (h.alias !== undefined) await c.query('DELETE FROM auth_handshake WHERE alias = $1', [h.alias]);
        await c.query(
          `INSERT INTO auth_handshake (token, alias, owner, state, expires) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (token) DO UPDATE SET alias = excluded.alias, owner = excluded.owner, state = excluded.state,
             expires = excluded.expires, seq = nextval(pg_get_serial_sequence('auth_handshake', 'seq'))`,
          [h.token, h.alias ?? null, h.owner, h.state, h.expires],
        );
        await c.query(
          'DELETE FROM auth_handshake WHERE seq IN (SELECT seq FROM auth_handshake ORDER BY seq DESC OFFSET $1)',
          [limits.maxEntries],
        );
      }),
    takeHandshake: async (token, now) => {
      const rows = await query<{ readonly state: string; readonly expires: number }>(
        `DELETE FROM auth_handshake WHERE token = $1
           OR (alias = $1 AND NOT EXISTS (SELECT 1 FROM auth_handshake WHERE token = $1))
         RETURNING state, expires`,
        [token],
      );
      const row = rows[0];
      return row !== undefined && now < row.expires ? row.state : undefined;
    },
    purgeAuthState: async (now) => {
      const rows = await query<{ readonly n: number }>(
        `WITH h AS (DELETE FROM auth_handshake WHERE expires <= $1 RETURNING 1),
           t AS (DELETE FROM auth_throttle WHERE keep_until <= $1 RETURNING 1),
           k AS (DELETE FROM auth_known WHERE keep_until <= $1 RETURNING 1)
         SELECT ((SELECT count(*) FROM h) + (SELECT count(*) FROM t) + (SELECT count(*) FROM k))::int AS n`,
        [now],
      );
      return rows[0]?.n ?? 0;
    },
  };
}
