// Public door of `haystack-ts/storage/sqlite`: the embedded persistent backend (better-sqlite3, loaded on first open).

export type { MirrorStats } from './entity-mirror.js';
export { SQLITE_DIALECT, sqliteParams } from './sqlite-dialect.js';
export { APPLICATION_ID, SCHEMA_VERSION } from './sqlite-schema.js';
export { DEFAULT_SQLITE_LIMITS, type SqliteReadStats, type SqliteStoreLimits } from './sqlite-state.js';
export {
  DEFAULT_SCAN_CACHE_CHUNK,
  DEFAULT_SCAN_CACHE_ENTITIES,
  openSqliteStore,
  type SqliteStore,
  type SqliteStoreOptions,
} from './sqlite-store.js';
