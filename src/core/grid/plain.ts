// Plain mode: Haystack values as ordinary JS values (lossy), for code that charts or stores data elsewhere.

import { Coord } from '../kinds/coord.js';
import { HDate } from '../kinds/date.js';
import { HDateTime } from '../kinds/date-time.js';
import type { Val } from '../kinds/kind.js';
import { MARKER, REMOVE } from '../kinds/marker.js';
import { Num } from '../kinds/number.js';
import { Ref } from '../kinds/ref.js';
import { Sym } from '../kinds/symbol.js';
import { HTime } from '../kinds/time.js';
import { Uri } from '../kinds/uri.js';
import { XStr } from '../kinds/xstr.js';
import { Dict } from './dict.js';
import { Grid } from './grid.js';

/** A Number with its unit, as plain mode gives it with `units: true`. */
export interface PlainNumber {
  /** The float (Infinity, -Infinity and NaN included). */
  readonly val: number;
  /** The unit symbol; absent for a unitless Number. */
  readonly unit?: string;
}

/** A Coord in plain mode. */
export interface PlainCoord {
  /** Latitude in decimal degrees. */
  readonly lat: number;
  /** Longitude in decimal degrees. */
  readonly lng: number;
}

/** A Dict (or a Grid row) in plain mode: an ordinary object, one property per tag. */
export interface PlainObject {
  [tag: string]: PlainValue;
}

/** What plain mode makes of a Haystack value (see {@link toPlain} for the table). */
export type PlainValue =
  | null
  | boolean
  | number
  | string
  | Date
  | PlainNumber
  | PlainCoord
  | PlainValue[]
  | PlainObject;

/** Options of {@link toPlain}; every decoder and client call that takes `plain` takes these (or `true`). */
export interface PlainOptions {
  /** Numbers with a unit as `{ val, unit }` (unitless ones too, so every Number has one shape); default false: a JS number, the unit dropped. */
  readonly units?: boolean;
  /** DateTimes as ISO 8601 text with offset (`'iso'`, the default) or as JS `Date`s (the instant; zone dropped). Dates and Times stay ISO text either way. */
  readonly dateTimes?: 'iso' | 'date';
}

/** A decoder's or client call's `plain` option: `true` for the defaults of {@link PlainOptions}. */
export type PlainOption = boolean | PlainOptions;

/** The options of a decoder that asks for plain values. */
export interface PlainDecodeOptions {
  /** Give ordinary JS values ({@link toPlain}) instead of Haystack values. */
  readonly plain: true | PlainOptions;
}

/** The options of a decoder that gives Haystack values (`plain` absent or false). */
export interface ValDecodeOptions {
  /** Absent or false: Haystack values. */
  readonly plain?: false;
}

/** The `plain` option of any decoder. */
export interface DecodeOptions {
  /** `true` or {@link PlainOptions}: ordinary JS values ({@link toPlain}); absent or false: Haystack values. */
  readonly plain?: PlainOption;
}

/**
 * A Haystack value as ordinary JS, for charts, spreadsheets and stores that know nothing of Haystack. Lossy by
 * design: units (unless `units`), Ref dis, zones, kinds of strings and grid meta are dropped. What each kind
 * becomes: Marker `true`; NA `null`; Remove `null` (a Dict leaves the tag out); Bool, Str and null as they are;
 * Number a JS number (`{ val, unit }` with `units: true`; INF, -INF and NaN as the JS floats); Ref its id; Uri,
 * Symbol and XStr their text (`val`); Date `YYYY-MM-DD`; Time `hh:mm:ss[.fff]`; DateTime ISO text with its offset
 * (`2024-03-10T03:30:00-04:00`) or a `Date` with `dateTimes: 'date'`; Coord `{ lat, lng }`; List an array; Dict
 * an object; Grid an array of row objects (missing cells left out).
 */
export function toPlain(val: Val, options?: PlainOptions): PlainValue {
  return plain(val, options?.units === true, options?.dateTimes === 'date');
}

/** A decoded value as a decoder's `plain` option asks: itself, or {@link toPlain} of it. */
export function asPlainAsked(val: Val, option: PlainOption | undefined): Val | PlainValue {
  if (option === undefined || option === false) return val;
  return toPlain(val, option === true ? undefined : option);
}

function plain(v: Val, units: boolean, jsDates: boolean): PlainValue {
  if (v === null) return null;
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    default:
  }
  if (v instanceof Num) {
    if (!units) return v.val;
    return v.unit === undefined ? { val: v.val } : { val: v.val, unit: v.unit };
  }
  if (v === MARKER) return true;
  if (v instanceof Dict) return plainDict(v, units, jsDates);
  if (v instanceof Grid) return plainRows(v, units, jsDates);
  if (Array.isArray(v)) return (v as readonly Val[]).map((x) => plain(x, units, jsDates));
  if (v instanceof Ref) return v.id;
  if (v instanceof HDateTime) return jsDates ? new Date(v.epochMs) : v.toIso();
  if (v instanceof HDate || v instanceof HTime) return v.toString();
  if (v instanceof Uri || v instanceof Sym || v instanceof XStr) return v.val;
  if (v instanceof Coord) return { lat: v.lat, lng: v.lng };
  // NA and Remove: no value.
  return null;
}

function plainDict(d: Dict, units: boolean, jsDates: boolean): PlainObject {
  const out: PlainObject = {};
  d.forEach((v, k) => {
    // Tag names start with a lowercase letter, so no key here can reach Object.prototype.
    if (v !== REMOVE) out[k] = plain(v, units, jsDates);
  });
  return out;
}

function plainRows(g: Grid, units: boolean, jsDates: boolean): PlainObject[] {
  const rows: PlainObject[] = [];
  for (const row of g) rows.push(plainDict(row, units, jsDates));
  return rows;
}
