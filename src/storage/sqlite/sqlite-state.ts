// The SQLite store's operations over one connection: entities and their tag rows, history, priority arrays, watches.

import { randomBytes, randomUUID } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import { decodeJson, encodeJson } from '../../core/codec/json/index.js';
import { LimitError, UnknownRecError, ValueError } from '../../core/errors.js';
import type { Filter } from '../../core/filter/filter.js';
import { parseFilter } from '../../core/filter/parse-filter.js';
import { planFilter } from '../../core/filter/plan.js';
import type { Dict } from '../../core/grid/dict.js';
import { Num } from '../../core/kinds/number.js';
import { Ref } from '../../core/kinds/ref.js';
import type {
  CommitDiff,
  HisItem,
  HisWrite,
  OverrideEnd,
  PointWriteRequest,
  PriorityArray,
  PriorityLevel,
  TimeRange,
  WatchInfo,
  WatchPollResult,
} from '../adapter.js';
import { checkLease, modOf, stageCommit } from '../commit-staging.js';
import { decodeStoredEntity, isEntityId, nextMod, updatedEntity } from '../entity-tags.js';
import { checkHisItems, checkHisWrites, hisPageLimit, inFloatColumn } from '../his-samples.js';
import { compileQuery } from '../indexed/query-plan.js';
import {
  decodeLevels,
  emptyLevels,
  encodeLevels,
  expireLevels,
  levelEnds,
  nextExpiry,
  planPointWrites,
  toPriorityArray,
  validatePointWrite,
  writeTagChanges,
} from '../priority-array.js';
import { compileFilterSql, type SqlFilter, type SqlParam } from '../sql/filter-sql.js';
import { TagKind, tagRows } from '../sql/tag-rows.js';
import { ownerLimitError, unknownWatchError } from '../storage-errors.js';
import { BatchInsert } from './batch-insert.js';
import { EntityMirror, type MirrorStats } from './entity-mirror.js';
import { SQLITE_DIALECT, sqliteParams } from './sqlite-dialect.js';
import type { SqliteDb } from './sqlite-schema.js';

/** Limits of a SQLite store; every one is checked where input enters. */
export interface SqliteStoreLimits {
  /** Most samples in one `hisWrite` (default 1,000,000). */
  readonly maxHisItemsPerWrite: number;
  /** Most ids one watch holds (default 10,000). */
  readonly maxIdsPerWatch: number;
  /** Most watches open at once (default 1,000). */
  readonly maxWatches: number;
  /** Longest lease a watch gets; longer requests are shortened to it (default 1 hour). */
  readonly maxLeaseMs: number;
}

/** The defaults of {@link SqliteStoreLimits}. */
export const DEFAULT_SQLITE_LIMITS: SqliteStoreLimits = Object.freeze({
  maxHisItemsPerWrite: 1_000_000,
  maxIdsPerWatch: 10_000,
  maxWatches: 1_000,
  maxLeaseMs: 3_600_000,
});

/** What a read did, for tests and diagnostics. */
export interface SqliteReadStats {
  /** Reads answered by SQL alone. */
  readonly exact: number;
  /** Reads whose SQL candidates were checked in process (a `->` path into a Dict or a DateTime). */
  readonly rechecked: number;
  /**
   * Reads narrowed by an index rather than a scan of every entity: SQL's (a Ref equality or a rare tag) or the scan
   * cache's tag and Ref indexes.
   */
  readonly driven: number;
  /** Reads answered in process by the scan cache (through its indexes where they narrow it) instead of in SQL. */
  readonly cached: number;
}

// A driver may be used when it narrows the scan to this share of the entities or less.
const DRIVER_MAX_SHARE = 0.25;
const TOMBSTONE_PRUNE_AT = 1024;
const STATEMENT_CACHE = 256;

interface CompiledRead {
  readonly filter: Filter;
  readonly sql: SqlFilter;
  readonly refDrivers: readonly (readonly [string, string])[];
  readonly tagDrivers: readonly string[];
}

interface WatchRow {
  readonly id: string;
  readonly dis: string;
  readonly owner: string | null;
  readonly lease_ms: number;
  readonly renewed_at: number;
  readonly polled_version: number;
}

// Versions the change log keeps, and how often (in versions) it is pruned.
const CHANGE_LOG_VERSIONS = 10_000;
const CHANGE_LOG_PRUNE_EVERY = 1000;

/** Everything one connection does; the adapter wraps each call (clock, closed check, promise). */
export class SqliteState {
  readonly #db: SqliteDb;
  readonly #limits: SqliteStoreLimits;
  readonly #idPrefix: string;
  readonly #compiled = new WeakMap<Filter, CompiledRead>();
  readonly #statements = new Map<string, BetterSqlite3.Statement<[Record<string, SqlParam>]>>();
  #exact = 0;
  #rechecked = 0;
  #driven = 0;
  #cached = 0;
  readonly #mirror: EntityMirror;

  // Prepared once: the statements every call uses.
  readonly #q;
  readonly #hisInsert: BatchInsert;
  readonly #tagInsert: BatchInsert;

  constructor(
    db: SqliteDb,
    limits: SqliteStoreLimits,
    idPrefix: string,
    scanCache: { readonly entities: number; readonly chunk: number },
  ) {
    this.#db = db;
    this.#limits = limits;
    this.#idPrefix = idPrefix;
    this.#mirror = new EntityMirror(db, scanCache.entities, scanCache.chunk, decodeEntity);
    this.#hisInsert = new BatchInsert(db, 'INSERT OR REPLACE', 'his', ['rid', 'ts', 'num', 'unit', 'val']);
    this.#tagInsert = new BatchInsert(db, 'INSERT', 'tag', [
      'rid',
      'name',
      'elem',
      'kind',
      'num',
      'aux',
      'unit',
      'str',
      'ref',
    ]);
    this.#q = {
      version: db.prepare("SELECT value FROM meta WHERE key = 'version'").pluck(),
      bumpVersion: db.prepare("UPDATE meta SET value = value + 1 WHERE key = 'version' RETURNING value").pluck(),
      count: db.prepare('SELECT count(*) FROM entity').pluck(),
      byId: db.prepare('SELECT rid, data FROM entity WHERE id = ?'),
      dataById: db.prepare('SELECT data FROM entity WHERE id = ?').pluck(),
      ridById: db.prepare('SELECT rid FROM entity WHERE id = ?').pluck(),
      insertEntity: db.prepare('INSERT INTO entity (id, data, version) VALUES (?, ?, ?)'),
      updateEntity: db.prepare('UPDATE entity SET data = ?, version = ? WHERE rid = ?'),
      deleteEntity: db.prepare('DELETE FROM entity WHERE rid = ?'),
      tagNames: db.prepare('SELECT name FROM tag WHERE rid = ? AND elem = 0').pluck(),
      deleteTags: db.prepare('DELETE FROM tag WHERE rid = ?'),
      addCount: db.prepare(
        'INSERT INTO tag_count (name, n) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET n = n + excluded.n',
      ),
      tagCount: db.prepare('SELECT n FROM tag_count WHERE name = ?').pluck(),
      hasDicts: db.prepare(`SELECT EXISTS (SELECT 1 FROM tag WHERE kind = ${String(TagKind.DICT)})`).pluck(),
      tombstone: db.prepare('INSERT OR REPLACE INTO tombstone (id, version) VALUES (?, ?)'),
      untombstone: db.prepare('DELETE FROM tombstone WHERE id = ?'),
      isTombstone: db.prepare('SELECT 1 FROM tombstone WHERE id = ?').pluck(),
      tombstoneCount: db.prepare('SELECT count(*) FROM tombstone').pluck(),
      pruneTombstones: db.prepare('DELETE FROM tombstone WHERE version <= ?'),
      notePruned: db.prepare("UPDATE meta SET value = max(value, ?) WHERE key = 'pruned'"),
      oldestPoll: db.prepare('SELECT min(polled_version) FROM watch').pluck(),
      logChange: db.prepare('INSERT INTO entity_change (version, id, expires) VALUES (?, ?, ?)'),
      pruneChanges: db.prepare('DELETE FROM entity_change WHERE version <= ?'),
      markPruned: db.prepare("UPDATE meta SET value = ? WHERE key = 'change_pruned'"),
      hisRead: db.prepare('SELECT ts, num, unit, val FROM his WHERE rid = ? AND ts >= ? AND ts < ? ORDER BY ts').raw(),
      hisPage: db
        .prepare('SELECT ts, num, unit, val FROM his WHERE rid = ? AND ts >= ? AND ts < ? ORDER BY ts LIMIT ?')
        .raw(),
      hisCount: db.prepare('SELECT count(*) FROM his WHERE rid = ?').pluck(),
      deleteHis: db.prepare('DELETE FROM his WHERE rid = ?'),
      levels: db.prepare('SELECT levels FROM priority WHERE rid = ?').pluck(),
      setLevels: db.prepare('INSERT OR REPLACE INTO priority (rid, levels, next_expiry) VALUES (?, ?, ?)'),
      deleteLevels: db.prepare('DELETE FROM priority WHERE rid = ?'),
      // One statement, so that both come from one snapshot.
      versionAndExpiry: db
        .prepare(
          "SELECT (SELECT value FROM meta WHERE key = 'version'), " +
            '(SELECT min(next_expiry) FROM priority WHERE next_expiry IS NOT NULL)',
        )
        .raw(),
      timed: db.prepare(
        'SELECT e.id, p.levels FROM priority p JOIN entity e ON e.rid = p.rid WHERE p.next_expiry IS NOT NULL',
      ),
      expired: db.prepare(
        'SELECT p.rid, e.id, p.levels FROM priority p JOIN entity e ON e.rid = p.rid WHERE p.next_expiry <= ?',
      ),
      watch: db.prepare('SELECT id, dis, owner, lease_ms, renewed_at, polled_version FROM watch WHERE id = ?'),
      watchIds: db.prepare('SELECT id FROM watch_entity WHERE watch = ? ORDER BY seq').pluck(),
      allWatches: db.prepare('SELECT id, dis, owner, lease_ms, renewed_at, polled_version FROM watch ORDER BY rowid'),
      watchCount: db.prepare('SELECT count(*) FROM watch').pluck(),
      ownerWatchCount: db.prepare('SELECT count(*) FROM watch WHERE owner = ?').pluck(),
      insertWatch: db.prepare(
        'INSERT INTO watch (id, dis, owner, lease_ms, renewed_at, polled_version) VALUES (?, ?, ?, ?, ?, ?)',
      ),
      renewWatch: db.prepare('UPDATE watch SET renewed_at = ? WHERE id = ?'),
      leaseWatch: db.prepare('UPDATE watch SET lease_ms = ?, renewed_at = ? WHERE id = ?'),
      pollWatch: db.prepare('UPDATE watch SET polled_version = ?, renewed_at = ? WHERE id = ?'),
      deleteWatch: db.prepare('DELETE FROM watch WHERE id = ?'),
      deleteWatchIds: db.prepare('DELETE FROM watch_entity WHERE watch = ?'),
      expiredWatches: db.prepare('SELECT id FROM watch WHERE renewed_at + lease_ms <= ?').pluck(),
      watchHas: db.prepare('SELECT 1 FROM watch_entity WHERE watch = ? AND id = ?').pluck(),
      watchSize: db.prepare('SELECT count(*) FROM watch_entity WHERE watch = ?').pluck(),
      watchSeq: db.prepare('SELECT coalesce(max(seq), 0) FROM watch_entity WHERE watch = ?').pluck(),
      watchInsert: db.prepare('INSERT OR IGNORE INTO watch_entity (watch, id, seq, added_version) VALUES (?, ?, ?, ?)'),
      watchRemoveId: db.prepare('DELETE FROM watch_entity WHERE watch = ? AND id = ?'),
      watchState: db
        .prepare(
          `SELECT w.id, w.added_version, e.data, e.version, tb.version FROM watch_entity w
           LEFT JOIN entity e ON e.id = w.id LEFT JOIN tombstone tb ON tb.id = w.id
           WHERE w.watch = ? ORDER BY w.seq`,
        )
        .raw(),
    };
  }

  /** Read counters. */
  readStats(): SqliteReadStats {
    return { exact: this.#exact, rechecked: this.#rechecked, driven: this.#driven, cached: this.#cached };
  }

  /** What the scan cache holds. */
  scanCacheStats(): MirrorStats {
    return this.#mirror.stats();
  }

  /** Start filling the scan cache if it is empty. */
  warmScanCache(): void {
    this.#mirror.warm();
  }

  /** Stop the scan cache's background fill (the connection is closing). */
  stop(): void {
    this.#mirror.stop();
  }

  /** Number of entities. */
  count(now: number): number {
    this.#expireOverrides(now);
    return this.#q.count.get() as number;
  }

  /** Entities by id, in order. */
  readByIds(ids: readonly string[], now: number): (Dict | undefined)[] {
    const version = this.#expireOverrides(now);
    // A loaded scan cache has them decoded, rather than a query and a decode per id.
    const cached = this.#mirror.loaded ? this.#mirror.current(version) : undefined;
    if (cached !== undefined) return ids.map((id) => cached.get(id));
    return ids.map((id) => this.#dict(id));
  }

  /**
   * Entities matching a filter, by id, up to `limit`: the scan cache's indexes when it is loaded, else SQL, with
   * in-process evaluation checking only where needed.
   */
  read(text: string, limit: number | undefined, now: number): Dict[] {
    if (limit !== undefined && !(limit >= 0)) throw new ValueError(`Read limit must be >= 0, got ${String(limit)}`);
    const c = this.#compile(text);
    const version = this.#expireOverrides(now);
    const max = limit === undefined ? Number.POSITIVE_INFINITY : Math.floor(limit);
    const out: Dict[] = [];
    if (max === 0) return out;
    // The scan cache, once loaded, answers every read through its own indexes (as the memory store does). An empty
    // one is filled by an unlimited read that no SQL index narrows (start-up's `id` limit 1 stays cheap); a large
    // store's fills in the background, and SQL answers until it is ready.
    const params: SqlParam[] = [...c.sql.params];
    // SQL's driver is only needed (its tag counts read) when the cache is not loaded.
    let driver = this.#mirror.loaded ? undefined : this.#driver(c, params);
    if (driver === undefined || (max === Number.POSITIVE_INFINITY && driver === '')) {
      const entities = this.#mirror.current(version);
      if (entities !== undefined) {
        const query = compileQuery(text);
        this.#cached++;
        if (query.requiredTags.length + query.refEqualities.length > 0 || query.anyOf !== undefined) this.#driven++;
        return entities.read(query, max);
      }
    }
    driver ??= this.#driver(c, params);
    const recheck = c.sql.recheck === 'always' || (c.sql.recheck === 'nested' && this.#q.hasDicts.get() === 1);
    let sql = `SELECT e.data FROM entity e WHERE ${driver}${c.sql.where} ORDER BY e.id`;
    if (!recheck && Number.isFinite(max)) {
      params.push(max);
      sql += ` LIMIT @p${String(params.length)}`;
    }
    const stmt = this.#statement(sql);
    if (driver !== '') this.#driven++;
    if (!recheck) {
      this.#exact++;
      for (const data of stmt.iterate(sqliteParams(params)) as Iterable<string>) out.push(decodeEntity(data));
      return out;
    }
    this.#rechecked++;
    const resolve = (ref: Ref): Dict | undefined => this.#dict(ref.id);
    // all(), not iterate(): resolving Refs runs other statements, which an open iterator would forbid.
    for (const data of stmt.all(sqliteParams(params)) as string[]) {
      const d = decodeEntity(data);
      if (c.filter.matches(d, resolve)) {
        out.push(d);
        if (out.length >= max) break;
      }
    }
    return out;
  }

  /** Apply diffs all or none; returns the entity after each non-remove diff. */
  commit(diffs: readonly CommitDiff[], now: number): Dict[] {
    return this.#write(() => {
      this.#expireOverridesNow(now);
      const { staged, results } = stageCommit(
        diffs,
        (id) => this.#dict(id),
        now,
        (current) => this.#newId(current),
      );
      if (staged.size > 0) {
        const version = this.#bumpVersion();
        this.#applyAll(staged, version);
        this.#pruneTombstones();
      }
      return [...results];
    });
  }

  /** The first `limit` samples of a point in `[start, end)`, by one indexed query. */
  hisReadPage(id: string, range: TimeRange, limit: number): HisItem[] {
    const n = hisPageLimit(limit);
    const rid = this.#requireRid(id);
    const rows = this.#q.hisPage.all(rid, range.start, range.end, n) as [
      number,
      number | null,
      string | null,
      string | null,
    ][];
    return rows.map(([ts, num, unit, val]) => ({
      ts,
      val: val === null ? new Num(num as number, unit) : decodeJson(val),
    }));
  }

  /** A point's samples in `[start, end)`. */
  hisRead(id: string, range: TimeRange): HisItem[] {
    const rid = this.#requireRid(id);
    const rows = this.#q.hisRead.all(rid, range.start, range.end) as [
      number,
      number | null,
      string | null,
      string | null,
    ][];
    const out = new Array<HisItem>(rows.length);
    let unit: string | null | undefined;
    let proto: Num | undefined;
    for (let i = 0; i < rows.length; i++) {
      const [ts, num, u, val] = rows[i] as [number, number | null, string | null, string | null];
      if (val !== null) out[i] = { ts, val: decodeJson(val) };
      else {
        // Units repeat down a series: validate a unit once, then make Numbers of it directly.
        if (u !== unit || proto === undefined) {
          unit = u;
          proto = new Num(0, u);
        }
        out[i] = { ts, val: new Num(num as number, proto.unit) };
      }
    }
    return out;
  }

  /** Merge samples into a point's history, committed before it returns. */
  hisWrite(id: string, items: readonly HisItem[]): number {
    checkHisItems(items, this.#limits.maxHisItemsPerWrite);
    return this.#write(() => this.#hisInsertAll(this.#requireRid(id), items));
  }

  /** Merge samples into several points' histories in one transaction. */
  hisWriteBatch(writes: readonly HisWrite[]): number {
    checkHisWrites(writes, this.#limits.maxHisItemsPerWrite);
    return this.#write(() => {
      // Every point is looked up before any sample is written: an unknown one rolls back nothing.
      const rids = writes.map((w) => this.#requireRid(w.id));
      let n = 0;
      for (let i = 0; i < writes.length; i++) n += this.#hisInsertAll(rids[i] as number, (writes[i] as HisWrite).items);
      return n;
    });
  }

  // Within a write transaction.
  #hisInsertAll(rid: number, items: readonly HisItem[]): number {
    // In order, so that within one write the last sample at a timestamp replaces the earlier ones.
    const ins = this.#hisInsert;
    ins.reset();
    for (const it of items) {
      const v = it.val;
      // Numbers the float column keeps (not NaN, not -0) in columns; any other value as Hayson.
      if (inFloatColumn(v)) ins.add(rid, it.ts, v.val, v.unit ?? null, null);
      else ins.add(rid, it.ts, null, null, encodeJson(v));
    }
    ins.flush();
    return items.length;
  }

  /** How many samples a point's history holds. */
  hisCount(id: string): number {
    return this.#q.hisCount.get(this.#requireRid(id)) as number;
  }

  /** A point's priority array. */
  readPriorityArray(id: string, now: number): PriorityArray {
    return this.readPriorityArrays([id], now)[0] as PriorityArray;
  }

  /** Several points' priority arrays, in order. */
  readPriorityArrays(ids: readonly string[], now: number): PriorityArray[] {
    this.#expireOverrides(now);
    const rids = ids.map((id) => this.#requireRid(id));
    return rids.map((rid) => toPriorityArray(this.#levels(rid)));
  }

  /** The timed overrides that have not ended by `now`. */
  overrideEnds(now: number): OverrideEnd[] {
    const rows = this.#q.timed.all() as { readonly id: string; readonly levels: string }[];
    return rows.flatMap((r) => levelEnds(r.id, decodeLevels(r.levels), now));
  }

  /** Write a level and mirror the effective value onto the point, as one committed change. */
  pointWrite(req: PointWriteRequest, now: number): PriorityArray {
    return this.pointWriteBatch([req], now)[0] as PriorityArray;
  }

  /** Write levels in order and mirror each point's effective value onto it, as one committed change. */
  pointWriteBatch(reqs: readonly PointWriteRequest[], now: number): readonly PriorityArray[] {
    // Checked before the transaction: a bad request writes nothing, not even the overrides due.
    for (const req of reqs) validatePointWrite(req);
    if (reqs.length === 0) return [];
    return this.#write(() => {
      this.#expireOverridesNow(now);
      const rows = new Map<string, { readonly rid: number; readonly data: string }>();
      for (const req of reqs) {
        if (rows.has(req.id)) continue;
        const row = this.#q.byId.get(req.id) as { readonly rid: number; readonly data: string } | undefined;
        if (row === undefined) throw new UnknownRecError(req.id);
        rows.set(req.id, row);
      }
      const plan = planPointWrites(reqs, (id) => this.#levels((rows.get(id) as { readonly rid: number }).rid), now);
      const changes: [string, Dict][] = [];
      for (const [id, levels] of plan.levels) {
        const row = rows.get(id) as { readonly rid: number; readonly data: string };
        const arr = this.#setLevels(row.rid, levels);
        const cur = decodeEntity(row.data);
        changes.push([id, updatedEntity(cur, writeTagChanges(arr), id, nextMod(modOf(cur), now))]);
      }
      this.#applyAll(changes, this.#bumpVersion(), plan.ends);
      return plan.results;
    });
  }

  /** Open a watch; in one immediate transaction with the counts, so processes opening at once count each other. */
  watchOpen(dis: string, leaseMs: number, now: number, owner: string | undefined, maxOwned?: number): WatchInfo {
    const lease = checkLease(leaseMs, this.#limits.maxLeaseMs);
    return this.#write(() => {
      this.#dropExpiredWatches(now);
      if ((this.#q.watchCount.get() as number) >= this.#limits.maxWatches) {
        throw new LimitError('maxWatches', `At most ${String(this.#limits.maxWatches)} watches may be open`);
      }
      if (owner !== undefined && maxOwned !== undefined && (this.#q.ownerWatchCount.get(owner) as number) >= maxOwned) {
        throw ownerLimitError(maxOwned);
      }
      const id = `w-${randomUUID()}`;
      this.#q.insertWatch.run(id, dis, owner ?? null, lease, now, this.#version());
      return owner === undefined ? { id, dis, leaseMs: lease, ids: [] } : { id, dis, leaseMs: lease, ids: [], owner };
    });
  }

  /** Add ids to a watch; changes are reported from now on. */
  watchAdd(watchId: string, ids: readonly string[], now: number): WatchInfo {
    return this.#write(() => {
      const w = this.#liveWatch(watchId, now);
      const fresh = [...new Set(ids)].filter((id) => this.#q.watchHas.get(watchId, id) === undefined);
      if ((this.#q.watchSize.get(watchId) as number) + fresh.length > this.#limits.maxIdsPerWatch) {
        throw new LimitError('maxIdsPerWatch', `A watch holds at most ${String(this.#limits.maxIdsPerWatch)} ids`);
      }
      let seq = this.#q.watchSeq.get(watchId) as number;
      const version = this.#version();
      for (const id of fresh) this.#q.watchInsert.run(watchId, id, ++seq, version);
      this.#q.renewWatch.run(now, watchId);
      return this.#info(w);
    });
  }

  /** Remove ids from a watch. */
  watchRemove(watchId: string, ids: readonly string[], now: number): WatchInfo {
    return this.#write(() => {
      const w = this.#liveWatch(watchId, now);
      for (const id of ids) this.#q.watchRemoveId.run(watchId, id);
      this.#q.renewWatch.run(now, watchId);
      return this.#info(w);
    });
  }

  /** Change a watch's lease. */
  watchLease(watchId: string, leaseMs: number, now: number): WatchInfo {
    const lease = checkLease(leaseMs, this.#limits.maxLeaseMs);
    return this.#write(() => {
      const w = this.#liveWatch(watchId, now);
      this.#q.leaseWatch.run(lease, now, watchId);
      return this.#info({ ...w, lease_ms: lease });
    });
  }

  /** Close a watch (no error if unknown). */
  watchClose(watchId: string): void {
    this.#write(() => {
      this.#q.deleteWatch.run(watchId);
      this.#q.deleteWatchIds.run(watchId);
    });
  }

  /** Entities changed since the last poll (all with `refresh`), and watched ids removed since then. */
  watchPoll(watchId: string, refresh: boolean, now: number): WatchPollResult {
    return this.#write(() => {
      this.#expireOverridesNow(now);
      const w = this.#liveWatch(watchId, now);
      const changed: Dict[] = [];
      const removed: string[] = [];
      const rows = this.#q.watchState.all(watchId) as [string, number, string | null, number | null, number | null][];
      for (const [id, addedVersion, data, version, removedAt] of rows) {
        const since = Math.max(w.polled_version, addedVersion);
        if (data !== null) {
          if (refresh || (version as number) > since) changed.push(decodeEntity(data));
        } else if ((removedAt ?? 0) > since) {
          removed.push(id);
        }
      }
      this.#q.pollWatch.run(this.#version(), now, watchId);
      return { watch: this.#info(w), changed, removed };
    });
  }

  /** One live watch, without renewing it. */
  watchInfo(watchId: string, now: number): WatchInfo | undefined {
    const w = this.#q.watch.get(watchId) as WatchRow | undefined;
    return w === undefined || now - w.renewed_at >= w.lease_ms ? undefined : this.#info(w);
  }

  /** Open watches; expired ones are dropped. */
  watches(now: number): WatchInfo[] {
    return this.#write(() => {
      this.#dropExpiredWatches(now);
      return (this.#q.allWatches.all() as WatchRow[]).map((w) => this.#info(w));
    });
  }

  // One immediate transaction (the write lock taken at BEGIN, so the version read inside is the one committed).
  #write<T>(work: () => T): T {
    if (this.#db.inTransaction) return work();
    return this.#db.transaction(work).immediate();
  }

  #compile(text: string): CompiledRead {
    const filter = parseFilter(text);
    let c = this.#compiled.get(filter);
    if (c === undefined) {
      const plan = planFilter(filter.ast);
      const refDrivers: (readonly [string, string])[] = [];
      for (const e of plan.equalities) {
        const name = e.path[0];
        if (e.path.length === 1 && name !== undefined && e.val instanceof Ref) refDrivers.push([name, e.val.id]);
      }
      c = { filter, sql: compileFilterSql(filter.ast, SQLITE_DIALECT), refDrivers, tagDrivers: plan.requiredTags };
      this.#compiled.set(filter, c);
    }
    return c;
  }

  // A necessary condition that narrows the scan (`e.rid IN (...) AND `), or '' to scan every entity in id order.
  #driver(c: CompiledRead, params: SqlParam[]): string {
    const ref = c.refDrivers[0];
    if (ref !== undefined) {
      params.push(ref[1], ref[0]);
      const n = params.length;
      return `e.rid IN (SELECT rid FROM tag WHERE ref = @p${String(n - 1)} AND name = @p${String(n)}) AND `;
    }
    if (c.tagDrivers.length === 0) return '';
    let best: string | undefined;
    let bestCount = Number.POSITIVE_INFINITY;
    for (const name of c.tagDrivers) {
      const n = (this.#q.tagCount.get(name) as number | undefined) ?? 0;
      if (n < bestCount) {
        best = name;
        bestCount = n;
      }
    }
    // count(*) walks a whole index (tens of ms at 1M entities): a loaded scan cache's size is near enough here.
    const total = this.#mirror.loaded ? this.#mirror.size : (this.#q.count.get() as number);
    if (best === undefined || bestCount > DRIVER_MAX_SHARE * total) return '';
    params.push(best);
    return `e.rid IN (SELECT rid FROM tag WHERE name = @p${String(params.length)} AND elem = 0) AND `;
  }

  #statement(sql: string): BetterSqlite3.Statement<[Record<string, SqlParam>]> {
    let s = this.#statements.get(sql);
    if (s === undefined) {
      if (this.#statements.size >= STATEMENT_CACHE) this.#statements.clear();
      s = this.#db.prepare<[Record<string, SqlParam>]>(sql).pluck();
      this.#statements.set(sql, s);
    }
    return s;
  }

  #dict(id: string): Dict | undefined {
    const data = this.#q.dataById.get(id) as string | undefined;
    return data === undefined ? undefined : decodeEntity(data);
  }

  #requireRid(id: string): number {
    const rid = this.#q.ridById.get(id) as number | undefined;
    if (rid === undefined) throw new UnknownRecError(id);
    return rid;
  }

  #version(): number {
    return this.#q.version.get() as number;
  }

  #bumpVersion(): number {
    return this.#q.bumpVersion.get() as number;
  }

  #newId(current: (id: string) => Dict | undefined): string {
    for (;;) {
      const id = `${this.#idPrefix}${randomBytes(8).toString('hex')}`;
      if (!isEntityId(id)) throw new ValueError(`Id prefix ${JSON.stringify(this.#idPrefix)} makes invalid ids`);
      if (current(id) === undefined && this.#q.isTombstone.get(id) === undefined) return id;
    }
  }

  // Store entities' new states (null removes one and everything attached to it), with tag rows and tag counts, and
  // log the ids for other processes (`ends`: when the timed overrides just written end, a row for each).
  #applyAll(
    changes: Iterable<readonly [string, Dict | null]>,
    version: number,
    ends: readonly OverrideEnd[] = [],
  ): void {
    const counts = new Map<string, number>();
    const endsOf = new Map<string, number[]>();
    for (const e of ends) endsOf.set(e.id, [...(endsOf.get(e.id) ?? []), e.at]);
    this.#tagInsert.reset();
    for (const [id, dict] of changes) {
      this.#apply(id, dict, version, counts);
      for (const at of endsOf.get(id) ?? [null]) this.#q.logChange.run(version, id, at);
    }
    this.#tagInsert.flush();
    for (const [name, by] of counts) if (by !== 0) this.#q.addCount.run(name, by);
    // The log keeps the last CHANGE_LOG_VERSIONS versions: a reader further behind is told to reset.
    if (version % CHANGE_LOG_PRUNE_EVERY === 0 && version > CHANGE_LOG_VERSIONS) {
      this.#q.pruneChanges.run(version - CHANGE_LOG_VERSIONS);
      this.#q.markPruned.run(version - CHANGE_LOG_VERSIONS);
    }
  }

  #apply(id: string, dict: Dict | null, version: number, counts: Map<string, number>): void {
    const q = this.#q;
    const rid = q.ridById.get(id) as number | undefined;
    const bump = (name: string, by: number): void => {
      counts.set(name, (counts.get(name) ?? 0) + by);
    };
    if (rid !== undefined) {
      for (const name of q.tagNames.all(rid) as string[]) bump(name, -1);
      q.deleteTags.run(rid);
    }
    if (dict === null) {
      if (rid === undefined) return;
      q.deleteEntity.run(rid);
      q.deleteHis.run(rid);
      q.deleteLevels.run(rid);
      q.tombstone.run(id, version);
      return;
    }
    const data = encodeJson(dict);
    let target: number;
    if (rid === undefined) {
      target = Number(q.insertEntity.run(id, data, version).lastInsertRowid);
      q.untombstone.run(id);
    } else {
      q.updateEntity.run(data, version, rid);
      target = rid;
    }
    for (const r of tagRows(dict)) {
      this.#tagInsert.add(target, r.name, r.elem, r.kind, r.num, r.aux, r.unit, r.str, r.ref);
      if (r.elem === 0) bump(r.name, 1);
    }
  }

  #levels(rid: number): readonly PriorityLevel[] {
    const text = this.#q.levels.get(rid) as string | undefined;
    return text === undefined ? emptyLevels() : decodeLevels(text);
  }

  #setLevels(rid: number, levels: readonly PriorityLevel[]): PriorityArray {
    this.#q.setLevels.run(rid, encodeLevels(levels), nextExpiry(levels) ?? null);
    return toPriorityArray(levels);
  }

  // Timed overrides end lazily: the first call at or after their end empties them, as one committed change.
  // Ends the timed overrides due by `now`; returns the file's version when that changed nothing (undefined when it
  // did), read in the same statement as the next expiry, so that a loaded scan cache at that version answers with no
  // other query.
  #expireOverrides(now: number): number | undefined {
    const [version, next] = this.#q.versionAndExpiry.get() as [number, number | null];
    if (next === null || next > now) return version;
    this.#write(() => {
      this.#expireOverridesNow(now);
    });
    return undefined;
  }

  #expireOverridesNow(now: number): void {
    const rows = this.#q.expired.all(now) as { readonly rid: number; readonly id: string; readonly levels: string }[];
    if (rows.length === 0) return;
    const changes: [string, Dict][] = [];
    for (const r of rows) {
      const levels = decodeLevels(r.levels);
      const next = expireLevels(levels, now) ?? levels;
      const arr = this.#setLevels(r.rid, next);
      const cur = this.#dict(r.id);
      if (cur !== undefined)
        changes.push([r.id, updatedEntity(cur, writeTagChanges(arr), r.id, nextMod(modOf(cur), now))]);
    }
    this.#applyAll(changes, this.#bumpVersion());
  }

  #liveWatch(watchId: string, now: number): WatchRow {
    const w = this.#q.watch.get(watchId) as WatchRow | undefined;
    if (w === undefined) throw unknownWatchError(watchId);
    if (now - w.renewed_at >= w.lease_ms) {
      this.#q.deleteWatch.run(watchId);
      this.#q.deleteWatchIds.run(watchId);
      throw unknownWatchError(watchId);
    }
    return w;
  }

  #dropExpiredWatches(now: number): void {
    for (const id of this.#q.expiredWatches.all(now) as string[]) {
      this.#q.deleteWatch.run(id);
      this.#q.deleteWatchIds.run(id);
    }
  }

  #info(w: WatchRow): WatchInfo {
    const base = { id: w.id, dis: w.dis, leaseMs: w.lease_ms, ids: this.#q.watchIds.all(w.id) as string[] };
    return w.owner === null ? base : { ...base, owner: w.owner };
  }

  // A removal only matters to watches that have not polled since it.
  #pruneTombstones(): void {
    if ((this.#q.tombstoneCount.get() as number) < TOMBSTONE_PRUNE_AT) return;
    const oldest = (this.#q.oldestPoll.get() as number | null) ?? this.#version();
    const upTo = Math.min(oldest, this.#version());
    this.#q.pruneTombstones.run(upTo);
    this.#q.notePruned.run(upTo);
  }
}

/** An entity from its stored Hayson text. */
export function decodeEntity(data: string): Dict {
  return decodeStoredEntity(data, 'SQLite');
}
