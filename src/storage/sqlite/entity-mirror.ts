// The scan cache of a SQLite store: every entity decoded once per process, with the memory store's tag and Ref
// indexes, kept current by the file's change version.
//
// A filter no index can narrow is cheaper to evaluate in process over decoded entities than in SQL (one EXISTS
// subquery per entity and tag) followed by decoding each match's JSON; one an index narrows is cheaper through the
// in-process indexes than through SQL's (measured on Alpha + Bravo: `ahu and siteRef==@a-0000` 1.3 ms driven by
// SQL's Ref index over 1,000 candidates, a nav level by site 0.7 ms). The mirror is valid across processes sharing
// the file: before each use it reads `meta.version` in the same read transaction as any rows it fetches, and
// catches up with the rows whose `version` is newer (index `entity_by_version`) and the tombstones of removals
// since. A removal whose tombstone was pruned (`meta.pruned` passed the mirror's version) forces a full reload.
// Memory stays bounded: past `maxEntities` the mirror is dropped and scans go back to SQL.
//
// Filling it decodes every entity, about a minute for a million on a loaded machine, so a store larger than one
// chunk fills in the background: one chunk of rows (in id order, each chunk its own read transaction) per turn of
// the event loop, and until it is ready the caller scans in SQL. Rows written while it fills (by this connection or
// another process) carry a version newer than the one read with the first chunk, so the ordinary catch-up from that
// version, run when the last chunk is in, brings the mirror to the file's current state.

import type BetterSqlite3 from 'better-sqlite3';
import type { Dict } from '../../core/grid/dict.js';
import { IndexedEntities } from '../indexed/indexed-entities.js';
import { ValuePool } from '../indexed/value-pool.js';
import type { SqliteDb } from './sqlite-schema.js';

/** What the mirror holds, for tests and diagnostics. */
export interface MirrorStats {
  /** Entities held (0 when dropped or still filling). */
  readonly entities: number;
  /** The store version they reflect (-1 before the first load). */
  readonly version: number;
  /** Full loads completed since the store was opened. */
  readonly loads: number;
  /** Catch-ups by changed rows since the store was opened. */
  readonly catchUps: number;
  /** True while a background fill is under way (scans are answered in SQL meanwhile). */
  readonly filling: boolean;
  /** Chunks read by background fills since the store was opened. */
  readonly chunks: number;
}

// A background fill in progress: rows read so far (added in id order), and the version read with the first chunk.
interface Fill {
  readonly entities: IndexedEntities;
  version: number;
  after: string;
}

/** Every entity of a store file, decoded, at the file's current version (see the module comment). */
export class EntityMirror {
  readonly #db: SqliteDb;
  readonly #max: number;
  readonly #chunk: number;
  readonly #decode: (data: string) => Dict;
  #entities = new IndexedEntities();
  #version = -1;
  #loads = 0;
  #catchUps = 0;
  #chunks = 0;
  #fill: Fill | undefined;
  #stopped = false;
  // Made once: better-sqlite3 wraps a function per `transaction` call.
  readonly #syncTx: BetterSqlite3.Transaction<() => boolean>;
  readonly #q: {
    readonly version: BetterSqlite3.Statement;
    readonly pruned: BetterSqlite3.Statement;
    readonly count: BetterSqlite3.Statement;
    readonly all: BetterSqlite3.Statement;
    readonly chunk: BetterSqlite3.Statement;
    readonly changed: BetterSqlite3.Statement;
    readonly removed: BetterSqlite3.Statement;
  };

  /**
   * A mirror of `db`'s entities holding at most `maxEntities` (0 disables it), filled `chunk` rows per turn of the
   * event loop; `decode` reads stored JSON.
   */
  constructor(db: SqliteDb, maxEntities: number, chunk: number, decode: (data: string) => Dict) {
    this.#db = db;
    this.#max = maxEntities;
    this.#chunk = chunk;
    // Kept values as the memory store keeps them: shared when repeated, none a view into its row's JSON.
    const pool = new ValuePool();
    this.#decode = (data) => pool.entity(decode(data));
    this.#syncTx = db.transaction((): boolean => this.#syncOrStart());
    this.#q = {
      version: db.prepare("SELECT value FROM meta WHERE key = 'version'").pluck(),
      pruned: db.prepare("SELECT value FROM meta WHERE key = 'pruned'").pluck(),
      count: db.prepare('SELECT count(*) FROM entity').pluck(),
      all: db.prepare('SELECT id, data FROM entity ORDER BY id').raw(),
      chunk: db.prepare('SELECT id, data FROM entity WHERE id > ? ORDER BY id LIMIT ?').raw(),
      changed: db.prepare('SELECT id, data FROM entity WHERE version > ?').raw(),
      removed: db.prepare('SELECT id FROM tombstone WHERE version > ?').pluck(),
    };
  }

  /** Counters. */
  stats(): MirrorStats {
    return {
      entities: this.#entities.size,
      version: this.#version,
      loads: this.#loads,
      catchUps: this.#catchUps,
      filling: this.#fill !== undefined,
      chunks: this.#chunks,
    };
  }

  /**
   * The entities, indexed, at the file's current version, or undefined when the caller must read in SQL: the store
   * holds more than the mirror may, or a background fill has just been started or is still under way. Runs in one
   * read transaction so that version and rows agree. `version`, when the caller has just read the file's version,
   * spares that transaction when the mirror is at it.
   */
  current(version?: number): IndexedEntities | undefined {
    if (this.#max <= 0 || this.#stopped) return undefined;
    if (this.#fill !== undefined) return undefined;
    if (version !== undefined && version === this.#version) return this.#entities;
    const ok = this.#db.inTransaction ? this.#syncOrStart() : this.#syncTx.deferred();
    return ok ? this.#entities : undefined;
  }

  /** True once it holds the entities of some version (it may be behind the file: {@link current} catches up). */
  get loaded(): boolean {
    return this.#version >= 0;
  }

  /** Entities held (as of its last catch-up). */
  get size(): number {
    return this.#entities.size;
  }

  /** The mirrored entity with this id; only meaningful right after {@link current} returned entities. */
  get(id: string): Dict | undefined {
    return this.#entities.get(id);
  }

  #syncOrStart(): boolean {
    return this.#version < 0 ? this.#start() : this.#sync();
  }

  /** Start loading when empty and not filling (at once for a store within one chunk, else in the background). */
  warm(): void {
    if (this.#max <= 0 || this.#stopped || this.#fill !== undefined || this.#version >= 0) return;
    const start = (): boolean => this.#start();
    if (this.#db.inTransaction) start();
    else this.#db.transaction(start).deferred();
  }

  /** Stop any background fill for good (the connection is closing). */
  stop(): void {
    this.#stopped = true;
    this.#fill = undefined;
  }

  // Catch up from the mirror's version; false when the mirror cannot answer (dropped, or refilling in background).
  #sync(): boolean {
    const version = this.#q.version.get() as number;
    if (version === this.#version) return true;
    const pruned = (this.#q.pruned.get() as number | undefined) ?? Number.POSITIVE_INFINITY;
    if (pruned > this.#version) return this.#start();
    this.#catchUps++;
    const entities = this.#entities;
    for (const id of this.#q.removed.all(this.#version) as string[]) entities.set(id, null, version);
    for (const [id, data] of this.#q.changed.iterate(this.#version) as Iterable<[string, string]>) {
      const ordinal = entities.entities.ordinalOf(id);
      if (ordinal < 0 && entities.size >= this.#max) return this.#drop();
      entities.set(id, this.#decode(data), version, ordinal);
    }
    this.#version = version;
    return true;
  }

  // (Re)load from scratch: at once when the store fits in one chunk, else in the background (false meanwhile).
  #start(): boolean {
    this.#drop();
    const count = this.#q.count.get() as number;
    if (count > this.#max) return false;
    if (count > this.#chunk) {
      this.#fill = { entities: new IndexedEntities(), version: -1, after: '' };
      this.#schedule(this.#fill);
      return false;
    }
    const version = this.#q.version.get() as number;
    const entities = new IndexedEntities();
    for (const [id, data] of this.#q.all.iterate() as Iterable<[string, string]>) {
      entities.set(id, this.#decode(data), version, -1);
    }
    this.#loads++;
    this.#entities = entities;
    this.#version = version;
    return true;
  }

  // Unref'd: a fill never keeps a process alive on its own (a CLI command exits when its work is done).
  #schedule(fill: Fill): void {
    setImmediate(() => {
      this.#step(fill);
    }).unref();
  }

  // One chunk of a background fill; the last one installs the rows and catches up with writes made since the first.
  #step(fill: Fill): void {
    if (this.#fill !== fill || this.#stopped || !this.#db.open) return;
    const read = (): boolean => {
      if (fill.version < 0) fill.version = this.#q.version.get() as number;
      const rows = this.#q.chunk.all(fill.after, this.#chunk) as [string, string][];
      this.#chunks++;
      for (const [id, data] of rows) fill.entities.set(id, this.#decode(data), fill.version, -1);
      const last = rows[rows.length - 1];
      if (last !== undefined) fill.after = last[0];
      if (fill.entities.size > this.#max) {
        // It grew past the bound while filling: scans stay in SQL until a later one finds it small enough.
        this.#fill = undefined;
        return true;
      }
      if (rows.length === this.#chunk) return false;
      this.#fill = undefined;
      this.#entities = fill.entities;
      this.#version = fill.version;
      this.#loads++;
      // Writes during the fill have newer versions (and removals tombstones): caught up here, or refilled if pruned.
      this.#sync();
      return true;
    };
    let done: boolean;
    try {
      done = this.#db.inTransaction ? read() : this.#db.transaction(read).deferred();
    } catch {
      // The file went away or broke under the fill: give up, scans stay in SQL (and report the error themselves).
      this.#fill = undefined;
      return;
    }
    if (!done) this.#schedule(fill);
  }

  #drop(): false {
    this.#entities = new IndexedEntities();
    this.#version = -1;
    this.#fill = undefined;
    return false;
  }
}
