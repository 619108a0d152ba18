// Typed errors every backend throws for the contract's failure cases, so the server maps them the same way.

import { echoInput } from '../core/echo-input.js';
import { HaystackError, StorageError } from '../core/errors.js';

/** A stale `mod` or an id that already exists: the commit is refused as a whole (`HS_ERR_CONFLICT`). */
export function conflictError(message: string): StorageError {
  return new StorageError(message, { code: 'HS_ERR_CONFLICT' });
}

/** A watch that does not exist or whose lease expired (`HS_ERR_UNKNOWN_NAME`). */
export function unknownWatchError(watchId: string): HaystackError {
  return new HaystackError('HS_ERR_UNKNOWN_NAME', `Unknown or expired watch ${echoInput(watchId)}`);
}

/** Any call on an adapter after `close()`. */
export function closedError(backend: string): StorageError {
  return new StorageError(`The ${backend} store is closed`);
}
