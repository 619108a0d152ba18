// Users (SCRAM credentials only) and sessions (SHA-256 of the token only) in the Redis store, under its hash tag.

import { Buffer } from 'node:buffer';
import type { ScramCredentials } from '../../core/auth/scram-keys.js';
import { StorageError } from '../../core/errors.js';
import type { Clock } from '../adapter.js';
import type { SessionRecord, SessionStore } from '../session-store.js';
import {
  copyScramCredentials,
  DuplicateUserError,
  isUserRole,
  type NewUser,
  UnknownUserError,
  type UserRecord,
  type UserStore,
  validateScramCredentials,
  validateUsername,
  validateUserRole,
} from '../user-store.js';
import type { RedisConnection } from './redis-client.js';
import { KEY, keyBase } from './redis-keys.js';
import { SESSION, USER } from './redis-scripts.js';

interface StoredUser {
  readonly role: string;
  readonly enabled: boolean;
  readonly created: number;
  readonly modified: number;
  readonly hash: string;
  readonly salt: string;
  readonly iterations: number;
  readonly storedKey: string;
  readonly serverKey: string;
}

// An update retries when another process changed the user between its read and its write.
const MAX_ATTEMPTS = 50;

/**
 * A UserStore and SessionStore over a store's connection; `guard` runs first in every call (the closed check). A change
 * of a user (and the end of any of their sessions) is published on the changes channel by the script that makes it
 * (see redis-scripts.ts), so other processes check its sessions at once: no process can make one and die untold.
 */
export function redisUserStore(
  redis: RedisConnection,
  prefix: string,
  clock: Clock,
  guard: () => void,
): UserStore & SessionStore {
  const base = keyBase(prefix);
  const ver = `${base}${KEY.ver}`;
  const users = `${base}${KEY.users}`;
  const run = <T>(work: () => Promise<T>): Promise<T> =>
    Promise.resolve().then(() => {
      guard();
      return work();
    });
  const get = async (username: string): Promise<UserRecord | undefined> => {
    const [text] = await redis.hmget(users, [username]);
    return text === null || text === undefined ? undefined : toUser(username, text);
  };
  const session = async (action: string, args: readonly (string | number)[]): Promise<number> => {
    const r = await redis.eval(SESSION, ver, [base, action, ...args]);
    return Number(r[0]);
  };

  return {
    getUser: (username) => run(() => get(username)),
    listUsers: () =>
      run(async () => {
        const all = await redis.hgetall(users);
        return Object.keys(all)
          .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
          .map((name) => toUser(name, all[name] as string));
      }),
    createUser: (user: NewUser) =>
      run(async () => {
        const username = validateUsername(user.username);
        const role = validateUserRole(user.role);
        const scram = copyScramCredentials(validateScramCredentials(user.scram));
        const now = clock();
        const rec: UserRecord = { username, role, scram, enabled: user.enabled ?? true, created: now, modified: now };
        if (!(await redis.hsetnx(users, username, fromUser(rec)))) throw new DuplicateUserError(username);
        return { ...rec, scram: copyScramCredentials(scram) };
      }),
    updateUser: (username, changes) =>
      run(async () => {
        const role = changes.role === undefined ? undefined : validateUserRole(changes.role);
        const scram =
          changes.scram === undefined ? undefined : copyScramCredentials(validateScramCredentials(changes.scram));
        for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
          const [text] = await redis.hmget(users, [username]);
          if (text === null || text === undefined) throw new UnknownUserError(username);
          const current = toUser(username, text);
          const next: UserRecord = {
            ...current,
            role: role ?? current.role,
            scram: scram ?? current.scram,
            enabled: changes.enabled ?? current.enabled,
            modified: clock(),
          };
          const r = await redis.eval(USER, ver, [
            base,
            'swap',
            username,
            text,
            fromUser(next),
            changes.endSessions === true ? '1' : '0',
          ]);
          if (Number(r[0]) === 1) {
            return { ...next, scram: copyScramCredentials(next.scram) };
          }
        }
        throw new StorageError(`User ${JSON.stringify(username)} kept changing concurrently; try again`, {
          code: 'HS_ERR_CONFLICT',
        });
      }),
    deleteUser: (username) =>
      run(async () => {
        const r = await redis.eval(USER, ver, [base, 'delete', username]);
        if (Number(r[0]) === 0) throw new UnknownUserError(username);
      }),

    putSession: (r) =>
      run(async () => {
        await session('put', [r.id, r.username, r.created, r.lastUsed, r.expires]);
      }),
    getSession: (id) =>
      run(async () => {
        const [h] = await redis.hgetallMany([`${base}${KEY.session(id)}`]);
        return h === null || h === undefined ? undefined : toSession(id, h);
      }),
    touchSession: (id, lastUsed, expires) => run(async () => (await session('touch', [id, lastUsed, expires])) > 0),
    deleteSession: (id) => run(async () => (await session('delete', [id])) > 0),
    listUserSessions: (username) =>
      run(async () => {
        const ids = await redis.smembers(`${base}${KEY.userSessions(username)}`);
        const hashes = await redis.hgetallMany(ids.map((id) => `${base}${KEY.session(id)}`));
        const out: SessionRecord[] = [];
        hashes.forEach((h, i) => {
          if (h !== null) out.push(toSession(ids[i] as string, h));
        });
        return out.sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      }),
    deleteUserSessions: (username) => run(() => session('deleteUser', [username])),
    purgeExpiredSessions: (now) => run(() => session('purge', [now])),
  };
}

function fromUser(u: UserRecord): string {
  const s = u.scram;
  const stored: StoredUser = {
    role: u.role,
    enabled: u.enabled,
    created: u.created,
    modified: u.modified,
    hash: s.hash,
    salt: Buffer.from(s.salt).toString('base64'),
    iterations: s.iterations,
    storedKey: Buffer.from(s.storedKey).toString('base64'),
    serverKey: Buffer.from(s.serverKey).toString('base64'),
  };
  return JSON.stringify(stored);
}

function toUser(username: string, text: string): UserRecord {
  const u = JSON.parse(text) as StoredUser;
  const bytes = (b64: string): Uint8Array => Uint8Array.from(Buffer.from(b64, 'base64'));
  return {
    username,
    role: isUserRole(u.role) ? u.role : 'viewer',
    enabled: u.enabled,
    created: u.created,
    modified: u.modified,
    scram: {
      hash: u.hash as ScramCredentials['hash'],
      salt: bytes(u.salt),
      iterations: u.iterations,
      storedKey: bytes(u.storedKey),
      serverKey: bytes(u.serverKey),
    },
  };
}

function toSession(id: string, h: Readonly<Record<string, string>>): SessionRecord {
  return {
    id,
    username: h.username ?? '',
    created: Number(h.created),
    lastUsed: Number(h.lastUsed),
    expires: Number(h.expires),
  };
}
