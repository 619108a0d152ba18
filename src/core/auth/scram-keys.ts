// SCRAM key derivation (RFC 5802 section 3): SaltedPassword, ClientKey, StoredKey, ServerKey, signatures, AuthMessage.

import { ValueError } from '../errors.js';
import { utf8Encode } from './base64.js';
import { saslPrep } from './saslprep.js';
import { digest, hmac, pbkdf2, randomBytes, SCRAM_HASH_BYTES, type ScramHash } from './scram-crypto.js';

/** What a server keeps to verify a user by SCRAM: never the password nor an unsalted hash of it. */
export interface ScramCredentials {
  /** Hash function of the PBKDF2 PRF and of every HMAC. */
  readonly hash: ScramHash;
  /** Per-user random salt. */
  readonly salt: Uint8Array;
  /** PBKDF2 iteration count. */
  readonly iterations: number;
  /** RFC 5802: `StoredKey := H(ClientKey)`. */
  readonly storedKey: Uint8Array;
  /** RFC 5802: `ServerKey := HMAC(SaltedPassword, "Server Key")`. */
  readonly serverKey: Uint8Array;
}

/** Default PBKDF2 iteration count for new credentials (RFC 7677 asks at least 4096; OWASP advises far more). */
export const DEFAULT_SCRAM_ITERATIONS = 100_000;

/** Default salt length in bytes for new credentials. */
export const DEFAULT_SCRAM_SALT_BYTES = 32;

/** Fewest iterations accepted anywhere (RFC 7677 section 4: at least 4096). */
export const MIN_SCRAM_ITERATIONS = 4096;

/** Options of {@link deriveScramCredentials}. */
export interface DeriveScramOptions {
  /** Salt to use (default: {@link DEFAULT_SCRAM_SALT_BYTES} random bytes). */
  readonly salt?: Uint8Array;
  /** PBKDF2 iterations (default {@link DEFAULT_SCRAM_ITERATIONS}; at least {@link MIN_SCRAM_ITERATIONS}). */
  readonly iterations?: number;
  /** Hash function (default `SHA-256`, the one every Haystack peer must support). */
  readonly hash?: ScramHash;
}

const CLIENT_KEY = utf8Encode('Client Key');
const SERVER_KEY = utf8Encode('Server Key');

/** RFC 5802: `SaltedPassword := Hi(Normalize(password), salt, i)`; throws `ValueError` on an empty password. */
export async function saltPassword(
  hash: ScramHash,
  password: string,
  salt: Uint8Array,
  iterations: number,
): Promise<Uint8Array> {
  if (password.length === 0) throw new ValueError('SCRAM password must not be empty');
  return pbkdf2(hash, utf8Encode(saslPrep(password)), salt, iterations);
}

/** The client and server keys derived from a SaltedPassword. */
export interface ScramKeys {
  /** RFC 5802: `ClientKey := HMAC(SaltedPassword, "Client Key")`. */
  readonly clientKey: Uint8Array;
  /** RFC 5802: `StoredKey := H(ClientKey)`. */
  readonly storedKey: Uint8Array;
  /** RFC 5802: `ServerKey := HMAC(SaltedPassword, "Server Key")`. */
  readonly serverKey: Uint8Array;
}

/** Derive ClientKey, StoredKey and ServerKey from a SaltedPassword. */
export async function scramKeys(hash: ScramHash, saltedPassword: Uint8Array): Promise<ScramKeys> {
  const clientKey = await hmac(hash, saltedPassword, CLIENT_KEY);
  const [storedKey, serverKey] = await Promise.all([digest(hash, clientKey), hmac(hash, saltedPassword, SERVER_KEY)]);
  return { clientKey, storedKey, serverKey };
}

/** Credentials to store for a password: random salt (unless given), PBKDF2, StoredKey and ServerKey. */
export async function deriveScramCredentials(
  password: string,
  options: DeriveScramOptions = {},
): Promise<ScramCredentials> {
  const hash = options.hash ?? 'SHA-256';
  const iterations = options.iterations ?? DEFAULT_SCRAM_ITERATIONS;
  if (!Number.isSafeInteger(iterations) || iterations < MIN_SCRAM_ITERATIONS || iterations > 0x7fffffff) {
    throw new ValueError(`SCRAM iterations must be an integer >= ${MIN_SCRAM_ITERATIONS}`);
  }
  const salt = options.salt === undefined ? randomBytes(DEFAULT_SCRAM_SALT_BYTES) : Uint8Array.from(options.salt);
  if (salt.length === 0) throw new ValueError('SCRAM salt must not be empty');
  const { storedKey, serverKey } = await scramKeys(hash, await saltPassword(hash, password, salt, iterations));
  return { hash, salt, iterations, storedKey, serverKey };
}

/** True when `credentials` have the key sizes their hash implies (a guard for stored or imported records). */
export function isWellFormedScramCredentials(credentials: ScramCredentials): boolean {
  const size = SCRAM_HASH_BYTES[credentials.hash];
  return (
    credentials.storedKey.length === size &&
    credentials.serverKey.length === size &&
    credentials.salt.length > 0 &&
    Number.isSafeInteger(credentials.iterations) &&
    credentials.iterations > 0
  );
}

/** RFC 5802: `AuthMessage := client-first-message-bare + "," + server-first-message + "," + client-final-message-without-proof`. */
export function authMessage(clientFirstBare: string, serverFirst: string, clientFinalWithoutProof: string): Uint8Array {
  return utf8Encode(`${clientFirstBare},${serverFirst},${clientFinalWithoutProof}`);
}
