// Public door of `haystack-ts/storage/postgres`: the PostgreSQL backend (pg and pg-copy-streams, loaded on first open).

export {
  DEFAULT_MIRROR_CHUNK,
  DEFAULT_MIRROR_ENTITIES,
  type SharedMirrorStats,
} from '../indexed/shared-mirror.js';
export { POSTGRES_DIALECT } from './pg-dialect.js';
export type { PgConnectionOptions } from './pg-driver.js';
export { isUnavailable } from './pg-errors.js';
export { type HistoryMode, PG_SCHEMA_VERSION } from './pg-schema.js';
export { DEFAULT_POSTGRES_LIMITS, type PostgresReadStats, type PostgresStoreLimits } from './pg-state.js';
export { openPostgresStore, type PostgresStore, type PostgresStoreOptions } from './pg-store.js';
