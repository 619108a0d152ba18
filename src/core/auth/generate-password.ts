// Generated passwords: 192 random bits from WebCrypto, so servers, the CLI and browsers make them the same way.

import { encodeBase64Url } from './base64.js';
import { randomBytes } from './scram-crypto.js';

/** A random password of 192 bits as 32 base64url characters (for a first admin, or `user add --generate-password`). */
export function generatePassword(): string {
  return encodeBase64Url(randomBytes(24));
}
