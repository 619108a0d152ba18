// SQLite driver failures as typed storage errors: a file locked too long is `HS_ERR_UNAVAILABLE`, the rest storage.

import { StorageError, StoreUnavailableError } from '../../core/errors.js';

// Result codes (with their extended forms, e.g. SQLITE_BUSY_SNAPSHOT) of another connection holding the file: the
// same call succeeds once it lets go, so callers are told to retry (503 with Retry-After).
const BUSY = /^SQLITE_(BUSY|LOCKED)(_|$)/;
// Result codes of the file's surroundings (permissions, a read-only or full disk, I/O), not of what the file holds.
const ENVIRONMENT = /^SQLITE_(CANTOPEN|READONLY|IOERR|FULL|PERM|NOMEM|BUSY|LOCKED)(_|$)/;

// better-sqlite3's SqliteError carries the SQLite result code name; anything else is not the driver's.
function sqliteCode(err: unknown): string | undefined {
  const code = err instanceof Error ? (err as { readonly code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('SQLITE_') ? code : undefined;
}

/** True when `err` is a driver failure of the file's surroundings (permissions, disk, I/O) rather than its content. */
export function isSqliteEnvironmentFailure(err: unknown): boolean {
  return ENVIRONMENT.test(sqliteCode(err) ?? '');
}

/**
 * The typed error for a failed call on the store file `where`: a driver error (disk full, read-only file, I/O error,
 * corruption) becomes a `StorageError` naming the file, a lock another connection held past the busy timeout a
 * `StoreUnavailableError`; every other error is returned as it is. A write that fails either way was rolled back.
 */
export function sqliteFailure(err: unknown, where: string): Error {
  const code = sqliteCode(err);
  if (code === undefined) return err instanceof Error ? err : new Error(String(err));
  if (BUSY.test(code)) return new StoreUnavailableError('sqlite', { cause: err });
  return new StorageError(`SQLite store ${where}: ${(err as Error).message} (${code})`, { cause: err });
}
