// Client side of SCRAM (RFC 5802): client-first with a random nonce, client-final with the proof, server check.

import { AuthError } from '../errors.js';
import { checkOptionNames, type OptionNames } from '../options.js';
import { encodeBase64, encodeBase64Url } from './base64.js';
import { timingSafeEqual } from './constant-time.js';
import { hmac, randomBytes, type ScramHash, xorBytes } from './scram-crypto.js';
import { authMessage, MIN_SCRAM_ITERATIONS, saltPassword, scramKeys } from './scram-keys.js';
import {
  formatClientFinalWithoutProof,
  formatClientFirstBare,
  GS2_HEADER,
  isScramNonce,
  parseServerFinal,
  parseServerFirst,
} from './scram-messages.js';

/** Default upper bound on the server's iteration count: a hostile server must not make the client spin for minutes. */
export const DEFAULT_MAX_CLIENT_ITERATIONS = 10_000_000;

/** Options of {@link ScramClient.create}. */
export interface ScramClientOptions {
  /** The username (sent escaped as a saslname). */
  readonly username: string;
  /** The password (SASLprep'd, never sent). */
  readonly password: string;
  /** Hash named by the server's `hash` auth-param (default `SHA-256`). */
  readonly hash?: ScramHash;
  /** Client nonce; default 24 random bytes in base64url. Only tests should set it. */
  readonly clientNonce?: string;
  /** Fewest iterations accepted from the server (default 4096, RFC 7677's floor), against downgrades. */
  readonly minIterations?: number;
  /** Most iterations accepted from the server (default {@link DEFAULT_MAX_CLIENT_ITERATIONS}). */
  readonly maxIterations?: number;
}

const SCRAM_CLIENT_OPTIONS: OptionNames<ScramClientOptions> = {
  username: true,
  password: true,
  hash: true,
  clientNonce: true,
  minIterations: true,
  maxIterations: true,
};

/**
 * One SCRAM exchange seen from the client. Call {@link clientFirstMessage}, then {@link clientFinalMessage}
 * with the server-first-message, then {@link verifyServerFinal} with the server-final-message: only after
 * that does the client know it talked to a server that holds the user's credentials. Single use.
 */
export class ScramClient {
  readonly #username: string;
  #password: string | undefined;
  readonly #hash: ScramHash;
  readonly #clientNonce: string;
  readonly #minIterations: number;
  readonly #maxIterations: number;
  #expectedServerSignature: Uint8Array | undefined;
  #state: 'new' | 'first' | 'final' | 'done' = 'new';

  private constructor(options: ScramClientOptions, clientNonce: string) {
    this.#username = options.username;
    this.#password = options.password;
    this.#hash = options.hash ?? 'SHA-256';
    this.#clientNonce = clientNonce;
    this.#minIterations = options.minIterations ?? MIN_SCRAM_ITERATIONS;
    this.#maxIterations = options.maxIterations ?? DEFAULT_MAX_CLIENT_ITERATIONS;
  }

  /**
   * Start an exchange; throws `AuthError` on an empty username or password or an invalid nonce, `OptionError` on an
   * option it does not know (a misspelt `minIterations` would leave the downgrade guard at its default in silence).
   */
  static create(options: ScramClientOptions): ScramClient {
    checkOptionNames('SCRAM client options', options, SCRAM_CLIENT_OPTIONS);
    if (options.username.length === 0 || options.password.length === 0) throw new AuthError();
    const nonce = options.clientNonce ?? encodeBase64Url(randomBytes(24));
    if (!isScramNonce(nonce)) throw new AuthError();
    return new ScramClient(options, nonce);
  }

  /** The hash function in use. */
  get hash(): ScramHash {
    return this.#hash;
  }

  /** `n,,n=<user>,r=<client nonce>`: the client-first-message. */
  clientFirstMessage(): string {
    if (this.#state !== 'new') throw new AuthError();
    this.#state = 'first';
    return GS2_HEADER + formatClientFirstBare(this.#username, this.#clientNonce);
  }

  /**
   * The client-final-message for `serverFirst`. Fails with `AuthError` when the server's nonce does not
   * extend ours (RFC 5802 section 5.1) or its iteration count is outside the accepted range.
   */
  async clientFinalMessage(serverFirst: string): Promise<string> {
    if (this.#state !== 'first' || this.#password === undefined) throw new AuthError();
    this.#state = 'final';
    const password = this.#password;
    this.#password = undefined;
    const { nonce, salt, iterations } = parseServerFirst(serverFirst);
    // RFC 5802 section 5.1: the nonce must start with the client's nonce and add the server's own part.
    if (!nonce.startsWith(this.#clientNonce) || nonce.length === this.#clientNonce.length) throw new AuthError();
    if (iterations < this.#minIterations || iterations > this.#maxIterations) throw new AuthError();
    const salted = await saltPassword(this.#hash, password, salt, iterations);
    const keys = await scramKeys(this.#hash, salted);
    const withoutProof = formatClientFinalWithoutProof(nonce);
    const message = authMessage(formatClientFirstBare(this.#username, this.#clientNonce), serverFirst, withoutProof);
    // RFC 5802: ClientSignature := HMAC(StoredKey, AuthMessage); ClientProof := ClientKey XOR ClientSignature
    const [clientSignature, serverSignature] = await Promise.all([
      hmac(this.#hash, keys.storedKey, message),
      hmac(this.#hash, keys.serverKey, message),
    ]);
    this.#expectedServerSignature = serverSignature;
    return `${withoutProof},p=${encodeBase64(xorBytes(keys.clientKey, clientSignature))}`;
  }

  /** Check the server-final-message `v=` (RFC 5802: ServerSignature := HMAC(ServerKey, AuthMessage)); throws `AuthError` on mismatch. */
  verifyServerFinal(serverFinal: string): void {
    const expected = this.#expectedServerSignature;
    if (this.#state !== 'final' || expected === undefined) throw new AuthError();
    this.#state = 'done';
    const signature = parseServerFinal(serverFinal);
    if (!timingSafeEqual(signature, expected)) throw new AuthError();
  }
}
