// History fast path of the Zinc writer: `ts,val` rows written as UTF-8 bytes straight from the typed columns.

import { civilFromDays, MS_PER_DAY, pad4 } from '../../kinds/calendar.js';
import { offsetString } from '../../kinds/date-time.js';
import type { TimeZone } from '../../tz/time-zone.js';
import type { HisRows } from './his-columns.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const POW10 = [1, 10, 100, 1000];
// ASCII tens and ones digits of 0-59.
const TENS = Uint8Array.from({ length: 60 }, (_v, i) => 48 + Math.floor(i / 10));
const ONES = Uint8Array.from({ length: 60 }, (_v, i) => 48 + (i % 10));

/** A growable UTF-8 byte buffer that becomes one string at the end (no per-row string garbage). */
class ByteSink {
  buf: Uint8Array;
  len = 0;

  constructor(capacity: number) {
    this.buf = new Uint8Array(Math.max(64, capacity));
  }

  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    const n = b.length;
    if (n > 32) this.buf.set(b, this.len);
    else {
      // A loop beats TypedArray#set for the few bytes of a date, zone or unit.
      const buf = this.buf;
      const at = this.len;
      for (let k = 0; k < n; k++) buf[at + k] = b[k] as number;
    }
    this.len += n;
  }

  /** Any text, encoded as UTF-8. */
  text(s: string): void {
    this.ensure(s.length * 3);
    this.len += encoder.encodeInto(s, this.buf.subarray(this.len)).written;
  }

  /** Digits of a non-negative integer below 2^53. */
  digits(n: number): void {
    const buf = this.buf;
    if (n < 10) {
      buf[this.len++] = 48 + n;
      return;
    }
    let k = 1;
    for (let p = 10; p <= n && k < 16; p *= 10) k++;
    let i = this.len + k;
    this.len = i;
    while (n >= 1) {
      const q = Math.floor(n / 10);
      buf[--i] = 48 + (n - q * 10);
      n = q;
    }
  }

  toString(): string {
    return decoder.decode(this.buf.subarray(0, this.len));
  }
}

/**
 * Zinc text of rows `from`..`to` of a columnar history. Timestamps reuse the bytes of their day and
 * zone; Numbers with up to three decimals are written digit by digit (the digits that `String(v)`
 * gives, since such a decimal is the shortest that reads back as `v`), others through `String(v)`.
 */
export function writeHisRows(src: HisRows, from: number, to: number, val: (i: number) => string): string {
  const sink = new ByteSink((to - from) * 48 + 64);
  const tz: TimeZone = src.tz;
  const ms = src.epochMs;
  const sub = src.subMsNanos;
  const nums = src.others === undefined && src.valKind === 'number' ? (src.nums as Float64Array) : undefined;
  const unit = src.unit === undefined ? new Uint8Array(0) : encoder.encode(src.unit);
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
      prefix = encoder.encode(`${pad4(y)}-${mo < 10 ? '0' : ''}${mo}-${dd < 10 ? '0' : ''}${dd}T`);
      suffix = encoder.encode(`${offsetString(offset)} ${tz.name},`);
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
      writeNum(sink, nums[i] as number);
      if (unit.length > 0) sink.bytes(unit);
    } else sink.text(val(i));
    sink.buf[sink.len++] = 10;
  }
  return sink.toString();
}

function writeNum(sink: ByteSink, v: number): void {
  for (let k = 0; k < 4; k++) {
    const scale = POW10[k] as number;
    const m = v * scale;
    if (Number.isInteger(m) && Math.abs(m) < 1e15 && m / scale === v && !(m === 0 && 1 / v < 0)) {
      const buf = sink.buf;
      let a = m;
      if (a < 0) {
        buf[sink.len++] = 45;
        a = -a;
      }
      if (k === 0) {
        sink.digits(a);
        return;
      }
      const int = Math.floor(a / scale);
      sink.digits(int);
      let frac = a - int * scale;
      let n = k;
      while (frac % 10 === 0) {
        frac /= 10;
        n--;
      }
      buf[sink.len++] = 46;
      const end = sink.len + n;
      for (let j = end - 1; j >= sink.len; j--) {
        buf[j] = 48 + (frac % 10);
        frac = Math.floor(frac / 10);
      }
      sink.len = end;
      return;
    }
  }
  const s = Number.isNaN(v)
    ? 'NaN'
    : v === Number.POSITIVE_INFINITY
      ? 'INF'
      : v === Number.NEGATIVE_INFINITY
        ? '-INF'
        : String(v);
  const buf = sink.buf;
  let p = sink.len;
  for (let j = 0; j < s.length; j++) buf[p++] = s.charCodeAt(j);
  sink.len = p;
}
