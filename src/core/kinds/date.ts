// The Date kind: a calendar day with no time zone.

import { ValueError } from '../errors.js';
import { civilFromDays, daysFromCivil, daysInMonth, pad2, pad4 } from './calendar.js';
import { mix } from './hash.js';
import { registerValueClass } from './value-class.js';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The Date kind (named `HDate` to leave the JS `Date` alone). */
export class HDate {
  /** Year, 0-9999. */
  readonly year: number;
  /** Month, 1-12. */
  readonly month: number;
  /** Day of month, 1-31. */
  readonly day: number;

  /** Validating constructor; prefer {@link date}. */
  constructor(year: number, month: number, day: number) {
    if (!Number.isInteger(year) || year < 0 || year > 9999) throw new ValueError(`Invalid year ${String(year)}`);
    if (!Number.isInteger(month) || month < 1 || month > 12) throw new ValueError(`Invalid month ${String(month)}`);
    if (!Number.isInteger(day) || day < 1 || day > daysInMonth(year, month)) {
      throw new ValueError(`Invalid day ${String(day)} for ${pad4(year)}-${pad2(month)}`);
    }
    this.year = year;
    this.month = month;
    this.day = day;
  }

  /** Parse `YYYY-MM-DD`. */
  static parse(s: string): HDate {
    const m = DATE_RE.exec(s);
    if (m === null) throw new ValueError(`Invalid Date ${JSON.stringify(s)}`);
    return new HDate(Number(m[1]), Number(m[2]), Number(m[3]));
  }

  /** The date of a day number (days since 1970-01-01). */
  static fromEpochDay(days: number): HDate {
    const [y, m, d] = civilFromDays(days);
    return new HDate(y, m, d);
  }

  /** Kind name. */
  get kind(): 'date' {
    return 'date';
  }

  /** Days since 1970-01-01 (negative before). */
  toEpochDay(): number {
    return daysFromCivil(this.year, this.month, this.day);
  }

  /** Day of week, 0 = Sunday ... 6 = Saturday. */
  get weekday(): number {
    return (((this.toEpochDay() + 4) % 7) + 7) % 7;
  }

  /** This date plus `n` days (n may be negative). */
  plusDays(n: number): HDate {
    return HDate.fromEpochDay(this.toEpochDay() + n);
  }

  /** Same day. */
  equals(other: unknown): boolean {
    return other instanceof HDate && other.year === this.year && other.month === this.month && other.day === this.day;
  }
  /** Chronological order. */
  compareTo(other: HDate): number {
    return this.year - other.year || this.month - other.month || this.day - other.day;
  }
  /** Hash of the day. */
  hash(): number {
    return mix(this.toEpochDay(), 4);
  }
  /** ISO form `YYYY-MM-DD`. */
  toString(): string {
    return `${pad4(this.year)}-${pad2(this.month)}-${pad2(this.day)}`;
  }
}
registerValueClass(HDate);

/** Make a Date, e.g. `date(2024, 3, 31)`, or parse `date('2024-03-31')`. */
export function date(yearOrIso: number | string, month?: number, day?: number): HDate {
  if (typeof yearOrIso === 'string') return HDate.parse(yearOrIso);
  return new HDate(yearOrIso, month ?? 1, day ?? 1);
}
