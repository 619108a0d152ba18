// The Time kind: a time of day with up to nanosecond precision and no time zone.

import { ValueError } from '../errors.js';
import { fractionString, pad2 } from './calendar.js';
import { mix } from './hash.js';
import { registerValueClass } from './value-class.js';

const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?$/;

/** Nanoseconds in one second. */
export const NANOS_PER_SEC = 1_000_000_000;

/** The Time kind (named `HTime`). */
export class HTime {
  /** Hour, 0-23. */
  readonly hour: number;
  /** Minute, 0-59. */
  readonly minute: number;
  /** Second, 0-59. */
  readonly second: number;
  /** Fraction of the second in nanoseconds, 0-999,999,999. */
  readonly nanos: number;

  /** Validating constructor; prefer {@link time}. */
  constructor(hour: number, minute: number, second = 0, nanos = 0) {
    if (!Number.isInteger(hour) || hour < 0 || hour > 23) throw new ValueError(`Invalid hour ${String(hour)}`);
    if (!Number.isInteger(minute) || minute < 0 || minute > 59)
      throw new ValueError(`Invalid minute ${String(minute)}`);
    if (!Number.isInteger(second) || second < 0 || second > 59)
      throw new ValueError(`Invalid second ${String(second)}`);
    if (!Number.isInteger(nanos) || nanos < 0 || nanos >= NANOS_PER_SEC)
      throw new ValueError(`Invalid nanos ${String(nanos)}`);
    this.hour = hour;
    this.minute = minute;
    this.second = second;
    this.nanos = nanos;
  }

  /** Midnight. */
  static readonly MIDNIGHT: HTime = new HTime(0, 0, 0, 0);

  /** Parse `hh:mm`, `hh:mm:ss` or `hh:mm:ss.FFFFFFFFF` (1-9 fraction digits). */
  static parse(s: string): HTime {
    const m = TIME_RE.exec(s);
    if (m === null) throw new ValueError(`Invalid Time ${JSON.stringify(s)}`);
    const frac = m[4] ?? '';
    return new HTime(Number(m[1]), Number(m[2]), Number(m[3] ?? 0), frac === '' ? 0 : Number(frac.padEnd(9, '0')));
  }

  /** The time `ns` nanoseconds after midnight (0 <= ns < one day). */
  static fromNanoOfDay(ns: number): HTime {
    const secs = Math.floor(ns / NANOS_PER_SEC);
    return new HTime(Math.floor(secs / 3600), Math.floor(secs / 60) % 60, secs % 60, ns - secs * NANOS_PER_SEC);
  }

  /** Kind name. */
  get kind(): 'time' {
    return 'time';
  }
  /** Milliseconds since midnight (fraction below a millisecond dropped). */
  toMillisOfDay(): number {
    return ((this.hour * 60 + this.minute) * 60 + this.second) * 1000 + Math.floor(this.nanos / 1_000_000);
  }
  /** Seconds since midnight. */
  toSecondOfDay(): number {
    return (this.hour * 60 + this.minute) * 60 + this.second;
  }
  /** Same time of day. */
  equals(other: unknown): boolean {
    return other instanceof HTime && this.compareTo(other) === 0;
  }
  /** Chronological order. */
  compareTo(other: HTime): number {
    return this.toSecondOfDay() - other.toSecondOfDay() || this.nanos - other.nanos;
  }
  /** Hash of the time. */
  hash(): number {
    return mix(this.toSecondOfDay(), this.nanos);
  }
  /** `hh:mm:ss` plus the fraction without trailing zeros. */
  toString(): string {
    return `${pad2(this.hour)}:${pad2(this.minute)}:${pad2(this.second)}${fractionString(this.nanos)}`;
  }
}
registerValueClass(HTime);

/** Make a Time, e.g. `time(14, 30)`, or parse `time('14:30:00.5')`. */
export function time(hourOrIso: number | string, minute?: number, second?: number, nanos?: number): HTime {
  if (typeof hourOrIso === 'string') return HTime.parse(hourOrIso);
  return new HTime(hourOrIso, minute ?? 0, second ?? 0, nanos ?? 0);
}
