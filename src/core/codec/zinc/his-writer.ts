// History fast path of the Zinc writer: `ts,val` rows written as UTF-8 bytes straight from the typed columns.

import { civilFromDays, MS_PER_DAY, pad4 } from '../../kinds/calendar.js';
import { offsetString } from '../../kinds/date-time.js';
import type { TimeZone } from '../../tz/time-zone.js';
import { type ByteSink, utf8Encoder } from './byte-sink.js';
import type { HisRows } from './his-columns.js';

// ASCII tens and ones digits of 0-59.
const TENS = Uint8Array.from({ length: 60 }, (_v, i) => 48 + Math.floor(i / 10));
const ONES = Uint8Array.from({ length: 60 }, (_v, i) => 48 + (i % 10));

/**
 * Zinc lines of rows `from`..`to` of a columnar history, as UTF-8 into `sink`. Timestamps reuse the
 * bytes of their day and zone; Numbers go through {@link ByteSink.num}; other values through `val`.
 */
export function writeHisRows(
  sink: ByteSink,
  src: HisRows,
  from: number,
  to: number,
  val: (sink: ByteSink, i: number) => void,
): void {
  sink.ensure((to - from) * 48);
  const tz: TimeZone = src.tz;
  const ms = src.epochMs;
  const sub = src.subMsNanos;
  const nums = src.others === undefined && src.valKind === 'number' ? (src.nums as Float64Array) : undefined;
  const unit = src.unit === undefined ? new Uint8Array(0) : utf8Encoder.encode(src.unit);
  let day = Number.NaN;
  let offset = 0;
  let hour = Number.NaN;
  let prefix = new Uint8Array(0);
  let suffix = new Uint8Array(0);
  for (let i = from; i < to; i++) {
    const t = ms[i] as number;
    // Offsets change a few times a year: look up again only when the instant leaves the current hour.
    const h = Math.floor(t / 3_600_000);
    if (h !== hour) {
      const o = tz.offsetAt(t);
      hour = tz.offsetAt(h * 3_600_000) === tz.offsetAt(h * 3_600_000 + 3_599_999) ? h : Number.NaN;
      if (o !== offset) {
        offset = o;
        day = Number.NaN;
      }
    }
    const local = t + offset * 1000;
    const d = Math.floor(local / MS_PER_DAY);
    if (d !== day) {
      day = d;
      const [y, mo, dd] = civilFromDays(d);
      prefix = utf8Encoder.encode(`${pad4(y)}-${mo < 10 ? '0' : ''}${mo}-${dd < 10 ? '0' : ''}${dd}T`);
      suffix = utf8Encoder.encode(`${offsetString(offset)} ${tz.name},`);
    }
    sink.ensure(prefix.length + suffix.length + 64 + unit.length);
    sink.bytes(prefix);
    const msOfDay = local - d * MS_PER_DAY;
    const secs = Math.floor(msOfDay / 1000);
    const buf = sink.buf;
    let p = sink.len;
    const hh = Math.floor(secs / 3600);
    const mi = Math.floor(secs / 60) - hh * 60;
    const ss = secs - Math.floor(secs / 60) * 60;
    buf[p++] = TENS[hh] as number;
    buf[p++] = ONES[hh] as number;
    buf[p++] = 58;
    buf[p++] = TENS[mi] as number;
    buf[p++] = ONES[mi] as number;
    buf[p++] = 58;
    buf[p++] = TENS[ss] as number;
    buf[p++] = ONES[ss] as number;
    sink.len = p;
    const frac = (msOfDay - secs * 1000) * 1_000_000 + (sub === undefined ? 0 : (sub[i] as number));
    if (frac !== 0) {
      // Fraction digits without trailing zeros (as `fractionString`).
      let f = frac;
      let n = 9;
      while (f % 10 === 0) {
        f /= 10;
        n--;
      }
      buf[p++] = 46;
      for (let k = n - 1; k >= 0; k--) {
        buf[p + k] = 48 + (f % 10);
        f = Math.floor(f / 10);
      }
      sink.len = p + n;
    }
    sink.bytes(suffix);
    if (nums !== undefined) {
      sink.num(nums[i] as number);
      if (unit.length > 0) sink.bytes(unit);
    } else val(sink, i);
    sink.byte(10);
  }
}
