// Constant-time comparison of secrets, so that the time taken never tells how many leading bytes matched.

/**
 * True when `a` and `b` hold the same bytes. The time depends only on the lengths, never on where the
 * first difference is; lengths are not secret here (digests, keys and tokens have fixed sizes).
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}
