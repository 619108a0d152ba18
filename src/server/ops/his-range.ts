// hisRead ranges: every form of the Ops chapter, resolved to a half-open span in the point's time zone.

import { HaystackError } from '../../core/errors.js';
import { HDate } from '../../core/kinds/date.js';
import { HDateTime, startOfDay } from '../../core/kinds/date-time.js';
import type { Val } from '../../core/kinds/kind.js';
import type { TimeZone } from '../../core/tz/time-zone.js';

/** A resolved range: `start` inclusive, `end` exclusive (undefined: open-ended), both in the point's zone. */
export interface HisSpan {
  /** Inclusive start. */
  readonly start: HDateTime;
  /** Exclusive end, or undefined for the open-ended `{dateTime}` form. */
  readonly end: HDateTime | undefined;
}

function badRange(message: string): HaystackError {
  return new HaystackError('HS_ERR_BAD_REQUEST', `Invalid range: ${message}`);
}

/**
 * Resolve a range argument for a point in `tz` at clock time `now` (epoch ms). Ops chapter: the range is
 * `"today"`, `"yesterday"`, `"{date}"`, `"{date},{date}"`, `"{dateTime},{dateTime}"` or `"{dateTime}"`;
 * dates run from midnight of the first to midnight after the last in the point's zone; dateTimes in
 * another zone are converted. A GET argument arrives already decoded, so a Date or DateTime value is
 * accepted as the one-value form.
 */
export function resolveHisRange(range: Val, tz: TimeZone, now: number): HisSpan {
  if (range instanceof HDate) return dayRange(range, range, tz);
  if (range instanceof HDateTime) return { start: range.toTimeZone(tz), end: undefined };
  if (typeof range !== 'string') throw badRange('range must be a Str');
  const text = range.trim();
  if (text === 'today' || text === 'yesterday') {
    const today = HDateTime.fromEpochMs(now, tz).date;
    const day = text === 'today' ? today : today.plusDays(-1);
    return dayRange(day, day, tz);
  }
  const parts = text.split(',');
  if (parts.length > 2) throw badRange(JSON.stringify(text));
  const first = parseBound(parts[0] ?? '');
  if (parts.length === 1) {
    return first instanceof HDate ? dayRange(first, first, tz) : { start: first.toTimeZone(tz), end: undefined };
  }
  const second = parseBound(parts[1] ?? '');
  const start = first instanceof HDate ? startOfDay(first, tz) : first.toTimeZone(tz);
  const end = second instanceof HDate ? startOfDay(second.plusDays(1), tz) : second.toTimeZone(tz);
  // A date end covers its whole day, so a date range is empty only when it ends before it starts.
  if (start.epochMs > end.epochMs || (second instanceof HDate && start.epochMs >= end.epochMs))
    throw badRange(`start ${start.toString()} is after end ${end.toString()}`);
  return { start, end };
}

function dayRange(first: HDate, last: HDate, tz: TimeZone): HisSpan {
  return { start: startOfDay(first, tz), end: startOfDay(last.plusDays(1), tz) };
}

// Zinc: <date> := YYYY-MM-DD; <dateTime> := YYYY-MM-DD'T'hh:mm:ss.FFFFFFFFFz zzzz
function parseBound(s: string): HDate | HDateTime {
  const t = s.trim();
  try {
    return t.length === 10 ? HDate.parse(t) : HDateTime.parse(t);
  } catch (err) {
    throw new HaystackError('HS_ERR_BAD_REQUEST', `Invalid range: ${JSON.stringify(t)} is not a Date or DateTime`, {
      cause: err,
    });
  }
}
