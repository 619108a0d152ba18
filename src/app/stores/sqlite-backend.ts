// The `sqlite:PATH` store backend: the embedded persistent store, one file (the default `haystack serve` store).

import { existsSync } from 'node:fs';
import path from 'node:path';
import { HaystackError, ValueError } from '../../core/errors.js';
import { type StoreBackend, sharedStoreOptions } from './store-backend.js';

/** `--store sqlite:PATH`: entities, history, watches, users and sessions in one SQLite file, created when absent. */
export const SQLITE_BACKEND: StoreBackend = Object.freeze<StoreBackend>({
  scheme: 'sqlite',
  usage: 'sqlite:PATH (one file, created when absent, kept across restarts)',
  async open(spec, context) {
    if (spec.location === '') throw new ValueError('--store sqlite needs a file: sqlite:PATH');
    const file = path.resolve(context.cwd, spec.location);
    if (context.mustExist === true && !existsSync(file)) {
      throw new HaystackError('HS_ERR_STARTUP', `no store file ${file} (import or user add creates one)`);
    }
    // Loaded only when chosen: better-sqlite3 is an optional dependency.
    const { openSqliteStore } = await import('../../storage/sqlite/index.js');
    const store = await openSqliteStore({
      path: file,
      ...sharedStoreOptions(context),
    });
    return {
      store,
      users: store.users,
      authState: store.authState,
      persistent: true,
      file,
      description: `sqlite ${file}`,
      close: () => store.close(),
      scanCache: () => store.scanCacheStats(),
      warm: () => {
        store.warmScanCache();
      },
    };
  },
});
