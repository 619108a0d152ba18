// The local calendar of a history's instants, walked in order: what the history writers (Zinc and Hayson) need to
// make a row's date and offset text once per local day instead of once per row.

import { MS_PER_DAY } from '../../kinds/calendar.js';
import type { TimeZone } from '../../tz/time-zone.js';

const MS_PER_HOUR = 3_600_000;

/**
 * The UTC offset, local day and time of day of instants met one after another (mostly in order, a few minutes
 * apart): the offset is looked up once per hour (every time in an hour where it changes), the day found once per
 * local day.
 */
export class LocalDays {
  /** The zone. */
  readonly tz: TimeZone;
  /** Offset in seconds of the last instant. */
  offset = Number.NaN;
  /** Its local day (days since 1970-01-01). */
  day = Number.NaN;
  /** Local epoch milliseconds at the start of that day (its time of day: `t + offset * 1000 - dayStart`). */
  dayStart = Number.NaN;
  // The offset holds for instants in [#hourStart, #hourEnd) (empty in an hour where it changes); the day for local
  // times in [dayStart, dayStart + MS_PER_DAY).
  #hourStart = 0;
  #hourEnd = 0;

  /** Days of instants in zone `tz`. */
  constructor(tz: TimeZone) {
    this.tz = tz;
  }

  /** Move to instant `t` (epoch ms); true when its local day or its offset is not the last instant's. */
  at(t: number): boolean {
    if (!(t >= this.#hourStart && t < this.#hourEnd)) {
      const tz = this.tz;
      const o = tz.offsetAt(t);
      const hourStart = Math.floor(t / MS_PER_HOUR) * MS_PER_HOUR;
      const whole = tz.offsetAt(hourStart) === tz.offsetAt(hourStart + MS_PER_HOUR - 1);
      this.#hourStart = hourStart;
      this.#hourEnd = whole ? hourStart + MS_PER_HOUR : hourStart;
      if (o !== this.offset) {
        this.offset = o;
        this.dayStart = Number.NaN;
      }
    }
    const local = t + this.offset * 1000;
    const msOfDay = local - this.dayStart;
    if (msOfDay >= 0 && msOfDay < MS_PER_DAY) return false;
    const day = Math.floor(local / MS_PER_DAY);
    this.day = day;
    this.dayStart = day * MS_PER_DAY;
    return true;
  }
}
