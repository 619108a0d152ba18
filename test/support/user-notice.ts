// A user or session change and its notice to the other processes as one unit: a user store whose process dies right
// after its change, or whose notice the server refuses, either made the change and told it, or made neither.

import { Dict, MARKER, Ref } from '../../src/core/index.js';
import { credentialsForPassword } from '../../src/server/auth/passwords.js';
import type { StorageAdapter } from '../../src/storage/adapter.js';
import type { SessionStore } from '../../src/storage/session-store.js';
import type { UserStore } from '../../src/storage/user-store.js';
import { type ChangeRecorder, names } from './change-recorder.js';

/** A user store with its sessions. */
export type Users = UserStore & SessionStore;

/** A change other processes must hear of at once (they check the user's open sessions again). */
export interface ToldChange {
  /** The UserStore or SessionStore method. */
  readonly name: string;
  /** Make it, for the user {@link seedUser} made. */
  make(users: Users, username: string): Promise<unknown>;
  /** Whether it was made, read through another store. */
  made(users: Users, username: string): Promise<boolean>;
}

/** Every change of a user, or end of their sessions, the stores announce. */
export const TOLD_CHANGES: readonly ToldChange[] = [
  {
    name: 'updateUser',
    make: (u, name) => u.updateUser(name, { enabled: false }),
    made: async (u, name) => (await u.getUser(name))?.enabled === false,
  },
  {
    name: 'updateUserEndingSessions',
    make: (u, name) => u.updateUser(name, { enabled: false, endSessions: true }),
    made: async (u, name) => wholly((await u.getUser(name))?.enabled === false, await noSessions(u, name)),
  },
  {
    name: 'deleteUser',
    make: (u, name) => u.deleteUser(name),
    made: async (u, name) => wholly((await u.getUser(name)) === undefined, await noSessions(u, name)),
  },
  {
    name: 'deleteUserSessions',
    make: (u, name) => u.deleteUserSessions(name),
    made: async (u, name) => (await u.listUserSessions(name)).length === 0,
  },
  {
    name: 'deleteSession',
    make: (u, name) => u.deleteSession(`${name}-1`),
    made: async (u, name) => (await u.getSession(`${name}-1`)) === undefined,
  },
];

async function noSessions(users: Users, username: string): Promise<boolean> {
  return (await users.listUserSessions(username)).length === 0;
}

// A change of the user that ends their sessions was made when both parts are in the store; one part alone is the
// half-applied change these tests exist to catch.
function wholly(userChanged: boolean, sessionsEnded: boolean): boolean {
  if (userChanged !== sessionsEnded) throw new Error('Half made: the user changed without their sessions ending');
  return userChanged;
}

/** Add user `username` (enabled) with two open sessions, `<username>-1` and `<username>-2`. */
export async function seedUser(users: Users, username: string): Promise<void> {
  await users.createUser({ username, role: 'viewer', scram: await credentialsForPassword('password-1', 4096) });
  const session = { username, created: 1, lastUsed: 1, expires: Date.now() + 60_000 };
  await users.putSession({ id: `${username}-1`, ...session });
  await users.putSession({ id: `${username}-2`, ...session });
}

/** What became of a change made through a user store (a faulty one, in most tests). */
export interface ToldOutcome {
  /** The call failed. */
  readonly failed: boolean;
  /** The change is in the store. */
  readonly made: boolean;
  /** How many `users` changes naming the user the listener heard. */
  readonly told: number;
}

/**
 * Make `change` for `username` through `through`, then see whether it is in the store (read through `writer`) and
 * whether `rec` (subscribed to `listening`) heard of it: an entity `mark` committed through `writer` afterwards is
 * heard after any notice sent before it (both stores deliver notices in commit order), so "not told" is final.
 */
export async function makeAndHear(s: {
  readonly change: ToldChange;
  readonly username: string;
  readonly through: Users;
  readonly writer: Pick<StorageAdapter, 'commit'> & { readonly users: Users };
  readonly listening: { syncChanges?(): Promise<void> };
  readonly rec: ChangeRecorder;
}): Promise<ToldOutcome> {
  const { change, username, rec } = s;
  const failed = await change.make(s.through, username).then(
    () => false,
    () => true,
  );
  const made = await change.made(s.writer.users, username);
  const mark = `mark-${username}`;
  await s.writer.commit([{ op: 'add', tags: Dict.of({ id: new Ref(mark), point: MARKER }) }]);
  await s.listening.syncChanges?.();
  await rec.until(names(mark));
  const told = rec.changes.filter((c) => c.kind === 'users' && c.usernames.includes(username)).length;
  return { failed, made, told };
}
