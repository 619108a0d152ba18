// Change notifications between processes sharing one Redis store: the `{prefix}:changes` channel, and when every
// change committed so far has been heard (the version each message carries, against the store's version).

import type { StoreChange, StoreChangeListener } from '../change-notifier.js';
import type { RedisConnection } from './redis-client.js';
import { KEY, keyBase } from './redis-keys.js';
import { parseChangeMessage } from './redis-state.js';

// The usernames of a user-change message (`{"users":[...]}`, published by the user and session scripts; entity
// changes carry `ids`), or undefined for any other message.
function usersOf(text: string): string[] | undefined {
  try {
    const m = JSON.parse(text) as { users?: unknown } | null;
    const users = m?.users;
    if (!Array.isArray(users) || users.length === 0 || !users.every((u) => typeof u === 'string')) return undefined;
    return users;
  } catch {
    return undefined;
  }
}

/** How long {@link RedisChangeFeed.sync} waits for a message it should have heard before telling listeners `reset`. */
const SYNC_TIMEOUT_MS = 1000;

/**
 * Tells listeners of entity changes committed through any adapter over the store, from the messages the APPLY
 * script publishes on `{prefix}:changes` (one subscription per connection, shared by its listeners), and of users
 * changed or sessions ended, from those the user and session scripts publish. Each message
 * carries the version its change made; `sync` reads the store's version and waits until a message of that version
 * (or a later one) was delivered. Listeners are told `reset` when that cannot be (the subscription was interrupted,
 * or a message never came: one published by an older process carries no version).
 */
export class RedisChangeFeed {
  readonly #redis: RedisConnection;
  readonly #channel: string;
  readonly #verKey: string;
  readonly #listeners = new Set<StoreChangeListener>();
  #subscribed: Promise<void> | undefined;
  // The highest version whose change (and every one before) the listeners have been told of, or told `reset` after.
  #heard = 0;
  readonly #waiters = new Set<{ readonly at: number; readonly resolve: () => void }>();

  constructor(redis: RedisConnection, prefix: string) {
    const base = keyBase(prefix);
    this.#redis = redis;
    this.#channel = `${base}:changes`;
    this.#verKey = `${base}${KEY.ver}`;
  }

  /** Report changes committed from the time it resolves on to `listener`; resolves to the function that stops it. */
  async subscribe(listener: StoreChangeListener): Promise<() => void> {
    this.#subscribed ??= this.#start();
    try {
      await this.#subscribed;
    } catch (err) {
      this.#subscribed = undefined;
      throw err;
    }
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Resolve once the listeners have been told of every change committed before the call (see the class). */
  async sync(): Promise<void> {
    if (this.#listeners.size === 0) return;
    let at: number;
    try {
      at = await this.#version();
    } catch {
      // Redis is out of reach: nobody can write meanwhile, and the subscription resets when it is back.
      return;
    }
    if (at <= this.#heard) return;
    await new Promise<void>((resolve) => {
      const waiter = {
        at,
        resolve: () => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        // A change the messages never told of: everything may have changed.
        this.#deliver({ kind: 'reset' });
        this.#hear(at);
      }, SYNC_TIMEOUT_MS);
      timer.unref();
      this.#waiters.add(waiter);
    });
  }

  /** Forget every listener and let every `sync` go. */
  stop(): void {
    this.#listeners.clear();
    for (const w of [...this.#waiters]) w.resolve();
  }

  // Subscribe, then take the store's version as heard: what committed before belongs to no listener yet.
  async #start(): Promise<void> {
    await this.#redis.subscribe(
      this.#channel,
      (text) => {
        this.#message(text);
      },
      () => {
        void this.#reset();
      },
    );
    try {
      this.#hear(await this.#version());
    } catch {
      // Out of reach right after subscribing: the first sync finds the version ahead, waits, and resets.
    }
  }

  // The subscription came back after a gap: every change up to the version read now is covered by the reset.
  async #reset(): Promise<void> {
    let at: number | undefined;
    try {
      at = await this.#version();
    } catch {
      // Out of reach again: a later sync times out into another reset.
    }
    this.#deliver({ kind: 'reset' });
    if (at !== undefined) this.#hear(at);
  }

  #message(text: string): void {
    const usernames = usersOf(text);
    if (usernames !== undefined) {
      this.#deliver({ kind: 'users', usernames });
      return;
    }
    const m = parseChangeMessage(text);
    if (m === undefined) return;
    this.#deliver(
      m.expiries === undefined || m.expiries.length === 0
        ? { kind: 'entities', ids: m.ids }
        : { kind: 'entities', ids: m.ids, expiries: m.expiries },
    );
    if (m.v !== undefined) this.#hear(m.v);
  }

  #hear(version: number): void {
    if (version <= this.#heard) return;
    this.#heard = version;
    for (const w of [...this.#waiters]) if (w.at <= version) w.resolve();
  }

  async #version(): Promise<number> {
    return Number((await this.#redis.get(this.#verKey)) ?? '0');
  }

  #deliver(change: StoreChange): void {
    for (const l of [...this.#listeners]) {
      try {
        l(change);
      } catch {
        // The listener's failure is its own (ChangeNotifier: listeners must not throw).
      }
    }
  }
}
