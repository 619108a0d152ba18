// Server input limits: documented defaults, merging with user values, and the decode limits they imply.

import { type DecodeLimits, resolveLimits } from '../core/codec/limits.js';
import { OptionError } from '../core/errors.js';

/** Limits the server enforces wherever input enters; every field is optional in options. */
export interface ServerLimits {
  /** Largest request body in bytes; larger bodies get 413 without being read to the end. Default 32 MiB. */
  readonly maxBodyBytes: number;
  /** Most rows in a request grid (his writes count one row per timestamp). Default 1,000,000. */
  readonly maxRequestRows: number;
  /** Most columns in a request grid. Default 10,000. */
  readonly maxRequestCols: number;
  /** Deepest nesting of lists, dicts and grids in a request. Default 32. */
  readonly maxDepth: number;
  /** Longest filter text in characters (read, defs, ...). Default 4,096. */
  readonly maxFilterLength: number;
  /**
   * Most samples in one hisWrite (all points of a batch together). Default 100,000: a write that size is checked
   * and stored in well under a second; larger imports take several writes.
   */
  readonly maxHisWriteItems: number;
  /** Most ids in one watch (after a watchSub adds its ids). Default 10,000. */
  readonly maxWatchIds: number;
  /** Most ids in one read-by-id request. Default 100,000. */
  readonly maxReadIds: number;
  /** Most values (rows x points) in one hisRead answer, single or batch. Default 2,000,000. */
  readonly maxHisReadCells: number;
  /** Most samples one point may hold; a hisWrite that would pass it is refused. Default 1,000,000. */
  readonly maxHisItemsPerPoint: number;
  /** Longest pointWrite duration (timed override), in ms. Default 366 days. */
  readonly maxWriteDurationMs: number;
  /** Most watches one user may have open at once. Default 20. */
  readonly maxWatchesPerUser: number;
  /**
   * Bodies this large (or of unknown length) are "large": see `largeBodyBudgetBytes` and `maxConcurrentLargeBodies`.
   * Default 1 MiB.
   */
  readonly largeBodyBytes: number;
  /**
   * Most large bodies decoded at once, each once it has fully arrived; more wait their turn. Reading does not hold a
   * slot, so a slow or stalled upload never keeps other bodies from being decoded. Default 2.
   */
  readonly maxConcurrentLargeBodies: number;
  /**
   * Most bytes of large bodies held at once, counted as they arrive (a stalled upload holds only what it sent) until
   * their decode ends; a large body that does not fit beside the others is refused (503, `HS_ERR_UNAVAILABLE`, with
   * `Retry-After`). At least `maxBodyBytes`. Default `maxConcurrentLargeBodies` x `maxBodyBytes` (64 MiB).
   */
  readonly largeBodyBudgetBytes: number;
  /**
   * Longest wait in ms for the next bytes of a request body that has begun; a body that stops arriving for this long
   * is answered 408 (`HS_ERR_BAD_REQUEST`) and its connection closed. Default 30 s.
   */
  readonly bodyIdleTimeoutMs: number;
  /** Largest body accepted by an op that takes no arguments (`about`, `close`, `formats`). Default 4 KiB. */
  readonly maxNoArgBodyBytes: number;
  /**
   * Longest row of a request grid in characters (a Trio record, a JSON grid's meta or cols, a Zinc header count
   * as rows; in a WebSocket message, so does each envelope member other than its grid), and so longest string or
   * other token. A row is decoded in one step, so this bounds how long one request holds the event loop; a longer
   * one is refused before it is decoded whole (400, `HS_ERR_LIMIT`). Default 1 MiB.
   */
  readonly maxRequestRowLength: number;
}

/** The default limits (see each field of {@link ServerLimits}). */
export const DEFAULT_SERVER_LIMITS: ServerLimits = Object.freeze({
  maxBodyBytes: 32 * 1024 * 1024,
  maxRequestRows: 1_000_000,
  maxRequestCols: 10_000,
  maxDepth: 32,
  maxFilterLength: 4_096,
  maxHisWriteItems: 100_000,
  maxWatchIds: 10_000,
  maxReadIds: 100_000,
  maxHisReadCells: 2_000_000,
  maxHisItemsPerPoint: 1_000_000,
  maxWriteDurationMs: 366 * 86_400_000,
  maxWatchesPerUser: 20,
  largeBodyBytes: 1024 * 1024,
  maxConcurrentLargeBodies: 2,
  largeBodyBudgetBytes: 2 * 32 * 1024 * 1024,
  bodyIdleTimeoutMs: 30_000,
  maxNoArgBodyBytes: 4096,
  maxRequestRowLength: 1024 * 1024,
});

/** Merge partial limits over the defaults; every given value must be a positive integer. */
export function resolveServerLimits(partial: Partial<ServerLimits> | undefined): ServerLimits {
  if (partial === undefined) return DEFAULT_SERVER_LIMITS;
  const out: Record<string, number> = { ...DEFAULT_SERVER_LIMITS };
  for (const [name, v] of Object.entries(partial) as [string, unknown][]) {
    const option = `limits.${name}`;
    if (!(name in DEFAULT_SERVER_LIMITS)) {
      throw new OptionError('HS_ERR_OPTION_UNKNOWN', option, `Server options: unknown limit ${JSON.stringify(name)}`);
    }
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
      const code = typeof v === 'number' ? 'HS_ERR_OPTION_RANGE' : 'HS_ERR_OPTION_TYPE';
      throw new OptionError(
        code,
        option,
        `Server options: limit ${name} must be a positive integer, got ${JSON.stringify(v)}`,
      );
    }
    out[name] = v;
  }
  const { maxBodyBytes, maxConcurrentLargeBodies } = out as unknown as ServerLimits;
  // Room for as many whole bodies as may be decoded at once, unless told otherwise; never less than one body.
  if (partial.largeBodyBudgetBytes === undefined) {
    out.largeBodyBudgetBytes = Math.min(Number.MAX_SAFE_INTEGER, maxConcurrentLargeBodies * maxBodyBytes);
  } else if (partial.largeBodyBudgetBytes < maxBodyBytes) {
    throw new OptionError(
      'HS_ERR_OPTION_CONFLICT',
      'limits.largeBodyBudgetBytes',
      `Server options: limit largeBodyBudgetBytes (${partial.largeBodyBudgetBytes}) is below maxBodyBytes (${maxBodyBytes})`,
    );
  }
  return Object.freeze(out as unknown as ServerLimits);
}

/** The codec limits for reading a request body or argument under these server limits. */
export function requestDecodeLimits(limits: ServerLimits): DecodeLimits {
  return resolveLimits({
    maxDepth: limits.maxDepth,
    maxLength: limits.maxBodyBytes,
    maxRows: limits.maxRequestRows,
    maxCols: limits.maxRequestCols,
    // A token longer than a row may be cannot be in an acceptable row.
    maxTokenLength: Math.min(limits.maxBodyBytes, limits.maxRequestRowLength),
  });
}
