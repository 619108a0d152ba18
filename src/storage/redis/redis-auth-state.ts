// Login-throttle records, known-good addresses and SCRAM exchanges in the Redis store, shared by every process.

import type { AuthStateStore, ThrottleKey } from '../auth-state-store.js';
import type { RedisConnection } from './redis-client.js';
import { KEY, keyBase } from './redis-keys.js';
import { AUTH_STATE } from './redis-scripts.js';

// A throttle record's field: scope and key joined by NUL (a key is any string; a scope never holds NUL).
const field = (k: ThrottleKey): string => `${k.scope}\u0000${k.key}`;

/**
 * An AuthStateStore over a store's connection; `guard` runs first in every call (the closed check). Each call is one
 * Lua script, so processes counting at once each count and an exchange is taken once. Like SQLite's, records are
 * bounded by expiry on the store's clock (`purgeAuthState`, which the server calls from a timer), not by count.
 */
export function redisAuthState(redis: RedisConnection, prefix: string, guard: () => void): AuthStateStore {
  const base = keyBase(prefix);
  const ver = `${base}${KEY.ver}`;
  const call = async (action: string, args: readonly (string | number)[]): Promise<unknown[]> => {
    guard();
    return redis.eval(AUTH_STATE, ver, [base, action, ...args]);
  };
  return {
    throttleRecords: async (keys) => {
      if (keys.length === 0) return [];
      const r = await call('records', keys.map(field));
      return keys.map((_, i) => {
        const v = r[i] as string | null | undefined;
        if (v === null || v === undefined) return undefined;
        const [failures, lastFailure] = v.split(':');
        return { failures: Number(failures), lastFailure: Number(lastFailure) };
      });
    },
    recordThrottleFailure: async (key, f) => {
      const r = await call('fail', [field(key), f.now, f.windowMs, f.now + f.keepMs]);
      return { failures: Number(r[0]), lastFailure: f.now };
    },
    refundThrottleFailure: async (key, maxFailures) => {
      await call('refund', [field(key), maxFailures]);
    },
    clearThrottle: async (key) => {
      await call('clear', [field(key)]);
    },
    rememberAddress: async (username, address, now, keep, keepMs) => {
      await call('remember', [username, address, now, keep, now + keepMs]);
    },
    addressKnownAt: async (username, address) => {
      const r = await call('known', [username, address]);
      return r[0] === null || r[0] === undefined ? undefined : Number(r[0]);
    },
    putHandshake: async (h, limits, now) => {
      await call('put', [
        h.token,
        h.alias ?? '',
        h.owner,
        h.state,
        h.expires,
        limits.maxPerOwner,
        limits.maxEntries,
        now,
      ]);
    },
    takeHandshake: async (token, now) => {
      const [state] = (await call('take', [token, now])) as (string | null | undefined)[];
      return state ?? undefined;
    },
    purgeAuthState: async (now) => Number((await call('purge', [now]))[0]),
  };
}
