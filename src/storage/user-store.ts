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
  /**
   * End every session of the user in the same atomic step as the change (a password change, a disable): both happen
   * or neither, so a failed change never leaves old sessions valid beside a new password.
   */
  readonly endSessions?: boolean;
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
  /** Change a user, stamping `modified` (and ending their sessions with `endSessions`); fails for no such user. */
  updateUser(username: string, changes: UserChanges): Promise<UserRecord>;
  /** Remove a user and every session of theirs in one atomic step; fails when there is no such user. */
  deleteUser(username: string): Promise<void>;
}

/** A user by that name already exists. */
export class DuplicateUserError extends StorageError {
  /** The class name, as a literal. */
  static override readonly errorName: string = 'DuplicateUserError';

  /** The name that is taken. */
  readonly username: string;

  constructor(username: string) {
    super(`User ${JSON.stringify(username)} already exists`, { code: 'HS_ERR_CONFLICT' });
    this.username = username;
  }
}

/** No user by that name. */
export class UnknownUserError extends HaystackError {
  /** The class name, as a literal. */
  static override readonly errorName: string = 'UnknownUserError';

  /** The name that was not found. */
  readonly username: string;

  constructor(username: string) {
    super('HS_ERR_UNKNOWN_NAME', `Unknown user ${JSON.stringify(username)}`);
    this.username = username;
  }
}

/** Longest username accepted. */
export const MAX_USERNAME_LENGTH = 128;

// RFC 8264 IdentifierClass, refusing rather than mapping: letters, combining marks and decimal digits of any
// script, or printable ASCII other than space; never a space, symbol, control, format or invisible character.
const IDENTIFIER_CHAR = /^(?:[\x21-\x7e]|[\p{L}\p{M}\p{Nd}])$/u;
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u;
// Scripts a name may not mix (UTS 39 "highly restrictive": Han may join Hiragana/Katakana, Bopomofo or Hangul).
const SCRIPT_GROUPS: readonly (readonly [RegExp, string])[] = [
  [/\p{Script=Latin}/u, 'Latin'],
  [/\p{Script=Greek}/u, 'Greek'],
  [/\p{Script=Cyrillic}/u, 'Cyrillic'],
  [/\p{Script=Armenian}/u, 'Armenian'],
  [/\p{Script=Hebrew}/u, 'Hebrew'],
  [/\p{Script=Arabic}/u, 'Arabic'],
  [/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Bopomofo}\p{Script=Hangul}]/u, 'CJK'],
];

function scriptOf(ch: string): string | undefined {
  if (!/\p{L}/u.test(ch)) return undefined;
  for (const [re, name] of SCRIPT_GROUPS) if (re.test(ch)) return name;
  return 'other';
}

/**
 * Check a username, in the spirit of the PRECIS UsernameCaseMapped profile (RFC 8265) but refusing instead of
 * mapping, so that two names that look the same cannot both exist: 1 to {@link MAX_USERNAME_LENGTH}
 * characters, already in NFKC form (no full-width or compatibility forms), each character an
 * IdentifierClass one (no spaces, controls, bidi controls, zero-width or other invisible characters), and
 * letters from one script only (so `аdmin` with a Cyrillic `а` is refused). Returns it unchanged or throws
 * `ValueError`. Names are compared exactly; see {@link usernameSkeleton} for look-alike checks.
 */
export function validateUsername(username: string): string {
  if (
    typeof username !== 'string' ||
    username.length === 0 ||
    username.length > MAX_USERNAME_LENGTH ||
    username.normalize('NFKC') !== username ||
    INVISIBLE.test(username)
  ) {
    throw new ValueError('Invalid username');
  }
  const scripts = new Set<string>();
  for (const ch of username) {
    if (!IDENTIFIER_CHAR.test(ch)) throw new ValueError('Invalid username');
    const script = scriptOf(ch);
    if (script !== undefined) scripts.add(script);
  }
  if (scripts.size > 1) throw new ValueError('Invalid username: letters of more than one script');
  return username;
}

/** The form two usernames share when they differ only by case (UsernameCaseMapped folds case): `Admin` and `admin`. */
export function usernameSkeleton(username: string): string {
  return username.normalize('NFKC').toLowerCase();
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

/** A user as the SQL backends keep it: one row, the credentials in columns (snake_case, as in the tables). */
export interface UserColumns {
  /** Name. */
  readonly username: string;
  /** Role text (an unknown one reads as `viewer`). */
  readonly role: string;
  /** Enabled, as a boolean or SQLite's 0/1. */
  readonly enabled: boolean | number;
  /** Created (epoch ms). */
  readonly created: number;
  /** Modified (epoch ms). */
  readonly modified: number;
  /** SCRAM hash name. */
  readonly hash: string;
  /** SCRAM salt. */
  readonly salt: Uint8Array;
  /** PBKDF2 iterations. */
  readonly iterations: number;
  /** SCRAM StoredKey. */
  readonly stored_key: Uint8Array;
  /** SCRAM ServerKey. */
  readonly server_key: Uint8Array;
}

/** The user record of a row (copies of its bytes), or undefined for no row. */
export function userFromColumns(r: UserColumns | undefined): UserRecord | undefined {
  if (r === undefined) return undefined;
  return {
    username: r.username,
    role: isUserRole(r.role) ? r.role : 'viewer',
    enabled: r.enabled !== 0 && r.enabled !== false,
    created: r.created,
    modified: r.modified,
    scram: {
      hash: r.hash as ScramCredentials['hash'],
      salt: Uint8Array.from(r.salt),
      iterations: r.iterations,
      storedKey: Uint8Array.from(r.stored_key),
      serverKey: Uint8Array.from(r.server_key),
    },
  };
}
