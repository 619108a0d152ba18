// Login-throttle records and SCRAM exchanges in the SQLite store file, shared by every process that opens it.

import type { AuthStateStore, ThrottleRecord } from '../auth-state-store.js';
import { settle } from '../commit-staging.js';
import { sqliteFailure } from './sqlite-errors.js';
import type { SqliteDb } from './sqlite-schema.js';

interface ThrottleRow {
  readonly failures: number;
  readonly last_failure: number;
}

/**
 * An AuthStateStore over the open store file `where`; `guard` runs first in every call (the closed check). Each
 * read-modify-write is one immediate transaction, so processes counting at once each count. Records are bounded by
 * expiry (`purgeAuthState`, which the server calls from a timer), not by count: a flood of fresh keys cannot evict
 * a locked one, and the address limit throttles the flood itself.
 */
export function sqliteAuthState(db: SqliteDb, guard: () => void, where: string): AuthStateStore {
  const failure = (err: unknown): Error => sqliteFailure(err, where);
  const call = <T>(work: () => T): Promise<T> =>
    settle(() => {
      guard();
      return work();
    }, failure);
  const q = {
    throttle: db.prepare('SELECT failures, last_failure FROM auth_throttle WHERE scope = ? AND key = ?'),
    putThrottle: db.prepare(
      'INSERT OR REPLACE INTO auth_throttle (scope, key, failures, last_failure, keep_until) VALUES (?, ?, ?, ?, ?)',
    ),
    refund: db.prepare(
      'UPDATE auth_throttle SET failures = failures - 1 WHERE scope = ? AND key = ? AND failures BETWEEN 1 AND ?',
    ),
    clearThrottle: db.prepare('DELETE FROM auth_throttle WHERE scope = ? AND key = ?'),
    remember: db.prepare('INSERT OR REPLACE INTO auth_known (username, address, at, keep_until) VALUES (?, ?, ?, ?)'),
    // Beyond `keep`, the least recent successes go.
    trimKnown: db.prepare(
      `DELETE FROM auth_known WHERE username = ? AND address NOT IN
       (SELECT address FROM auth_known WHERE username = ? ORDER BY at DESC, address LIMIT ?)`,
    ),
    knownAt: db.prepare('SELECT at FROM auth_known WHERE username = ? AND address = ?').pluck(),
    expiredHandshakes: db.prepare('DELETE FROM auth_handshake WHERE expires <= ?'),
    ownerCount: db.prepare('SELECT count(*) FROM auth_handshake WHERE owner = ?').pluck(),
    dropOwnerOldest: db.prepare(
      'DELETE FROM auth_handshake WHERE seq IN (SELECT seq FROM auth_handshake WHERE owner = ? ORDER BY seq LIMIT ?)',
    ),
    putHandshake: db.prepare(
      'INSERT OR REPLACE INTO auth_handshake (token, alias, owner, state, expires) VALUES (?, ?, ?, ?, ?)',
    ),
    handshakeCount: db.prepare('SELECT count(*) FROM auth_handshake').pluck(),
    dropOldest: db.prepare(
      'DELETE FROM auth_handshake WHERE seq IN (SELECT seq FROM auth_handshake ORDER BY seq LIMIT ?)',
    ),
    takeHandshake: db.prepare(
      'DELETE FROM auth_handshake WHERE token = @t OR (alias = @t AND NOT EXISTS (SELECT 1 FROM auth_handshake WHERE token = @t)) RETURNING state, expires',
    ),
    purgeThrottle: db.prepare('DELETE FROM auth_throttle WHERE keep_until <= ?'),
    purgeKnown: db.prepare('DELETE FROM auth_known WHERE keep_until <= ?'),
  };
  const recordFailure = db.transaction(
    (scope: string, key: string, now: number, windowMs: number, keepMs: number): ThrottleRecord => {
      const old = q.throttle.get(scope, key) as ThrottleRow | undefined;
      const failures = old === undefined || now - old.last_failure > windowMs ? 1 : old.failures + 1;
      q.putThrottle.run(scope, key, failures, now, now + keepMs);
      return { failures, lastFailure: now };
    },
  );
  const remember = db.transaction((username: string, address: string, now: number, keep: number, keepMs: number) => {
    q.remember.run(username, address, now, now + keepMs);
    q.trimKnown.run(username, username, keep);
  });
  const put = db.transaction(
    (
      token: string,
      alias: string | null,
      owner: string,
      state: string,
      expires: number,
      maxPerOwner: number,
      maxEntries: number,
      now: number,
    ) => {
      q.expiredHandshakes.run(now);
      const held = q.ownerCount.get(owner) as number;
      if (held >= maxPerOwner) q.dropOwnerOldest.run(owner, held - maxPerOwner + 1);
      q.putHandshake.run(token, alias, owner, state, expires);
      const total = q.handshakeCount.get() as number;
      if (total > maxEntries) q.dropOldest.run(total - maxEntries);
    },
  );
  const purge = db.transaction(
    (now: number): number =>
      q.expiredHandshakes.run(now).changes + q.purgeThrottle.run(now).changes + q.purgeKnown.run(now).changes,
  );
  return {
    throttleRecords: (keys) =>
      call(() => {
        return keys.map((k) => {
          const r = q.throttle.get(k.scope, k.key) as ThrottleRow | undefined;
          return r === undefined ? undefined : { failures: r.failures, lastFailure: r.last_failure };
        });
      }),
    recordThrottleFailure: (key, f) =>
      call(() => {
        return recordFailure.immediate(key.scope, key.key, f.now, f.windowMs, f.keepMs);
      }),
    refundThrottleFailure: (key, maxFailures) =>
      call(() => {
        q.refund.run(key.scope, key.key, maxFailures);
      }),
    clearThrottle: (key) =>
      call(() => {
        q.clearThrottle.run(key.scope, key.key);
      }),
    rememberAddress: (username, address, now, keep, keepMs) =>
      call(() => {
        remember.immediate(username, address, now, keep, keepMs);
      }),
    addressKnownAt: (username, address) =>
      call(() => {
        return q.knownAt.get(username, address) as number | undefined;
      }),
    putHandshake: (r, limits, now) =>
      call(() => {
        put.immediate(
          r.token,
          r.alias ?? null,
          r.owner,
          r.state,
          r.expires,
          limits.maxPerOwner,
          limits.maxEntries,
          now,
        );
      }),
    takeHandshake: (token, now) =>
      call(() => {
        const row = q.takeHandshake.get({ t: token }) as
          | { readonly state: string; readonly expires: number }
          | undefined;
        return row !== undefined && now < row.expires ? row.state : undefined;
      }),
    purgeAuthState: (now) =>
      call(() => {
        return purge.immediate(now);
      }),
  };
}
