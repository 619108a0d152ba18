// luxon as a test oracle for zone offsets and DST transitions (tests only; the library uses Intl directly).

import { DateTime as LuxonDateTime } from 'luxon';

/** UTC offset in whole seconds of IANA zone `iana` at `epochMs`, per luxon (luxon reports fractional minutes). */
export function luxonOffsetSeconds(iana: string, epochMs: number): number {
  return Math.round(LuxonDateTime.fromMillis(epochMs, { zone: iana }).offset * 60);
}

/** Local wall-clock fields at `epochMs` in `iana`, per luxon. */
export function luxonLocal(
  iana: string,
  epochMs: number,
): { year: number; month: number; day: number; hour: number; minute: number; second: number; millisecond: number } {
  const d = LuxonDateTime.fromMillis(epochMs, { zone: iana });
  return {
    year: d.year,
    month: d.month,
    day: d.day,
    hour: d.hour,
    minute: d.minute,
    second: d.second,
    millisecond: d.millisecond,
  };
}

/** The instant luxon picks for local fields in `iana` (unambiguous local times only are comparable). */
export function luxonFromLocal(
  iana: string,
  fields: {
    year: number;
    month: number;
    day: number;
    hour: number;
    minute: number;
    second: number;
    millisecond: number;
  },
): number {
  return LuxonDateTime.fromObject(fields, { zone: iana }).toMillis();
}

/** Every instant in `[fromMs, toMs)` at which the offset of `iana` changes, found by day scan and bisection. */
export function transitions(iana: string, fromMs: number, toMs: number): number[] {
  const DAY = 86_400_000;
  const out: number[] = [];
  let prev = luxonOffsetSeconds(iana, fromMs);
  for (let t = fromMs; t < toMs; t += DAY) {
    const next = Math.min(t + DAY, toMs);
    const off = luxonOffsetSeconds(iana, next);
    if (off === prev) continue;
    let lo = t;
    let hi = next;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (luxonOffsetSeconds(iana, mid) === prev) lo = mid;
      else hi = mid;
    }
    out.push(hi);
    prev = off;
  }
  return out;
}
