// The cryptographic primitives SCRAM needs (HMAC, hash, PBKDF2, random bytes), on WebCrypto so browsers and Node share them.

import { AuthError } from '../errors.js';

/** Hash functions the Haystack Auth chapter allows for SCRAM (`hash` auth-param). */
export type ScramHash = 'SHA-256' | 'SHA-512';

/** Output size in bytes of each {@link ScramHash}. */
export const SCRAM_HASH_BYTES: Readonly<Record<ScramHash, number>> = { 'SHA-256': 32, 'SHA-512': 64 };

/** True when `name` is exactly one of the supported SCRAM hash names. */
export function isScramHash(name: string): name is ScramHash {
  return name === 'SHA-256' || name === 'SHA-512';
}

/** Parse a wire hash name (`sha-256`, `SHA-256`) into a {@link ScramHash}; throws `AuthError` for any other. */
export function toScramHash(name: string): ScramHash {
  const upper = name.toUpperCase();
  if (isScramHash(upper)) return upper;
  // Only servers' headers carry a hash name: saying which one helps against one that still offers SHA-1.
  throw new AuthError(`Unsupported SCRAM hash ${JSON.stringify(name.slice(0, 32))} (SHA-256 or SHA-512 only)`);
}

type Subtle = typeof globalThis.crypto.subtle;

function subtle(): Subtle {
  // WebCrypto: in browsers only on secure origins; in Node 20 always present on globalThis.
  const s = (globalThis as { crypto?: { subtle?: Subtle } }).crypto?.subtle;
  if (s === undefined) throw new AuthError('WebCrypto (crypto.subtle) is not available in this environment');
  return s;
}

// The DOM's WebCrypto types (the web UI's build) take only ArrayBuffer-backed views; SCRAM's bytes always are.
function view(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return b as Uint8Array<ArrayBuffer>;
}

/** `n` cryptographically random bytes. */
export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  // getRandomValues fills at most 65,536 bytes per call.
  for (let i = 0; i < n; i += 65536) globalThis.crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

/** `H(data)`. */
export async function digest(hash: ScramHash, data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest(hash, view(data)));
}

/** `HMAC(key, data)` (RFC 2104). */
export async function hmac(hash: ScramHash, key: Uint8Array, data: Uint8Array): Promise<Uint8Array> {
  const s = subtle();
  const k = await s.importKey('raw', view(key), { name: 'HMAC', hash }, false, ['sign']);
  return new Uint8Array(await s.sign('HMAC', k, view(data)));
}

/** RFC 5802: `Hi(str, salt, i)` is PBKDF2 with HMAC as the PRF and dkLen the hash's output length. */
export async function pbkdf2(
  hash: ScramHash,
  password: Uint8Array,
  salt: Uint8Array,
  iterations: number,
): Promise<Uint8Array> {
  const s = subtle();
  const k = await s.importKey('raw', view(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await s.deriveBits(
    { name: 'PBKDF2', hash, salt: view(salt), iterations },
    k,
    SCRAM_HASH_BYTES[hash] * 8,
  );
  return new Uint8Array(bits);
}

/** Byte-wise XOR of two equal-length arrays; throws `AuthError` when the lengths differ. */
export function xorBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length !== b.length) throw new AuthError();
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) ^ (b[i] as number);
  return out;
}
