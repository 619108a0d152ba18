// The DateTime kind: an instant (nanosecond precision), its UTC offset, and its Haystack time zone.

import { ValueError } from '../errors.js';
import { TimeZone } from '../tz/time-zone.js';
import { civilFromDays, daysFromCivil, fractionString, MS_PER_DAY, pad2, pad4 } from './calendar.js';
import { HDate } from './date.js';
import { hashFloat, mix } from './hash.js';
import { HTime } from './time.js';
import { registerValueClass } from './value-class.js';

/** How a local time that a DST change skips (gap) or repeats (overlap) becomes an instant; as in Temporal. */
export type Disambiguation = 'compatible' | 'earlier' | 'later' | 'reject';

/** Local times must fall in years 0000-9999, the range of the Date kind and of ISO text without a sign. */
export const MIN_LOCAL_MS = daysFromCivil(0, 1, 1) * MS_PER_DAY;
/** The last millisecond of local time a DateTime may show (9999-12-31T23:59:59.999). */
export const MAX_LOCAL_MS = daysFromCivil(10000, 1, 1) * MS_PER_DAY - 1;
// Before 1973 some zones kept local mean time with offsets in seconds (New_York -04:56:02), which ISO text
// cuts to minutes; fromParts restores the exact offset from the zone.
const LAST_SECONDS_OFFSET_MS = Date.UTC(1973, 0, 1);

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?(?: (\S+))?$/;

/** The DateTime kind (named `HDateTime`). Equality needs the same instant and the same zone. */
export class HDateTime {
  /** Milliseconds since 1970-01-01T00:00:00Z, an integer. */
  readonly epochMs: number;
  /** Nanoseconds below the millisecond, 0-999,999. */
  readonly subMsNanos: number;
  /** UTC offset of the local time, in seconds east of UTC. */
  readonly offset: number;
  /** The Haystack time zone. */
  readonly tz: TimeZone;

  /**
   * Low-level constructor: the offset is taken as given and must be the zone's offset at that instant
   * (readers normalize a contradicting one, see {@link HDateTime.fromParts}). Prefer {@link HDateTime.fromEpochMs}, {@link HDateTime.fromLocal} or {@link dateTime}.
   */
  constructor(epochMs: number, subMsNanos: number, offset: number, tz: TimeZone) {
    if (!Number.isSafeInteger(epochMs)) throw new ValueError(`Invalid epoch milliseconds ${String(epochMs)}`);
    if (!Number.isInteger(subMsNanos) || subMsNanos < 0 || subMsNanos > 999_999) {
      throw new ValueError(`Invalid sub-millisecond nanos ${String(subMsNanos)}`);
    }
    if (!Number.isInteger(offset) || Math.abs(offset) > 18 * 3600)
      throw new ValueError(`Invalid offset ${String(offset)}`);
    if (!(tz instanceof TimeZone)) throw new ValueError('DateTime needs a TimeZone');
    const local = epochMs + offset * 1000;
    if (local < MIN_LOCAL_MS || local > MAX_LOCAL_MS) throw new ValueError(`DateTime out of years 0-9999: ${epochMs}`);
    this.epochMs = epochMs;
    this.subMsNanos = subMsNanos;
    this.offset = offset;
    this.tz = tz;
  }

  /** The instant `epochMs` (+ `subMsNanos`) in zone `tz`, with the zone's offset at that instant. */
  static fromEpochMs(epochMs: number, tz: TimeZone | string = TimeZone.UTC, subMsNanos = 0): HDateTime {
    const zone = typeof tz === 'string' ? TimeZone.get(tz) : tz;
    const ms = Math.floor(epochMs);
    return new HDateTime(ms, subMsNanos, zone.offsetAt(ms), zone);
  }

  /** The current time in `tz`. */
  static now(tz: TimeZone | string = TimeZone.UTC): HDateTime {
    return HDateTime.fromEpochMs(Date.now(), tz);
  }

  /**
   * The instant at which the wall clock in `tz` shows `date` `time`. A local time skipped by a DST
   * change (gap) or shown twice (overlap) is resolved by `disambiguation` as Temporal does:
   * `compatible` (default) takes the earlier instant of an overlap and shifts a gap forward.
   */
  static fromLocal(
    date: HDate,
    time: HTime,
    tz: TimeZone | string,
    disambiguation: Disambiguation = 'compatible',
  ): HDateTime {
    const zone = typeof tz === 'string' ? TimeZone.get(tz) : tz;
    const localMs = date.toEpochDay() * MS_PER_DAY + time.toMillisOfDay();
    const subMs = time.nanos % 1_000_000;
    const before = zone.offsetAt(localMs - MS_PER_DAY);
    const after = zone.offsetAt(localMs + MS_PER_DAY);
    // The instants that the offsets in force around the change give, and whether each really shows that offset.
    const a = localMs - before * 1000;
    const b = localMs - after * 1000;
    const okA = zone.offsetAt(a) === before;
    const okB = before !== after && zone.offsetAt(b) === after;
    let chosen: number;
    if (okA || okB) {
      const first = okA && okB ? Math.min(a, b) : okA ? a : b;
      const last = okA && okB ? Math.max(a, b) : first;
      if (first !== last && disambiguation === 'reject')
        throw new ValueError(`Ambiguous local time ${date.toString()}T${time.toString()} in ${zone.name}`);
      chosen = disambiguation === 'later' ? last : first;
    } else {
      if (disambiguation === 'reject')
        throw new ValueError(`Local time ${date.toString()}T${time.toString()} does not exist in ${zone.name}`);
      // Gap: `before` is the offset in force before the change, which maps the wall time to the later side.
      chosen = disambiguation === 'earlier' ? b : a;
    }
    return new HDateTime(chosen, subMs, zone.offsetAt(chosen), zone);
  }

  /** Parse ISO 8601 with an offset, optionally followed by a space and a Haystack zone name. */
  static parse(s: string): HDateTime {
    const m = ISO_RE.exec(s);
    if (m === null) throw new ValueError(`Invalid DateTime ${JSON.stringify(s)}`);
    const d = new HDate(Number(m[1]), Number(m[2]), Number(m[3]));
    const frac = m[7] ?? '';
    const t = new HTime(Number(m[4]), Number(m[5]), Number(m[6] ?? 0), frac === '' ? 0 : Number(frac.padEnd(9, '0')));
    const offStr = m[8];
    const tzName = m[9];
    if (offStr === undefined) {
      if (tzName === undefined) throw new ValueError(`DateTime needs an offset or a zone: ${JSON.stringify(s)}`);
      return HDateTime.fromLocal(d, t, tzName);
    }
    const utc = offStr === 'Z';
    const offHours = utc ? 0 : Number(offStr.slice(1, 3));
    const offMinutes = utc ? 0 : Number(offStr.slice(4, 6));
    // Within ±18:00, the bound the Zinc reader checks too: no zone has a larger offset.
    if (offMinutes > 59 || offHours > 18) throw new ValueError(`Invalid offset in ${JSON.stringify(s)}`);
    const offset = (offStr[0] === '-' ? -1 : 1) * (offHours * 3600 + offMinutes * 60);
    let zone: TimeZone;
    if (tzName !== undefined) zone = TimeZone.get(tzName);
    else {
      const z = TimeZone.fromOffset(offset);
      if (z === undefined) throw new ValueError(`No Haystack zone for offset ${offStr}`);
      zone = z;
    }
    return HDateTime.fromParts(d, t, offset, zone);
  }

  /**
   * From local date and time fields with a stated offset (as read from a wire format). The stated offset
   * fixes the instant; the zone then gives the offset and local time shown, so an offset that contradicts
   * the zone (`2026-01-01T00:00:00+09:00 New_York`) reads as that instant in New York,
   * `2025-12-31T10:00:00-05:00 New_York`, as Haxall's DateTime.fromStr computes its ticks.
   */
  static fromParts(date: HDate, time: HTime, offset: number, tz: TimeZone): HDateTime {
    const localMs = date.toEpochDay() * MS_PER_DAY + time.toMillisOfDay();
    const instant = localMs - instantOffset(localMs, offset, tz) * 1000;
    return new HDateTime(instant, time.nanos % 1_000_000, tz.offsetAt(instant), tz);
  }

  /** Kind name. */
  get kind(): 'dateTime' {
    return 'dateTime';
  }

  /** Milliseconds of local time since 1970-01-01T00:00 local. */
  get #localMs(): number {
    return this.epochMs + this.offset * 1000;
  }

  /** The local calendar date. */
  get date(): HDate {
    return HDate.fromEpochDay(Math.floor(this.#localMs / MS_PER_DAY));
  }

  /** The local time of day, with the full nanosecond fraction. */
  get time(): HTime {
    const msOfDay = this.#localMs - Math.floor(this.#localMs / MS_PER_DAY) * MS_PER_DAY;
    const secs = Math.floor(msOfDay / 1000);
    const nanos = (msOfDay - secs * 1000) * 1_000_000 + this.subMsNanos;
    return new HTime(Math.floor(secs / 3600), Math.floor(secs / 60) % 60, secs % 60, nanos);
  }

  /** The same instant in another zone (exact: only the offset and zone change). */
  toTimeZone(tz: TimeZone | string): HDateTime {
    const zone = typeof tz === 'string' ? TimeZone.get(tz) : tz;
    if (zone === this.tz) return this;
    return new HDateTime(this.epochMs, this.subMsNanos, zone.offsetAt(this.epochMs), zone);
  }

  /** This instant plus `ms` milliseconds, in the same zone. */
  plusMillis(ms: number): HDateTime {
    return HDateTime.fromEpochMs(this.epochMs + ms, this.tz, this.subMsNanos);
  }

  /** A JS Date for the instant (sub-millisecond part dropped). */
  toJsDate(): Date {
    return new Date(this.epochMs);
  }

  /** ISO 8601 with offset (`Z` for a zero offset), no zone name: `2024-03-10T03:30:00-04:00`. */
  toIso(): string {
    const local = this.#localMs;
    const days = Math.floor(local / MS_PER_DAY);
    const msOfDay = local - days * MS_PER_DAY;
    const [y, mo, d] = civilFromDays(days);
    const secs = Math.floor(msOfDay / 1000);
    const nanos = (msOfDay - secs * 1000) * 1_000_000 + this.subMsNanos;
    const base = `${pad4(y)}-${pad2(mo)}-${pad2(d)}T${pad2(Math.floor(secs / 3600))}:${pad2(Math.floor(secs / 60) % 60)}:${pad2(secs % 60)}`;
    return base + fractionString(nanos) + offsetString(this.offset);
  }

  /** Same instant and same zone. */
  equals(other: unknown): boolean {
    return (
      other instanceof HDateTime &&
      other.epochMs === this.epochMs &&
      other.subMsNanos === this.subMsNanos &&
      other.tz.name === this.tz.name
    );
  }

  /** Orders by instant, then by zone name. */
  compareTo(other: HDateTime): number {
    const c = this.epochMs - other.epochMs || this.subMsNanos - other.subMsNanos;
    if (c !== 0) return c < 0 ? -1 : 1;
    return this.tz.name < other.tz.name ? -1 : this.tz.name > other.tz.name ? 1 : 0;
  }

  /** Hash of the instant (zone-independent, which `equals` allows). */
  hash(): number {
    return mix(hashFloat(this.epochMs), this.subMsNanos);
  }

  /** Zinc form: ISO then the zone name. */
  toString(): string {
    return `${this.toIso()} ${this.tz.name}`;
  }
}
registerValueClass(HDateTime);

/**
 * The offset that turns wire local time `localMs` with `stated` offset into its instant: `stated` itself,
 * except before 1973 where it may be the zone's true offset in seconds cut to whole minutes (see
 * LAST_SECONDS_OFFSET_MS), which is restored. Readers call this only when `stated` is not the zone's offset.
 */
export function instantOffset(localMs: number, stated: number, tz: TimeZone): number {
  if (localMs >= LAST_SECONDS_OFFSET_MS || tz.fixedOffset !== undefined) return stated;
  const exact = tz.offsetAt(localMs - stated * 1000);
  if (exact !== stated && Math.trunc(exact / 60) * 60 === stated && tz.offsetAt(localMs - exact * 1000) === exact) {
    return exact;
  }
  return stated;
}

/** `Z` for zero, else `±hh:mm`. */
export function offsetString(offset: number): string {
  if (offset === 0) return 'Z';
  const a = Math.abs(offset);
  return `${offset < 0 ? '-' : '+'}${pad2(Math.floor(a / 3600))}:${pad2(Math.floor(a / 60) % 60)}`;
}

/**
 * Parse a DateTime (`2024-03-10T03:30:00-04:00 New_York`, converted to `tz` when given), make one from epoch ms and a
 * zone, or read a local time without offset in `tz` (`dateTime('2024-01-01T08:00:00', 'New_York')`: 8 am there, see
 * {@link HDateTime.fromLocal}).
 */
export function dateTime(isoOrEpochMs: string | number, tz?: TimeZone | string): HDateTime {
  if (typeof isoOrEpochMs === 'number') return HDateTime.fromEpochMs(isoOrEpochMs, tz ?? TimeZone.UTC);
  const local = tz === undefined ? null : /^(\d{4}-\d\d-\d\d)T(.+:.+)$/.exec(isoOrEpochMs);
  if (local !== null && !/[zZ+-]|\s/.test(local[2] as string)) {
    return HDateTime.fromLocal(
      HDate.parse(local[1] as string),
      HTime.parse(local[2] as string),
      tz as TimeZone | string,
    );
  }
  const dt = HDateTime.parse(isoOrEpochMs);
  return tz === undefined ? dt : dt.toTimeZone(tz);
}

/** Epoch milliseconds of a local date at midnight in a zone (for `hisRead` ranges). */
export function startOfDay(date: HDate, tz: TimeZone): HDateTime {
  return HDateTime.fromLocal(date, HTime.MIDNIGHT, tz);
}
