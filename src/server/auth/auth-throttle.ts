// Login throttling that slows password guessing without giving anyone a switch to lock a user out.

import { OptionError } from '../../core/errors.js';
import { checkOptionNames, type OptionNames } from '../../core/options.js';
import type { Clock } from '../../storage/adapter.js';
import type { AuthStateStore, ThrottleKey, ThrottleScope } from '../../storage/auth-state-store.js';
import { createMemoryAuthState } from '../../storage/memory/memory-auth-state.js';

/** Limits for one kind of key. */
export interface ThrottleLimits {
  /** Failures allowed within the window before any delay (default 5 per pair, 30 per address, 100 per username). */
  readonly freeFailures: number;
  /** A key's failures are forgotten once this long passes without a new one (default 15 minutes). */
  readonly windowMs: number;
  /** First lockout after the free failures (default 1 s); each further failure doubles it. */
  readonly baseDelayMs: number;
  /** Longest lockout (default 15 minutes; 5 minutes per username). */
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
  /**
   * Where failure records and known-good addresses live (default: this process's memory, at most `maxEntries`
   * records per kind, a flood of fresh keys never evicting a locked one). Give the shared store's so that several
   * server processes count attempts together.
   */
  readonly state?: AuthStateStore;
  /** With the default memory state: most failure records kept per kind (default 100,000). */
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

const WINDOW = 15 * 60_000;
const PAIR_DEFAULTS: ThrottleLimits = { freeFailures: 5, windowMs: WINDOW, baseDelayMs: 1000, maxDelayMs: WINDOW };
const ADDRESS_DEFAULTS: ThrottleLimits = { ...PAIR_DEFAULTS, freeFailures: 30 };
const USERNAME_DEFAULTS: ThrottleLimits = { ...PAIR_DEFAULTS, freeFailures: 100, maxDelayMs: 5 * 60_000 };

const THROTTLE_OPTIONS: OptionNames<AuthThrottleOptions> = {
  perPair: true,
  perAddress: true,
  perUsername: true,
  state: true,
  maxEntries: true,
  knownAddresses: true,
  knownForMs: true,
  clock: true,
};

/**
 * Check options of {@link AuthThrottle.create} (JS callers can pass anything), their option paths prefixed with
 * `path` (`throttle.` inside the security options); throws an `OptionError`.
 */
export function checkThrottleOptions(options: AuthThrottleOptions, path = ''): void {
  checkOptionNames('Throttle options', options, THROTTLE_OPTIONS, path);
  const bad = (code: 'HS_ERR_OPTION_TYPE' | 'HS_ERR_OPTION_RANGE', name: string, reason: string): never => {
    throw new OptionError(code, `${path}${name}`, `Throttle options: ${path}${name} ${reason}`);
  };
  // Counts may be 0 (freeFailures: lock from the first failure); spans and knownAddresses must be above 0.
  const number = (name: string, v: unknown, min: number): void => {
    if (v === undefined) return;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= min) return;
    bad(typeof v === 'number' ? 'HS_ERR_OPTION_RANGE' : 'HS_ERR_OPTION_TYPE', name, `must be an integer >= ${min}`);
  };
  for (const scope of ['perPair', 'perAddress', 'perUsername'] as const) {
    const limits: Partial<ThrottleLimits> | undefined = options[scope];
    if (limits === undefined) continue;
    checkOptionNames('Throttle options', limits, PAIR_DEFAULTS, `${path}${scope}.`);
    for (const [k, v] of Object.entries(limits)) number(`${scope}.${k}`, v, k === 'freeFailures' ? 0 : 1);
  }
  number('knownAddresses', options.knownAddresses, 1);
  number('knownForMs', options.knownForMs, 1);
  if (options.clock !== undefined && typeof (options.clock as unknown) !== 'function')
    bad('HS_ERR_OPTION_TYPE', 'clock', 'must be a function');
}

// How long a key stays locked after its last failure: nothing within the free failures, then doubling to the cap.
function lockMs(limits: ThrottleLimits, failures: number): number {
  const over = failures - limits.freeFailures;
  return over > 0 ? Math.min(limits.maxDelayMs, limits.baseDelayMs * 2 ** Math.min(over - 1, 40)) : 0;
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
 * State lives in an {@link AuthStateStore}: this process's memory by default, or the store several server processes
 * share, so that they count attempts together (the policy stays the same).
 */
export class AuthThrottle {
  readonly #limits: Readonly<Record<ThrottleScope, ThrottleLimits>>;
  readonly #state: AuthStateStore;
  readonly #knownAddresses: number;
  readonly #knownForMs: number;
  readonly #clock: Clock;

  private constructor(options: AuthThrottleOptions) {
    this.#limits = {
      pair: { ...PAIR_DEFAULTS, ...options.perPair },
      address: { ...ADDRESS_DEFAULTS, ...options.perAddress },
      username: { ...USERNAME_DEFAULTS, ...options.perUsername },
    };
    this.#state =
      options.state ??
      createMemoryAuthState(options.maxEntries === undefined ? {} : { maxEntries: options.maxEntries });
    this.#knownAddresses = options.knownAddresses ?? 8;
    this.#knownForMs = options.knownForMs ?? 30 * 86_400_000;
    this.#clock = options.clock ?? Date.now;
  }

  /** A throttle with the documented defaults, overridden by `options`; throws an `OptionError` for bad options. */
  static create(options: AuthThrottleOptions = {}): AuthThrottle {
    checkThrottleOptions(options);
    return new AuthThrottle(options);
  }

  /** May `username` try to log in from `address` now? */
  async check(username: string, address: string): Promise<ThrottleDecision> {
    const now = this.#clock();
    const keys: ThrottleKey[] = [
      { scope: 'pair', key: pairKey(username, address) },
      { scope: 'address', key: address },
    ];
    if (!(await this.isKnownAddress(username, address))) keys.push({ scope: 'username', key: username });
    const records = await this.#state.throttleRecords(keys);
    let wait = 0;
    records.forEach((r, i) => {
      if (r === undefined) return;
      const limits = this.#limits[(keys[i] as ThrottleKey).scope];
      wait = Math.max(wait, r.lastFailure + lockMs(limits, r.failures) - now);
    });
    return wait > 0 ? { allowed: false, retryAfterMs: wait } : { allowed: true };
  }

  /** Count a failed login of `username` from `address`. */
  async recordFailure(username: string, address: string, kind: FailureKind = 'guess'): Promise<void> {
    const now = this.#clock();
    await this.#fail({ scope: 'address', key: address }, now);
    if (kind === 'malformed') return;
    await this.#fail({ scope: 'pair', key: pairKey(username, address) }, now);
    await this.#fail({ scope: 'username', key: username }, now);
  }

  /**
   * A successful login: clear the pair's failures and remember the address as known-good for the user. With
   * `prepaid`, the attempt was counted as a failure before its costly check ran; that count is taken back.
   */
  async recordSuccess(username: string, address: string, prepaid = false): Promise<void> {
    const now = this.#clock();
    await this.#state.clearThrottle({ scope: 'pair', key: pairKey(username, address) });
    if (prepaid) {
      // Only a count still within the free failures is taken back: a lock that is running stays.
      await this.#state.refundThrottleFailure({ scope: 'address', key: address }, this.#limits.address.freeFailures);
      await this.#state.refundThrottleFailure({ scope: 'username', key: username }, this.#limits.username.freeFailures);
    }
    await this.#state.rememberAddress(username, address, now, this.#knownAddresses, this.#knownForMs);
  }

  /** Has `username` logged in from `address` within `knownForMs`? */
  async isKnownAddress(username: string, address: string): Promise<boolean> {
    const at = await this.#state.addressKnownAt(username, address);
    return at !== undefined && this.#clock() - at < this.#knownForMs;
  }

  /** Drop records that no longer lock anything (call from a timer when the state is a shared store). */
  purge(): Promise<number> {
    return this.#state.purgeAuthState(this.#clock());
  }

  async #fail(key: ThrottleKey, now: number): Promise<void> {
    const limits = this.#limits[key.scope];
    await this.#state.recordThrottleFailure(key, {
      now,
      windowMs: limits.windowMs,
      keepMs: Math.max(limits.windowMs, limits.maxDelayMs),
      freeFailures: limits.freeFailures,
    });
  }
}

// A username cannot contain a control character, so NUL cannot be forged into the separator.
function pairKey(username: string, address: string): string {
  return `${username}\u0000${address}`;
}
