// The PostgreSQL store's operations over a pool: entities as JSONB with tag rows, history, priority arrays, watches.
//
// Concurrency: every change to entities (commit, point write, override expiry) runs in a transaction that first
// locks the `version` row of `meta`, so changes from any number of processes are serialised and numbered in commit
// order; a watch poll reads the version and the watched entities in one statement (one snapshot), so it never
// skips a change. History writes do not take that lock: they only lock their point's row against its removal.

import { Buffer } from 'node:buffer';
import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { decodeJson, encodeJson } from '../../core/codec/json/index.js';
import { LimitError, StorageError, UnknownRecError, ValueError } from '../../core/errors.js';
import type { Filter } from '../../core/filter/filter.js';
import { parseFilter } from '../../core/filter/parse-filter.js';
import { Dict } from '../../core/grid/dict.js';
import { Num } from '../../core/kinds/number.js';
import type { Ref } from '../../core/kinds/ref.js';
import type {
  CommitDiff,
  HisBatchChunk,
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
import { isEntityId, nextMod, updatedEntity } from '../entity-tags.js';
import { checkHisItems, checkHisWrites, hisPageLimit, inFloatColumn, sortedUniqueSamples } from '../his-samples.js';
import type { IndexedEntities } from '../indexed/indexed-entities.js';
import { compileQuery } from '../indexed/query-plan.js';
import { type MirrorConfig, type MirrorSource, SharedMirror } from '../indexed/shared-mirror.js';
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
import { TagKind, type TagRow, tagRows } from '../sql/tag-rows.js';
import { ownerLimitError, unknownWatchError } from '../storage-errors.js';
import { COPY_NULL, copyBytea, copyIn, copyNum, copyText } from './pg-copy.js';
import { POSTGRES_DIALECT } from './pg-dialect.js';
import { type PgClient, type PgDriver, type PgPool, withoutDeadline } from './pg-driver.js';
import { rollbackAfter, sqlStateOf, storageFailure } from './pg-errors.js';
import {
  batchHisQuery,
  batchRids,
  batchTsQuery,
  type CursorQuery,
  checkRowCount,
  cursorRows,
  HIS_HEAD_ROWS,
  headQuery,
  joinByTs,
  pastHead,
  tooManyRows,
} from './pg-his-cursor.js';
import { ensurePartitions, type HistoryMode, listPartitions, WATCH_LOCK_CLASS } from './pg-schema.js';

/** Limits of a PostgreSQL store; every one is checked where input enters. */
export interface PostgresStoreLimits {
  /** Most samples in one `hisWrite` (default 1,000,000). */
  readonly maxHisItemsPerWrite: number;
  /** Most ids one watch holds (default 10,000). */
  readonly maxIdsPerWatch: number;
  /** Most watches open at once (default 1,000). */
  readonly maxWatches: number;
  /** Longest lease a watch gets; longer requests are shortened to it (default 1 hour). */
  readonly maxLeaseMs: number;
}

/** The defaults of {@link PostgresStoreLimits}. */
export const DEFAULT_POSTGRES_LIMITS: PostgresStoreLimits = Object.freeze({
  maxHisItemsPerWrite: 1_000_000,
  maxIdsPerWatch: 10_000,
  maxWatches: 1_000,
  maxLeaseMs: 3_600_000,
});

/** What reads did, for tests and diagnostics. */
export interface PostgresReadStats {
  /** Reads answered by SQL alone. */
  readonly exact: number;
  /** Reads whose SQL candidates were checked in process (a `->` path into a Dict or a DateTime). */
  readonly rechecked: number;
  /** Reads (and reads by id, and counts) the mirror answered. */
  readonly cached: number;
}

/** Everything the state needs from its store. */
export interface PgStateConfig {
  readonly pool: PgPool;
  readonly driver: PgDriver;
  readonly schema: string;
  readonly limits: PostgresStoreLimits;
  readonly idPrefix: string;
  readonly historyMode: HistoryMode;
  /** The NOTIFY channel of the schema's change log (see pg-changes.ts). */
  readonly changeChannel: string;
  /** How this process mirrors the schema's entities. */
  readonly mirror: MirrorConfig;
}

interface CompiledRead {
  readonly filter: Filter;
  readonly sql: SqlFilter;
}

interface WatchRow {
  readonly id: string;
  readonly dis: string;
  readonly owner: string | null;
  readonly lease_ms: number;
  readonly renewed_at: number;
  readonly polled_version: number;
}

// An entity row as selected: JSONB (parsed by pg) and, for the rare entity JSONB cannot hold exactly, its Hayson.
interface EntityRow {
  readonly data: unknown;
  readonly raw: string | null;
  /** The tag names in the entity's order (JSON), when JSONB's differs. */
  readonly tag_order: string | null;
}

// A write transaction: its client, the version it holds the lock at, and the ids it changed.
interface WriteTx {
  readonly c: PgClient;
  version: number;
  bumped: boolean;
  readonly changed: Set<string>;
  /** Timed overrides the transaction wrote: when each point's value changes again, unannounced. */
  readonly expiries: OverrideEnd[];
}

const TOMBSTONE_PRUNE_AT = 1024;
// SQLSTATEs a history write recovers from: unique_violation, and check_violation (no partition for the row).
const UNIQUE_VIOLATION = '23505';
const NO_PARTITION = '23514';
// The change log keeps the last CHANGE_LOG_VERSIONS versions (pruned every CHANGE_LOG_PRUNE_EVERY): a listener
// further behind is told to reset.
const CHANGE_LOG_VERSIONS = 10_000;
const CHANGE_LOG_PRUNE_EVERY = 1000;
const CHANGE_LOG_MAX_IDS = 10_000;
// Diffs past which a commit is a bulk write (a data file seeded in one commit): its statements may each take longer
// than the reply deadline, which is for a server that stopped answering.
const BULK_COMMIT_DIFFS = 1_000;
// A commit adding at least this many entities writes them by COPY (fewer: one INSERT, one round trip less).
const COPY_MIN_ENTITIES = 64;
// Tag rows written by COPY from this many on.
const COPY_MIN_TAG_ROWS = 512;
// The tag kinds some SQL of the PostgreSQL dialect reads (filter-sql.ts: comparisons by literal kind, Ref hops, the
// Dict and DateTime guards of paths); presence is answered by the JSONB index, so rows of other kinds (Marker, NA,
// Coord, XStr, a List itself, Grid) would never be read and are not written.
const SQL_TAG_KINDS: ReadonlySet<number> = new Set([
  TagKind.BOOL,
  TagKind.NUMBER,
  TagKind.STR,
  TagKind.URI,
  TagKind.REF,
  TagKind.SYMBOL,
  TagKind.DATE,
  TagKind.TIME,
  TagKind.DATETIME,
  TagKind.DICT,
]);
// The earliest end of a timed override (null: none), and whether any entity holds a Dict value (a `->` may enter
// it): scalar subqueries a read selects beside its rows, answered from partial indexes.
const NEXT_EXPIRY = '(SELECT min(next_expiry) FROM priority WHERE next_expiry IS NOT NULL)';
const HAS_DICTS = `EXISTS (SELECT 1 FROM tag WHERE kind = ${String(TagKind.DICT)})`;
// Characters escaped inside a quoted array element.
const ARRAY_ESCAPES = /["\\]/;
const ARRAY_ESCAPES_G = /["\\]/g;
// Read statements given a name (prepared once per connection); see #statementName.
const MAX_NAMED_READS = 256;
const WATCH_COLUMNS = 'id, dis, owner, lease_ms, renewed_at, polled_version';
// What JSONB cannot keep exactly: NUL and lone surrogates in strings, which it refuses (JSON.stringify escapes both, so
// the Hayson text shows them), and a -0 number, which it keeps as 0 (numeric has no negative zero).
const NOT_JSONB = /\\u0000|\\ud[89a-f]|[:,[]-0(?![\d.eE])/i;
const NON_ASCII = /[\u0080-\uffff]/;
// NUL and lone surrogates inside a string.
const NOT_TEXT = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Everything a PostgreSQL store does; the adapter wraps each call (clock, closed check). */
export class PgState {
  readonly #pool: PgPool;
  readonly #driver: PgDriver;
  readonly #schema: string;
  readonly #limits: PostgresStoreLimits;
  readonly #idPrefix: string;
  readonly #historyMode: HistoryMode;
  readonly #changeChannel: string;
  readonly #compiled = new WeakMap<Filter, CompiledRead>();
  readonly #readNames = new Map<string, string>();
  #partitions: Set<string> | undefined;
  /** This process's copy of the entities (the store reports, warms and stops it). */
  readonly mirror: SharedMirror;
  #exact = 0;
  #rechecked = 0;

  constructor(config: PgStateConfig) {
    this.#pool = config.pool;
    this.#driver = config.driver;
    this.#schema = config.schema;
    this.#limits = config.limits;
    this.#idPrefix = config.idPrefix;
    this.#historyMode = config.historyMode;
    this.#changeChannel = config.changeChannel;
    this.mirror = new SharedMirror(this.#mirrorSource(), config.mirror);
  }

  /** Read counters. */
  readStats(): PostgresReadStats {
    return { exact: this.#exact, rechecked: this.#rechecked, cached: this.mirror.stats().answered };
  }

  // The mirror's entities, current as of a head read after this call, a due timed override ended first.
  #mirrored(now: number): Promise<IndexedEntities | undefined> {
    return this.mirror.entitiesAt(now, (at) => this.#write((tx) => this.#expireOverridesIn(tx, at)));
  }

  // What the mirror asks: the version with the next override end; the entities changed since a version, read in one
  // statement (one snapshot) from the change log, complete when it holds every version since and none of them was
  // a bulk change logged without ids; the count; entities in id order.
  #mirrorSource(): MirrorSource {
    return {
      head: async () => {
        // The schema's epoch is when it was made: a schema dropped and made again (or restored) has another.
        const r = await this.#query<{
          readonly version: number;
          readonly next_expiry: number | null;
          readonly epoch: string | null;
        }>({
          name: 'hs_head',
          text: `SELECT (SELECT value FROM meta WHERE key = 'version') AS version, ${NEXT_EXPIRY} AS next_expiry,
            (SELECT min(applied) FROM schema_version)::text AS epoch`,
        });
        const row = r[0];
        return { version: row?.version ?? 0, nextExpiry: row?.next_expiry ?? null, epoch: row?.epoch ?? '' };
      },
      changesSince: async (version) => {
        const rows = await this.#query<
          Partial<EntityRow> & {
            readonly head: number;
            readonly logged: number;
            readonly bulk: boolean;
            readonly id: string | null;
          }
        >({
          name: 'hs_changes_since',
          text: `WITH log AS (SELECT version, ids FROM entity_change WHERE version > $1),
              h AS (SELECT (SELECT value FROM meta WHERE key = 'version') AS head, (SELECT count(*) FROM log) AS logged,
                coalesce((SELECT bool_or(cardinality(ids) = 0) FROM log), false) AS bulk),
              c AS (SELECT DISTINCT unnest(ids) AS id FROM log)
            SELECT h.head, h.logged, h.bulk, x.id, x.data, x.raw, x.tag_order
            FROM h LEFT JOIN (SELECT c.id, e.data, e.raw, e.tag_order FROM c LEFT JOIN entity e ON e.id = c.id) x ON true`,
          values: [version],
        });
        const h = rows[0];
        if (h === undefined || h.bulk || h.logged !== h.head - version) return undefined;
        const changed: [string, Dict | null][] = [];
        for (const row of rows) {
          if (row.id === null) continue;
          changed.push([row.id, row.data === null || row.data === undefined ? null : decodeEntity(row as EntityRow)]);
        }
        return { version: h.head, changed };
      },
      count: async () => {
        const r = await this.#query<{ readonly n: number }>('SELECT count(*)::int AS n FROM entity');
        return r[0]?.n ?? 0;
      },
      chunk: async (after, n) => {
        const r = await this.#query<EntityRow & { readonly id: string }>({
          name: 'hs_chunk',
          text: 'SELECT id, data, raw, tag_order FROM entity WHERE id > $1 ORDER BY id LIMIT $2',
          values: [after, n],
        });
        const last = r[r.length - 1];
        return {
          rows: r.map((row): [string, Dict] => [row.id, decodeEntity(row)]),
          next: last === undefined || r.length < n ? null : last.id,
        };
      },
    };
  }

  /** Number of entities. */
  async count(now: number): Promise<number> {
    const mirrored = await this.#mirrored(now);
    if (mirrored !== undefined) return mirrored.size;
    const r = await this.#fresh(now, () =>
      this.#query<{ readonly n: number; readonly next_expiry: number | null }>({
        name: 'hs_count',
        text: `SELECT count(*)::int AS n, ${NEXT_EXPIRY} AS next_expiry FROM entity`,
      }),
    );
    return r[0]?.n ?? 0;
  }

  /** Entities by id, in order. */
  async readByIds(ids: readonly string[], now: number): Promise<(Dict | undefined)[]> {
    if (ids.length === 0) {
      await this.#expireOverrides(now);
      return [];
    }
    const mirrored = await this.#mirrored(now);
    if (mirrored !== undefined) return ids.map((id) => mirrored.get(id));
    const rows = await this.#fresh(now, () =>
      this.#query<EntityRow & { readonly id: string; readonly next_expiry: number | null }>({
        name: 'hs_read_ids',
        text: `SELECT id, data, raw, tag_order, ${NEXT_EXPIRY} AS next_expiry FROM entity WHERE id = ANY($1)`,
        values: [ids],
      }),
    );
    const found = new Map(rows.map((row) => [row.id, decodeEntity(row)]));
    return ids.map((id) => found.get(id));
  }

  /**
   * Entities matching a filter, by id, up to `limit`: the mirror's indexes once it is loaded; else SQL decides, and
   * in-process evaluation checks only where needed. One statement in the common case: it also answers whether a timed override is due and, for a filter that may
   * follow a Ref into a Dict, whether the store holds Dicts (then no LIMIT, and the rows are checked in process).
   */
  async read(text: string, limit: number | undefined, now: number): Promise<Dict[]> {
    if (limit !== undefined && !(limit >= 0)) throw new ValueError(`Read limit must be >= 0, got ${String(limit)}`);
    const c = this.#compile(text);
    const max = limit === undefined ? Number.POSITIVE_INFINITY : Math.floor(limit);
    if (max === 0) {
      await this.#expireOverrides(now);
      return [];
    }
    const mirrored = await this.#mirrored(now);
    if (mirrored !== undefined) return mirrored.read(compileQuery(text), max);
    const params: unknown[] = c.sql.params.map(bindable);
    const nested = c.sql.recheck === 'nested';
    let sql = `SELECT e.data, e.raw, e.tag_order, ${NEXT_EXPIRY} AS next_expiry${nested ? `, ${HAS_DICTS} AS dicts` : ''}
      FROM entity e WHERE ${c.sql.where} ORDER BY e.id`;
    if (c.sql.recheck !== 'always' && Number.isFinite(max)) {
      params.push(max);
      const n = `$${String(params.length)}`;
      sql += nested ? ` LIMIT CASE WHEN ${HAS_DICTS} THEN NULL ELSE ${n}::bigint END` : ` LIMIT ${n}`;
    }
    const name = this.#statementName(sql);
    const rows = await this.#fresh(now, () =>
      this.#query<EntityRow & { readonly next_expiry: number | null; readonly dicts?: boolean }>({
        ...(name === undefined ? {} : { name }),
        text: sql,
        values: params,
      }),
    );
    const recheck = c.sql.recheck === 'always' || (nested && rows[0]?.dicts === true);
    if (!recheck) {
      this.#exact++;
      return rows.map(decodeEntity);
    }
    this.#rechecked++;
    return this.#recheck(c.filter, rows.map(decodeEntity), max);
  }

  // The name of a read statement: the first MAX_NAMED_READS distinct ones get one (each connection then parses and
  // plans it once), later ones go unnamed, so that any number of distinct filters keeps the server's memory bounded.
  #statementName(sql: string): string | undefined {
    let name = this.#readNames.get(sql);
    if (name === undefined && this.#readNames.size < MAX_NAMED_READS) {
      name = `hs_read_${String(this.#readNames.size)}`;
      this.#readNames.set(sql, name);
    }
    return name;
  }

  // Run a read that also selects the earliest pending override end (`next_expiry`, the same on every row): when one
  // is due, end it (a committed change) and read again. A read of no rows does not tell, so it asks apart.
  async #fresh<R extends { readonly next_expiry: number | null }>(now: number, read: () => Promise<R[]>): Promise<R[]> {
    const rows = await read();
    const next = rows.length > 0 ? (rows[0] as R).next_expiry : await this.#nextExpiry();
    if (next === null || next > now) return rows;
    await this.#write((tx) => this.#expireOverridesIn(tx, now));
    return read();
  }

  /** Apply diffs all or none; returns the entity after each non-remove diff. */
  commit(diffs: readonly CommitDiff[], now: number): Promise<Dict[]> {
    return this.#write(async (tx) => {
      await this.#expireOverridesIn(tx, now);
      const asked = new Set<string>();
      for (const d of diffs) {
        if (d.op !== 'add') asked.add(d.id);
        else {
          const id = d.tags.get('id');
          if (id !== null && typeof (id as Ref).id === 'string') asked.add((id as Ref).id);
        }
      }
      const stored = await this.#entities(tx.c, [...asked]);
      for (;;) {
        const made: string[] = [];
        const { staged, results } = stageCommit(
          diffs,
          (id) => stored.get(id),
          now,
          (current) => this.#newId(current, made),
        );
        // Made ids were checked against the entities the commit touches; check them against the rest now.
        if (made.length > 0) {
          const taken = await tx.c.query(
            'SELECT id FROM entity WHERE id = ANY($1) UNION ALL SELECT id FROM tombstone WHERE id = ANY($1) LIMIT 1',
            [made],
          );
          if (taken.rows.length > 0) continue;
        }
        if (staged.size > 0) {
          await this.#applyAll(tx, staged, this.#bump(tx), (id) => !stored.has(id));
          await this.#pruneTombstones(tx);
        }
        return [...results];
      }
    }, diffs.length > BULK_COMMIT_DIFFS);
  }

  /** A point's samples in `[start, end)`. */
  async hisReadPage(id: string, range: TimeRange, limit: number): Promise<HisItem[]> {
    return decodeHisRows(await this.#hisHead(id, range, hisPageLimit(limit)));
  }

  /** A point's samples in `[start, end)`. */
  async hisRead(id: string, range: TimeRange): Promise<HisItem[]> {
    return decodeHisRows(await this.#hisHead(id, range, null));
  }

  /**
   * A point's samples in `[start, end)` in chunks of at most `chunk` rows, from one snapshot, so that a read of any
   * size holds one chunk in memory at a time. With `maxRows`, a range holding more fails before the first chunk.
   * A range of one chunk and at most {@link HIS_HEAD_ROWS} samples is one plain query (most reads: a day); only a
   * longer one pays for a server-side cursor in a read-only transaction, with its row count (stopping at
   * `maxRows + 1`) and fetches.
   */
  async *hisReadChunks(id: string, range: TimeRange, chunk: number, maxRows?: number): AsyncGenerator<HisItem[]> {
    const size = Math.max(1, Math.floor(chunk));
    const max = maxRows === undefined ? Number.POSITIVE_INFINITY : Math.max(0, Math.floor(maxRows));
    const cap = Math.min(size, HIS_HEAD_ROWS, max);
    const head = headQuery({ text: POINT_HIS_SQL, values: [id, clampTs(range.start), clampTs(range.end)] }, cap, 4);
    // Prepared (on each connection, once): planning this statement costs about as much as running it on a day.
    const first = await this.#rows(this.#pool, head.text, head.values, 'hs_his_head');
    if (!pastHead(first)) {
      if (first.length > 0) yield decodeHisRows(first);
      else await this.#requireRid(this.#pool, id);
      return;
    }
    if (cap === max) throw tooManyRows(max);
    const open = async (c: PgClient): Promise<CursorQuery> => {
      const rid = await this.#requireRid(c, id);
      const values = [rid, clampTs(range.start), clampTs(range.end)];
      await checkRowCount(c, { text: 'SELECT 1 FROM his WHERE rid = $1 AND ts >= $2 AND ts < $3', values }, maxRows);
      return { text: 'SELECT ts, num, unit, val FROM his WHERE rid = $1 AND ts >= $2 AND ts < $3 ORDER BY ts', values };
    };
    for await (const rows of cursorRows(this.#pool, open, chunk)) yield decodeHisRows(rows);
  }

  // The first `limit` rows (null: all) of a point's range in one query, its rid looked up inside it; an empty answer
  // costs a second, to tell an unknown point from an empty range.
  async #hisHead(id: string, range: TimeRange, limit: number | null): Promise<unknown[][]> {
    const rows = await this.#rows(this.#pool, `${POINT_HIS_SQL} LIMIT $4`, [
      id,
      clampTs(range.start),
      clampTs(range.end),
      limit,
    ]);
    if (rows.length === 0) await this.#requireRid(this.#pool, id);
    return rows;
  }

  /**
   * Several points' samples in `[start, end)` joined on ts, in chunks of at most `chunk` samples: one query merging
   * the points' index scans by ts, from one snapshot. With `maxCells`, an answer of more (distinct timestamps x
   * points) fails before the first chunk. As for one point, samples of one chunk and at most {@link HIS_HEAD_ROWS}
   * are read by one plain query after the points' lookup; more go through a cursor.
   */
  async *hisReadBatchChunks(
    ids: readonly string[],
    range: TimeRange,
    chunk: number,
    maxCells?: number,
  ): AsyncGenerator<HisBatchChunk> {
    const size = Math.max(1, Math.floor(chunk));
    const maxRows = maxCells !== undefined && ids.length > 0 ? Math.floor(maxCells / ids.length) : undefined;
    let rids: number[];
    try {
      rids = await batchRids(this.#pool, ids);
    } catch (err) {
      throw storageFailure(err);
    }
    const q = batchHisQuery(rids, clampTs(range.start), clampTs(range.end));
    const head = headQuery(q, Math.min(size, HIS_HEAD_ROWS), 5);
    const first = await this.#rows(this.#pool, head.text, head.values);
    if (!pastHead(first)) {
      if (maxRows !== undefined && distinctTs(first) > maxRows) throw tooManyRows(maxRows);
      yield* joinByTs([first], ids.length, size);
      return;
    }
    const open = async (c: PgClient): Promise<CursorQuery> => {
      const q = batchHisQuery(await batchRids(c, ids), clampTs(range.start), clampTs(range.end));
      if (maxRows !== undefined) await checkRowCount(c, batchTsQuery(q), maxRows);
      return q;
    };
    yield* joinByTs(cursorRows(this.#pool, open, chunk), ids.length, size);
  }

  /** Merge samples into a point's history, committed before it returns. */
  async hisWrite(id: string, items: readonly HisItem[]): Promise<number> {
    checkHisItems(items, this.#limits.maxHisItemsPerWrite);
    const batch = sortedUniqueSamples(items);
    if (batch.length === 0) {
      await this.#requireRid(this.#pool, id);
      return 0;
    }
    await this.#hisRetried((merge) => this.#hisWriteBatchOnce([{ id, batch }], merge));
    return items.length;
  }

  /** Merge samples into several points' histories in one transaction, committed before it returns. */
  async hisWriteBatch(writes: readonly HisWrite[]): Promise<number> {
    checkHisWrites(writes, this.#limits.maxHisItemsPerWrite);
    const batches = writes.map((w) => ({ id: w.id, batch: sortedUniqueSamples(w.items) }));
    if (batches.length === 0) return 0;
    await this.#hisRetried((merge) => this.#hisWriteBatchOnce(batches, merge));
    let n = 0;
    for (const w of writes) n += w.items.length;
    return n;
  }

  // A history write, tried again once where another process got in the way (`merge`: merge every sample).
  async #hisRetried(write: (merge: boolean) => Promise<void>): Promise<void> {
    try {
      await write(false);
    } catch (err) {
      const state = sqlStateOf(err);
      // Another process wrote samples in this range after the overlap test (both saw none): merge them instead.
      if (state === UNIQUE_VIOLATION) await write(true);
      // A month partition dropped by another process (retention) since this one listed them: list and retry once.
      else if (state === NO_PARTITION && this.#historyMode === 'partitioned') {
        this.#partitions = undefined;
        await write(false);
      } else throw err;
    }
  }

  // The month partitions that samples at `ts` go into, made where missing.
  async #hisPartitions(ts: readonly number[]): Promise<void> {
    if (this.#historyMode !== 'partitioned') return;
    try {
      this.#partitions ??= await listPartitions(this.#pool);
      await ensurePartitions(this.#pool, this.#schema, ts, this.#partitions);
    } catch (err) {
      throw storageFailure(err);
    }
  }

  // Every point's row locked and tested for overlap in the transaction's first round trip; an unknown point throws
  // before any sample is written. `merge` skips the COPY fast path even when no stored sample overlaps.
  async #hisWriteBatchOnce(
    batches: readonly { readonly id: string; readonly batch: readonly HisItem[] }[],
    merge: boolean,
  ): Promise<void> {
    await this.#hisPartitions(batches.flatMap((b) => b.batch.map((x) => x.ts)));
    // Ids are Ref characters (no quote, no backslash), so they are written into the statement as literals: the
    // transaction's start, the locks and the overlap tests then go as one simple query, one round trip.
    const values: string[] = [];
    for (const b of batches) {
      if (!isEntityId(b.id)) throw new UnknownRecError(b.id);
      const first = b.batch[0]?.ts ?? 0;
      const last = b.batch[b.batch.length - 1]?.ts ?? 0;
      values.push(`('${b.id}', ${String(first)}::bigint, ${String(last)}::bigint)`);
    }
    // The points' rows stay locked until commit: a concurrent remove waits, so no orphan history is written. KEY
    // SHARE, not SHARE: updates of the rows (a pointWrite, a commit) go on meanwhile, where they would wait for the
    // whole write while holding the version lock, and every entity write of every process with them. Locked in rid
    // order, as every write locks them, so that two batches never wait on each other.
    const lock = `SELECT e.id, e.rid, EXISTS (SELECT 1 FROM his h WHERE h.rid = e.rid AND h.ts >= w.f AND h.ts <= w.l)
      AS overlap FROM (VALUES ${values.join(',')}) AS w(id, f, l) JOIN entity e ON e.id = w.id
      ORDER BY e.rid FOR KEY SHARE OF e`;
    await this.#tx(async (c, begun) => {
      const rows = new Map<string, { readonly rid: number; readonly overlap: boolean }>();
      for (const r of begun as { readonly id: string; readonly rid: number; readonly overlap: boolean }[]) {
        rows.set(r.id, r);
      }
      for (const b of batches) if (!rows.has(b.id)) throw new UnknownRecError(b.id);
      for (const b of batches) {
        const row = rows.get(b.id) as { readonly rid: number; readonly overlap: boolean };
        if (b.batch.length === 0) continue;
        if (merge || row.overlap) await this.#mergeHis(c, row.rid, b.batch);
        else await this.#copyHis(c, row.rid, b.batch);
      }
    }, lock);
  }

  // Samples that replace none: COPY straight into the table (the fast path of appends), streamed as encoded.
  #copyHis(c: PgClient, rid: number, batch: readonly HisItem[]): Promise<void> {
    return copyIn(c, this.#driver.copyFrom, 'COPY his (rid, ts, num, unit, val) FROM STDIN', hisLines(rid, batch));
  }

  // Samples some of which replace stored ones: one upsert from arrays.
  async #mergeHis(c: PgClient, rid: number, batch: readonly HisItem[]): Promise<void> {
    const ts: number[] = [];
    const num: (number | null)[] = [];
    const unit: (string | null)[] = [];
    const val: (string | null)[] = [];
    for (const it of batch) {
      const v = it.val;
      ts.push(it.ts);
      if (inFloatColumn(v)) {
        num.push(v.val);
        unit.push(v.unit ?? null);
        val.push(null);
      } else {
        num.push(null);
        unit.push(null);
        val.push(encodeJson(v));
      }
    }
    await c.query(
      `INSERT INTO his (rid, ts, num, unit, val)
       SELECT $1, * FROM unnest($2::bigint[], $3::float8[], $4::text[], $5::text[])
       ON CONFLICT (rid, ts) DO UPDATE SET num = excluded.num, unit = excluded.unit, val = excluded.val`,
      [rid, ts, num, unit, val],
    );
  }

  /** How many samples a point's history holds. */
  async hisCount(id: string): Promise<number> {
    const rid = await this.#requireRid(this.#pool, id);
    const r = await this.#query<{ readonly n: number }>('SELECT count(*)::int AS n FROM his WHERE rid = $1', [rid]);
    return r[0]?.n ?? 0;
  }

  /** A point's priority array. */
  async readPriorityArray(id: string, now: number): Promise<PriorityArray> {
    return (await this.readPriorityArrays([id], now))[0] as PriorityArray;
  }

  /** Several points' priority arrays, in order, in one query. */
  async readPriorityArrays(ids: readonly string[], now: number): Promise<PriorityArray[]> {
    await this.#expireOverrides(now);
    const r = await this.#query<{ readonly id: string; readonly levels: string | null }>(
      'SELECT e.id, p.levels FROM entity e LEFT JOIN priority p ON p.rid = e.rid WHERE e.id = ANY($1::text[])',
      [ids],
    );
    const levels = new Map(r.map((row) => [row.id, row.levels]));
    return ids.map((id) => {
      const text = levels.get(id);
      if (text === undefined) throw new UnknownRecError(id);
      return toPriorityArray(text === null ? emptyLevels() : decodeLevels(text));
    });
  }

  /** The timed overrides that have not ended by `now`. */
  async overrideEnds(now: number): Promise<OverrideEnd[]> {
    const r = await this.#query<{ readonly id: string; readonly levels: string }>(
      'SELECT e.id, p.levels FROM priority p JOIN entity e ON e.rid = p.rid WHERE p.next_expiry IS NOT NULL',
    );
    return r.flatMap((row) => levelEnds(row.id, decodeLevels(row.levels), now));
  }

  /** Write a level and mirror the effective value onto the point, as one committed change. */
  async pointWrite(req: PointWriteRequest, now: number): Promise<PriorityArray> {
    return (await this.pointWriteBatch([req], now))[0] as PriorityArray;
  }

  /**
   * Write levels in order and mirror each point's effective value onto it, as one committed change: the points'
   * rows in one query, their levels in one upsert, their entities in one write.
   */
  async pointWriteBatch(reqs: readonly PointWriteRequest[], now: number): Promise<readonly PriorityArray[]> {
    // Checked before the transaction: a bad request writes nothing, not even the overrides due.
    for (const req of reqs) validatePointWrite(req);
    if (reqs.length === 0) return [];
    return this.#write(async (tx) => {
      await this.#expireOverridesIn(tx, now);
      const ids = [...new Set(reqs.map((req) => req.id))];
      const r = await tx.c.query<
        EntityRow & { readonly id: string; readonly rid: number; readonly levels: string | null }
      >(
        `SELECT e.id, e.rid, e.data, e.raw, e.tag_order, p.levels FROM entity e LEFT JOIN priority p ON p.rid = e.rid
         WHERE e.id = ANY($1)`,
        [ids],
      );
      const rows = new Map(r.rows.map((row) => [row.id, row]));
      for (const id of ids) if (!rows.has(id)) throw new UnknownRecError(id);
      const plan = planPointWrites(
        reqs,
        (id) => {
          const text = rows.get(id)?.levels ?? null;
          return text === null ? emptyLevels() : decodeLevels(text);
        },
        now,
      );
      const changes: [string, Dict][] = [];
      const set: [number, readonly PriorityLevel[]][] = [];
      for (const [id, levels] of plan.levels) {
        const row = rows.get(id) as EntityRow & { readonly rid: number };
        set.push([row.rid, levels]);
        const cur = decodeEntity(row);
        changes.push([id, updatedEntity(cur, writeTagChanges(toPriorityArray(levels)), id, nextMod(modOf(cur), now))]);
      }
      await this.#setLevels(tx.c, set);
      await this.#applyAll(tx, changes, this.#bump(tx));
      tx.expiries.push(...plan.ends);
      return plan.results;
    }, reqs.length > BULK_COMMIT_DIFFS);
  }

  /**
   * Open a watch. Opens of the schema take turns (an advisory lock to the end of the transaction): under READ
   * COMMITTED two processes would each count the watches before either inserts, and both pass the limits.
   */
  watchOpen(dis: string, leaseMs: number, now: number, owner?: string, maxOwned?: number): Promise<WatchInfo> {
    const lease = checkLease(leaseMs, this.#limits.maxLeaseMs);
    return this.#tx(async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [WATCH_LOCK_CLASS, this.#schema]);
      await this.#dropExpiredWatches(c, now);
      const n = await c.query<{ readonly n: number; readonly owned: number }>(
        'SELECT count(*)::int AS n, (count(*) FILTER (WHERE owner = $1))::int AS owned FROM watch',
        [owner ?? null],
      );
      if ((n.rows[0]?.n ?? 0) >= this.#limits.maxWatches) {
        throw new LimitError('maxWatches', `At most ${String(this.#limits.maxWatches)} watches may be open`);
      }
      if (owner !== undefined && maxOwned !== undefined && (n.rows[0]?.owned ?? 0) >= maxOwned) {
        throw ownerLimitError(maxOwned);
      }
      const id = `w-${randomUUID()}`;
      await c.query(
        `INSERT INTO watch (id, dis, owner, lease_ms, renewed_at, polled_version)
         SELECT $1, $2, $3, $4, $5, value FROM meta WHERE key = 'version'`,
        [id, dis, owner ?? null, lease, now],
      );
      return owner === undefined ? { id, dis, leaseMs: lease, ids: [] } : { id, dis, leaseMs: lease, ids: [], owner };
    });
  }

  /** Add ids to a watch; changes are reported from now on. */
  watchAdd(watchId: string, ids: readonly string[], now: number): Promise<WatchInfo> {
    return this.#tx(async (c) => {
      const w = await this.#liveWatch(c, watchId, now);
      const size = await c.query<{ readonly n: number; readonly seq: number }>(
        'SELECT count(*)::int AS n, coalesce(max(seq), 0) AS seq FROM watch_entity WHERE watch = $1',
        [watchId],
      );
      const have = await c.query<{ readonly id: string }>(
        'SELECT id FROM watch_entity WHERE watch = $1 AND id = ANY($2)',
        [watchId, ids],
      );
      const known = new Set(have.rows.map((x) => x.id));
      const fresh = [...new Set(ids)].filter((id) => !known.has(id));
      if ((size.rows[0]?.n ?? 0) + fresh.length > this.#limits.maxIdsPerWatch) {
        throw new LimitError('maxIdsPerWatch', `A watch holds at most ${String(this.#limits.maxIdsPerWatch)} ids`);
      }
      if (fresh.length > 0) {
        await c.query(
          `INSERT INTO watch_entity (watch, id, seq, added_version)
           SELECT $1, f.id, $2 + f.n, (SELECT value FROM meta WHERE key = 'version')
           FROM unnest($3::text[]) WITH ORDINALITY AS f(id, n)`,
          [watchId, size.rows[0]?.seq ?? 0, fresh],
        );
      }
      await c.query('UPDATE watch SET renewed_at = $1 WHERE id = $2', [now, watchId]);
      return this.#info(c, w);
    });
  }

  /** Remove ids from a watch. */
  watchRemove(watchId: string, ids: readonly string[], now: number): Promise<WatchInfo> {
    return this.#tx(async (c) => {
      const w = await this.#liveWatch(c, watchId, now);
      await c.query('DELETE FROM watch_entity WHERE watch = $1 AND id = ANY($2)', [watchId, ids]);
      await c.query('UPDATE watch SET renewed_at = $1 WHERE id = $2', [now, watchId]);
      return this.#info(c, w);
    });
  }

  /** Change a watch's lease. */
  watchLease(watchId: string, leaseMs: number, now: number): Promise<WatchInfo> {
    const lease = checkLease(leaseMs, this.#limits.maxLeaseMs);
    return this.#tx(async (c) => {
      const w = await this.#liveWatch(c, watchId, now);
      await c.query('UPDATE watch SET lease_ms = $1, renewed_at = $2 WHERE id = $3', [lease, now, watchId]);
      return this.#info(c, { ...w, lease_ms: lease });
    });
  }

  /** Close a watch (no error if unknown). */
  async watchClose(watchId: string): Promise<void> {
    await this.#tx(async (c) => {
      await c.query('DELETE FROM watch WHERE id = $1', [watchId]);
      await c.query('DELETE FROM watch_entity WHERE watch = $1', [watchId]);
    });
  }

  /** Entities changed since the last poll (all with `refresh`), and watched ids removed since then. */
  async watchPoll(watchId: string, refresh: boolean, now: number): Promise<WatchPollResult> {
    await this.#expireOverrides(now);
    return this.#tx(async (c) => {
      const w = await this.#liveWatch(c, watchId, now);
      // One statement, one snapshot: the version read is exactly the one the entity versions belong to.
      const r = await c.query<{
        readonly v: number;
        readonly id: string | null;
        readonly data: unknown;
        readonly raw: string | null;
        readonly tag_order: string | null;
        readonly gone: boolean;
      }>(
        `WITH v AS (SELECT value FROM meta WHERE key = 'version')
         SELECT v.value AS v, x.id, x.data, x.raw, x.tag_order, x.gone FROM v LEFT JOIN (
           SELECT w.seq, w.id,
             CASE WHEN $2 OR e.version > greatest($3, w.added_version) THEN e.data END AS data,
             CASE WHEN $2 OR e.version > greatest($3, w.added_version) THEN e.raw END AS raw,
             CASE WHEN $2 OR e.version > greatest($3, w.added_version) THEN e.tag_order END AS tag_order,
             e.rid IS NULL AND coalesce(tb.version, 0) > greatest($3, w.added_version) AS gone
           FROM watch_entity w LEFT JOIN entity e ON e.id = w.id LEFT JOIN tombstone tb ON tb.id = w.id
           WHERE w.watch = $1
         ) x ON true ORDER BY x.seq`,
        [watchId, refresh, w.polled_version],
      );
      const changed: Dict[] = [];
      const removed: string[] = [];
      for (const row of r.rows) {
        if (row.id === null) continue;
        if (row.data !== null) changed.push(decodeEntity(row));
        else if (row.gone) removed.push(row.id);
      }
      const version = r.rows[0]?.v ?? w.polled_version;
      await c.query('UPDATE watch SET polled_version = $1, renewed_at = $2 WHERE id = $3', [version, now, watchId]);
      return { watch: await this.#info(c, w), changed, removed };
    });
  }

  /** One live watch, without renewing it. */
  async watchInfo(watchId: string, now: number): Promise<WatchInfo | undefined> {
    const r = await this.#query<WatchRow>(`SELECT ${WATCH_COLUMNS} FROM watch WHERE id = $1`, [watchId]);
    const w = r[0];
    if (w === undefined || now - w.renewed_at >= w.lease_ms) return undefined;
    return this.#info(this.#pool, w);
  }

  /** Open watches; expired ones are dropped. */
  watches(now: number): Promise<WatchInfo[]> {
    return this.#tx(async (c) => {
      await this.#dropExpiredWatches(c, now);
      const ws = await c.query<WatchRow>(`SELECT ${WATCH_COLUMNS} FROM watch ORDER BY seq`);
      const ids = await c.query<{ readonly watch: string; readonly ids: string[] }>(
        'SELECT watch, array_agg(id ORDER BY seq) AS ids FROM watch_entity GROUP BY watch',
      );
      const byWatch = new Map(ids.rows.map((x) => [x.watch, x.ids]));
      return ws.rows.map((w) => toInfo(w, byWatch.get(w.id) ?? []));
    });
  }

  // ---- transactions and queries

  // A statement on any pooled connection; one with a `name` is parsed once per connection and then only bound.
  async #query<R extends object>(q: string | pg.QueryConfig, params: readonly unknown[] = []): Promise<R[]> {
    try {
      return (await this.#pool.query<R>(typeof q === 'string' ? { text: q, values: params as unknown[] } : q)).rows;
    } catch (err) {
      throw storageFailure(err);
    }
  }

  async #rows(on: PgPool | PgClient, sql: string, params: readonly unknown[], name?: string): Promise<unknown[][]> {
    try {
      const q = { text: sql, values: params as unknown[], rowMode: 'array' as const };
      return (await on.query<unknown[]>(name === undefined ? q : { ...q, name })).rows;
    } catch (err) {
      throw storageFailure(err);
    }
  }

  // One transaction on one connection; committed before it resolves. A connection that failed is dropped. With
  // `first`, that statement goes with BEGIN in one simple query (no parameters) and `work` gets its rows. A `bulk`
  // one's statements have no reply deadline.
  async #tx<T>(work: (c: PgClient, begun: readonly object[]) => Promise<T>, first?: string, bulk = false): Promise<T> {
    let pooled: PgClient;
    try {
      pooled = await this.#pool.connect();
    } catch (err) {
      throw storageFailure(err);
    }
    const c = bulk ? withoutDeadline(pooled) : pooled;
    let broken: Error | undefined;
    try {
      let begun: readonly object[] = [];
      if (first === undefined) await c.query('BEGIN');
      else {
        const r = (await c.query(`BEGIN; ${first}`)) as unknown as { readonly rows: object[] }[];
        begun = r[1]?.rows ?? [];
      }
      const out = await work(c, begun);
      await c.query('COMMIT');
      return out;
    } catch (err) {
      broken = await rollbackAfter(c, err);
      throw storageFailure(err);
    } finally {
      pooled.release(broken);
    }
  }

  // A transaction that changes entities: it holds the version lock, and when it changed some, logs their ids under
  // the new version and NOTIFYs the schema's channel with that version. NOTIFY is delivered only once the
  // transaction commits, so listeners never hear of a change they cannot read yet; the payload stays a few bytes
  // (the 8000-byte limit never matters) and listeners read the ids from the log.
  #write<T>(work: (tx: WriteTx) => Promise<T>, bulk = false): Promise<T> {
    return this.#tx(
      async (c) => {
        const r = await c.query<{ readonly value: number }>("SELECT value FROM meta WHERE key = 'version' FOR UPDATE");
        const tx: WriteTx = {
          c,
          version: r.rows[0]?.value ?? 0,
          bumped: false,
          changed: new Set(),
          expiries: [],
        };
        const out = await work(tx);
        if (tx.bumped) {
          const hasExpiries = tx.expiries.length > 0;
          await c.query(
            `WITH m AS (UPDATE meta SET value = $1 WHERE key = 'version'),
             l AS (INSERT INTO entity_change (version, ids, expiry_ids, expiry_at) VALUES ($1, $2, $3, $4))
           SELECT pg_notify($5, $6)`,
            [
              tx.version,
              // A huge change (a bulk import) logs no ids: listeners take it as a reset rather than read them all.
              tx.changed.size > CHANGE_LOG_MAX_IDS ? [] : [...tx.changed],
              hasExpiries ? tx.expiries.map((e) => e.id) : null,
              hasExpiries ? tx.expiries.map((e) => e.at) : null,
              this.#changeChannel,
              String(tx.version),
            ],
          );
          if (tx.version % CHANGE_LOG_PRUNE_EVERY === 0 && tx.version > CHANGE_LOG_VERSIONS) {
            await c.query('DELETE FROM entity_change WHERE version <= $1', [tx.version - CHANGE_LOG_VERSIONS]);
          }
        }
        return out;
      },
      undefined,
      bulk,
    );
  }

  #bump(tx: WriteTx): number {
    if (!tx.bumped) {
      tx.version++;
      tx.bumped = true;
    }
    return tx.version;
  }

  #compile(text: string): CompiledRead {
    const filter = parseFilter(text);
    let c = this.#compiled.get(filter);
    if (c === undefined) {
      c = { filter, sql: compileFilterSql(filter.ast, POSTGRES_DIALECT) };
      this.#compiled.set(filter, c);
    }
    return c;
  }

  // The in-process check of SQL candidates: Refs the filter follows are fetched in rounds until none is missing.
  async #recheck(filter: Filter, candidates: readonly Dict[], max: number): Promise<Dict[]> {
    const known = new Map<string, Dict | undefined>();
    for (;;) {
      const missing = new Set<string>();
      const resolve = (ref: Ref): Dict | undefined => {
        if (!known.has(ref.id)) missing.add(ref.id);
        return known.get(ref.id);
      };
      const out: Dict[] = [];
      for (const d of candidates) {
        if (filter.matches(d, resolve)) {
          out.push(d);
          if (out.length >= max && missing.size === 0) break;
        }
      }
      if (missing.size === 0) return out.slice(0, max === Number.POSITIVE_INFINITY ? undefined : max);
      const found = await this.#entities(this.#pool, [...missing]);
      for (const id of missing) known.set(id, found.get(id));
    }
  }

  async #entities(on: PgPool | PgClient, ids: readonly string[]): Promise<Map<string, Dict>> {
    try {
      const r = await on.query<EntityRow & { readonly id: string }>(
        'SELECT id, data, raw, tag_order FROM entity WHERE id = ANY($1)',
        [ids],
      );
      return new Map(r.rows.map((row) => [row.id, decodeEntity(row)]));
    } catch (err) {
      throw storageFailure(err);
    }
  }

  async #requireRid(on: PgPool | PgClient, id: string): Promise<number> {
    let rid: number | undefined;
    try {
      const r = await on.query<{ readonly rid: number }>('SELECT rid FROM entity WHERE id = $1', [id]);
      rid = r.rows[0]?.rid;
    } catch (err) {
      throw storageFailure(err);
    }
    if (rid === undefined) throw new UnknownRecError(id);
    return rid;
  }

  #newId(current: (id: string) => Dict | undefined, made: string[]): string {
    for (;;) {
      const id = `${this.#idPrefix}${randomBytes(8).toString('hex')}`;
      if (!isEntityId(id)) throw new ValueError(`Id prefix ${JSON.stringify(this.#idPrefix)} makes invalid ids`);
      if (current(id) === undefined) {
        made.push(id);
        return id;
      }
    }
  }

  // Store entities' new states (null removes one with its history and priority array), with their tag rows. `isNew`
  // says which ids are not stored (the caller read them under the version lock): a large batch of those is written by
  // COPY with ids reserved from the rid sequence, and large sets of tag rows by COPY too (a bulk import).
  async #applyAll(
    tx: WriteTx,
    changes: Iterable<readonly [string, Dict | null]>,
    version: number,
    isNew: (id: string) => boolean = () => false,
  ): Promise<void> {
    const c = tx.c;
    const removed: string[] = [];
    // New entities are encoded as their COPY rows are sent (the server inserts meanwhile); others up front.
    let fresh: [string, Dict][] = [];
    const known: EntityText[] = [];
    for (const [id, dict] of changes) {
      tx.changed.add(id);
      if (dict === null) removed.push(id);
      else if (isNew(id)) fresh.push([id, dict]);
      else known.push(entityText(id, dict));
    }
    if (removed.length > 0) {
      const gone = await c.query<{ readonly rid: number; readonly id: string }>(
        'DELETE FROM entity WHERE id = ANY($1) RETURNING rid, id',
        [removed],
      );
      const rids = gone.rows.map((x) => x.rid);
      await c.query('DELETE FROM tag WHERE rid = ANY($1)', [rids]);
      await c.query('DELETE FROM his WHERE rid = ANY($1)', [rids]);
      await c.query('DELETE FROM priority WHERE rid = ANY($1)', [rids]);
      await c.query(
        `INSERT INTO tombstone (id, version) SELECT unnest($1::text[]), $2
         ON CONFLICT (id) DO UPDATE SET version = excluded.version`,
        [gone.rows.map((x) => x.id), version],
      );
    }
    if (fresh.length < COPY_MIN_ENTITIES) {
      for (const [id, dict] of fresh) known.push(entityText(id, dict));
      fresh = [];
    }
    if (fresh.length === 0 && known.length === 0) return;
    const rows: [number, string, Dict][] = [];
    if (fresh.length > 0) {
      // A block of rids in one step: every insert into entity holds the version lock, so none can interleave.
      const r = await c.query<{ readonly last: number }>(
        "SELECT setval('entity_rid_seq', nextval('entity_rid_seq') + $1 - 1) AS last",
        [fresh.length],
      );
      const first = (r.rows[0]?.last ?? 0) - fresh.length + 1;
      for (let i = 0; i < fresh.length; i++) {
        const [id, dict] = fresh[i] as [string, Dict];
        rows.push([first + i, id, dict]);
      }
      await copyIn(
        c,
        this.#driver.copyFrom,
        'COPY entity (rid, id, data, raw, tag_order, version, names) FROM STDIN',
        entityLines(rows, version),
      );
    }
    if (known.length > 0) {
      const up = await c.query<{ readonly rid: number; readonly id: string }>(
        `INSERT INTO entity (id, data, raw, tag_order, version, names)
         SELECT id, data::jsonb, raw, tag_order, $5, names::text[]
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $6::text[]) AS u(id, data, raw, tag_order, names)
         ON CONFLICT (id) DO UPDATE SET data = excluded.data, raw = excluded.raw, tag_order = excluded.tag_order,
           version = excluded.version, names = excluded.names
         RETURNING rid, id`,
        [
          known.map((e) => e.id),
          known.map((e) => e.data),
          known.map((e) => e.raw),
          known.map((e) => e.order),
          version,
          known.map((e) => namesLiteral(e.dict.names)),
        ],
      );
      const ridOf = new Map(up.rows.map((x) => [x.id, x.rid]));
      await c.query('DELETE FROM tag WHERE rid = ANY($1)', [up.rows.map((x) => x.rid)]);
      for (const e of known) rows.push([ridOf.get(e.id) as number, e.id, e.dict]);
    }
    await c.query('DELETE FROM tombstone WHERE id = ANY($1)', [rows.map(([, id]) => id)]);
    // Tags bound a commit's rows from above (markers have none, Lists a few more): a large one goes by COPY, its rows
    // made as they are sent.
    let most = 0;
    for (const [, , dict] of rows) most += dict.size;
    if (most >= COPY_MIN_TAG_ROWS) {
      await copyIn(
        c,
        this.#driver.copyFrom,
        'COPY tag (rid, name, elem, kind, num, aux, unit, str, ref) FROM STDIN',
        tagLines(rows),
      );
      return;
    }
    const tags: [number, TagRow][] = [];
    for (const [rid, , dict] of rows) {
      for (const t of sqlTagRows(dict)) tags.push([rid, t]);
    }
    if (tags.length > 0) {
      await c.query(
        `INSERT INTO tag (rid, name, elem, kind, num, aux, unit, str, ref)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::smallint[], $4::smallint[], $5::float8[], $6::bigint[],
           $7::text[], $8::bytea[], $9::text[])`,
        [
          tags.map(([rid]) => rid),
          tags.map(([, t]) => t.name),
          tags.map(([, t]) => t.elem),
          tags.map(([, t]) => t.kind),
          tags.map(([, t]) => t.num),
          tags.map(([, t]) => t.aux),
          tags.map(([, t]) => t.unit),
          tags.map(([, t]) => t.str),
          tags.map(([, t]) => t.ref),
        ],
      );
    }
  }

  // Store points' levels, one upsert for them all.
  async #setLevels(c: PgClient, points: readonly (readonly [number, readonly PriorityLevel[]])[]): Promise<void> {
    await c.query(
      `INSERT INTO priority (rid, levels, next_expiry) SELECT * FROM unnest($1::bigint[], $2::text[], $3::bigint[])
       ON CONFLICT (rid) DO UPDATE SET levels = excluded.levels, next_expiry = excluded.next_expiry`,
      [
        points.map(([rid]) => rid),
        points.map(([, l]) => encodeLevels(l)),
        points.map(([, l]) => nextExpiry(l) ?? null),
      ],
    );
  }

  // Timed overrides end lazily: the first call at or after their end empties them, as one committed change.
  async #expireOverrides(now: number): Promise<void> {
    const next = await this.#nextExpiry();
    if (next === null || next > now) return;
    await this.#write((tx) => this.#expireOverridesIn(tx, now));
  }

  async #nextExpiry(): Promise<number | null> {
    const r = await this.#query<{ readonly next: number | null }>({
      name: 'hs_next_expiry',
      text: `SELECT ${NEXT_EXPIRY} AS next`,
    });
    return r[0]?.next ?? null;
  }

  async #expireOverridesIn(tx: WriteTx, now: number): Promise<void> {
    const r = await tx.c.query<EntityRow & { readonly rid: number; readonly id: string; readonly levels: string }>(
      `SELECT p.rid, e.id, e.data, e.raw, e.tag_order, p.levels FROM priority p JOIN entity e ON e.rid = p.rid
       WHERE p.next_expiry <= $1`,
      [now],
    );
    if (r.rows.length === 0) return;
    const changes: [string, Dict][] = [];
    const set: [number, readonly PriorityLevel[]][] = [];
    for (const row of r.rows) {
      const before = decodeLevels(row.levels);
      const levels = expireLevels(before, now) ?? before;
      set.push([row.rid, levels]);
      const cur = decodeEntity(row);
      const tags = writeTagChanges(toPriorityArray(levels));
      changes.push([row.id, updatedEntity(cur, tags, row.id, nextMod(modOf(cur), now))]);
    }
    await this.#setLevels(tx.c, set);
    await this.#applyAll(tx, changes, this.#bump(tx));
  }

  async #liveWatch(c: PgClient, watchId: string, now: number): Promise<WatchRow> {
    // FOR UPDATE: changes to one watch are serialised (its ids' order and the limits stay exact).
    const r = await c.query<WatchRow>(`SELECT ${WATCH_COLUMNS} FROM watch WHERE id = $1 FOR UPDATE`, [watchId]);
    const w = r.rows[0];
    if (w === undefined) throw unknownWatchError(watchId);
    if (now - w.renewed_at >= w.lease_ms) {
      await c.query('DELETE FROM watch WHERE id = $1', [watchId]);
      await c.query('DELETE FROM watch_entity WHERE watch = $1', [watchId]);
      throw unknownWatchError(watchId);
    }
    return w;
  }

  async #dropExpiredWatches(c: PgClient, now: number): Promise<void> {
    const r = await c.query<{ readonly id: string }>(
      'DELETE FROM watch WHERE renewed_at + lease_ms <= $1 RETURNING id',
      [now],
    );
    if (r.rows.length > 0) {
      await c.query('DELETE FROM watch_entity WHERE watch = ANY($1)', [r.rows.map((x) => x.id)]);
    }
  }

  async #info(on: PgPool | PgClient, w: WatchRow): Promise<WatchInfo> {
    const r = await on.query<{ readonly id: string }>('SELECT id FROM watch_entity WHERE watch = $1 ORDER BY seq', [
      w.id,
    ]);
    return toInfo(
      w,
      r.rows.map((x) => x.id),
    );
  }

  // A removal only matters to watches that have not polled since it.
  async #pruneTombstones(tx: WriteTx): Promise<void> {
    const n = await tx.c.query<{ readonly n: number }>('SELECT count(*)::int AS n FROM tombstone');
    if ((n.rows[0]?.n ?? 0) < TOMBSTONE_PRUNE_AT) return;
    await tx.c.query('DELETE FROM tombstone WHERE version <= (SELECT coalesce(min(polled_version), $1) FROM watch)', [
      tx.version,
    ]);
  }
}

function toInfo(w: WatchRow, ids: readonly string[]): WatchInfo {
  const base = { id: w.id, dis: w.dis, leaseMs: w.lease_ms, ids: [...ids] };
  return w.owner === null ? base : { ...base, owner: w.owner };
}

/**
 * An entity from its selected row: the exact Hayson when JSONB could not hold it, else the JSONB value with its
 * keys put back in the entity's order.
 */
function decodeEntity(row: EntityRow): Dict {
  const d = decodeJson(row.raw ?? (row.tag_order === null ? row.data : inOrder(row.data, row.tag_order)));
  if (!(d instanceof Dict)) throw new StorageError('A stored entity is not a Dict: the store is damaged');
  return d;
}

// An entity as the entity table stores it: JSONB text, the exact Hayson when JSONB cannot hold it, the tag order.
interface EntityText {
  readonly id: string;
  readonly dict: Dict;
  readonly data: string;
  readonly raw: string | null;
  readonly order: string | null;
}

function entityText(id: string, dict: Dict): EntityText {
  const text = encodeJson(dict);
  if (NOT_JSONB.test(text)) return { id, dict, data: jsonbSafe(text), raw: text, order: null };
  return { id, dict, data: text, raw: null, order: jsonbOrdered(dict.names) ? null : JSON.stringify(dict.names) };
}

// COPY text rows of new entities (rid, id, data, raw, tag_order, version, names), each encoded as its turn comes.
function* entityLines(rows: readonly (readonly [number, string, Dict])[], version: number): Generator<string> {
  const v = `\t${String(version)}\t`;
  for (const [rid, id, dict] of rows) {
    const e = entityText(id, dict);
    yield `${String(rid)}\t${copyText(id)}\t${copyText(e.data)}\t${e.raw === null ? COPY_NULL : copyText(e.raw)}\t${
      e.order === null ? COPY_NULL : copyText(e.order)
    }${v}${copyText(namesLiteral(dict.names))}\n`;
  }
}

// A text[] literal of tag names, every element quoted (a name with a comma, brace or space stays one element).
function namesLiteral(names: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < names.length; i++) {
    const n = names[i] as string;
    out += `${i === 0 ? '' : ','}"${ARRAY_ESCAPES.test(n) ? n.replace(ARRAY_ESCAPES_G, '\\$&') : n}"`;
  }
  return `${out}}`;
}

// The tag rows of an entity that some SQL reads (see SQL_TAG_KINDS): the rows both write paths store. The `id` row is
// left out: the SQL reads the entity's id from its row (POSTGRES_DIALECT.idFromEntity), and the row cost an entry in
// two indexes per entity (a bulk add measured about 13 % less server CPU without it).
function* sqlTagRows(dict: Dict): Generator<TagRow> {
  for (const t of tagRows(dict)) if (SQL_TAG_KINDS.has(t.kind) && t.name !== 'id') yield t;
}

// COPY text rows of the tag table (rid, name, elem, kind, num, aux, unit, str, ref) of entities, an entity's at a time.
function* tagLines(rows: readonly (readonly [number, string, Dict])[]): Generator<string> {
  for (const [rid, , dict] of rows) {
    const head = `${String(rid)}\t`;
    let out = '';
    for (const t of sqlTagRows(dict)) {
      out += `${head}${copyText(t.name)}\t${String(t.elem)}\t${String(t.kind)}\t${copyNum(t.num)}\t${copyNum(
        t.aux,
      )}\t${t.unit === null ? COPY_NULL : copyText(t.unit)}\t${t.str === null ? COPY_NULL : copyBytea(t.str)}\t${
        t.ref === null ? COPY_NULL : copyText(t.ref)
      }\n`;
    }
    if (out !== '') yield out;
  }
}

// Whether JSONB keeps these keys in this order: it sorts them shorter first, then by their UTF-8 bytes (for ASCII
// names, which nearly all are, string order is byte order and length is byte length).
function jsonbOrdered(names: readonly string[]): boolean {
  for (let i = 1; i < names.length; i++) {
    const a = names[i - 1] as string;
    const b = names[i] as string;
    if (NON_ASCII.test(a) || NON_ASCII.test(b)) {
      const la = Buffer.byteLength(a);
      const lb = Buffer.byteLength(b);
      if (la > lb || (la === lb && Buffer.compare(Buffer.from(a), Buffer.from(b)) > 0)) return false;
    } else if (a.length > b.length || (a.length === b.length && a > b)) return false;
  }
  return true;
}

// Parsed tag orders by their JSON text: entities of one kind share a few orders, so most rows parse none.
const ORDERS = new Map<string, readonly string[]>();
const MAX_ORDERS = 4096;

function parsedOrder(order: string): readonly string[] {
  let names = ORDERS.get(order);
  if (names === undefined) {
    names = JSON.parse(order) as string[];
    if (ORDERS.size >= MAX_ORDERS) ORDERS.clear();
    ORDERS.set(order, names);
  }
  return names;
}

// A parsed JSONB object with its keys in `order` (a JSON array of names); a null prototype keeps `__proto__` a key.
function inOrder(data: unknown, order: string): unknown {
  const src = data as Record<string, unknown>;
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of parsedOrder(order)) if (Object.hasOwn(src, k)) out[k] = src[k];
  // Anything the order does not name (never, unless edited by hand) follows.
  for (const k of Object.keys(src)) if (!Object.hasOwn(out, k)) out[k] = src[k];
  return out;
}

// Hayson that JSONB accepts, for the GIN index only: NUL and lone surrogates become U+FFFD (the exact text is kept
// in `raw`); tag names, which the index answers for, never contain either.
function jsonbSafe(text: string): string {
  return JSON.stringify(
    JSON.parse(text, (_key, v: unknown) => (typeof v === 'string' ? v.replace(NOT_TEXT, '\uFFFD') : v)),
  );
}

// NaN binds as NULL, so that it satisfies no comparison (PostgreSQL orders NaN above every number).
function bindable(p: SqlParam): unknown {
  return typeof p === 'number' && Number.isNaN(p) ? null : p;
}

// Range bounds fit the int8 column (the contract allows any number; PostgreSQL would refuse a larger one).
function clampTs(ts: number): number {
  if (ts > Number.MAX_SAFE_INTEGER) return Number.MAX_SAFE_INTEGER;
  if (ts < Number.MIN_SAFE_INTEGER) return Number.MIN_SAFE_INTEGER;
  return Math.trunc(ts);
}

// COPY text rows of a point's samples: Numbers in num/unit (the unit's text reused while it repeats), others as Hayson.
function* hisLines(rid: number, batch: readonly HisItem[]): Generator<string> {
  const prefix = `${String(rid)}\t`;
  let unit: string | undefined;
  let unitText = COPY_NULL;
  let out = '';
  for (let i = 0; i < batch.length; i++) {
    const it = batch[i] as HisItem;
    const v = it.val;
    if (inFloatColumn(v)) {
      if (v.unit !== unit) {
        unit = v.unit;
        unitText = unit === undefined ? COPY_NULL : copyText(unit);
      }
      out += `${prefix}${String(it.ts)}\t${String(v.val)}\t${unitText}\t\\N\n`;
    } else {
      out += `${prefix}${String(it.ts)}\t\\N\t\\N\t${copyText(encodeJson(v))}\n`;
    }
    // Rows go out a thousand at a time: one yield per row would cost more than building the row.
    if (i % 1000 === 999) {
      yield out;
      out = '';
    }
  }
  if (out !== '') yield out;
}

// A point's samples in a range (its id, start, end), in order, its rid looked up inside the one statement.
const POINT_HIS_SQL =
  'SELECT ts, num, unit, val FROM his WHERE rid = (SELECT rid FROM entity WHERE id = $1) AND ts >= $2 AND ts < $3 ' +
  'ORDER BY ts';

// How many distinct timestamps rows ordered by ts (first column) hold: the rows of their join on ts.
function distinctTs(rows: readonly unknown[][]): number {
  let n = 0;
  let last: unknown;
  for (const row of rows) {
    if (n === 0 || row[0] !== last) n++;
    last = row[0];
  }
  return n;
}

// History rows (ts, num, unit, val) as samples; Numbers of one unit share one validated unit.
function decodeHisRows(rows: readonly unknown[][]): HisItem[] {
  const out = new Array<HisItem>(rows.length);
  let unit: string | null | undefined;
  let proto: Num | undefined;
  for (let i = 0; i < rows.length; i++) {
    const [ts, num, u, val] = rows[i] as [number, number | null, string | null, string | null];
    if (val !== null) out[i] = { ts, val: decodeJson(val) };
    else {
      if (u !== unit || proto === undefined) {
        unit = u;
        proto = new Num(0, u ?? undefined);
      }
      out[i] = { ts, val: new Num(num as number, proto.unit) };
    }
  }
  return out;
}
