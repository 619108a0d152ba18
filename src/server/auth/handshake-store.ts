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

// Tokens of one owner, oldest first (a Set keeps insertion order).
type OwnerTokens = Set<string>;

/**
 * Exchanges in progress. Each step's state is stored under a fresh random token (256 bits, letters and digits)
 * and taken out by the next step, so a token works once: a replayed or stale handshakeToken finds nothing. A
 * step may also be reachable by the token of the step before (an alias), for clients that repeat the first
 * handshakeToken throughout the exchange (phable does; Haxall never changes it); taking either removes both.
 * Entries expire after `ttlMs`; beyond `maxEntries` the oldest are dropped (an unauthenticated client
 * must not be able to grow server memory without bound), and one owner (a client address) may hold at
 * most `maxPerOwner`: beyond it that owner's own oldest exchange is dropped, so a client flooding HELLOs
 * pushes out only its own exchanges, never everyone else's, and is never answered with a lockout.
 */
export class HandshakeStore<T> {
  readonly #slots = new Map<string, Slot<T>>();
  readonly #aliases = new Map<string, string>();
  readonly #perOwner = new Map<string, OwnerTokens>();
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

  /**
   * Store `state` for `owner` and return the token that retrieves it once, dropping the owner's oldest exchange
   * beyond its cap. With `alias` (a token already taken), that token retrieves the same state too, once.
   */
  put(state: T, owner: string, alias?: string): string {
    const now = this.#clock();
    this.#purge(now);
    let held = this.#perOwner.get(owner);
    if (held === undefined) this.#perOwner.set(owner, (held = new Set()));
    while (held.size >= this.#maxPerOwner) this.#delete(held.values().next().value as string);
    const token = randomToken();
    this.#slots.set(token, { state, expires: now + this.#ttlMs, owner, alias });
    if (alias !== undefined) this.#aliases.set(alias, token);
    this.#perOwner.set(owner, held.add(token));
    while (this.#slots.size > this.#maxEntries) this.#delete(this.#slots.keys().next().value as string);
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
    // Every slot's owner has a token set (made by put, removed only once it empties).
    const held = this.#perOwner.get(slot.owner) as OwnerTokens;
    held.delete(token);
    if (held.size === 0) this.#perOwner.delete(slot.owner);
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
