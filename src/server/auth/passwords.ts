// Password rules of the server: the length policy, SCRAM credentials from a password, and generated passwords.

import { DEFAULT_SCRAM_ITERATIONS, deriveScramCredentials, type ScramCredentials } from '../../core/auth/scram-keys.js';
import { ValueError } from '../../core/errors.js';

export { generatePassword } from '../../core/auth/generate-password.js';

/** Shortest password accepted (NIST SP 800-63B: at least 8 characters for a memorized secret). */
export const MIN_PASSWORD_LENGTH = 8;

/** Longest password accepted: PBKDF2 cost grows with it, so an unbounded one is a denial-of-service lever. */
export const MAX_PASSWORD_LENGTH = 1024;

/** Check a new password against the policy; throws `ValueError` (never echoing the password). */
export function validatePassword(password: unknown): string {
  if (typeof password !== 'string') throw new ValueError('password must be a string');
  // Characters are counted as code points, so an astral character counts once.
  const length = Array.from(password).length;
  if (length < MIN_PASSWORD_LENGTH || length > MAX_PASSWORD_LENGTH) {
    throw new ValueError(`password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`);
  }
  return password;
}

/** SCRAM credentials to store for a new password (checked by {@link validatePassword}); the password is not kept. */
export function credentialsForPassword(
  password: unknown,
  iterations: number = DEFAULT_SCRAM_ITERATIONS,
): Promise<ScramCredentials> {
  return deriveScramCredentials(validatePassword(password), { iterations });
}
