// Server-side state of auth exchanges in progress, keyed by single-use random handshake tokens that expire.

import type { Clock } from '../../storage/adapter.js';
import { randomToken } from './random-token.js';

interface Slot<T> {
  readonly state: T;
  readonly expires: number;
  readonly owner: string;
  /** The previous step's token, which also reaches this slot. */
  readonly alias: string | undefined;
}

/**
 * Exchanges in progress. Each step's state is stored under a fresh random token (256 bits, letters and digits)
 * and taken out by the next step, so a token works once: a replayed or stale handshakeToken finds nothing. A
 * step may also be reachable by the token of the step before (an alias), for clients that repeat the first
 * handshakeToken throughout the exchange (phable does; Haxall never changes it); taking either removes both.
 * Entries expire after `ttlMs`; beyond `maxEntries` the oldest are dropped (an unauthenticated client
 * must not be able to grow server memory without bound), and one owner (a client address) may hold at
 * most `maxPerOwner`, so that one client cannot push everyone else's exchanges out.
 */
export class HandshakeStore<T> {
  readonly #slots = new Map<string, Slot<T>>();
  readonly #aliases = new Map<string, string>();
  readonly #perOwner = new Map<string, number>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #maxPerOwner: number;
  readonly #clock: Clock;

  constructor(ttlMs: number, maxEntries: number, maxPerOwner: number, clock: Clock) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
    this.#maxPerOwner = maxPerOwner;
    this.#clock = clock;
  }

  /** How long an entry lives, in milliseconds. */
  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** Number of live entries (expired ones may be counted until the next `put`). */
  get size(): number {
    return this.#slots.size;
  }

  /**
   * Store `state` for `owner` and return the token that retrieves it once; undefined when the owner holds too
   * many. With `alias` (a token already taken), that token retrieves the same state too, once.
   */
  put(state: T, owner: string, alias?: string): string | undefined {
    const now = this.#clock();
    this.#purge(now);
    const held = this.#perOwner.get(owner) ?? 0;
    if (held >= this.#maxPerOwner) return undefined;
    const token = randomToken();
    this.#slots.set(token, { state, expires: now + this.#ttlMs, owner, alias });
    if (alias !== undefined) this.#aliases.set(alias, token);
    this.#perOwner.set(owner, held + 1);
    while (this.#slots.size > this.#maxEntries) {
      const oldest = this.#slots.keys().next();
      if (oldest.done === true) break;
      this.#delete(oldest.value);
    }
    return token;
  }

  /** Remove and return the state under `token` (or its alias), or undefined when unknown, already taken or expired. */
  take(token: string): T | undefined {
    const slot = this.#delete(this.#slots.has(token) ? token : (this.#aliases.get(token) ?? token));
    if (slot === undefined) return undefined;
    return this.#clock() < slot.expires ? slot.state : undefined;
  }

  #delete(token: string): Slot<T> | undefined {
    const slot = this.#slots.get(token);
    if (slot === undefined) return undefined;
    this.#slots.delete(token);
    if (slot.alias !== undefined) this.#aliases.delete(slot.alias);
    const held = (this.#perOwner.get(slot.owner) ?? 1) - 1;
    if (held > 0) this.#perOwner.set(slot.owner, held);
    else this.#perOwner.delete(slot.owner);
    return slot;
  }

  // Insertion order is expiry order (one TTL for all), so expired entries are at the front.
  #purge(now: number): void {
    for (const [token, slot] of this.#slots) {
      if (slot.expires > now) break;
      this.#delete(token);
    }
  }
}
