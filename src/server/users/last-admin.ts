// The last-admin rule (one enabled admin always remains), kept when several processes change users of one store.

import type { UserChanges, UserRecord, UserStore } from '../../storage/user-store.js';

// An enabled admin, by role and state as they would be after `changes`.
function staysAdmin(user: UserRecord, changes: UserChanges): boolean {
  return (changes.role ?? user.role) === 'admin' && (changes.enabled ?? user.enabled);
}

async function enabledAdmins(users: UserStore, except?: string): Promise<number> {
  return (await users.listUsers()).filter((u) => u.username !== except && u.role === 'admin' && u.enabled).length;
}

/**
 * Apply `changes` to `current` (the user as just read) unless that leaves no enabled admin; `refuse` makes the error
 * thrown then, with nothing applied. Another process may demote another admin at the same moment, and a check before
 * the write cannot see that: a demotion is written first (role and enabled only), then the admins are counted again,
 * and the demotion is undone when none is left. Whichever of two such demotions counts last finds the other's, so one
 * of them is undone (or both): one admin stays whatever the interleaving. The rest (a password, the end of the user's
 * sessions) is written after, in one step.
 */
export async function updateKeepingAdmin(
  users: UserStore,
  current: UserRecord,
  changes: UserChanges,
  refuse: () => Error,
): Promise<UserRecord> {
  const username = current.username;
  if (!(current.role === 'admin' && current.enabled) || staysAdmin(current, changes)) {
    return users.updateUser(username, changes);
  }
  const demoted = await demote(users, current, changes, refuse);
  const { scram, endSessions } = changes;
  if (scram === undefined && endSessions !== true) return demoted;
  return users.updateUser(username, {
    ...(scram === undefined ? {} : { scram }),
    ...(endSessions === undefined ? {} : { endSessions }),
  });
}

/**
 * Delete `current` (the user as just read) unless it is the last enabled admin; `refuse` makes the error thrown then,
 * with nothing applied. An enabled admin is disabled first and deleted once the admins counted after that still hold
 * one (see {@link updateKeepingAdmin}).
 */
export async function deleteKeepingAdmin(users: UserStore, current: UserRecord, refuse: () => Error): Promise<void> {
  if (current.role === 'admin' && current.enabled) await demote(users, current, { enabled: false }, refuse);
  await users.deleteUser(current.username);
}

// Write the role and enabled parts of a demotion, count again, and undo it (throwing `refuse()`) when no admin is left.
async function demote(
  users: UserStore,
  current: UserRecord,
  changes: UserChanges,
  refuse: () => Error,
): Promise<UserRecord> {
  // The common case, one process: refused before anything is written.
  if ((await enabledAdmins(users, current.username)) === 0) throw refuse();
  const demoted = await users.updateUser(current.username, {
    ...(changes.role === undefined ? {} : { role: changes.role }),
    ...(changes.enabled === undefined ? {} : { enabled: changes.enabled }),
  });
  if ((await enabledAdmins(users)) > 0) return demoted;
  await users.updateUser(current.username, { role: current.role, enabled: current.enabled });
  throw refuse();
}
