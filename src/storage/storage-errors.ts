// Typed errors every backend throws for the contract's failure cases, so the server maps them the same way.

import { echoInput } from '../core/echo-input.js';
import { HaystackError, LimitError, StorageError } from '../core/errors.js';

/** A stale `mod` or an id that already exists: the commit is refused as a whole (`HS_ERR_CONFLICT`). */
export function conflictError(message: string): StorageError {
  return new StorageError(message, { code: 'HS_ERR_CONFLICT' });
}

/** A watch that does not exist or whose lease expired (`HS_ERR_UNKNOWN_NAME`). */
export function unknownWatchError(watchId: string): HaystackError {
  return new HaystackError('HS_ERR_UNKNOWN_NAME', `Unknown or expired watch ${echoInput(watchId)}`);
}

/** A watch refused because its owner holds `maxOwned` open watches already (`HS_ERR_LIMIT`, `maxWatchesPerUser`). */
export function ownerLimitError(maxOwned: number): LimitError {
  return new LimitError('maxWatchesPerUser', `A user may have at most ${String(maxOwned)} watches open`);
}

/** Any call on an adapter after `close()`. */
export function closedError(backend: string): StorageError {
  return new StorageError(`The ${backend} store is closed`);
}
