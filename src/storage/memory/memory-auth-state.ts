// Login-throttle records and SCRAM exchanges in this process's memory, bounded so that no flood can grow or reset them.

import { checkOptionNames, type OptionNames } from '../../core/options.js';
import type {
  AuthStateStore,
  HandshakeLimits,
  HandshakeRecord,
  ThrottleFailure,
  ThrottleKey,
  ThrottleRecord,
  ThrottleScope,
} from '../auth-state-store.js';
import { countOption } from '../commit-staging.js';

const MEMORY_AUTH_STATE_OPTIONS: OptionNames<MemoryAuthStateOptions> = { maxEntries: true };

/** Options of {@link createMemoryAuthState}. */
export interface MemoryAuthStateOptions {
  /** Most throttle records kept per scope, and most users with known addresses (default 100,000). */
  readonly maxEntries?: number;
}

interface Entry {
  failures: number;
  lastFailure: number;
  keepUntil: number;
}

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

  constructor(readonly maxEntries: number) {}

  get(key: string): ThrottleRecord | undefined {
    const e = this.#hot.get(key) ?? this.#cold.get(key);
    return e === undefined ? undefined : { failures: e.failures, lastFailure: e.lastFailure };
  }

  fail(key: string, f: ThrottleFailure): ThrottleRecord {
    const old = this.#hot.get(key) ?? this.#cold.get(key);
    const failures = old === undefined || f.now - old.lastFailure > f.windowMs ? 1 : old.failures + 1;
    this.forget(key);
    // Re-inserted, so each Map is in least-recently-failed order, the order records are dropped in.
    const table = failures > f.freeFailures ? this.#hot : this.#cold;
    table.set(key, { failures, lastFailure: f.now, keepUntil: f.now + f.keepMs });
    if (table.size > this.maxEntries) table.delete(table.keys().next().value as string);
    return { failures, lastFailure: f.now };
  }

  refund(key: string, maxFailures: number): void {
    const e = this.#hot.get(key) ?? this.#cold.get(key);
    if (e !== undefined && e.failures > 0 && e.failures <= maxFailures) e.failures--;
  }

  forget(key: string): void {
    this.#cold.delete(key);
    this.#hot.delete(key);
  }

  purge(now: number): number {
    let n = 0;
    for (const table of [this.#cold, this.#hot]) {
      for (const [key, e] of table) {
        if (e.keepUntil <= now) {
          table.delete(key);
          n++;
        }
      }
    }
    return n;
  }
}

interface Slot {
  readonly state: string;
  readonly expires: number;
  readonly owner: string;
  /** The previous step's token, which also reaches this slot. */
  readonly alias: string | undefined;
}

/**
 * Exchanges in progress. Beyond `maxEntries` the oldest are dropped (an unauthenticated client must not be able to
 * grow server memory without bound), and one owner (a client address) holds at most `maxPerOwner`: beyond it that
 * owner's own oldest exchange is dropped, so a client flooding HELLOs pushes out only its own exchanges.
 */
class HandshakeTable {
  readonly #slots = new Map<string, Slot>();
  readonly #aliases = new Map<string, string>();
  // Tokens of each owner, oldest first (a Set keeps insertion order).
  readonly #perOwner = new Map<string, Set<string>>();

  put(record: HandshakeRecord, limits: HandshakeLimits, now: number): void {
    this.purge(now);
    let held = this.#perOwner.get(record.owner);
    if (held === undefined) this.#perOwner.set(record.owner, (held = new Set()));
    while (held.size >= limits.maxPerOwner) this.#delete(held.values().next().value as string);
    this.#slots.set(record.token, {
      state: record.state,
      expires: record.expires,
      owner: record.owner,
      alias: record.alias,
    });
    if (record.alias !== undefined) this.#aliases.set(record.alias, record.token);
    this.#perOwner.set(record.owner, held.add(record.token));
    while (this.#slots.size > limits.maxEntries) this.#delete(this.#slots.keys().next().value as string);
  }

  take(token: string, now: number): string | undefined {
    const slot = this.#delete(this.#slots.has(token) ? token : (this.#aliases.get(token) ?? token));
    if (slot === undefined) return undefined;
    return now < slot.expires ? slot.state : undefined;
  }

  #delete(token: string): Slot | undefined {
    const slot = this.#slots.get(token);
    if (slot === undefined) return undefined;
    this.#slots.delete(token);
    if (slot.alias !== undefined) this.#aliases.delete(slot.alias);
    // Every slot's owner has a token set (made by put, removed only once it empties).
    const held = this.#perOwner.get(slot.owner) as Set<string>;
    held.delete(token);
    if (held.size === 0) this.#perOwner.delete(slot.owner);
    return slot;
  }

  // Callers give one TTL to every exchange, so insertion order is expiry order: expired entries are at the front.
  purge(now: number): number {
    let n = 0;
    for (const [token, slot] of this.#slots) {
      if (slot.expires > now) break;
      this.#delete(token);
      n++;
    }
    return n;
  }
}

/** Throttle records and exchanges in this process only: with several server processes each keeps its own. */
export function createMemoryAuthState(options: MemoryAuthStateOptions = {}): AuthStateStore {
  checkOptionNames('Memory auth state options', options, MEMORY_AUTH_STATE_OPTIONS);
  const maxEntries = countOption('Memory auth state', 'maxEntries', options.maxEntries ?? 100_000, 1);
  const tables: Record<ThrottleScope, FailureTable> = {
    pair: new FailureTable(maxEntries),
    address: new FailureTable(maxEntries),
    username: new FailureTable(maxEntries),
  };
  // username -> address -> [latest success, keep until], least recently successful first.
  const known = new Map<string, Map<string, readonly [number, number]>>();
  const handshakes = new HandshakeTable();
  const table = (key: ThrottleKey): FailureTable => tables[key.scope];
  return {
    throttleRecords: (keys) => Promise.resolve(keys.map((k) => table(k).get(k.key))),
    recordThrottleFailure: (key, failure) => Promise.resolve(table(key).fail(key.key, failure)),
    refundThrottleFailure: (key, maxFailures) => {
      table(key).refund(key.key, maxFailures);
      return Promise.resolve();
    },
    clearThrottle: (key) => {
      table(key).forget(key.key);
      return Promise.resolve();
    },
    rememberAddress: (username, address, now, keep, keepMs) => {
      let mine = known.get(username);
      known.delete(username);
      mine ??= new Map();
      mine.delete(address);
      mine.set(address, [now, now + keepMs]);
      if (mine.size > keep) mine.delete(mine.keys().next().value as string);
      known.set(username, mine);
      // Only successful logins add here, so this cannot be flooded; the cap bounds it all the same.
      if (known.size > maxEntries) known.delete(known.keys().next().value as string);
      return Promise.resolve();
    },
    addressKnownAt: (username, address) => Promise.resolve(known.get(username)?.get(address)?.[0]),
    putHandshake: (record, limits, now) => {
      handshakes.put(record, limits, now);
      return Promise.resolve();
    },
    takeHandshake: (token, now) => Promise.resolve(handshakes.take(token, now)),
    purgeAuthState: (now) => {
      let n = handshakes.purge(now);
      for (const t of Object.values(tables)) n += t.purge(now);
      for (const [username, mine] of known) {
        for (const [address, [, keepUntil]] of mine) {
          if (keepUntil <= now) {
            mine.delete(address);
            n++;
          }
        }
        if (mine.size === 0) known.delete(username);
      }
      return Promise.resolve(n);
    },
  };
}
