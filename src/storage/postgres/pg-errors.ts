// PostgreSQL failures as typed storage errors: an unreachable server is `HS_ERR_UNAVAILABLE` (503), the rest storage.

import { HaystackError, StorageError, StoreUnavailableError } from '../../core/errors.js';
import type { PgClient } from './pg-driver.js';

// SQLSTATE classes and codes that mean the server or the connection is gone, not that the statement was wrong:
// 08 connection exception, 57P01-57P03 admin/crash shutdown and "cannot connect now", 53300 too many connections.
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300']);
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
// pg's message for a statement whose reply did not come within `query_timeout`.
const REPLY_TIMEOUT = 'Query read timeout';

/**
 * True when `err` (or the error a typed storage error wraps) is a statement whose reply did not come in time: its
 * connection still waits for that reply, so it can take no other statement (not even ROLLBACK) and must be dropped.
 */
export function isReplyTimeout(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return err.message === REPLY_TIMEOUT || (err.cause instanceof Error && err.cause.message === REPLY_TIMEOUT);
}

// pg's own messages for a dead connection or an exhausted connect timeout (it gives them no code).
const UNAVAILABLE_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection ended',
  'the database system is',
  REPLY_TIMEOUT,
];

/** True when `err` says the server cannot be reached now (the call may succeed once it is back). */
export function isUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && (code.startsWith('08') || UNAVAILABLE_STATES.has(code))) return true;
  if (typeof code === 'string' && UNAVAILABLE_NODE_CODES.has(code)) return true;
  return UNAVAILABLE_MESSAGES.some((m) => err.message.includes(m));
}

/**
 * The typed error for a failed call: HaystackErrors (unknown record, conflict, ...) as they are, an unreachable
 * server as `HS_ERR_UNAVAILABLE`, anything else as `HS_ERR_STORAGE`. A write that fails either way was not
 * acknowledged; one whose COMMIT answer was lost may still have committed, which is why the caller is told to
 * read before retrying a non-idempotent change.
 */
export function storageFailure(err: unknown): Error {
  if (err instanceof HaystackError) return err;
  if (isUnavailable(err)) {
    return new StoreUnavailableError('postgres', { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new StorageError(`PostgreSQL: ${message}`, { cause: err });
}

/** The SQLSTATE of a failed statement, seen through the typed error {@link storageFailure} wrapped it in. */
export function sqlStateOf(err: unknown): string | undefined {
  const code = (err as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * End `c`'s open transaction after `err` failed it: ROLLBACK, unless `c` still waits for a reply (closing it ends
 * the transaction). Resolves to the error to release `c` with, so that the pool drops it, or undefined when `c` may
 * be reused.
 */
export async function rollbackAfter(c: PgClient, err: unknown): Promise<Error | undefined> {
  if (isReplyTimeout(err)) return err as Error;
  try {
    await c.query('ROLLBACK');
    return undefined;
  } catch (rollbackErr) {
    return rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
  }
}
