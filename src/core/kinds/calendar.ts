// Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01), no Date objects.

/** Milliseconds in one day. */
export const MS_PER_DAY = 86_400_000;

/** True for a Gregorian leap year. */
export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Days in month `m` (1-12) of year `y`. */
export function daysInMonth(y: number, m: number): number {
  return m === 2 && isLeapYear(y) ? 29 : (DAYS_IN_MONTH[m - 1] ?? 0);
}

/** Day number of a civil date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Civil date `[year, month, day]` of a day number (H. Hinnant's civil_from_days). */
export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [yoe + era * 400 + (m <= 2 ? 1 : 0), m, d];
}

/** Zero-padded two-digit string. */
export function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Zero-padded four-digit year (years 0-9999). */
export function pad4(n: number): string {
  if (n >= 1000) return String(n);
  if (n >= 100) return `0${n}`;
  if (n >= 10) return `00${n}`;
  return `000${n}`;
}

/** Fraction digits of a nanosecond count with trailing zeros removed, '' for zero (e.g. 500000000 -> '.5'). */
export function fractionString(nanos: number): string {
  if (nanos === 0) return '';
  let s = String(nanos).padStart(9, '0');
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 48) end--;
  s = s.slice(0, end);
  return `.${s}`;
}
