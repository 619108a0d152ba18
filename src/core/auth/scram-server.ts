// Server side of SCRAM (RFC 5802): answer a client-first, verify a client-final proof in constant time, sign back.

import { AuthError } from '../errors.js';
import { encodeBase64, encodeBase64Url, utf8Encode } from './base64.js';
import { timingSafeEqual } from './constant-time.js';
import { digest, hmac, randomBytes, SCRAM_HASH_BYTES, xorBytes } from './scram-crypto.js';
import { authMessage, type ScramCredentials, saltPassword, scramKeys } from './scram-keys.js';
import {
  formatServerFinal,
  formatServerFirst,
  isScramNonce,
  parseClientFinal,
  parseClientFirst,
} from './scram-messages.js';

/** What the server remembers between its server-first-message and the client's final message. */
export interface ScramServerHandshake {
  /** Username from the client-first-message (unescaped). */
  readonly username: string;
  /** gs2-header the client sent (`n,,` or `y,,`). */
  readonly gs2Header: string;
  /** client-first-message-bare, exactly as sent. */
  readonly clientFirstBare: string;
  /** server-first-message, exactly as sent. */
  readonly serverFirst: string;
  /** Full nonce: client's part then server's part. */
  readonly nonce: string;
}

/** Options of {@link scramServerFirst}. */
export interface ScramServerFirstOptions {
  /** Server nonce part; default 24 random bytes in base64url. Only tests should set it. */
  readonly serverNonce?: string;
}

/**
 * Answer a client-first-message with the user's salt and iteration count. Throws `AuthError` on a
 * malformed message. Returns the state to keep (server side) until the client-final-message arrives;
 * `handshake.serverFirst` is the message to send.
 */
export function scramServerFirst(
  clientFirstMessage: string,
  credentials: Pick<ScramCredentials, 'salt' | 'iterations'>,
  options: ScramServerFirstOptions = {},
): ScramServerHandshake {
  const first = parseClientFirst(clientFirstMessage);
  const serverNonce = options.serverNonce ?? encodeBase64Url(randomBytes(24));
  if (!isScramNonce(serverNonce)) throw new AuthError();
  const nonce = first.clientNonce + serverNonce;
  return {
    username: first.username,
    gs2Header: first.gs2Header,
    clientFirstBare: first.bare,
    serverFirst: formatServerFirst(nonce, credentials.salt, credentials.iterations),
    nonce,
  };
}

/**
 * Verify a client-final-message against the handshake and the user's credentials and return the
 * server-final-message (`v=...`). Every check runs whatever the outcome of the others, the proof is
 * compared in constant time, and any failure is the same `AuthError`, so neither the time taken nor the
 * error tells which part was wrong (nonce, channel binding, or proof).
 */
export async function scramServerFinal(
  handshake: ScramServerHandshake,
  clientFinalMessage: string,
  credentials: ScramCredentials,
): Promise<string> {
  const final = parseClientFinal(clientFinalMessage);
  const hash = credentials.hash;
  const size = SCRAM_HASH_BYTES[hash];
  const message = authMessage(handshake.clientFirstBare, handshake.serverFirst, final.withoutProof);
  // RFC 5802: the nonce must be the one the server sent; c= must be base64 of the gs2-header.
  const nonceOk = timingSafeEqual(utf8Encode(final.nonce), utf8Encode(handshake.nonce));
  const bindingOk = final.channelBinding === encodeBase64(utf8Encode(handshake.gs2Header));
  const proofSizeOk = final.proof.length === size;
  const proof = proofSizeOk ? final.proof : new Uint8Array(size);
  // RFC 5802: ClientSignature := HMAC(StoredKey, AuthMessage); ClientKey := ClientProof XOR ClientSignature;
  // the client is authenticated when H(ClientKey) = StoredKey.
  const [clientSignature, serverSignature] = await Promise.all([
    hmac(hash, credentials.storedKey, message),
    hmac(hash, credentials.serverKey, message),
  ]);
  const candidate = await digest(hash, xorBytes(proof, clientSignature));
  const proofOk = timingSafeEqual(candidate, credentials.storedKey);
  if (!(nonceOk && bindingOk && proofSizeOk && proofOk)) throw new AuthError();
  return formatServerFinal(serverSignature);
}

/**
 * True when `password` matches `credentials` (PLAINTEXT logins and password checks): re-derives the
 * StoredKey with the stored salt and iterations and compares in constant time.
 */
export async function verifyScramPassword(password: string, credentials: ScramCredentials): Promise<boolean> {
  if (password.length === 0) return false;
  let salted: Uint8Array;
  try {
    salted = await saltPassword(credentials.hash, password, credentials.salt, credentials.iterations);
  } catch (_err) {
    // A password that SASLprep refuses cannot be the user's password.
    return false;
  }
  const { storedKey } = await scramKeys(credentials.hash, salted);
  return timingSafeEqual(storedKey, credentials.storedKey);
}
