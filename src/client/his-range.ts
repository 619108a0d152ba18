// hisRead ranges: the forms of the Ops chapter and their Zinc-encoded request strings.

import { ValueError } from '../core/errors.js';
import { HDate } from '../core/kinds/date.js';
import { HDateTime } from '../core/kinds/date-time.js';

/**
 * A hisRead range. Ops chapter: `"today"`, `"yesterday"`, `"{date}"`, `"{date},{date}"`,
 * `"{dateTime},{dateTime}"`, `"{dateTime}"` (everything from that instant on). A string (such as
 * {@link TODAY}) is sent as is.
 */
export type HisRange = HDate | HDateTime | readonly [HDate, HDate] | readonly [HDateTime, HDateTime] | string;

/** The range for the current day in the point's time zone. */
export const TODAY = 'today' as const;
/** The range for the previous day in the point's time zone. */
export const YESTERDAY = 'yesterday' as const;

/** A whole-day range: `start` to `end` inclusive, both dates in the point's time zone. */
export function dateRange(start: HDate, end: HDate): readonly [HDate, HDate] {
  if (start.compareTo(end) > 0) throw new ValueError(`Range start ${start.toString()} is after end ${end.toString()}`);
  return [start, end];
}

/** An instant range: `start` inclusive to `end` exclusive. */
export function dateTimeRange(start: HDateTime, end: HDateTime): readonly [HDateTime, HDateTime] {
  // By instant: compareTo also orders equal instants by zone name, and an empty range in two zones is no error.
  const after = start.epochMs - end.epochMs || start.subMsNanos - end.subMsNanos;
  if (after > 0) throw new ValueError(`Range start ${start.toString()} is after end ${end.toString()}`);
  return [start, end];
}

/** The request string for a range (Zinc-encoded dates and date-times, as the Ops chapter wants). */
export function encodeHisRange(range: HisRange): string {
  if (typeof range === 'string') return range;
  if (range instanceof HDate || range instanceof HDateTime) return range.toString();
  return `${range[0].toString()},${range[1].toString()}`;
}
