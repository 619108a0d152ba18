// Login throttling that slows password guessing without giving anyone a switch to lock a user out.

import type { Clock } from '../../storage/adapter.js';

/** Limits for one kind of key. */
export interface ThrottleLimits {
  /** Failures allowed within the window before any delay. */
  readonly freeFailures: number;
  /** A key's failures are forgotten once this long passes without a new one (default 15 minutes). */
  readonly windowMs: number;
  /** First lockout after the free failures (default 1 s); each further failure doubles it. */
  readonly baseDelayMs: number;
  /** Longest lockout. */
  readonly maxDelayMs: number;
}

/** Options of {@link AuthThrottle.create}. */
export interface AuthThrottleOptions {
  /** Limits per username + client address pair: one source guessing one account (default 5 free, up to 15 min). */
  readonly perPair?: Partial<ThrottleLimits>;
  /** Limits per client address: one source guessing many accounts (default 30 free, up to 15 min). */
  readonly perAddress?: Partial<ThrottleLimits>;
  /**
   * Limits per username from addresses it has not logged in from: many sources guessing one account (default
   * 100 free, up to 5 min). Never applied to the user's known-good addresses.
   */
  readonly perUsername?: Partial<ThrottleLimits>;
  /** Most failure records kept per kind (default 100,000); see the class comment for what is dropped first. */
  readonly maxEntries?: number;
  /** Addresses remembered per user as known-good (default 8, the most recent successful logins). */
  readonly knownAddresses?: number;
  /** How long a known-good address stays known after its last successful login (default 30 days). */
  readonly knownForMs?: number;
  /** Time source (default `Date.now`). */
  readonly clock?: Clock;
}

/** The answer to {@link AuthThrottle.check}. */
export type ThrottleDecision =
  | { readonly allowed: true }
  | {
      /** The attempt must be refused (HTTP 429). */
      readonly allowed: false;
      /** How long until an attempt is allowed again (for `Retry-After`, in whole seconds rounded up). */
      readonly retryAfterMs: number;
    };

/** What a failure was: a wrong password or proof (`guess`), or a message that tried no password (`malformed`). */
export type FailureKind = 'guess' | 'malformed';

interface Entry {
  failures: number;
  lastFailure: number;
  lockedUntil: number;
}

const WINDOW = 15 * 60_000;
const PAIR_DEFAULTS: ThrottleLimits = { freeFailures: 5, windowMs: WINDOW, baseDelayMs: 1000, maxDelayMs: WINDOW };
const ADDRESS_DEFAULTS: ThrottleLimits = { ...PAIR_DEFAULTS, freeFailures: 30 };
const USERNAME_DEFAULTS: ThrottleLimits = { ...PAIR_DEFAULTS, freeFailures: 100, maxDelayMs: 5 * 60_000 };

/**
 * A table of failure records that flooding cannot reset. Records still within their free failures are
 * "cold" and are dropped least-recently-failed first when the table is full; records past them ("hot": a
 * lock is running or building up) live in a second table of the same size that fresh keys cannot touch,
 * so a flood of new usernames or addresses never evicts the record of an account under attack. Filling the
 * hot table takes more than `freeFailures` failures per key, which the address limit throttles.
 */
class FailureTable {
  readonly #cold = new Map<string, Entry>();
  readonly #hot = new Map<string, Entry>();

  constructor(
    readonly limits: ThrottleLimits,
    readonly maxEntries: number,
  ) {}

  lockedFor(key: string, now: number): number {
    const e = this.#hot.get(key);
    return e === undefined ? 0 : Math.max(0, e.lockedUntil - now);
  }

  fail(key: string, now: number): void {
    const { freeFailures, windowMs, baseDelayMs, maxDelayMs } = this.limits;
    const old = this.#hot.get(key) ?? this.#cold.get(key);
    const failures = old === undefined || now - old.lastFailure > windowMs ? 1 : old.failures + 1;
    const over = failures - freeFailures;
    const delay = over > 0 ? Math.min(maxDelayMs, baseDelayMs * 2 ** Math.min(over - 1, 40)) : 0;
    this.forget(key);
    // Re-inserted, so each Map is in least-recently-failed order, the order records are dropped in.
    const table = over > 0 ? this.#hot : this.#cold;
    table.set(key, { failures, lastFailure: now, lockedUntil: delay > 0 ? now + delay : 0 });
    if (table.size > this.maxEntries) table.delete(table.keys().next().value as string);
  }

  /** Take back one failure (an attempt counted in advance that turned out to be a success). */
  refund(key: string): void {
    const e = this.#cold.get(key);
    if (e !== undefined && e.failures > 0) e.failures--;
  }

  forget(key: string): void {
    this.#cold.delete(key);
    this.#hot.delete(key);
  }
}

/**
 * Login throttle. Policy (documented in the README's security section):
 *
 * - **Per username + address pair**: one source guessing one account gets `perPair.freeFailures` failures per
 *   window, then each failure locks that pair for twice as long as the last (1 s, 2 s, ... up to 15 min).
 *   Only that pair is locked: the user can still log in from anywhere else.
 * - **Per address**: one source guessing many accounts is locked the same way after `perAddress.freeFailures`.
 *   Behind a reverse proxy, give the server the real client address (`trustedProxies`).
 * - **Per username, from unknown addresses**: many sources guessing one account are slowed after
 *   `perUsername.freeFailures`, but never at an address the user logged in from successfully in the last
 *   `knownForMs` (the last `knownAddresses` of them): the known-good path. Existing bearer tokens and client
 *   certificates are never throttled.
 * - Only a wrong password or proof (`guess`) counts against the pair and the username; a malformed message
 *   tries no password and counts against its address only, so it cannot be used to lock an account.
 * - A success clears its pair.
 *
 * State lives in this process: with several server processes each throttles on its own.
 */
export class AuthThrottle {
  readonly #pair: FailureTable;
  readonly #addr: FailureTable;
  readonly #user: FailureTable;
  readonly #known = new Map<string, Map<string, number>>();
  readonly #maxEntries: number;
  readonly #knownAddresses: number;
  readonly #knownForMs: number;
  readonly #clock: Clock;

  private constructor(options: AuthThrottleOptions) {
    this.#maxEntries = options.maxEntries ?? 100_000;
    this.#pair = new FailureTable({ ...PAIR_DEFAULTS, ...options.perPair }, this.#maxEntries);
    this.#addr = new FailureTable({ ...ADDRESS_DEFAULTS, ...options.perAddress }, this.#maxEntries);
    this.#user = new FailureTable({ ...USERNAME_DEFAULTS, ...options.perUsername }, this.#maxEntries);
    this.#knownAddresses = options.knownAddresses ?? 8;
    this.#knownForMs = options.knownForMs ?? 30 * 86_400_000;
    this.#clock = options.clock ?? Date.now;
  }

  /** A throttle with the documented defaults, overridden by `options`. */
  static create(options: AuthThrottleOptions = {}): AuthThrottle {
    return new AuthThrottle(options);
  }

  /** May `username` try to log in from `address` now? */
  check(username: string, address: string): ThrottleDecision {
    const now = this.#clock();
    const wait = Math.max(
      this.#pair.lockedFor(pairKey(username, address), now),
      this.#addr.lockedFor(address, now),
      this.isKnownAddress(username, address) ? 0 : this.#user.lockedFor(username, now),
    );
    return wait > 0 ? { allowed: false, retryAfterMs: wait } : { allowed: true };
  }

  /** Count a failed login of `username` from `address`. */
  recordFailure(username: string, address: string, kind: FailureKind = 'guess'): void {
    const now = this.#clock();
    this.#addr.fail(address, now);
    if (kind === 'malformed') return;
    this.#pair.fail(pairKey(username, address), now);
    this.#user.fail(username, now);
  }

  /**
   * A successful login: clear the pair's failures and remember the address as known-good for the user. With
   * `prepaid`, the attempt was counted as a failure before its costly check ran; that count is taken back.
   */
  recordSuccess(username: string, address: string, prepaid = false): void {
    const now = this.#clock();
    this.#pair.forget(pairKey(username, address));
    if (prepaid) {
      this.#addr.refund(address);
      this.#user.refund(username);
    }
    let known = this.#known.get(username);
    this.#known.delete(username);
    known ??= new Map();
    known.delete(address);
    known.set(address, now);
    if (known.size > this.#knownAddresses) known.delete(known.keys().next().value as string);
    this.#known.set(username, known);
    // Only successful logins add here, so this cannot be flooded; the cap bounds it all the same.
    if (this.#known.size > this.#maxEntries) this.#known.delete(this.#known.keys().next().value as string);
  }

  /** Has `username` logged in from `address` within `knownForMs`? */
  isKnownAddress(username: string, address: string): boolean {
    const at = this.#known.get(username)?.get(address);
    return at !== undefined && this.#clock() - at < this.#knownForMs;
  }
}

// A username cannot contain a control character, so NUL cannot be forged into the separator.
function pairKey(username: string, address: string): string {
  return `${username}\u0000${address}`;
}
