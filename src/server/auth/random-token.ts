// Random tokens of letters and digits only (>= 256 bits), the one shape every known client parses whole.

import { randomBytes } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Characters per token: 43 x log2(62) = 256.03 bits of entropy. */
export const RANDOM_TOKEN_LENGTH = 43;

// 248 = 4 x 62: bytes at or above it are dropped so that every character is equally likely (no modulo bias).
const UNBIASED_LIMIT = 248;

/**
 * A fresh random token of {@link RANDOM_TOKEN_LENGTH} characters from [A-Za-z0-9]. Clients in the field cut
 * tokens at the first character outside that set (phable reads `handshakeToken` with `[a-zA-Z0-9+=/]+`), so
 * handshake and auth tokens use none of `-`, `_`, `+`, `/` or `=`.
 */
export function randomToken(): string {
  let out = '';
  while (out.length < RANDOM_TOKEN_LENGTH) {
    // 48 bytes give 43 accepted ones with overwhelming probability; the loop covers the rare shortfall.
    for (const b of randomBytes(48)) {
      if (b >= UNBIASED_LIMIT) continue;
      out += ALPHABET.charAt(b % 62);
      if (out.length === RANDOM_TOKEN_LENGTH) break;
    }
  }
  return out;
}
