// The scan cache of a SQLite store: every entity decoded once per process, kept current by the file's change version.
//
// A filter no index can narrow is cheaper to evaluate in process over decoded entities than in SQL (one EXISTS
// subquery per entity and tag) followed by decoding each match's JSON. The mirror is valid across processes sharing
// the file: before each use it reads `meta.version` in the same read transaction as any rows it fetches, and
// catches up with the rows whose `version` is newer (index `entity_by_version`) and the tombstones of removals
// since. A removal whose tombstone was pruned (`meta.pruned` passed the mirror's version) forces a full reload.
// Memory stays bounded: past `maxEntities` the mirror is dropped and scans go back to SQL.

import type BetterSqlite3 from 'better-sqlite3';
import type { Dict } from '../../core/grid/dict.js';
import type { SqliteDb } from './sqlite-schema.js';

// Mutable so that the id-sorted array stays valid across updates (only adds and removes reorder it).
interface Entry {
  readonly id: string;
  dict: Dict;
}

/** What the mirror holds, for tests and diagnostics. */
export interface MirrorStats {
  /** Entities held (0 when dropped). */
  readonly entities: number;
  /** The store version they reflect (-1 before the first load). */
  readonly version: number;
  /** Full loads since the store was opened. */
  readonly loads: number;
  /** Catch-ups by changed rows since the store was opened. */
  readonly catchUps: number;
}

/** Every entity of a store file, decoded, at the file's current version (see the module comment). */
export class EntityMirror {
  readonly #db: SqliteDb;
  readonly #max: number;
  readonly #decode: (data: string) => Dict;
  readonly #byId = new Map<string, Entry>();
  #sorted: Entry[] | undefined;
  #version = -1;
  #loads = 0;
  #catchUps = 0;
  readonly #q: {
    readonly version: BetterSqlite3.Statement;
    readonly pruned: BetterSqlite3.Statement;
    readonly count: BetterSqlite3.Statement;
    readonly all: BetterSqlite3.Statement;
    readonly changed: BetterSqlite3.Statement;
    readonly removed: BetterSqlite3.Statement;
  };

  /** A mirror of `db`'s entities holding at most `maxEntities` (0 disables it); `decode` reads stored JSON. */
  constructor(db: SqliteDb, maxEntities: number, decode: (data: string) => Dict) {
    this.#db = db;
    this.#max = maxEntities;
    this.#decode = decode;
    this.#q = {
      version: db.prepare("SELECT value FROM meta WHERE key = 'version'").pluck(),
      pruned: db.prepare("SELECT value FROM meta WHERE key = 'pruned'").pluck(),
      count: db.prepare('SELECT count(*) FROM entity').pluck(),
      all: db.prepare('SELECT id, data FROM entity ORDER BY id').raw(),
      changed: db.prepare('SELECT id, data FROM entity WHERE version > ?').raw(),
      removed: db.prepare('SELECT id FROM tombstone WHERE version > ?').pluck(),
    };
  }

  /** Counters. */
  stats(): MirrorStats {
    return { entities: this.#byId.size, version: this.#version, loads: this.#loads, catchUps: this.#catchUps };
  }

  /**
   * The entities in id order at the file's current version, or undefined when the store holds more than the
   * mirror may (the caller then scans in SQL). Runs in one read transaction so that version and rows agree.
   */
  current(): readonly Entry[] | undefined {
    if (this.#max <= 0) return undefined;
    const sync = (): boolean => this.#sync();
    const ok = this.#db.inTransaction ? sync() : this.#db.transaction(sync).deferred();
    if (!ok) return undefined;
    this.#sorted ??= [...this.#byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return this.#sorted;
  }

  /** True once it holds the entities of some version (it may be behind the file: {@link current} catches up). */
  get loaded(): boolean {
    return this.#version >= 0;
  }

  /** The mirrored entity with this id; only meaningful right after {@link current} returned entities. */
  get(id: string): Dict | undefined {
    return this.#byId.get(id)?.dict;
  }

  #sync(): boolean {
    const version = this.#q.version.get() as number;
    if (version === this.#version) return true;
    const pruned = (this.#q.pruned.get() as number | undefined) ?? Number.POSITIVE_INFINITY;
    if (this.#version < 0 || pruned > this.#version) return this.#load(version);
    this.#catchUps++;
    for (const id of this.#q.removed.all(this.#version) as string[]) {
      if (this.#byId.delete(id)) this.#sorted = undefined;
    }
    for (const [id, data] of this.#q.changed.iterate(this.#version) as Iterable<[string, string]>) {
      const dict = this.#decode(data);
      const e = this.#byId.get(id);
      if (e !== undefined) e.dict = dict;
      else {
        if (this.#byId.size >= this.#max) return this.#drop();
        this.#byId.set(id, { id, dict });
        this.#sorted = undefined;
      }
    }
    this.#version = version;
    return true;
  }

  #load(version: number): boolean {
    this.#drop();
    if ((this.#q.count.get() as number) > this.#max) return false;
    this.#loads++;
    const sorted: Entry[] = [];
    for (const [id, data] of this.#q.all.iterate() as Iterable<[string, string]>) {
      const e = { id, dict: this.#decode(data) };
      sorted.push(e);
      this.#byId.set(id, e);
    }
    this.#sorted = sorted;
    this.#version = version;
    return true;
  }

  #drop(): false {
    this.#byId.clear();
    this.#sorted = undefined;
    this.#version = -1;
    return false;
  }
}
