// Hash mixing for values: 32-bit, consistent with `equals` (equal values hash alike).

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

/** FNV-1a hash of a string's UTF-16 code units. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** Hash of a float where -0 and 0 collide, and every NaN collides (they are equal). */
export function hashFloat(n: number): number {
  if (n === 0) return 0;
  if (Number.isNaN(n)) return 0x7ff80000;
  if (Number.isInteger(n) && Math.abs(n) < 2 ** 31) return n | 0;
  F64[0] = n;
  return mix((U32[0] ?? 0) ^ Math.imul(U32[1] ?? 0, 31));
}

/** Combine an accumulated hash with another (order-dependent). */
export function mix(h: number, v = 0): number {
  let x = (Math.imul(h, 31) + v) | 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x45d9f3b);
  x ^= x >>> 16;
  return x | 0;
}
