// The PostgreSQL store's schema: forward migrations under an advisory lock, and history as a TimescaleDB hypertable
// when the extension exists, else a table partitioned by month.

import { StorageError } from '../../core/errors.js';
import { civilFromDays, daysFromCivil, MS_PER_DAY } from '../../core/kinds/calendar.js';
import { TagKind } from '../sql/tag-rows.js';
import type { PgClient, PgPool } from './pg-driver.js';
import { rollbackAfter } from './pg-errors.js';

/** How history is stored, decided once when the schema is made. */
export type HistoryMode = 'timescale' | 'partitioned';

/** What a migration may depend on. */
interface MigrationEnv {
  /** True when history becomes a hypertable. */
  readonly timescale: boolean;
}

/** Forward migrations: entry `i` takes a schema from version `i` to `i + 1`. Never edit a released one. */
const MIGRATIONS: readonly ((env: MigrationEnv) => string)[] = [
  (env) => `
  CREATE TABLE meta (key text COLLATE "C" PRIMARY KEY, value bigint NOT NULL);
  INSERT INTO meta (key, value) VALUES ('version', 0), ('history_mode', ${env.timescale ? 1 : 0});
  CREATE TABLE entity (
    rid bigserial PRIMARY KEY,
    id text COLLATE "C" NOT NULL UNIQUE,
    data jsonb NOT NULL,
    raw text,
    version bigint NOT NULL
  );
  CREATE INDEX entity_tags ON entity USING gin (data);
  CREATE TABLE tag (
    rid bigint NOT NULL,
    name text COLLATE "C" NOT NULL,
    elem smallint NOT NULL,
    kind smallint NOT NULL,
    num double precision,
    aux bigint,
    unit text COLLATE "C",
    str bytea,
    ref text COLLATE "C"
  );
  CREATE INDEX tag_by_entity ON tag (rid, name);
  CREATE INDEX tag_by_ref ON tag (ref, name, rid) WHERE ref IS NOT NULL;
  CREATE INDEX tag_by_num ON tag (name, num) WHERE num IS NOT NULL;
  CREATE INDEX tag_by_str ON tag (name, str) WHERE str IS NOT NULL;
  CREATE INDEX tag_dicts ON tag (rid) WHERE kind = ${String(TagKind.DICT)};
  CREATE TABLE tombstone (id text COLLATE "C" PRIMARY KEY, version bigint NOT NULL);
  ${env.timescale ? TIMESCALE_HISTORY : PARTITIONED_HISTORY}
  CREATE TABLE priority (rid bigint PRIMARY KEY, levels text NOT NULL, next_expiry bigint);
  CREATE INDEX priority_expiry ON priority (next_expiry) WHERE next_expiry IS NOT NULL;
  CREATE TABLE watch (
    seq bigserial,
    id text COLLATE "C" PRIMARY KEY,
    dis text NOT NULL,
    owner text,
    lease_ms bigint NOT NULL,
    renewed_at bigint NOT NULL,
    polled_version bigint NOT NULL
  );
  CREATE TABLE watch_entity (
    watch text COLLATE "C" NOT NULL,
    id text COLLATE "C" NOT NULL,
    seq bigint NOT NULL,
    added_version bigint NOT NULL,
    PRIMARY KEY (watch, id)
  );
  CREATE TABLE users (
    username text COLLATE "C" PRIMARY KEY,
    role text NOT NULL,
    enabled boolean NOT NULL,
    created bigint NOT NULL,
    modified bigint NOT NULL,
    hash text NOT NULL,
    salt bytea NOT NULL,
    iterations integer NOT NULL,
    stored_key bytea NOT NULL,
    server_key bytea NOT NULL
  );
  CREATE TABLE session (
    id text COLLATE "C" PRIMARY KEY,
    username text COLLATE "C" NOT NULL,
    created bigint NOT NULL,
    last_used bigint NOT NULL,
    expires bigint NOT NULL
  );
  CREATE INDEX session_by_user ON session (username, created);
  CREATE INDEX session_by_expiry ON session (expires);
  `,
  // 2: shared state of several server processes: the change log NOTIFY points listeners at, login-throttle
  // records (keyed by the key's UTF-16 bytes: a pair key holds NUL, which text cannot), known-good addresses and
  // SCRAM exchanges.
  () => `
  CREATE TABLE entity_change (
    version bigint PRIMARY KEY,
    ids text[] NOT NULL,
    expiry_ids text[],
    expiry_at bigint[]
  );
  CREATE TABLE auth_throttle (
    scope text COLLATE "C" NOT NULL,
    key bytea NOT NULL,
    failures integer NOT NULL,
    last_failure bigint NOT NULL,
    keep_until bigint NOT NULL,
    PRIMARY KEY (scope, key)
  );
  CREATE INDEX auth_throttle_by_keep ON auth_throttle (keep_until);
  CREATE TABLE auth_known (
    username text COLLATE "C" NOT NULL,
    address text COLLATE "C" NOT NULL,
    at bigint NOT NULL,
    keep_until bigint NOT NULL,
    PRIMARY KEY (username, address)
  );
  CREATE INDEX auth_known_by_keep ON auth_known (keep_until);
  CREATE TABLE auth_handshake (
    seq bigserial,
    token text COLLATE "C" PRIMARY KEY,
    alias text COLLATE "C" UNIQUE,
    owner text COLLATE "C" NOT NULL,
    state text NOT NULL,
    expires bigint NOT NULL
  );
  CREATE INDEX auth_handshake_by_owner ON auth_handshake (owner, seq);
  CREATE INDEX auth_handshake_by_seq ON auth_handshake (seq);
  CREATE INDEX auth_handshake_by_expiry ON auth_handshake (expires);
  `,
  // 3: JSONB orders keys its own way (shorter first); an entity's tag order is kept beside it (a JSON array of its
  // names, null when JSONB's order is already the entity's), so entities read back as they were written.
  () => `
  ALTER TABLE entity ADD COLUMN tag_order text;
  `,
  // 4: tag presence from an index of tag names alone: the GIN over the whole JSONB also indexed every value, which
  // made it three times as costly to keep up on insert and answered nothing more (filters test presence only).
  () => `
  ALTER TABLE entity ADD COLUMN names text[];
  UPDATE entity SET names = ARRAY(SELECT jsonb_object_keys(data));
  ALTER TABLE entity ALTER COLUMN names SET NOT NULL;
  CREATE INDEX entity_names ON entity USING gin (names);
  DROP INDEX entity_tags;
  `,
  // 5: filters read an entity's id from its row (the unique index on entity.id), so the tag row of every entity's
  // `id`, an entry in two tag indexes that each insert paid for, is no longer written or kept.
  () => `
  DELETE FROM tag WHERE name = 'id' AND elem = 0;
  `,
];

const HIS_COLUMNS = `rid bigint NOT NULL, ts bigint NOT NULL, num double precision, unit text COLLATE "C", val text,
    PRIMARY KEY (rid, ts)`;

// Plain PostgreSQL: one partition per calendar month (UTC) of `ts`, made on demand before a write needs it
// (see ensurePartitions), so reads of a day touch one partition and old months can be dropped whole.
const PARTITIONED_HISTORY = `CREATE TABLE his (${HIS_COLUMNS}) PARTITION BY RANGE (ts);`;

// TimescaleDB: a hypertable on the integer `ts` (epoch ms) in 7-day chunks, compressed by point. Not run in this
// project's CI (no TimescaleDB there): the statements follow the TimescaleDB 2 documentation.
const TIMESCALE_HISTORY = `
  CREATE TABLE his (${HIS_COLUMNS});
  SELECT create_hypertable('his', 'ts', chunk_time_interval => 604800000::bigint);
  CREATE FUNCTION his_now() RETURNS bigint LANGUAGE sql STABLE AS $$ SELECT (extract(epoch FROM now()) * 1000)::bigint $$;
  SELECT set_integer_now_func('his', 'his_now');
  ALTER TABLE his SET (timescaledb.compress, timescaledb.compress_segmentby = 'rid', timescaledb.compress_orderby = 'ts');
`;

/** The schema version this code writes. */
export const PG_SCHEMA_VERSION = MIGRATIONS.length;

// Advisory lock key space of this package ('HsTs'); the second key is the schema name's hash.
const LOCK_CLASS = 0x48735473;
/** The advisory lock class that serialises SCRAM-exchange puts of a schema (the second key: its name's hash). */
export const AUTH_LOCK_CLASS = LOCK_CLASS + 1;
/** The advisory lock class that serialises watch opens of a schema, so its watch limits hold across processes. */
export const WATCH_LOCK_CLASS = LOCK_CLASS + 2;

/** Options of {@link migrateSchema}. */
export interface MigrateOptions {
  /** Schema name (already validated). */
  readonly schema: string;
  /** `auto`: a hypertable when TimescaleDB is available; `off`: never; `require`: fail without it. */
  readonly timescale: 'auto' | 'off' | 'require';
  /** TimescaleDB: compress chunks older than this many ms (default 7 days). */
  readonly compressAfterMs: number;
  /** Drop history older than this many ms (whole months when partitioned, whole chunks with TimescaleDB). */
  readonly retentionMs: number | undefined;
}

/**
 * Create the schema when absent and bring it to {@link PG_SCHEMA_VERSION}, in one transaction holding an advisory
 * lock on the schema name, so that several servers starting at once migrate it exactly once. Returns how history
 * is stored. A schema written by a newer version fails with a `StorageError`.
 */
export async function migrateSchema(pool: PgPool, options: MigrateOptions): Promise<HistoryMode> {
  const client = await pool.connect();
  try {
    // The common case, a schema already current, costs one statement and no lock.
    const ready = await currentMode(client);
    if (ready !== undefined) {
      if (ready === 'timescale') await timescalePolicies(client, options);
      return ready;
    }
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, options.schema]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(options.schema)}`);
    // The connection's search_path names the schema; set it again now that the schema surely exists.
    await client.query("SELECT set_config('search_path', $1, true)", [quoteIdent(options.schema)]);
    const exists = await client.query<{ readonly t: string | null }>(
      "SELECT to_regclass(quote_ident($1) || '.schema_version')::text AS t",
      [options.schema],
    );
    if (exists.rows[0]?.t == null) {
      await client.query('CREATE TABLE schema_version (version integer NOT NULL, applied bigint NOT NULL)');
    }
    const row = await client.query<{ readonly v: number | null }>('SELECT max(version) AS v FROM schema_version');
    const current = row.rows[0]?.v ?? 0;
    if (current > PG_SCHEMA_VERSION) {
      throw new StorageError(
        `Schema ${options.schema} has version ${String(current)}, newer than this haystack-ts (${String(PG_SCHEMA_VERSION)}): upgrade haystack-ts`,
      );
    }
    const env: MigrationEnv = { timescale: current === 0 ? await useTimescale(client, options.timescale) : false };
    for (let v = current; v < PG_SCHEMA_VERSION; v++) {
      await client.query((MIGRATIONS[v] as (e: MigrationEnv) => string)(env));
      await client.query('INSERT INTO schema_version (version, applied) VALUES ($1, $2)', [v + 1, Date.now()]);
    }
    const mode = await client.query<{ readonly value: number }>("SELECT value FROM meta WHERE key = 'history_mode'");
    const historyMode: HistoryMode = mode.rows[0]?.value === 1 ? 'timescale' : 'partitioned';
    if (historyMode === 'timescale') await timescalePolicies(client, options);
    await client.query('COMMIT');
    return historyMode;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

// The history mode of a schema at this code's version, or undefined when it is absent, older or newer.
async function currentMode(client: PgClient): Promise<HistoryMode | undefined> {
  try {
    const r = await client.query<{ readonly v: number | null; readonly mode: number | null }>(
      `SELECT (SELECT max(version) FROM schema_version) AS v, (SELECT value FROM meta WHERE key = 'history_mode') AS mode`,
    );
    const row = r.rows[0];
    if (row?.v !== PG_SCHEMA_VERSION) return undefined;
    return row.mode === 1 ? 'timescale' : 'partitioned';
  } catch {
    // No such table yet (a new schema): the locked path makes it.
    return undefined;
  }
}

// Whether a new schema's history becomes a hypertable: the extension must be available and creatable here.
async function useTimescale(client: PgClient, want: MigrateOptions['timescale']): Promise<boolean> {
  if (want === 'off') return false;
  const avail = await client.query<{ readonly ok: boolean }>(
    "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') AS ok",
  );
  if (avail.rows[0]?.ok !== true) {
    if (want === 'require') throw new StorageError('TimescaleDB is not available on this PostgreSQL server');
    return false;
  }
  // CREATE EXTENSION needs the right privileges; failing it inside a savepoint keeps the migration going.
  await client.query('SAVEPOINT ts_ext');
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS timescaledb');
    await client.query('RELEASE SAVEPOINT ts_ext');
    return true;
  } catch (err) {
    await client.query('ROLLBACK TO SAVEPOINT ts_ext');
    if (want === 'require') throw new StorageError('Cannot create the timescaledb extension', { cause: err });
    return false;
  }
}

// Compression and retention policies of the hypertable, set at every start so that options changes take effect.
async function timescalePolicies(client: PgClient, options: MigrateOptions): Promise<void> {
  await client.query("SELECT remove_compression_policy('his', if_exists => true)");
  await client.query("SELECT add_compression_policy('his', compress_after => $1::bigint)", [options.compressAfterMs]);
  await client.query("SELECT remove_retention_policy('his', if_exists => true)");
  if (options.retentionMs !== undefined) {
    await client.query("SELECT add_retention_policy('his', drop_after => $1::bigint)", [options.retentionMs]);
  }
}

/** The month partition (UTC) holding `ts`: its table name and bounds `[from, to)` in epoch ms. */
export function monthPartition(ts: number): { readonly name: string; readonly from: number; readonly to: number } {
  // Not Date.UTC: it reads years 0-99 as 1900-1999, which gave a sample in 0050 the bounds of 1950's partition.
  const [y, m] = civilFromDays(Math.floor(ts / MS_PER_DAY));
  const from = daysFromCivil(y, m, 1) * MS_PER_DAY;
  const to = (m === 12 ? daysFromCivil(y + 1, 1, 1) : daysFromCivil(y, m + 1, 1)) * MS_PER_DAY;
  const tag = y < 0 ? `n${String(-y)}` : String(y);
  return { name: `his_y${tag}m${String(m).padStart(2, '0')}`, from, to };
}

/**
 * Make the monthly partitions that samples at `times` need and are not in `known` (which it updates), each in its
 * own transaction under the schema's advisory lock (another process may be making the same one).
 */
export async function ensurePartitions(
  pool: PgPool,
  schema: string,
  times: Iterable<number>,
  known: Set<string>,
): Promise<void> {
  const needed = new Map<string, { readonly from: number; readonly to: number }>();
  let lastMonthEnd = Number.NEGATIVE_INFINITY;
  let lastMonthStart = Number.POSITIVE_INFINITY;
  for (const ts of times) {
    // Samples come mostly sorted: skip the date arithmetic while they stay in the month just seen.
    if (ts >= lastMonthStart && ts < lastMonthEnd) continue;
    const p = monthPartition(ts);
    lastMonthStart = p.from;
    lastMonthEnd = p.to;
    if (!known.has(p.name)) needed.set(p.name, p);
  }
  if (needed.size === 0) return;
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    for (const [name, p] of needed) {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, schema]);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF his FOR VALUES FROM (${String(p.from)}) TO (${String(p.to)})`,
      );
      await client.query('COMMIT');
      known.add(name);
    }
  } catch (err) {
    broken = await rollbackAfter(client, err);
    throw err;
  } finally {
    client.release(broken);
  }
}

/** The month partitions that exist, by name. */
export async function listPartitions(pool: PgPool): Promise<Set<string>> {
  const r = await pool.query<{ readonly name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'his'::regclass`,
  );
  return new Set(r.rows.map((x) => x.name));
}

/** Drop month partitions that end at or before `before` (retention when partitioned); returns how many. */
export async function dropPartitionsBefore(pool: PgPool, before: number, known: Set<string>): Promise<number> {
  const r = await pool.query<{ readonly name: string; readonly bound: string }>(
    `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound FROM pg_inherits i
     JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'his'::regclass`,
  );
  let dropped = 0;
  for (const { name, bound } of r.rows) {
    const to = /TO \('?(-?\d+)'?\)/.exec(bound)?.[1];
    if (to !== undefined && Number(to) <= before) {
      await pool.query(`DROP TABLE IF EXISTS ${quoteIdent(name)}`);
      known.delete(name);
      dropped++;
    }
  }
  return dropped;
}

/** A double-quoted SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
