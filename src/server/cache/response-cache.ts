// Encoded responses of read-only GET requests, kept until a change to an entity they depend on.

import { type Filter, parseFilter, planFilter } from '../../core/filter/index.js';
import { lowerBound } from '../../storage/indexed/tag-index.js';
import type { EntityChange, StoreObserver } from './observed-store.js';

/** What a cached response depends on, besides the ids of the rows it holds. */
export interface CacheDeps {
  /** Ids whose change (or appearance) changes the response, e.g. the ids asked for. */
  readonly ids?: readonly string[];
  /** Filters whose result the response shows: an entity that comes to match one changes the response. */
  readonly filters?: readonly string[];
  /** True when no entity change can change the response (defs, formats). */
  readonly static?: boolean;
}

/** One cached response. */
export interface CachedResponse {
  /** Content-Type header. */
  readonly contentType: string;
  /** Encoded body. */
  readonly body: Buffer;
}

// Most timed-override ends a cache keeps track of (see ResponseCache.#pendingEnd).
const MAX_PENDING_ENDS = 10_000;

interface Entry extends CachedResponse {
  readonly ids: ReadonlySet<string>;
  readonly filters: readonly Filter[];
  // A filter that follows refs can change with any entity, so any change drops the entry.
  readonly anyChange: boolean;
}

/** Limits of the cache. */
export interface ResponseCacheLimits {
  /** Most responses kept (least recently used go first). */
  readonly maxEntries: number;
  /** Most body bytes kept. */
  readonly maxBytes: number;
}

/**
 * A response cache that is exact: a change to entity E drops every entry that holds E, names E, or shows a
 * filter that E now matches (and every entry whose filter follows refs). It must see every write: the server
 * hands ops a store observed by {@link ResponseCache.observer}.
 */
export class ResponseCache {
  readonly #entries = new Map<string, Entry>();
  readonly #limits: ResponseCacheLimits;
  readonly #clock: () => number;
  #bytes = 0;
  #generation = 0;
  // When timed overrides end, ascending, each once: when one ends, its point changes with no write to see, so all
  // entries go (and those that show the next override to end are kept until it does).
  readonly #ends: number[] = [];
  // Past MAX_PENDING_ENDS, ends are not kept: nothing is cached until the latest of those has passed.
  #blindUntil = Number.NEGATIVE_INFINITY;

  constructor(limits: ResponseCacheLimits, clock: () => number) {
    this.#limits = limits;
    this.#clock = clock;
  }

  /** The observer to give {@link observeStore}. */
  readonly observer: StoreObserver = {
    changed: (changes) => {
      this.#invalidate(changes);
    },
    expires: (_id, at) => {
      this.#pendingEnd(at);
    },
    reset: () => {
      this.clear();
    },
  };

  /** Bumped by every change; a response computed across a change is not kept (it may predate the change). */
  get generation(): number {
    return this.#generation;
  }

  /** Number of responses held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The response cached under `key`, if still valid. */
  get(key: string): CachedResponse | undefined {
    const ends = this.#ends;
    if (ends.length > 0 && this.#clock() >= (ends[0] as number)) {
      const now = this.#clock();
      let passed = 0;
      while (passed < ends.length && (ends[passed] as number) <= now) passed++;
      ends.splice(0, passed);
      this.clear();
    }
    const e = this.#entries.get(key);
    if (e === undefined) return undefined;
    // Refresh its place in the LRU order.
    this.#entries.delete(key);
    this.#entries.set(key, e);
    return e;
  }

  /**
   * Keep a response with what it depends on; `rowIds` are the ids of the rows it holds, `generation` the
   * {@link generation} read before the op ran (a change since then means the response may be stale).
   */
  set(key: string, response: CachedResponse, deps: CacheDeps, rowIds: Iterable<string>, generation: number): void {
    if (generation !== this.#generation || response.body.length > this.#limits.maxBytes) return;
    if (this.#clock() < this.#blindUntil) return;
    const ids = new Set(rowIds);
    for (const id of deps.ids ?? []) ids.add(id);
    const filters = (deps.filters ?? []).map((f) => parseFilter(f));
    const entry: Entry = {
      ...response,
      ids,
      filters,
      anyChange: deps.static !== true && filters.some((f) => planFilter(f.ast).usesRefs),
    };
    this.#remove(key);
    this.#entries.set(key, entry);
    this.#bytes += entry.body.length;
    while (this.#entries.size > this.#limits.maxEntries || this.#bytes > this.#limits.maxBytes) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#remove(oldest);
    }
  }

  /** Drop every response (the timed overrides still to end stay known). */
  clear(): void {
    this.#generation++;
    this.#entries.clear();
    this.#bytes = 0;
  }

  // Note when a timed override ends (kept in order, once); past the limit, forget them all and cache nothing until
  // the last one noted has ended, rather than keep a response that one of them would change.
  #pendingEnd(at: number): void {
    const ends = this.#ends;
    const lo = lowerBound(ends, at);
    if (ends[lo] === at) return;
    if (ends.length < MAX_PENDING_ENDS) {
      ends.splice(lo, 0, at);
      return;
    }
    this.#blindUntil = Math.max(this.#blindUntil, at, ends[ends.length - 1] as number);
    ends.length = 0;
    this.clear();
  }

  #remove(key: string): void {
    const e = this.#entries.get(key);
    if (e === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= e.body.length;
  }

  #invalidate(changes: readonly EntityChange[]): void {
    if (changes.length === 0) return;
    this.#generation++;
    for (const [key, e] of this.#entries) {
      if (e.anyChange || changes.some((c) => e.ids.has(c.id) || matchesAny(e.filters, c))) this.#remove(key);
    }
  }
}

function matchesAny(filters: readonly Filter[], change: EntityChange): boolean {
  const now = change.now;
  return now !== undefined && filters.some((f) => f.matches(now));
}
