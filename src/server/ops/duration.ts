// Durations as Haystack Numbers with a time unit (`lease`, `duration`): to and from milliseconds.

import { LimitError } from '../../core/errors.js';
import type { Val } from '../../core/kinds/kind.js';
import { Num } from '../../core/kinds/number.js';
import { badRequest } from './args.js';

// Unit database symbols of the time quantity, with their aliases, in milliseconds.
const UNIT_MS: ReadonlyMap<string, number> = new Map([
  ['ns', 1e-6],
  ['µs', 1e-3],
  ['ms', 1],
  ['s', 1000],
  ['sec', 1000],
  ['min', 60_000],
  ['h', 3_600_000],
  ['hr', 3_600_000],
  ['day', 86_400_000],
  ['d', 86_400_000],
  ['wk', 604_800_000],
  ['week', 604_800_000],
]);

/**
 * Milliseconds of a Number with a duration unit; anything else (unitless included) is a bad request, and so is
 * a duration longer than `maxMs` (a limit error naming `maxName`).
 */
export function durationMs(v: Val, name: string, max?: { readonly ms: number; readonly name: string }): number {
  if (!(v instanceof Num)) throw badRequest(`${name} must be a Number with a duration unit`);
  const factor = v.unit === undefined ? undefined : UNIT_MS.get(v.unit);
  if (factor === undefined) throw badRequest(`${name} must have a duration unit (ms, s, min, h, day, wk)`);
  const ms = v.val * factor;
  if (!Number.isFinite(ms) || ms <= 0) throw badRequest(`${name} must be a positive duration`);
  if (max !== undefined && ms > max.ms) throw new LimitError(max.name, `${name} may be at most ${max.ms} ms`);
  return Math.round(ms);
}

/** A duration in milliseconds as a Number in the largest unit that keeps it whole (`min`, `s`, else `ms`). */
export function durationNum(ms: number): Num {
  if (ms % 60_000 === 0) return new Num(ms / 60_000, 'min');
  if (ms % 1000 === 0) return new Num(ms / 1000, 's');
  return new Num(ms, 'ms');
}
