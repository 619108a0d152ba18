// A growable UTF-8 byte buffer for writers: text is appended as bytes and becomes one string (or bytes) at the end.

import { zincNum } from './zinc-scalar.js';

/** The one UTF-8 encoder of the Zinc writers. */
export const utf8Encoder = new TextEncoder();
const decoder = new TextDecoder();
const POW10 = [1, 10, 100, 1000];

/**
 * Appending bytes leaves no string garbage behind (a string built with `+=` keeps every piece alive
 * until it is flattened, which is what makes string-building writers slow).
 */
export class ByteSink {
  /** The buffer; valid up to {@link len}. Grows (and is replaced) as needed. */
  buf: Uint8Array;
  /** Bytes written. */
  len = 0;

  constructor(capacity = 1024) {
    this.buf = new Uint8Array(Math.max(64, capacity));
  }

  /** Make room for `n` more bytes. */
  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + n));
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** One byte (an ASCII char code). */
  byte(c: number): void {
    if (this.len === this.buf.length) this.ensure(1);
    this.buf[this.len++] = c;
  }

  /** Some bytes. */
  bytes(b: Uint8Array): void {
    const n = b.length;
    this.ensure(n);
    if (n > 32) this.buf.set(b, this.len);
    else {
      // A loop beats TypedArray#set for a few bytes.
      const buf = this.buf;
      const at = this.len;
      for (let k = 0; k < n; k++) buf[at + k] = b[k] as number;
    }
    this.len += n;
  }

  /** Text as UTF-8 (well-formed UTF-16 expected; a lone surrogate becomes U+FFFD). */
  utf8(s: string): void {
    const n = s.length;
    this.ensure(n * 3);
    const buf = this.buf;
    let p = this.len;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) buf[p++] = c;
      else if (c < 0x800) {
        buf[p++] = 0xc0 | (c >> 6);
        buf[p++] = 0x80 | (c & 63);
      } else if (c >= 0xd800 && c <= 0xdfff) {
        // A pair (or a lone surrogate): leave it to the platform encoder.
        this.len = p;
        this.len += utf8Encoder.encodeInto(s.slice(i), buf.subarray(p)).written;
        return;
      } else {
        buf[p++] = 0xe0 | (c >> 12);
        buf[p++] = 0x80 | ((c >> 6) & 63);
        buf[p++] = 0x80 | (c & 63);
      }
    }
    this.len = p;
  }

  /** Digits of a non-negative integer below 2^53 (the caller has made room for 16 bytes). */
  digits(n: number): void {
    const buf = this.buf;
    if (n < 10) {
      buf[this.len++] = 48 + n;
      return;
    }
    let k = 1;
    for (let q = 10; q <= n && k < 16; q *= 10) k++;
    let i = this.len + k;
    this.len = i;
    while (n >= 1) {
      const q = Math.floor(n / 10);
      buf[--i] = 48 + (n - q * 10);
      n = q;
    }
  }

  /**
   * A float as `String(v)` writes it (Zinc accepts JS exponent form), `INF`/`-INF`/`NaN` for the
   * specials. Values with up to three decimals are written digit by digit: such a decimal is the
   * shortest that reads back as `v`, so the digits are those of `String(v)`.
   */
  num(v: number): void {
    for (let k = 0; k < 4; k++) {
      const scale = POW10[k] as number;
      const m = v * scale;
      if (Number.isInteger(m) && Math.abs(m) < 1e15 && m / scale === v && !(m === 0 && 1 / v < 0)) {
        this.ensure(40);
        const buf = this.buf;
        let a = m;
        if (a < 0) {
          buf[this.len++] = 45;
          a = -a;
        }
        if (k === 0) {
          this.digits(a);
          return;
        }
        const int = Math.floor(a / scale);
        this.digits(int);
        let frac = a - int * scale;
        let n = k;
        while (frac % 10 === 0) {
          frac /= 10;
          n--;
        }
        buf[this.len++] = 46;
        const end = this.len + n;
        for (let j = end - 1; j >= this.len; j--) {
          buf[j] = 48 + (frac % 10);
          frac = Math.floor(frac / 10);
        }
        this.len = end;
        return;
      }
    }
    this.utf8(zincNum(v, undefined));
  }

  /** The bytes written so far as a string. */
  toString(): string {
    return decoder.decode(this.buf.subarray(0, this.len));
  }
}
