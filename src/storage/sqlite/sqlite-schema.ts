// Opening a SQLite store file: the driver loaded on demand, PRAGMAs, recognising our files, forward migrations.

import type BetterSqlite3 from 'better-sqlite3';
import { StorageError } from '../../core/errors.js';
import { TagKind } from '../sql/tag-rows.js';
import { isSqliteEnvironmentFailure } from './sqlite-errors.js';

/** A better-sqlite3 connection. */
export type SqliteDb = BetterSqlite3.Database;

/** `PRAGMA application_id` of our files ('HsTs'): tells our store from any other SQLite file. */
export const APPLICATION_ID = 0x48735473;

/** Forward migrations: entry `i` takes a file from schema version `i` to `i + 1`. Never edit a released one. */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO meta (key, value) VALUES ('version', 0);
  CREATE TABLE entity (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    data TEXT NOT NULL,
    version INTEGER NOT NULL
  );
  CREATE TABLE tag (
    rid INTEGER NOT NULL,
    name TEXT NOT NULL,
    elem INTEGER NOT NULL,
    kind INTEGER NOT NULL,
    num REAL,
    aux INTEGER,
    unit TEXT,
    str BLOB,
    ref TEXT
  );
  CREATE INDEX tag_by_entity ON tag (rid, name);
  CREATE INDEX tag_by_name ON tag (name, rid) WHERE elem = 0;
  CREATE INDEX tag_by_ref ON tag (ref, name, rid) WHERE ref IS NOT NULL;
  CREATE INDEX tag_by_str ON tag (name, str) WHERE str IS NOT NULL;
  CREATE INDEX tag_dicts ON tag (rid) WHERE kind = ${String(TagKind.DICT)};
  CREATE TABLE tag_count (name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE tombstone (id TEXT PRIMARY KEY, version INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TABLE his (
    rid INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    num REAL,
    unit TEXT,
    val TEXT,
    PRIMARY KEY (rid, ts)
  ) WITHOUT ROWID;
  CREATE TABLE priority (rid INTEGER PRIMARY KEY, levels TEXT NOT NULL, next_expiry INTEGER);
  CREATE INDEX priority_expiry ON priority (next_expiry) WHERE next_expiry IS NOT NULL;
  CREATE TABLE watch (
    id TEXT PRIMARY KEY,
    dis TEXT NOT NULL,
    owner TEXT,
    lease_ms INTEGER NOT NULL,
    renewed_at INTEGER NOT NULL,
    polled_version INTEGER NOT NULL
  );
  CREATE TABLE watch_entity (
    watch TEXT NOT NULL,
    id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    added_version INTEGER NOT NULL,
    PRIMARY KEY (watch, id)
  ) WITHOUT ROWID;
  CREATE TABLE user (
    username TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    created INTEGER NOT NULL,
    modified INTEGER NOT NULL,
    hash TEXT NOT NULL,
    salt BLOB NOT NULL,
    iterations INTEGER NOT NULL,
    stored_key BLOB NOT NULL,
    server_key BLOB NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE session (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    created INTEGER NOT NULL,
    last_used INTEGER NOT NULL,
    expires INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX session_by_user ON session (username, created);
  CREATE INDEX session_by_expiry ON session (expires);
  `,
  // 2: no query used tag_by_str, and every tag write paid for it.
  `
  DROP INDEX IF EXISTS tag_by_str;
  `,
  // 3: the scan cache (entity-mirror.ts) catches up by version, and must know when tombstones it needs were pruned.
  `
  CREATE INDEX IF NOT EXISTS entity_by_version ON entity (version);
  INSERT OR IGNORE INTO meta (key, value) VALUES ('pruned', 0);
  `,
  // 4: shared state of several server processes: the change log they poll, login-throttle records, SCRAM exchanges.
  `
  CREATE TABLE entity_change (version INTEGER NOT NULL, id TEXT NOT NULL, expires INTEGER);
  CREATE INDEX entity_change_by_version ON entity_change (version);
  INSERT INTO meta (key, value) VALUES ('change_pruned', 0);
  CREATE TABLE auth_throttle (
    scope TEXT NOT NULL,
    key TEXT NOT NULL,
    failures INTEGER NOT NULL,
    last_failure INTEGER NOT NULL,
    keep_until INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
  ) WITHOUT ROWID;
  CREATE INDEX auth_throttle_by_keep ON auth_throttle (keep_until);
  CREATE TABLE auth_known (
    username TEXT NOT NULL,
    address TEXT NOT NULL,
    at INTEGER NOT NULL,
    keep_until INTEGER NOT NULL,
    PRIMARY KEY (username, address)
  ) WITHOUT ROWID;
  CREATE INDEX auth_known_by_keep ON auth_known (keep_until);
  CREATE TABLE auth_handshake (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    token TEXT NOT NULL UNIQUE,
    alias TEXT UNIQUE,
    owner TEXT NOT NULL,
    state TEXT NOT NULL,
    expires INTEGER NOT NULL
  );
  CREATE INDEX auth_handshake_by_owner ON auth_handshake (owner, seq);
  CREATE INDEX auth_handshake_by_expiry ON auth_handshake (expires);
  `,
  // 5: sessions ended (a logout, an eviction), counted per user, so that other processes polling the file check that
  // user's open sessions at once. A trigger: every way a session row goes is counted, whoever deletes it (refined at
  // open, see TRIGGERS).
  `
  CREATE TABLE session_end (username TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
  CREATE TRIGGER session_ended AFTER DELETE ON session BEGIN
    INSERT INTO session_end (username, n) VALUES (old.username, 1) ON CONFLICT (username) DO UPDATE SET n = n + 1;
  END;
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Triggers refined within schema version 5, by name, as this code wants them: made again at open when a file holds
 * another text, so that no version bump locks the file away from processes of an older release during a rolling
 * upgrade (they refuse a newer version). Triggers run inside SQLite, so the older processes' writes get the
 * refinement too. `session_end` (a per-user count that other processes compare between polls) keeps a row only
 * while its user exists or has sessions: the row of a user deleted goes with the user or their last session, which
 * the pollers see as a change all the same.
 */
const TRIGGERS: readonly (readonly [name: string, sql: string])[] = [
  [
    'session_ended',
    `CREATE TRIGGER session_ended AFTER DELETE ON session BEGIN
    INSERT INTO session_end (username, n) VALUES (old.username, 1) ON CONFLICT (username) DO UPDATE SET n = n + 1;
    DELETE FROM session_end WHERE username = old.username
      AND NOT EXISTS (SELECT 1 FROM user WHERE username = old.username)
      AND NOT EXISTS (SELECT 1 FROM session WHERE username = old.username);
  END`,
  ],
  [
    'user_deleted',
    `CREATE TRIGGER user_deleted AFTER DELETE ON user BEGIN
    DELETE FROM session_end WHERE username = old.username
      AND NOT EXISTS (SELECT 1 FROM session WHERE username = old.username);
  END`,
  ],
];

// Make the TRIGGERS a file lacks or holds in another form; once changed, drop the counts they would have pruned.
function refineTriggers(db: SqliteDb): void {
  const current = db.prepare("SELECT sql FROM sqlite_schema WHERE type = 'trigger' AND name = ?").pluck();
  let changed = false;
  for (const [name, sql] of TRIGGERS) {
    if (current.get(name) === sql) continue;
    db.exec(`DROP TRIGGER IF EXISTS ${name}`);
    db.exec(sql);
    changed = true;
  }
  if (!changed) return;
  db.exec(`DELETE FROM session_end
    WHERE username NOT IN (SELECT username FROM user) AND username NOT IN (SELECT username FROM session)`);
}

/** Options of {@link openSqliteDb}. */
export interface OpenDbOptions {
  /** File path, or `:memory:`. */
  readonly path: string;
  /** Open an existing file only (no create), e.g. for a read-only tool (default false). */
  readonly mustExist?: boolean;
  /**
   * `synchronous` PRAGMA: `full` (default) syncs the WAL on every commit, so an acknowledged write survives a power
   * loss; `normal` survives a process crash but may lose the last commits on power loss, and writes faster.
   */
  readonly synchronous?: 'full' | 'normal';
  /** `busy_timeout` PRAGMA in ms: how long a write waits for another connection's lock (default 5000). */
  readonly busyTimeoutMs?: number;
}

// better-sqlite3 is an optional dependency, loaded only when a SQLite store is opened.
let driver: Promise<typeof BetterSqlite3> | undefined;

async function loadDriver(): Promise<typeof BetterSqlite3> {
  driver ??= import('better-sqlite3').then(
    (m: { default: typeof BetterSqlite3 }) => m.default,
    (err: unknown) => {
      driver = undefined;
      throw new StorageError(
        'The SQLite store needs the optional dependency better-sqlite3 (npm install better-sqlite3@^12)',
        { cause: err },
      );
    },
  );
  return driver;
}

/**
 * Open (creating when absent) a store file: applies the PRAGMAs, recognises our files by `application_id` and the
 * schema version table, and migrates older ones forward. A file that is not SQLite, is corrupt, belongs to another
 * application or was written by a newer version fails here with a `StorageError` naming the file, never later.
 *
 * PRAGMAs (per connection): `journal_mode=WAL` (readers never block the one writer; several processes may share the
 * file), `synchronous=FULL` (see {@link OpenDbOptions.synchronous}), `busy_timeout=5000` (a second writer waits for
 * the first instead of failing; {@link OpenDbOptions.busyTimeoutMs}), `foreign_keys=OFF` (the store keeps its own references), `temp_store=MEMORY`,
 * `cache_size=-65536` (64 MiB page cache), `mmap_size=268435456` (reads through the OS page cache).
 */
export async function openSqliteDb(options: OpenDbOptions): Promise<SqliteDb> {
  const Database = await loadDriver();
  const where = options.path;
  let db: SqliteDb;
  try {
    db = new Database(where, { fileMustExist: options.mustExist ?? false });
  } catch (err) {
    throw new StorageError(`Cannot open the SQLite store ${where}: ${messageOf(err)}`, { cause: err });
  }
  try {
    // The first statement reads the header: a file that is not a database fails here.
    const appId = db.pragma('application_id', { simple: true }) as number;
    const tables = (
      db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").all() as { readonly name: string }[]
    ).map((r) => r.name);
    if (appId !== APPLICATION_ID && !(appId === 0 && tables.length === 0)) {
      throw new StorageError(`${where} is a SQLite file of another application, not a haystack-ts store`);
    }
    if (where !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.pragma(`busy_timeout = ${String(options.busyTimeoutMs ?? 5000)}`);
    db.pragma('foreign_keys = OFF');
    db.pragma('temp_store = MEMORY');
    db.pragma('cache_size = -65536');
    db.pragma('mmap_size = 268435456');
    migrate(db, where, tables.length === 0);
    return db;
  } catch (err) {
    db.close();
    if (err instanceof StorageError) throw err;
    // A read-only folder or a full disk says nothing of the file itself: the store may be fine elsewhere.
    if (isSqliteEnvironmentFailure(err)) {
      throw new StorageError(`Cannot open the SQLite store ${where}: ${messageOf(err)}`, { cause: err });
    }
    throw new StorageError(`${where} is not a usable haystack-ts store: ${messageOf(err)}`, { cause: err });
  }
}

// Bring the schema to SCHEMA_VERSION in one immediate transaction (another process may be migrating the same file).
function migrate(db: SqliteDb, where: string, fresh: boolean): void {
  db.transaction(() => {
    if (fresh) {
      db.exec('CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied INTEGER NOT NULL)');
      db.pragma(`application_id = ${String(APPLICATION_ID)}`);
    }
    const row = db.prepare('SELECT max(version) AS v FROM schema_version').get() as { readonly v: number | null };
    const current = row.v ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new StorageError(
        `${where} has schema version ${String(current)}, newer than this haystack-ts (${String(SCHEMA_VERSION)}): upgrade haystack-ts`,
      );
    }
    for (let v = current; v < SCHEMA_VERSION; v++) {
      db.exec(MIGRATIONS[v] as string);
      db.prepare('INSERT INTO schema_version (version, applied) VALUES (?, ?)').run(v + 1, Date.now());
    }
    refineTriggers(db);
  }).immediate();
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
