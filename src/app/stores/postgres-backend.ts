// The `postgres://` and `postgresql://` store backends: the production store, shared by every server process on it.

import { redactStoreText, type StoreBackend, type StoreSpec, sharedStoreOptions } from './store-backend.js';

const USAGE =
  'postgres://USER@HOST:PORT/DB[?schema=NAME&sslmode=require] (PostgreSQL; TimescaleDB for history when present)';

// The start-up line: the URL with any password hidden, the schema and how history is kept.
function describe(spec: StoreSpec, schema: string, mode: string): string {
  return `postgres ${redactStoreText(spec.text)} (schema ${schema}, history ${mode})`;
}

function postgresBackend(scheme: 'postgres' | 'postgresql', usage: string): StoreBackend {
  return Object.freeze<StoreBackend>({
    scheme,
    usage,
    async open(spec, context) {
      // Loaded only when chosen: pg and pg-copy-streams are optional dependencies.
      const { openPostgresStore } = await import('../../storage/postgres/index.js');
      const store = await openPostgresStore({
        url: spec.text,
        ...sharedStoreOptions(context),
      });
      return {
        store,
        users: store.users,
        authState: store.authState,
        persistent: true,
        description: describe(spec, store.schema, store.historyMode),
        close: () => store.close(),
        scanCache: () => store.scanCacheStats(),
        warm: () => {
          // A failed fill (server gone) is tried again by the next read; SQL answers meanwhile.
          store.warmScanCache().catch(() => undefined);
        },
      };
    },
  });
}

/** `--store postgres://...`: entities, history, watches, users and sessions in one PostgreSQL schema. */
export const POSTGRES_BACKEND: StoreBackend = postgresBackend('postgres', USAGE);

/** `--store postgresql://...`: the same backend under the other URL scheme libpq accepts. */
export const POSTGRESQL_BACKEND: StoreBackend = postgresBackend('postgresql', 'postgresql://... (the same)');
