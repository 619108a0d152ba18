// In-memory UserStore (and SessionStore): the reference backend of the user and session contracts.

import { checkOptionNames, type OptionNames } from '../../core/options.js';
import type { Clock } from '../adapter.js';
import { functionOption } from '../commit-staging.js';
import type { SessionRecord, SessionStore } from '../session-store.js';
import {
  copyScramCredentials,
  copyUserRecord,
  DuplicateUserError,
  type NewUser,
  UnknownUserError,
  type UserChanges,
  type UserRecord,
  type UserStore,
  validateScramCredentials,
  validateUsername,
  validateUserRole,
} from '../user-store.js';

/** Options of {@link createMemoryUserStore}. */
export interface MemoryUserStoreOptions {
  /** Source of `created`/`modified` stamps (default `Date.now`). */
  readonly clock?: Clock;
}

/** A UserStore and SessionStore held in process memory (lost on restart; for tests, development and one process). */
export type MemoryUserStore = UserStore & SessionStore;

const MEMORY_USER_STORE_OPTIONS: OptionNames<MemoryUserStoreOptions> = { clock: true };

/** Create an empty in-memory user and session store; throws an `OptionError` for bad options. */
export function createMemoryUserStore(options: MemoryUserStoreOptions = {}): MemoryUserStore {
  checkOptionNames('Memory user store options', options, MEMORY_USER_STORE_OPTIONS);
  const clock = functionOption('Memory user store', 'clock', options.clock) ?? Date.now;
  const users = new Map<string, UserRecord>();
  const sessions = new Map<string, SessionRecord>();
  const sessionStore = memorySessionStore(sessions);

  return {
    getUser(username) {
      const u = users.get(username);
      return Promise.resolve(u === undefined ? undefined : copyUserRecord(u));
    },

    listUsers() {
      const all = [...users.values()].sort((a, b) => (a.username < b.username ? -1 : a.username > b.username ? 1 : 0));
      return Promise.resolve(all.map(copyUserRecord));
    },

    createUser(user: NewUser) {
      return Promise.resolve().then(() => {
        const username = validateUsername(user.username);
        const role = validateUserRole(user.role);
        const scram = copyScramCredentials(validateScramCredentials(user.scram));
        if (users.has(username)) throw new DuplicateUserError(username);
        const now = clock();
        const record: UserRecord = {
          username,
          role,
          scram,
          enabled: user.enabled ?? true,
          created: now,
          modified: now,
        };
        users.set(username, record);
        return copyUserRecord(record);
      });
    },

    updateUser(username: string, changes: UserChanges) {
      return Promise.resolve().then(() => {
        const current = users.get(username);
        if (current === undefined) throw new UnknownUserError(username);
        const role = changes.role === undefined ? current.role : validateUserRole(changes.role);
        const scram =
          changes.scram === undefined ? current.scram : copyScramCredentials(validateScramCredentials(changes.scram));
        const enabled = changes.enabled ?? current.enabled;
        const record: UserRecord = { ...current, role, scram, enabled, modified: clock() };
        users.set(username, record);
        if (changes.endSessions === true) endUserSessions(sessions, username);
        return copyUserRecord(record);
      });
    },

    deleteUser(username: string) {
      return Promise.resolve().then(() => {
        if (!users.delete(username)) throw new UnknownUserError(username);
        endUserSessions(sessions, username);
      });
    },

    ...sessionStore,
  };
}

/** Create an empty in-memory session store (the `TokenService` default: sessions end with the process). */
export function createMemorySessionStore(): SessionStore {
  return memorySessionStore(new Map());
}

// Remove the user's sessions from `sessions`; returns how many there were.
function endUserSessions(sessions: Map<string, SessionRecord>, username: string): number {
  let n = 0;
  for (const [id, s] of sessions) {
    if (s.username === username) {
      sessions.delete(id);
      n++;
    }
  }
  return n;
}

// A session store over `sessions`, which the user store shares to end a user's sessions with a change of the user.
function memorySessionStore(sessions: Map<string, SessionRecord>): SessionStore {
  const byCreated = (a: SessionRecord, b: SessionRecord): number => a.created - b.created;

  return {
    putSession(record) {
      sessions.set(record.id, { ...record });
      return Promise.resolve();
    },

    getSession(id) {
      const s = sessions.get(id);
      return Promise.resolve(s === undefined ? undefined : { ...s });
    },

    touchSession(id, lastUsed, expires) {
      const s = sessions.get(id);
      if (s !== undefined) sessions.set(id, { ...s, lastUsed, expires });
      return Promise.resolve(s !== undefined);
    },

    deleteSession(id) {
      return Promise.resolve(sessions.delete(id));
    },

    listUserSessions(username) {
      const mine = [...sessions.values()].filter((s) => s.username === username).sort(byCreated);
      return Promise.resolve(mine.map((s) => ({ ...s })));
    },

    deleteUserSessions(username) {
      return Promise.resolve(endUserSessions(sessions, username));
    },

    purgeExpiredSessions(now) {
      let n = 0;
      for (const [id, s] of sessions) {
        if (s.expires <= now) {
          sessions.delete(id);
          n++;
        }
      }
      return Promise.resolve(n);
    },
  };
}
