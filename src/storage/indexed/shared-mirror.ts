// A process's indexed copy of the entities of a store that several processes share over the network (PostgreSQL,
// Redis), kept current by the store's change version.
//
// Such a store answers a read in SQL or in Lua at 0.3-9 ms (measured on Alpha + Bravo: a nav level by site 2.8 ms
// in PostgreSQL, `point and his and kind=="Number"` limit 20 4.7 ms), against tens of microseconds through the
// memory store's indexes. The mirror holds every entity decoded, with those indexes, and answers reads as the memory
// store does once it knows it is current. Knowing that costs one round trip per read, never zero: before each use
// it asks the store for its version (a read that starts after another process's commit must see it). The question
// is shared: reads that arrive while one is on the wire wait for the next, which starts as soon as that one
// returns, so however many reads are waiting there is at most one question on the wire and one queued. When the
// version moved, the mirror asks for what changed since its own and applies it before answering.
//
// Filling it decodes every entity, so it fills in the background, one chunk per round trip, and until it is ready
// the caller answers in the store's own language. Writes made while it fills carry newer versions: the ordinary
// catch-up from the version read before the first chunk brings it to the store's state. When the store no longer
// knows what changed since some version (its change log was pruned past it, or a bulk change logged no ids), the
// mirror fills again. Memory stays bounded: a store holding more than `maxEntities` is not mirrored (checked again
// once a minute at most).

import type { Dict } from '../../core/grid/dict.js';
import { countOption } from '../commit-staging.js';
import { IndexedEntities } from './indexed-entities.js';
import { ValuePool } from './value-pool.js';

/** The store's change version and the earliest end of a timed override (null: none), read together. */
export interface MirrorHead {
  readonly version: number;
  readonly nextExpiry: number | null;
  /** What tells this store from one deleted and made again in its place, whose versions start again. */
  readonly epoch: string;
}

/** What changed after a version, up to `version` (the store's at the time): each id with its entity, null if removed. */
export interface MirrorChanges {
  readonly version: number;
  readonly changed: readonly (readonly [string, Dict | null])[];
}

/** One step of a fill: entities, and the cursor the next step starts from (null after the last step). */
export interface MirrorChunk {
  readonly rows: readonly (readonly [string, Dict])[];
  readonly next: string | null;
}

/** What a shared store tells the mirror of its entities (one implementation per backend). */
export interface MirrorSource {
  /** The store's head, in one round trip. */
  head(): Promise<MirrorHead>;
  /** The entities changed after `version`, up to the store's current version; undefined when it no longer knows. */
  changesSince(version: number): Promise<MirrorChanges | undefined>;
  /** Number of entities. */
  count(): Promise<number>;
  /**
   * About `n` entities from `cursor` ('' from the start), as the store pages them (PostgreSQL by id, Redis by a
   * scan cursor, which may return an entity twice).
   */
  chunk(cursor: string, n: number): Promise<MirrorChunk>;
}

/** What the mirror holds, for tests and diagnostics. */
export interface SharedMirrorStats {
  /** Entities held (0 until loaded). */
  readonly entities: number;
  /** The store version they reflect (-1 before the first load). */
  readonly version: number;
  /** Full loads completed. */
  readonly loads: number;
  /** Catch-ups applied. */
  readonly catchUps: number;
  /** Questions of the store's head sent (reads that shared one are not counted). */
  readonly heads: number;
  /** Reads (and reads by id, counts) the mirror answered. */
  readonly answered: number;
  /** True while a fill is under way. */
  readonly filling: boolean;
}

/** The mirror's answer to a read: its entities, current as of `head`. */
export interface MirrorView {
  readonly entities: IndexedEntities;
  readonly head: MirrorHead;
}

/** Most entities a process mirrors by default: as many as a memory store holds at most. */
export const DEFAULT_MIRROR_ENTITIES = 1_000_000;

/** Entities a mirror decodes per step of its fill by default: a few milliseconds of work. */
export const DEFAULT_MIRROR_CHUNK = 1000;

/** How a process mirrors a store: most entities held (0: none), entities read per fill step, the store's clock. */
export interface MirrorConfig {
  readonly entities: number;
  readonly chunk: number;
  /** Epoch ms; times the wait before a store found too large is counted again. */
  readonly clock: () => number;
}

/** A store's `scanCacheEntities` and `scanCacheChunk` options checked (an `OptionError` naming `backend`), defaults filled in. */
export function mirrorConfig(
  backend: string,
  options: { readonly scanCacheEntities?: number | undefined; readonly scanCacheChunk?: number | undefined },
  clock: () => number,
): MirrorConfig {
  return {
    entities: countOption(backend, 'scanCacheEntities', options.scanCacheEntities ?? DEFAULT_MIRROR_ENTITIES, 0),
    chunk: countOption(backend, 'scanCacheChunk', options.scanCacheChunk ?? DEFAULT_MIRROR_CHUNK, 1),
    clock,
  };
}

// How long a store found too large to mirror is left alone before its count is read again.
const TOO_LARGE_RETRY_MS = 60_000;

/** A process's indexed copy of a shared store's entities (see the module comment). */
export class SharedMirror {
  readonly #source: MirrorSource;
  readonly #max: number;
  readonly #chunk: number;
  readonly #clock: () => number;
  #entities = new IndexedEntities();
  // Kept values as the memory store keeps them: shared when repeated, none a view into the JSON it was decoded from.
  readonly #pool = new ValuePool();
  #version = -1;
  #epoch = '';
  #loads = 0;
  #catchUps = 0;
  #heads = 0;
  #answered = 0;
  #filling: Promise<void> | undefined;
  #catching: Promise<void> | undefined;
  #tooLargeAt = Number.NEGATIVE_INFINITY;
  #stopped = false;
  // The head question on the wire, and the one that waits for it to return.
  #sent: Promise<MirrorHead> | undefined;
  #next: Promise<MirrorHead> | undefined;

  /** A mirror of `source` as `config` says. */
  constructor(source: MirrorSource, config: MirrorConfig) {
    this.#source = source;
    this.#max = config.entities;
    this.#chunk = config.chunk;
    this.#clock = config.clock;
  }

  /** Counters. */
  stats(): SharedMirrorStats {
    return {
      entities: this.#entities.size,
      version: this.#version,
      loads: this.#loads,
      catchUps: this.#catchUps,
      heads: this.#heads,
      answered: this.#answered,
      filling: this.#filling !== undefined,
    };
  }

  /** True once it holds the entities of some version (it may be behind the store: {@link current} catches up). */
  get loaded(): boolean {
    return this.#version >= 0;
  }

  /** Start filling when empty; resolves when the fill is over (loaded, or given up). */
  warm(): Promise<void> {
    if (this.#max <= 0 || this.#stopped || this.#version >= 0) return Promise.resolve();
    if (this.#clock() - this.#tooLargeAt < TOO_LARGE_RETRY_MS) return Promise.resolve();
    this.#filling ??= this.#fill().finally(() => {
      this.#filling = undefined;
    });
    return this.#filling;
  }

  /**
   * Stop for good (the store is closing): reads go to the store, and a fill ends after its current round trip;
   * resolves once it has, so that the store can close its connections under no query of the mirror's.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#drop();
    await this.#filling?.catch(() => undefined);
  }

  /**
   * The entities as of a head read after this call, or undefined when the caller must read from the store itself
   * (not mirrored, or still filling: a fill is started then). Errors of the store's round trips reach the caller.
   */
  async current(): Promise<MirrorView | undefined> {
    if (this.#version < 0 || this.#stopped) {
      void this.warm().catch(() => undefined);
      return undefined;
    }
    const head = await this.#head();
    if (head.version < this.#version || head.epoch !== this.#epoch) {
      // Another store in its place (deleted and made again, restored from a backup): nothing held can be trusted.
      this.#drop();
      void this.warm().catch(() => undefined);
      return undefined;
    }
    while (this.#version < head.version) {
      const before = this.#version;
      if (before < 0) return undefined;
      this.#catching ??= this.#catchUp().finally(() => {
        this.#catching = undefined;
      });
      await this.#catching;
      // A catch-up that brought nothing newer (a store that answers out of step with its head): the store answers.
      if (this.#version === before) return undefined;
    }
    return this.#version < 0 ? undefined : { entities: this.#entities, head };
  }

  /**
   * The entities as of a head read after this call, with no timed override due at `now`: one that is due is ended
   * first by `expire` (a committed change, which the catch-up then reads). Undefined when the store must answer.
   */
  async entitiesAt(now: number, expire: (now: number) => Promise<void>): Promise<IndexedEntities | undefined> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const view = await this.current();
      if (view === undefined) return undefined;
      const next = view.head.nextExpiry;
      if (next === null || next > now) {
        this.#answered++;
        return view.entities;
      }
      await expire(now);
    }
    return undefined;
  }

  // A head read that left after this call: the one on the wire left before, so join the next.
  #head(): Promise<MirrorHead> {
    if (this.#next !== undefined) return this.#next;
    const sent = this.#sent;
    if (sent === undefined) return this.#send();
    const next = sent.then(
      () => undefined,
      () => undefined,
    );
    this.#next = next.then(() => {
      this.#next = undefined;
      return this.#send();
    });
    return this.#next;
  }

  #send(): Promise<MirrorHead> {
    this.#heads++;
    const p = this.#source.head();
    this.#sent = p;
    const clear = (): void => {
      if (this.#sent === p) this.#sent = undefined;
    };
    p.then(clear, clear);
    return p;
  }

  async #catchUp(): Promise<void> {
    const from = this.#version;
    const changes = await this.#source.changesSince(from);
    // Dropped or refilled meanwhile (a stop, or another catch-up found a gap): what was read is of no use.
    if (this.#version !== from) return;
    if (changes === undefined) {
      this.#drop();
      void this.warm().catch(() => undefined);
      return;
    }
    this.#catchUps++;
    const entities = this.#entities;
    for (const [id, dict] of changes.changed) {
      const ordinal = entities.entities.ordinalOf(id);
      if (dict !== null && ordinal < 0 && entities.size >= this.#max) {
        this.#tooLargeAt = this.#clock();
        this.#drop();
        return;
      }
      entities.set(id, dict === null ? null : this.#pool.entity(dict), changes.version, ordinal);
    }
    this.#version = Math.max(from, changes.version);
  }

  async #fill(): Promise<void> {
    const count = await this.#source.count();
    if (count > this.#max) {
      this.#tooLargeAt = this.#clock();
      return;
    }
    const { version, epoch } = await this.#source.head();
    const entities = new IndexedEntities();
    for (let cursor: string | null = ''; cursor !== null; ) {
      const step = await this.#source.chunk(cursor, this.#chunk);
      if (this.#isStopped()) return;
      // The ordinal is looked up: an entity a scan cursor returned twice replaces itself.
      for (const [id, dict] of step.rows) entities.set(id, this.#pool.entity(dict), version);
      if (entities.size > this.#max) {
        this.#tooLargeAt = this.#clock();
        return;
      }
      cursor = step.next;
    }
    // Rows read after the head may be newer than it: the catch-up of the next read reads them again, harmlessly.
    this.#entities = entities;
    this.#version = version;
    this.#epoch = epoch;
    this.#loads++;
  }

  // A method, not the field: the compiler would take the field for unchanged across the awaits of a fill.
  #isStopped(): boolean {
    return this.#stopped;
  }

  #drop(): void {
    this.#entities = new IndexedEntities();
    this.#version = -1;
  }
}
