// Users of a store file managed without a server (`haystack user ... --store sqlite:PATH`), by the users API's rules.

import { DEFAULT_SCRAM_ITERATIONS } from '../core/auth/scram-keys.js';
import type { UserJson } from '../core/auth/user-json.js';
import { HaystackError, StorageError } from '../core/errors.js';
import { credentialsForPassword, userJson } from '../server/index.js';
import { deleteKeepingAdmin, updateKeepingAdmin } from '../server/users/last-admin.js';
import type { UserChanges, UserRecord } from '../storage/user-store.js';
import { validateUsername, validateUserRole } from '../storage/user-store.js';
import { STORE_BACKENDS } from './stores/backends.js';
import { openStore, type StoreBackend } from './stores/store-backend.js';

/** The users of one store, with the operations of the users API (same JSON shapes, same rules). */
export interface LocalUsers {
  /** Every user. */
  list(): Promise<readonly UserJson[]>;
  /** Add a user. */
  create(user: {
    readonly username: string;
    readonly password: string;
    readonly role?: string;
    readonly enabled?: boolean;
  }): Promise<UserJson>;
  /** Change a user; a new password or disabling ends the user's sessions. */
  update(
    username: string,
    changes: { readonly role?: string; readonly enabled?: boolean; readonly password?: string },
  ): Promise<UserJson>;
  /** Delete a user and their sessions. */
  remove(username: string): Promise<void>;
  /** Close the store. */
  close(): Promise<void>;
}

/**
 * Open the users of the store `text` names (a persistent one: `sqlite:PATH`; with `mustExist`, a file that does not
 * exist is an error instead of a new store). As in the users API, the last enabled
 * admin cannot be removed, disabled or demoted (`HS_ERR_CONFLICT`), and unknown users are `HS_ERR_UNKNOWN_NAME`.
 */
export async function openLocalUsers(
  text: string,
  cwd: string,
  backends: readonly StoreBackend[] = STORE_BACKENDS,
  options: { readonly mustExist?: boolean } = {},
): Promise<LocalUsers> {
  const opened = await openStore(text, backends, { cwd, scanCacheEntities: 0, mustExist: options.mustExist === true });
  const users = opened.users;
  if (users === undefined || !opened.persistent) {
    await opened.close();
    throw new HaystackError('HS_ERR_STARTUP', `--store ${text} keeps no users: use a file store such as sqlite:PATH`);
  }
  const existing = async (username: string): Promise<UserRecord> => {
    const user = await users.getUser(username);
    if (user === undefined) throw new HaystackError('HS_ERR_UNKNOWN_NAME', `Unknown user ${JSON.stringify(username)}`);
    return user;
  };
  const lastAdmin = (): StorageError =>
    new StorageError('The last enabled admin cannot be removed, disabled or demoted', { code: 'HS_ERR_CONFLICT' });

  return {
    list: async () => (await users.listUsers()).map(userJson),
    create: async (user) => {
      const scram = await credentialsForPassword(user.password, DEFAULT_SCRAM_ITERATIONS);
      const made = await users.createUser({
        username: validateUsername(user.username),
        role: user.role === undefined ? 'viewer' : validateUserRole(user.role),
        scram,
        enabled: user.enabled ?? true,
      });
      return userJson(made);
    },
    update: async (username, changes) => {
      const role = changes.role === undefined ? undefined : validateUserRole(changes.role);
      const scram =
        changes.password === undefined
          ? undefined
          : await credentialsForPassword(changes.password, DEFAULT_SCRAM_ITERATIONS);
      const update: UserChanges = {
        ...(role === undefined ? {} : { role }),
        ...(changes.enabled === undefined ? {} : { enabled: changes.enabled }),
        ...(scram === undefined ? {} : { scram }),
        // In the store's step that makes the change: a second call could fail alone and leave old sessions valid.
        ...(scram !== undefined || changes.enabled === false ? { endSessions: true } : {}),
      };
      // A running server (or another command) may demote another admin meanwhile: the rule holds across processes.
      const updated = await updateKeepingAdmin(users, await existing(username), update, lastAdmin);
      return userJson(updated);
    },
    // The store ends the user's sessions with the delete, in one step.
    remove: async (username) => {
      await deleteKeepingAdmin(users, await existing(username), lastAdmin);
    },
    close: () => opened.close(),
  };
}
