// Decode limits shared by every reader (Zinc, JSON, Trio, CSV): defaults, merging and the error raised.

import { LimitError, OptionError } from '../errors.js';

/**
 * Limits a reader enforces while it reads, so hostile input cannot exhaust memory or the stack.
 * Every field is optional in user input; a missing one takes its value from {@link DEFAULT_LIMITS}.
 */
export interface DecodeLimits {
  /** Deepest nesting of lists, dicts and grids (a top-level grid is depth 1). Default {@link DEFAULT_LIMITS}.maxDepth = 64. */
  readonly maxDepth: number;
  /**
   * Longest input in characters (UTF-16 code units). Default 256 MiB. Stream readers apply it to the text they
   * hold at once (the unfinished rows plus the last chunk), so a stream may be longer than this in total.
   */
  readonly maxLength: number;
  /** Most rows in one grid (nested grids included, each counted on its own). Default 10,000,000. */
  readonly maxRows: number;
  /** Most columns in one grid. Default 10,000. */
  readonly maxCols: number;
  /** Longest single token (string, URI, number, ...), in characters. Default 16 MiB. */
  readonly maxTokenLength: number;
}

/** Default decode limits: generous enough for a 10-million-row history, tight enough to bound a hostile body. */
export const DEFAULT_LIMITS: DecodeLimits = Object.freeze({
  maxDepth: 64,
  maxLength: 256 * 1024 * 1024,
  maxRows: 10_000_000,
  maxCols: 10_000,
  maxTokenLength: 16 * 1024 * 1024,
});

// Objects resolveLimits has made (frozen, complete): passing one back costs nothing (readers made per value).
const RESOLVED = new WeakSet<object>([DEFAULT_LIMITS]);

/**
 * Fill the gaps of partial limits with {@link DEFAULT_LIMITS}. The result is frozen and complete; resolving
 * a result again (or the defaults) returns it as it is. An unknown name or a limit that is not a positive integer
 * raises an `OptionError`.
 */
export function resolveLimits(limits?: Partial<DecodeLimits>): DecodeLimits {
  if (limits === undefined) return DEFAULT_LIMITS;
  if (RESOLVED.has(limits)) return limits as DecodeLimits;
  const r: DecodeLimits = Object.freeze({
    ...DEFAULT_LIMITS,
    ...checkPositiveLimits(limits, DEFAULT_LIMITS, 'Decode'),
  });
  RESOLVED.add(r);
  return r;
}

/** Raise the error for an exceeded limit (one place for the message shape; code `HS_ERR_LIMIT`). */
export function limitExceeded(format: string, limit: keyof DecodeLimits, max: number): never {
  throw new LimitError(limit, `${format}: input exceeds ${limit} (${max})`);
}

/**
 * `limits` without its undefined fields, after checking that each is a name of `defaults` and a positive integer
 * (an `OptionError` naming `limits.<name>` otherwise); `what` starts the messages (`Decode`, `Filter`).
 */
export function checkPositiveLimits(
  limits: object,
  defaults: object,
  what: 'Decode' | 'Filter',
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(limits) as [string, unknown][]) {
    if (v === undefined) continue;
    const option = `limits.${k}`;
    if (!(k in defaults))
      throw new OptionError('HS_ERR_OPTION_UNKNOWN', option, `Unknown ${what.toLowerCase()} limit ${k}`);
    if (typeof v !== 'number')
      throw new OptionError('HS_ERR_OPTION_TYPE', option, `${what} limit ${k} must be a number`);
    if (!Number.isSafeInteger(v) || v <= 0) {
      throw new OptionError('HS_ERR_OPTION_RANGE', option, `${what} limit ${k} must be a positive integer`);
    }
    out[k] = v;
  }
  return out;
}

/**
 * Raise the error for a row longer than a stepped reader's `maxRowChars` (a row, Trio record or grid header is
 * decoded in one step, so its length bounds how long the step holds the thread); code `HS_ERR_LIMIT`.
 */
export function rowTooLong(format: string, max: number): never {
  throw new LimitError('maxRowLength', `${format}: a row is longer than ${max} characters`);
}
