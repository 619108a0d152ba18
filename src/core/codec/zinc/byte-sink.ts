// A growable UTF-8 byte buffer for writers: text is appended as bytes and becomes one string (or bytes) at the end.

/**
 * The TextEncoder calls the writers make, written out: inferred under @types/node, the declaration of
 * {@link utf8Encoder} would name `import("util").TextEncoder`, a Node type that a browser project cannot resolve.
 */
interface Utf8Encoder {
  encode(input: string): Uint8Array;
  encodeInto(input: string, dest: Uint8Array): { readonly read: number; readonly written: number };
}

/** The one UTF-8 encoder of the Zinc writers. */
export const utf8Encoder: Utf8Encoder = new TextEncoder();
const decoder = new TextDecoder();

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

  /** The bytes written so far as a string. */
  toString(): string {
    return decoder.decode(this.buf.subarray(0, this.len));
  }
}

/**
 * A Number's float as `String(v)` writes it, into `buf` at `p` (room for 20 bytes): returns the end, or -1 unless
 * `v` is an integer below 1e15 or a decimal of up to three places below 1e12 (-0, INF and NaN included), which
 * the caller writes as text. Such a decimal is the only one of that many places that reads back as `v` (doubles
 * below 1e12 are less than 0.001 apart), so `String(v)`, the shortest that does, has its digits.
 */
export function putDecimal(buf: Uint8Array, p: number, v: number): number {
  let a = v < 0 ? -v : v;
  let frac = 0;
  if (!Number.isInteger(a)) {
    const m = Math.round(a * 1000);
    if (m / 1000 !== a || m >= 1e15) return -1;
    a = Math.floor(m / 1000);
    frac = m - a * 1000;
  } else if (a >= 1e15 || (a === 0 && 1 / v < 0)) return -1;
  if (v < 0) buf[p++] = 45;
  let end = p + 1;
  for (let q = 10; q <= a; q *= 10) end++;
  for (let i = end; i > p; ) {
    const q = Math.floor(a / 10);
    buf[--i] = 48 + a - q * 10;
    a = q;
  }
  if (frac === 0) return end;
  // Thousandths without trailing zeros.
  buf[end++] = 46;
  buf[end++] = 48 + Math.floor(frac / 100);
  frac %= 100;
  if (frac !== 0) {
    buf[end++] = 48 + Math.floor(frac / 10);
    if (frac % 10 !== 0) buf[end++] = 48 + (frac % 10);
  }
  return end;
}

/**
 * Append `b` to `sink`. A function rather than a ByteSink method: only the servers' memo writers use it, and a
 * method would sit in every browser bundle that has a ByteSink.
 */
export function putBytes(sink: ByteSink, b: Uint8Array): void {
  const n = b.length;
  sink.ensure(n);
  if (n > 32) sink.buf.set(b, sink.len);
  else {
    // A loop beats TypedArray#set for a few bytes.
    const buf = sink.buf;
    const at = sink.len;
    for (let k = 0; k < n; k++) buf[at + k] = b[k] as number;
  }
  sink.len += n;
}
