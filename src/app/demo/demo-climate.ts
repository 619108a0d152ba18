// The demo building's surroundings as functions of time: local clock, occupancy schedule, outside air.

import type { TimeZone } from '../../core/tz/time-zone.js';
import { hashNoise } from './seeded-random.js';

const MINUTES_PER_DAY = 1440;
const MS_PER_DAY = 86_400_000;
/** Occupied hours on weekdays, in local minutes of the day: 07:00 to 18:00. */
const OCC_START = 7 * 60;
const OCC_END = 18 * 60;

/** A site's climate: yearly mean and swing, daily swing (°F). */
export interface Climate {
  /** Yearly mean outside air temperature. */
  readonly annualMean: number;
  /** Half the difference between the warmest and coldest daily means of the year. */
  readonly annualSwing: number;
  /** Half the difference between afternoon highs and pre-dawn lows. */
  readonly dailySwing: number;
  /** Mean relative humidity (%). */
  readonly humidity: number;
}

/** What every model of a site reads at one instant. */
export interface SiteEnv {
  /** Outside air temperature (°F). */
  readonly oat: number;
  /** Mean outside air temperature of the day (°F), which slow-moving zones drift toward. */
  readonly dailyMean: number;
  /** Outside relative humidity (%). */
  readonly rh: number;
  /** Whether the building is occupied (weekdays 07:00-18:00 local). */
  readonly occupied: boolean;
  /** Minutes since occupancy last changed (start or end). */
  readonly minutesSinceChange: number;
  /** Local hour of the day, fractional. */
  readonly hour: number;
}

/** The site environment at `ts`; `channel` keeps this site's noise apart from others'. */
export function siteEnv(tz: TimeZone, climate: Climate, seed: number, channel: number, ts: number): SiteEnv {
  const localMs = ts + tz.offsetAt(ts) * 1000;
  const localDay = Math.floor(localMs / MS_PER_DAY);
  const minuteOfDay = (localMs - localDay * MS_PER_DAY) / 60_000;
  // 1970-01-01 was a Thursday: 0 = Sunday ... 6 = Saturday.
  const dow = (((localDay + 4) % 7) + 7) % 7;
  const { occupied, minutesSinceChange } = schedule(dow, minuteOfDay);
  const hour = minuteOfDay / 60;
  const days = ts / MS_PER_DAY;
  // Day of year from 1 Jan; the warmest days are around 20 July (day 200).
  const dayOfYear = days % 365.2425;
  const dailyMean =
    climate.annualMean +
    climate.annualSwing * Math.cos((2 * Math.PI * (dayOfYear - 200)) / 365.2425) +
    // Weather systems passing: slow waves with periods of a few days, phases from the seed.
    4 * Math.sin((2 * Math.PI * days) / 3.1 + channel + seed * 0.001) +
    3 * Math.sin((2 * Math.PI * days) / 7.3 + 2 * channel + seed * 0.002);
  const oat =
    dailyMean +
    climate.dailySwing * Math.cos((2 * Math.PI * (hour - 15)) / 24) +
    0.4 * hashNoise(seed, channel * 1000 + 1, ts);
  const rh = clamp(
    climate.humidity -
      1.6 * (oat - dailyMean) +
      8 * Math.sin((2 * Math.PI * days) / 4.7 + channel) +
      hashNoise(seed, channel * 1000 + 2, ts),
    12,
    99,
  );
  return { oat, dailyMean, rh, occupied, minutesSinceChange, hour };
}

/** Weekdays 07:00-18:00 are occupied; the minutes since the last change count back over nights and weekends. */
export function schedule(dow: number, minuteOfDay: number): { occupied: boolean; minutesSinceChange: number } {
  const weekday = dow >= 1 && dow <= 5;
  if (weekday && minuteOfDay >= OCC_START && minuteOfDay < OCC_END) {
    return { occupied: true, minutesSinceChange: minuteOfDay - OCC_START };
  }
  if (weekday && minuteOfDay >= OCC_END) return { occupied: false, minutesSinceChange: minuteOfDay - OCC_END };
  // Before 07:00 or on a weekend: count back to the last weekday's 18:00 (Friday's from Saturday to Monday).
  const fullDaysBetween = dow === 1 ? 2 : dow === 0 ? 1 : 0;
  return {
    occupied: false,
    minutesSinceChange: minuteOfDay + fullDaysBetween * MINUTES_PER_DAY + (MINUTES_PER_DAY - OCC_END),
  };
}

/** `x` limited to `[lo, hi]`. */
export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

/** A first-order approach from `from` toward `to` after `minutes`, with time constant `tau` minutes. */
export function approach(from: number, to: number, minutes: number, tau: number): number {
  return to + (from - to) * Math.exp(-minutes / tau);
}
