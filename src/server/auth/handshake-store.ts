// Server-side state of auth exchanges in progress, keyed by single-use random handshake tokens that expire.

import { randomBytes } from 'node:crypto';
import { encodeBase64Url } from '../../core/auth/base64.js';
import type { Clock } from '../../storage/adapter.js';

interface Slot<T> {
  readonly state: T;
  readonly expires: number;
}

/**
 * Exchanges in progress. Each step's state is stored under a fresh random token (256 bits, base64url) and
 * taken out by the next step, so a token works once: a replayed or stale handshakeToken finds nothing.
 * Entries expire after `ttlMs`; beyond `maxEntries` the oldest are dropped (an unauthenticated client
 * must not be able to grow server memory without bound).
 */
export class HandshakeStore<T> {
  readonly #slots = new Map<string, Slot<T>>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #clock: Clock;

  constructor(ttlMs: number, maxEntries: number, clock: Clock) {
    this.#ttlMs = ttlMs;
    this.#maxEntries = maxEntries;
    this.#clock = clock;
  }

  /** Number of live entries (expired ones may be counted until the next `put`). */
  get size(): number {
    return this.#slots.size;
  }

  /** Store `state` and return the new token that retrieves it once. */
  put(state: T): string {
    const now = this.#clock();
    this.#purge(now);
    const token = encodeBase64Url(new Uint8Array(randomBytes(32)));
    this.#slots.set(token, { state, expires: now + this.#ttlMs });
    while (this.#slots.size > this.#maxEntries) {
      const oldest = this.#slots.keys().next();
      if (oldest.done === true) break;
      this.#slots.delete(oldest.value);
    }
    return token;
  }

  /** Remove and return the state under `token`, or undefined when unknown, already taken or expired. */
  take(token: string): T | undefined {
    const slot = this.#slots.get(token);
    if (slot === undefined) return undefined;
    this.#slots.delete(token);
    return this.#clock() < slot.expires ? slot.state : undefined;
  }

  // Insertion order is expiry order (one TTL for all), so expired entries are at the front.
  #purge(now: number): void {
    for (const [token, slot] of this.#slots) {
      if (slot.expires > now) break;
      this.#slots.delete(token);
    }
  }
}
