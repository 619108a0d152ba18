// The store backends `haystack serve --store` knows; a new backend (sqlite, postgres, redis) adds itself here.

import { MEMORY_BACKEND } from './memory-backend.js';
import { POSTGRES_BACKEND, POSTGRESQL_BACKEND } from './postgres-backend.js';
import { REDIS_BACKEND, REDISS_BACKEND } from './redis-backend.js';
import { SQLITE_BACKEND } from './sqlite-backend.js';
import type { StoreBackend } from './store-backend.js';

/** Every backend the app can open, by scheme; the first is the default. */
export const STORE_BACKENDS: readonly StoreBackend[] = Object.freeze([
  SQLITE_BACKEND,
  MEMORY_BACKEND,
  REDIS_BACKEND,
  REDISS_BACKEND,
  POSTGRES_BACKEND,
  POSTGRESQL_BACKEND,
]);

/** The store used when none is chosen: a file in the working folder, so that a restart keeps what was written. */
export const DEFAULT_STORE = 'sqlite:haystack.db';
