// hisRead ranges: every form of the Ops chapter, resolved to a half-open span in the point's time zone.

import { echoInput } from '../../core/echo-input.js';
import { HaystackError } from '../../core/errors.js';
import { HDate } from '../../core/kinds/date.js';
import { HDateTime, startOfDay } from '../../core/kinds/date-time.js';
import type { Val } from '../../core/kinds/kind.js';
import type { TimeZone } from '../../core/tz/time-zone.js';

/** A resolved range: `start` inclusive, `end` exclusive (undefined: open-ended), both in the point's zone. */
export interface HisSpan {
  /** Inclusive start (clamped to the earliest instant the zone can show: 0000-01-01). */
  readonly start: HDateTime;
  /** Exclusive end in epoch ms, or undefined for the open-ended `{dateTime}` form (may lie past year 9999). */
  readonly end: number | undefined;
}

function badRange(message: string): HaystackError {
  return new HaystackError('HS_ERR_BAD_REQUEST', `Invalid range: ${message}`);
}

const FIRST_DAY = new HDate(0, 1, 1);
const LAST_DAY = new HDate(9999, 12, 31);

/**
 * Resolve a range argument for a point in `tz` at clock time `now` (epoch ms). Ops chapter: the range is
 * `"today"`, `"yesterday"`, `"{date}"`, `"{date},{date}"`, `"{dateTime},{dateTime}"` or `"{dateTime}"`;
 * dates run from midnight of the first to midnight after the last in the point's zone; dateTimes in
 * another zone are converted. A GET argument arrives already decoded, so a Date or DateTime value is
 * accepted as the one-value form. Bounds at the ends of the calendar (0000-01-01, 9999-12-31) are clamped
 * to what the zone can show rather than refused.
 */
export function resolveHisRange(range: Val, tz: TimeZone, now: number): HisSpan {
  if (range instanceof HDate) return dayRange(range, range, tz);
  if (range instanceof HDateTime) return { start: inZone(range, tz), end: undefined };
  if (typeof range !== 'string') throw badRange('range must be a Str');
  const text = range.trim();
  if (text === 'today' || text === 'yesterday') {
    const today = HDateTime.fromEpochMs(now, tz).date;
    const day = text === 'today' ? today : today.plusDays(-1);
    return dayRange(day, day, tz);
  }
  const parts = text.split(',');
  if (parts.length > 2) throw badRange(`${echoInput(text)} has more than two bounds`);
  const first = parseBound(parts[0] ?? '');
  if (parts.length === 1)
    return first instanceof HDate ? dayRange(first, first, tz) : { start: inZone(first, tz), end: undefined };
  const second = parseBound(parts[1] ?? '');
  // Compare the bounds as written, so the message names what the client sent (not a derived midnight).
  const reversed =
    first instanceof HDate && second instanceof HDate
      ? second.compareTo(first) < 0
      : boundStartMs(first, tz) > (second instanceof HDate ? dayEndMs(second, tz) - 1 : second.epochMs);
  if (reversed) throw badRange(`end ${second.toString()} is before start ${first.toString()}`);
  const start = first instanceof HDate ? startOfDay(first, tz) : inZone(first, tz);
  const end = second instanceof HDate ? dayEndMs(second, tz) : second.epochMs;
  return { start, end };
}

function dayRange(first: HDate, last: HDate, tz: TimeZone): HisSpan {
  return { start: startOfDay(first, tz), end: dayEndMs(last, tz) };
}

// Midnight after `day`: the day after 9999-12-31 has no HDate, so that one is its midnight plus a day.
function dayEndMs(day: HDate, tz: TimeZone): number {
  return day.equals(LAST_DAY) ? startOfDay(day, tz).epochMs + 86_400_000 : startOfDay(day.plusDays(1), tz).epochMs;
}

function boundStartMs(bound: HDate | HDateTime, tz: TimeZone): number {
  return bound instanceof HDate ? startOfDay(bound, tz).epochMs : bound.epochMs;
}

// A dateTime shown in the point's zone, clamped to the calendar there (0000-01-01T00:00Z is year -1 in New_York).
function inZone(dt: HDateTime, tz: TimeZone): HDateTime {
  const first = startOfDay(FIRST_DAY, tz);
  if (dt.epochMs < first.epochMs) return first;
  return dt.epochMs > lastMs(tz) ? HDateTime.fromEpochMs(lastMs(tz), tz) : dt.toTimeZone(tz);
}

function lastMs(tz: TimeZone): number {
  return startOfDay(LAST_DAY, tz).epochMs + 86_399_999;
}

/** The exclusive end of a span as a DateTime for `hisEnd`, clamped to the last instant the zone can show. */
export function reportedEnd(endMs: number, tz: TimeZone): HDateTime {
  return HDateTime.fromEpochMs(Math.min(endMs, lastMs(tz)), tz);
}

// Zinc: <date> := YYYY-MM-DD; <dateTime> := YYYY-MM-DD'T'hh:mm:ss.FFFFFFFFFz zzzz
function parseBound(s: string): HDate | HDateTime {
  const t = s.trim();
  try {
    return t.length === 10 ? HDate.parse(t) : HDateTime.parse(t);
  } catch (err) {
    // A well-formed DateTime in an unknown zone says so: "not a Date or DateTime" sent users hunting for a typo.
    const unknownZone = err instanceof HaystackError && err.code === 'HS_ERR_UNKNOWN_TZ';
    const why = unknownZone ? `: ${err.message}` : ' is not a Date or DateTime';
    throw new HaystackError('HS_ERR_BAD_REQUEST', `Invalid range: ${echoInput(t)}${why}`, { cause: err });
  }
}
