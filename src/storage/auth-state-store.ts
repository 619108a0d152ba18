// The auth-state contract: login-throttle records and SCRAM exchanges in progress, shared by server processes.

/** Which throttle table a record belongs to (the policy is the server's `AuthThrottle`). */
export type ThrottleScope = 'pair' | 'address' | 'username';

/** One throttle record's key. */
export interface ThrottleKey {
  /** Its table. */
  readonly scope: ThrottleScope;
  /** Username + NUL + address (`pair`), the address, or the username; any string, stored verbatim. */
  readonly key: string;
}

/** Failures counted against one key. */
export interface ThrottleRecord {
  /** Failures within the current window (>= 0; a refund may bring it to 0 without removing the record). */
  readonly failures: number;
  /** When the last one was counted (epoch ms). */
  readonly lastFailure: number;
}

/** How {@link AuthStateStore.recordThrottleFailure} counts one failure. */
export interface ThrottleFailure {
  /** The failure's instant (epoch ms). */
  readonly now: number;
  /** A record whose last failure is more than this long before `now` restarts at 1 instead of adding 1. */
  readonly windowMs: number;
  /** The record may be dropped once this long has passed since its last failure (>= `windowMs`). */
  readonly keepMs: number;
  /**
   * Failures that lock nothing. A store that bounds its records by count (memory) drops records at or below it
   * first, so that a flood of fresh keys never evicts the record of a key under attack.
   */
  readonly freeFailures: number;
}

/** A SCRAM exchange in progress, as the server stores it between two requests that may reach different processes. */
export interface HandshakeRecord {
  /** The single-use random token that takes it (the handshakeToken sent to the client). */
  readonly token: string;
  /** A previous step's token (already taken) that takes this record too; taking either removes both. */
  readonly alias?: string;
  /** Who holds it (the client address): each owner holds at most `maxPerOwner`. */
  readonly owner: string;
  /** The exchange's state, serialized by the server (opaque to the store). */
  readonly state: string;
  /** When it stops being takeable (epoch ms). */
  readonly expires: number;
}

/** Bounds of {@link AuthStateStore.putHandshake}. */
export interface HandshakeLimits {
  /** Most records one owner holds: putting one more first drops that owner's oldest. */
  readonly maxPerOwner: number;
  /** Most records in all: beyond it the oldest are dropped (a store may bound by expiry instead). */
  readonly maxEntries: number;
}

/**
 * Where the login throttle and SCRAM exchanges keep their state: in this process (memory) or in the store shared by
 * several server processes (SQLite, PostgreSQL, Redis), so that the throttle counts attempts made through every
 * process and the two SCRAM requests of one login may reach different processes. Every method is atomic: two
 * processes counting a failure of one key at once count two, and a handshake is taken at most once.
 */
export interface AuthStateStore {
  /** The records of `keys`, in the same order (undefined where there is none). */
  throttleRecords(keys: readonly ThrottleKey[]): Promise<readonly (ThrottleRecord | undefined)[]>;
  /**
   * Count one failure: the record becomes `{ failures: 1, lastFailure: now }` when there is none or its last failure
   * is more than `windowMs` before `now`, else `{ failures + 1, lastFailure: now }`. Returns the new record.
   */
  recordThrottleFailure(key: ThrottleKey, failure: ThrottleFailure): Promise<ThrottleRecord>;
  /** Take back one failure, only when the record has between 1 and `maxFailures` of them (none is ever added). */
  refundThrottleFailure(key: ThrottleKey, maxFailures: number): Promise<void>;
  /** Remove a record (a success clears its pair). */
  clearThrottle(key: ThrottleKey): Promise<void>;

  /**
   * Remember a successful login of `username` from `address` at `now`: its known-good addresses keep the `keep`
   * most recent ones (by their latest success). A store may drop an entry `keepMs` after its latest success.
   */
  rememberAddress(username: string, address: string, now: number, keep: number, keepMs: number): Promise<void>;
  /** When `username` last logged in from `address` (epoch ms), if it is among the remembered ones. */
  addressKnownAt(username: string, address: string): Promise<number | undefined>;

  /**
   * Store an exchange: drop expired records (as of `now`), drop the owner's oldest while it holds `maxPerOwner`,
   * add the record, and drop the oldest while more than `maxEntries` remain.
   */
  putHandshake(record: HandshakeRecord, limits: HandshakeLimits, now: number): Promise<void>;
  /**
   * Remove the record that `token` takes (its own token, or its alias) and return its state; undefined when there is
   * none or it has expired (`now >= expires`; an expired record is removed all the same).
   */
  takeHandshake(token: string, now: number): Promise<string | undefined>;

  /** Drop throttle records past their `keepMs`, known addresses past theirs and expired exchanges; returns how many. */
  purgeAuthState(now: number): Promise<number>;
}
