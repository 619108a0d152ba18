// The 17-level priority array of a writable point: writing, releasing, timed overrides and the effective value.

import { decodeJson, encodeJson } from '../core/codec/json/index.js';
import { StorageError, ValueError } from '../core/errors.js';
import type { TagVal } from '../core/grid/dict.js';
import type { Val } from '../core/kinds/kind.js';
import { REMOVE } from '../core/kinds/marker.js';
import { Num } from '../core/kinds/number.js';
import type { OverrideEnd, PointWriteRequest, PriorityArray, PriorityLevel } from './adapter.js';

/** Number of levels: 1 (emergency, highest) to 17 (default, lowest), as in BACnet and Haystack `writable`. */
export const PRIORITY_LEVEL_COUNT = 17;

const EMPTY_LEVELS: readonly PriorityLevel[] = Object.freeze(
  Array.from({ length: PRIORITY_LEVEL_COUNT }, (_, i) =>
    Object.freeze({ level: i + 1, val: null, who: undefined, expires: undefined }),
  ),
);

/** Seventeen empty levels. */
export function emptyLevels(): readonly PriorityLevel[] {
  return EMPTY_LEVELS;
}

/** Check a write request's level and duration; throws `ValueError` when out of range. */
export function validatePointWrite(req: PointWriteRequest): void {
  if (!Number.isInteger(req.level) || req.level < 1 || req.level > PRIORITY_LEVEL_COUNT) {
    throw new ValueError(`Priority level must be an integer 1-${PRIORITY_LEVEL_COUNT}, got ${String(req.level)}`);
  }
  if (req.durationMs !== undefined && !(Number.isFinite(req.durationMs) && req.durationMs > 0)) {
    throw new ValueError(`Override duration must be a positive number of milliseconds, got ${String(req.durationMs)}`);
  }
}

/** The levels after a write (null releases the level; a duration makes the override expire at `now + durationMs`). */
export function writeLevel(levels: readonly PriorityLevel[], req: PointWriteRequest, now: number): PriorityLevel[] {
  validatePointWrite(req);
  const next = levels.slice();
  const released = req.val === null;
  next[req.level - 1] = Object.freeze({
    level: req.level,
    val: req.val,
    who: released ? undefined : req.who,
    expires: released || req.durationMs === undefined ? undefined : now + req.durationMs,
  });
  return next;
}

/** What a batch of point writes comes to, worked out from each point's levels before it. */
export interface PointWritePlan {
  /** Each point's levels after the batch, in the order the points first appear. */
  readonly levels: ReadonlyMap<string, readonly PriorityLevel[]>;
  /** The array each write answers, in order: what that write alone would answer after the ones before it. */
  readonly results: readonly PriorityArray[];
  /** The end of each timed override written, as a `pointWrite` of it would announce it. */
  readonly ends: readonly OverrideEnd[];
}

/**
 * Apply writes in order to the levels `before` gives for each point (read once per point), as that many
 * `pointWrite`s at `now` would; every request is checked first, so that a bad one throws `ValueError` before any
 * level is worked out.
 */
export function planPointWrites(
  reqs: readonly PointWriteRequest[],
  before: (id: string) => readonly PriorityLevel[],
  now: number,
): PointWritePlan {
  for (const req of reqs) validatePointWrite(req);
  const levels = new Map<string, readonly PriorityLevel[]>();
  const results: PriorityArray[] = [];
  const ends: OverrideEnd[] = [];
  for (const req of reqs) {
    const next = writeLevel(levels.get(req.id) ?? before(req.id), req, now);
    levels.set(req.id, next);
    results.push(toPriorityArray(next));
    if (req.durationMs !== undefined && req.val !== null) ends.push({ id: req.id, at: now + req.durationMs });
  }
  return { levels, results, ends };
}

/** The levels with every override that expired at or before `now` emptied, or undefined when none expired. */
export function expireLevels(levels: readonly PriorityLevel[], now: number): PriorityLevel[] | undefined {
  let next: PriorityLevel[] | undefined;
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i];
    if (l?.expires !== undefined && l.expires <= now) {
      next ??= levels.slice();
      next[i] = EMPTY_LEVELS[i] as PriorityLevel;
    }
  }
  return next;
}

/** The end of each timed level of point `id` still to come after `now` (see `StorageAdapter.overrideEnds`). */
export function levelEnds(id: string, levels: readonly PriorityLevel[], now: number): OverrideEnd[] {
  const out: OverrideEnd[] = [];
  for (const l of levels) if (l.expires !== undefined && l.expires > now) out.push({ id, at: l.expires });
  return out;
}

/** The earliest expiry among timed levels, or undefined when none is timed. */
export function nextExpiry(levels: readonly PriorityLevel[]): number | undefined {
  let min: number | undefined;
  for (const l of levels) if (l.expires !== undefined && (min === undefined || l.expires < min)) min = l.expires;
  return min;
}

/** The array view of some levels: the effective value is the highest-priority (lowest-numbered) non-null level. */
export function toPriorityArray(levels: readonly PriorityLevel[]): PriorityArray {
  for (const l of levels) {
    if (l.val !== null) return { levels, effective: l.val, effectiveLevel: l.level };
  }
  return { levels, effective: null, effectiveLevel: undefined };
}

/** The tag changes that mirror an array onto its point: `writeVal`, `writeLevel`, `curVal` (Remove when all empty). */
export function writeTagChanges(arr: PriorityArray): ReadonlyMap<string, TagVal> {
  if (arr.effective === null || arr.effectiveLevel === undefined) {
    return new Map<string, TagVal>([
      ['writeVal', REMOVE],
      ['writeLevel', REMOVE],
      ['curVal', REMOVE],
    ]);
  }
  return new Map<string, TagVal>([
    ['writeVal', arr.effective],
    ['writeLevel', new Num(arr.effectiveLevel)],
    ['curVal', arr.effective],
  ]);
}

type EncodedLevel = readonly [string, string | null, number | null] | null;

/** Levels as text for a store: per level null or `[Hayson value, who, expires]`. */
export function encodeLevels(levels: readonly PriorityLevel[]): string {
  const out: EncodedLevel[] = levels.map((l) =>
    l.val === null ? null : [encodeJson(l.val), l.who ?? null, l.expires ?? null],
  );
  return JSON.stringify(out);
}

/** Levels from {@link encodeLevels} text; `StorageError` when the text is not 17 levels. */
export function decodeLevels(text: string): readonly PriorityLevel[] {
  const raw = JSON.parse(text) as EncodedLevel[];
  if (!Array.isArray(raw) || raw.length !== PRIORITY_LEVEL_COUNT) {
    throw new StorageError('A stored priority array is damaged');
  }
  return raw.map((l, i): PriorityLevel => {
    if (l === null) return EMPTY_LEVELS[i] as PriorityLevel;
    const val: Val = decodeJson(l[0]);
    return Object.freeze({ level: i + 1, val, who: l[1] ?? undefined, expires: l[2] ?? undefined });
  });
}
