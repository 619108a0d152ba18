// The user contract: users with a role and SCRAM credentials only, as every backend stores them for authentication.

import type { ScramCredentials } from '../core/auth/scram-keys.js';
import { isWellFormedScramCredentials } from '../core/auth/scram-keys.js';
import { HaystackError, StorageError, ValueError } from '../core/errors.js';

/** A user's role; each includes the rights of the ones below it: `admin` > `operator` > `viewer`. */
export type UserRole = 'admin' | 'operator' | 'viewer';

/** Every role, lowest first. */
export const USER_ROLES: readonly UserRole[] = Object.freeze(['viewer', 'operator', 'admin'] as const);

/** True when `s` names a {@link UserRole}. */
export function isUserRole(s: unknown): s is UserRole {
  return s === 'admin' || s === 'operator' || s === 'viewer';
}

/** A stored user. Only SCRAM credentials are kept: never a password nor an unsalted hash of one. */
export interface UserRecord {
  /** Unique, case-sensitive name the user logs in with. */
  readonly username: string;
  /** What the user may do. */
  readonly role: UserRole;
  /** Salt, iteration count, StoredKey and ServerKey (RFC 5802). */
  readonly scram: ScramCredentials;
  /** A disabled user cannot log in, and their live tokens stop working. */
  readonly enabled: boolean;
  /** When the user was created (epoch ms, from the store's clock). */
  readonly created: number;
  /** When the user was last changed (epoch ms, from the store's clock). */
  readonly modified: number;
}

/** What {@link UserStore.createUser} takes. */
export interface NewUser {
  /** Unique name (see {@link validateUsername}). */
  readonly username: string;
  /** Role. */
  readonly role: UserRole;
  /** Credentials, e.g. from `deriveScramCredentials(password)`. */
  readonly scram: ScramCredentials;
  /** Default true. */
  readonly enabled?: boolean;
}

/** What {@link UserStore.updateUser} may change; absent fields stay as they are. */
export interface UserChanges {
  /** New role. */
  readonly role?: UserRole;
  /** New credentials (a password change). */
  readonly scram?: ScramCredentials;
  /** Enable or disable. */
  readonly enabled?: boolean;
}

/**
 * Users of a server. Every method is atomic. Records handed out are copies: changing one never changes the
 * store. Failures are typed: {@link DuplicateUserError} (`HS_ERR_CONFLICT`), {@link UnknownUserError}
 * (`HS_ERR_UNKNOWN_NAME`), `ValueError` for an invalid username, role or credentials.
 */
export interface UserStore {
  /** The user, or undefined when there is none by that name. */
  getUser(username: string): Promise<UserRecord | undefined>;
  /** Every user, ordered by username (UTF-16 code units). */
  listUsers(): Promise<readonly UserRecord[]>;
  /** Add a user, stamping `created` and `modified`; fails when the name is taken. */
  createUser(user: NewUser): Promise<UserRecord>;
  /** Change a user, stamping `modified`; fails when there is no such user. */
  updateUser(username: string, changes: UserChanges): Promise<UserRecord>;
  /** Remove a user; fails when there is no such user. */
  deleteUser(username: string): Promise<void>;
}

/** A user by that name already exists. */
export class DuplicateUserError extends StorageError {
  /** The name that is taken. */
  readonly username: string;

  constructor(username: string) {
    super(`User ${JSON.stringify(username)} already exists`, { code: 'HS_ERR_CONFLICT' });
    this.username = username;
  }
}

/** No user by that name. */
export class UnknownUserError extends HaystackError {
  /** The name that was not found. */
  readonly username: string;

  constructor(username: string) {
    super('HS_ERR_UNKNOWN_NAME', `Unknown user ${JSON.stringify(username)}`);
    this.username = username;
  }
}

/** Longest username accepted. */
export const MAX_USERNAME_LENGTH = 128;

/**
 * Check a username: 1 to {@link MAX_USERNAME_LENGTH} characters, no control characters, no leading or
 * trailing whitespace. Returns it unchanged or throws `ValueError`. Names are compared exactly (no case folding).
 */
export function validateUsername(username: string): string {
  if (
    typeof username !== 'string' ||
    username.length === 0 ||
    username.length > MAX_USERNAME_LENGTH ||
    username.trim() !== username ||
    /\p{Cc}/u.test(username)
  ) {
    throw new ValueError('Invalid username');
  }
  return username;
}

/** Check credentials' shape (key sizes match the hash, non-empty salt); throws `ValueError`. */
export function validateScramCredentials(scram: ScramCredentials): ScramCredentials {
  if (!isWellFormedScramCredentials(scram)) throw new ValueError('Invalid SCRAM credentials');
  return scram;
}

/** Check a role; throws `ValueError`. */
export function validateUserRole(role: unknown): UserRole {
  if (!isUserRole(role)) throw new ValueError('Invalid role');
  return role;
}

/** A deep copy of credentials (byte arrays are mutable, so stores copy on the way in and out). */
export function copyScramCredentials(scram: ScramCredentials): ScramCredentials {
  return {
    hash: scram.hash,
    salt: Uint8Array.from(scram.salt),
    iterations: scram.iterations,
    storedKey: Uint8Array.from(scram.storedKey),
    serverKey: Uint8Array.from(scram.serverKey),
  };
}

/** A deep copy of a user record. */
export function copyUserRecord(user: UserRecord): UserRecord {
  return { ...user, scram: copyScramCredentials(user.scram) };
}
