// Throttling of failed logins per username and per client address, with exponential backoff.

import type { Clock } from '../../storage/adapter.js';

/** Limits for one kind of key (username or address). */
export interface ThrottleLimits {
  /** Failures allowed within the window before any delay (default 5 per username, 20 per address). */
  readonly freeFailures: number;
  /** A key's failures are forgotten once this long passes without a new one (default 15 minutes). */
  readonly windowMs: number;
  /** First lockout after the free failures (default 1 s); each further failure doubles it. */
  readonly baseDelayMs: number;
  /** Longest lockout (default 15 minutes). */
  readonly maxDelayMs: number;
}

/** Options of {@link AuthThrottle.create}. */
export interface AuthThrottleOptions {
  /** Limits per username (the target of a password guess). */
  readonly perUsername?: Partial<ThrottleLimits>;
  /** Limits per client address (one source guessing many usernames); higher, as addresses are shared behind NAT. */
  readonly perAddress?: Partial<ThrottleLimits>;
  /** Most keys remembered; the least recently failed are forgotten first (default 100,000). */
  readonly maxEntries?: number;
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

interface Entry {
  failures: number;
  lastFailure: number;
  lockedUntil: number;
}

const USERNAME_DEFAULTS: ThrottleLimits = {
  freeFailures: 5,
  windowMs: 15 * 60_000,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60_000,
};
const ADDRESS_DEFAULTS: ThrottleLimits = { ...USERNAME_DEFAULTS, freeFailures: 20 };

/**
 * Login throttle. Policy: each username and each client address counts its failed logins; a count is
 * forgotten after `windowMs` without a new failure. Once a key has more than `freeFailures` failures, every
 * further failure locks it for `baseDelayMs * 2^(failures - freeFailures - 1)`, at most `maxDelayMs`.
 * While either the username or the address is locked, attempts are refused with a retry-after (429)
 * before any credential is looked at. A success clears the username's count (not the address's, so one
 * good account does not launder guesses against others). State lives in this process: with several server
 * processes each throttles on its own, which multiplies the allowance by the process count.
 */
export class AuthThrottle {
  readonly #user: ThrottleLimits;
  readonly #addr: ThrottleLimits;
  readonly #maxEntries: number;
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();

  private constructor(user: ThrottleLimits, addr: ThrottleLimits, maxEntries: number, clock: Clock) {
    this.#user = user;
    this.#addr = addr;
    this.#maxEntries = maxEntries;
    this.#clock = clock;
  }

  /** A throttle with the documented defaults, overridden by `options`. */
  static create(options: AuthThrottleOptions = {}): AuthThrottle {
    return new AuthThrottle(
      { ...USERNAME_DEFAULTS, ...options.perUsername },
      { ...ADDRESS_DEFAULTS, ...options.perAddress },
      options.maxEntries ?? 100_000,
      options.clock ?? Date.now,
    );
  }

  /** May `username` try to log in from `address` now? */
  check(username: string, address: string): ThrottleDecision {
    const now = this.#clock();
    const wait = Math.max(this.#lockedFor(`u:${username}`, now), this.#lockedFor(`a:${address}`, now));
    return wait > 0 ? { allowed: false, retryAfterMs: wait } : { allowed: true };
  }

  /** Count a failed login of `username` from `address`. */
  recordFailure(username: string, address: string): void {
    const now = this.#clock();
    this.#fail(`u:${username}`, this.#user, now);
    this.#fail(`a:${address}`, this.#addr, now);
  }

  /** A successful login: forget the username's failures. */
  recordSuccess(username: string): void {
    this.#entries.delete(`u:${username}`);
  }

  #lockedFor(key: string, now: number): number {
    const e = this.#entries.get(key);
    return e === undefined ? 0 : Math.max(0, e.lockedUntil - now);
  }

  #fail(key: string, limits: ThrottleLimits, now: number): void {
    const old = this.#entries.get(key);
    const failures = old === undefined || now - old.lastFailure > limits.windowMs ? 1 : old.failures + 1;
    const over = failures - limits.freeFailures;
    const delay = over > 0 ? Math.min(limits.maxDelayMs, limits.baseDelayMs * 2 ** Math.min(over - 1, 40)) : 0;
    // Re-insert so that Map order is least-recently-failed first, which is the eviction order.
    this.#entries.delete(key);
    this.#entries.set(key, { failures, lastFailure: now, lockedUntil: delay > 0 ? now + delay : 0 });
    while (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.#entries.delete(oldest.value);
    }
  }
}
