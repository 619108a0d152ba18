// Zinc text of scalar values (everything but List, Dict and Grid), with the string and URI escapes.

import { civilFromDays, fractionString, MS_PER_DAY, pad2, pad4 } from '../../kinds/calendar.js';
import { Coord } from '../../kinds/coord.js';
import { HDate } from '../../kinds/date.js';
import { HDateTime, offsetString } from '../../kinds/date-time.js';
import type { Val } from '../../kinds/kind.js';
import { MARKER, NA, REMOVE } from '../../kinds/marker.js';
import { Num, numberText } from '../../kinds/number.js';
import { Ref } from '../../kinds/ref.js';
import { Sym } from '../../kinds/symbol.js';
import { HTime } from '../../kinds/time.js';
import { Uri } from '../../kinds/uri.js';
import { XStr } from '../../kinds/xstr.js';
import type { TimeZone } from '../../tz/time-zone.js';
import { isUriReserved } from './zinc-chars.js';

// Two-digit strings 00-59 for times.
const D2: string[] = [];
for (let i = 0; i < 60; i++) D2.push(pad2(i));

/** A scalar in Zinc form (`N` for null); undefined for a List, Dict or Grid. */
export function zincScalar(v: Val): string | undefined {
  if (v === null) return 'N';
  switch (typeof v) {
    case 'string':
      return zincStr(v);
    case 'boolean':
      return v ? 'T' : 'F';
    default:
  }
  if (v === MARKER) return 'M';
  if (v instanceof Ref) return v.dis === undefined ? `@${v.id}` : `@${v.id} ${zincStr(v.dis)}`;
  if (v instanceof Num) return numberText(v.val, v.unit);
  if (v instanceof HDateTime) return zincDateTime(v.epochMs, v.subMsNanos, v.offset, v.tz);
  if (v instanceof Uri) return zincUri(v.val);
  if (v instanceof HDate || v instanceof HTime) return v.toString();
  if (v instanceof Sym) return `^${v.val}`;
  // A Coord keeps micro-degrees, which print without an exponent (Zinc <coordDeg> has none): its own form is Zinc.
  if (v instanceof Coord) return v.toString();
  if (v instanceof XStr) return `${v.type}(${zincStr(v.val)})`;
  if (v === NA) return 'NA';
  if (v === REMOVE) return 'R';
  return undefined;
}

/** True if a string needs escapes in a Zinc <str> (a regex scan beats a char loop here). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control chars are what must be escaped
export const STR_NEEDS_ESCAPE = /["\\$\u0000-\u001f\ud800-\udfff]/;

/** Zinc: <str> with escapes for `"`, `\`, `$`, control chars and lone surrogates (kept intact through UTF-8). */
export function zincStr(s: string): string {
  return STR_NEEDS_ESCAPE.test(s) ? `"${escapeStr(s, 0)}"` : `"${s}"`;
}

/** The body of a Zinc <str> for `s` (without quotes), escaping from index `from` on. */
export function escapeStr(s: string, from: number): string {
  return rewrite(s, from, strEscape);
}

/**
 * Zinc: <uri> := "`" <uriChar>* "`". A backslash before a reserved char stays as written (readers keep
 * it, Zinc#uriNotes); any other backslash is written `\u005c`, a backtick `` \` ``.
 */
export function zincUri(s: string): string {
  return URI_NEEDS_ESCAPE.test(s) ? `\`${rewrite(s, 0, uriEscape)}\`` : `\`${s}\``;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control chars are what must be escaped
const URI_NEEDS_ESCAPE = /[`\\\u0000-\u001f\ud800-\udfff]/;

/** For the char at `i`: its escape, or how many chars to keep as they are. */
type Escape = (c: number, s: string, i: number) => string | number;

/** `s` with each char from `from` on replaced as `esc` says. */
function rewrite(s: string, from: number, esc: Escape): string {
  let out = s.slice(0, from);
  let run = from;
  for (let i = from; i < s.length; ) {
    const r = esc(s.charCodeAt(i), s, i);
    if (typeof r === 'number') {
      i += r;
      continue;
    }
    out += s.slice(run, i) + r;
    run = ++i;
  }
  return out + s.slice(run);
}

// Zinc: <strEscChar> := "\b" | "\f" | "\n" | "\r" | "\t" | "\"" | "\\" | "\$" | <uEscChar> ; lone surrogates as \uXXXX.
function strEscape(c: number, s: string, i: number): string | number {
  if (c < 32) {
    if (c === 10) return '\\n';
    if (c === 13) return '\\r';
    if (c === 9) return '\\t';
    if (c === 8) return '\\b';
    if (c === 12) return '\\f';
    return uEsc(c);
  }
  if (c === 34) return '\\"';
  if (c === 92) return '\\\\';
  // Kinds#str: "Zinc requires the "$" character to be backslash escaped" (Haxall writes \$ too).
  if (c === 36) return '\\$';
  if (c >= 0xd800 && c <= 0xdfff) return isPairAt(s, i) ? 2 : uEsc(c);
  return 1;
}

function uriEscape(c: number, s: string, i: number): string | number {
  if (c === 96) return '\\`';
  if (c < 32) return uEsc(c);
  if (c === 92) return isUriReserved(i + 1 < s.length ? s.charCodeAt(i + 1) : -1) ? 2 : '\\u005c';
  if (c >= 0xd800 && c <= 0xdfff) return isPairAt(s, i) ? 2 : uEsc(c);
  return 1;
}

/** True if a high surrogate at `i` is followed by a low one (a well-formed pair, kept as is). */
function isPairAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  const d = i + 1 < s.length ? s.charCodeAt(i + 1) : -1;
  return c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff;
}

function uEsc(c: number): string {
  return `\\u${c.toString(16).padStart(4, '0')}`;
}

// Cache of the date and zone parts of the last DateTime written: consecutive timestamps of a history
// usually share the day, the offset and the zone, so only the time of day is formatted.
let dtDay = Number.NaN;
let dtOffset = Number.NaN;
let dtTz: TimeZone | undefined;
let dtPrefix = '';
let dtSuffix = '';

/** The date part of a Zinc DateTime on a day number (days since 1970-01-01): `YYYY-MM-DDT`. */
export function zincDay(day: number): string {
  const [y, mo, d] = civilFromDays(day);
  return `${pad4(y)}-${D2[mo] as string}-${D2[d] as string}T`;
}

/** Zinc: <dateTime> := YYYY-MM-DD'T'hh:mm:ss.FFFFFFFFFz zzzz */
export function zincDateTime(epochMs: number, subMsNanos: number, offset: number, tz: TimeZone): string {
  const local = epochMs + offset * 1000;
  const day = Math.floor(local / MS_PER_DAY);
  if (day !== dtDay || offset !== dtOffset || tz !== dtTz) {
    dtPrefix = zincDay(day);
    dtSuffix = `${offsetString(offset)} ${tz.name}`;
    dtDay = day;
    dtOffset = offset;
    dtTz = tz;
  }
  const msOfDay = local - day * MS_PER_DAY;
  const secs = Math.floor(msOfDay / 1000);
  const ms = msOfDay - secs * 1000;
  const hms = `${D2[Math.floor(secs / 3600)] as string}:${D2[Math.floor(secs / 60) % 60] as string}:${D2[secs % 60] as string}`;
  if (ms === 0 && subMsNanos === 0) return dtPrefix + hms + dtSuffix;
  return dtPrefix + hms + fractionString(ms * 1_000_000 + subMsNanos) + dtSuffix;
}
