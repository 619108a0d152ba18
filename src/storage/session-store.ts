// The session contract: where auth-token sessions live (hashed ids only), so several server processes can share them.

/** One login session. The store never sees the token itself, only `id` = SHA-256 of it. */
export interface SessionRecord {
  /** Hex SHA-256 of the auth token: a leaked store does not yield usable tokens. */
  readonly id: string;
  /** Who logged in. */
  readonly username: string;
  /** When the session started (epoch ms). */
  readonly created: number;
  /** Last time the token was used (epoch ms). */
  readonly lastUsed: number;
  /** When the session ends unless used again (epoch ms); the server computes it from its TTL policy. */
  readonly expires: number;
}

/**
 * Sessions of a server. The expiry policy belongs to the caller (the server's `TokenService`): the store
 * keeps records and drops those whose `expires` has passed when asked to purge.
 */
export interface SessionStore {
  /** Add or replace the session with `record.id`. */
  putSession(record: SessionRecord): Promise<void>;
  /** The session, or undefined. Expired records may still be returned until purged: callers check `expires`. */
  getSession(id: string): Promise<SessionRecord | undefined>;
  /** Update `lastUsed` and `expires` of an existing session only (never recreating a deleted one); true when it existed. */
  touchSession(id: string, lastUsed: number, expires: number): Promise<boolean>;
  /** Remove one session; true when it existed. */
  deleteSession(id: string): Promise<boolean>;
  /** Sessions of a user, oldest `created` first. */
  listUserSessions(username: string): Promise<readonly SessionRecord[]>;
  /** Remove every session of a user; returns how many there were. */
  deleteUserSessions(username: string): Promise<number>;
  /** Remove sessions whose `expires` is at or before `now`; returns how many. */
  purgeExpiredSessions(now: number): Promise<number>;
}

/** A session as the SQL backends keep it: one row (snake_case, as in the tables). */
export interface SessionColumns {
  /** Hex SHA-256 of the token. */
  readonly id: string;
  /** Who logged in. */
  readonly username: string;
  /** Started (epoch ms). */
  readonly created: number;
  /** Last used (epoch ms). */
  readonly last_used: number;
  /** Ends unless used again (epoch ms). */
  readonly expires: number;
}

/** The session record of a row, or undefined for no row. */
export function sessionFromColumns(r: SessionColumns | undefined): SessionRecord | undefined {
  if (r === undefined) return undefined;
  return { id: r.id, username: r.username, created: r.created, lastUsed: r.last_used, expires: r.expires };
}
