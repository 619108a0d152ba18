// Credentials for usernames that do not exist, so their SCRAM challenge looks exactly like a real user's.

import { createHmac } from 'node:crypto';
import {
  DEFAULT_SCRAM_ITERATIONS,
  DEFAULT_SCRAM_SALT_BYTES,
  type ScramCredentials,
} from '../../core/auth/scram-keys.js';
import { ValueError } from '../../core/errors.js';

/** Options of {@link FakeCredentials.create}. */
export interface FakeCredentialsOptions {
  /**
   * Server secret, at least 32 bytes. Keep it stable across restarts and identical across the processes of
   * one deployment: fake salts derive from it, and a salt that changed on restart would tell an observer
   * that the username is fake.
   */
  readonly secret: Uint8Array;
  /** Iteration count to announce; use the one real users get (default `DEFAULT_SCRAM_ITERATIONS`). */
  readonly iterations?: number;
  /** Salt length; use the one real users get (default `DEFAULT_SCRAM_SALT_BYTES`, at most 32). */
  readonly saltBytes?: number;
}

/**
 * Deterministic fake SCRAM credentials per username: salt = HMAC-SHA-256(secret, "salt" + username), the same
 * iteration count and salt length as real users, and keys no password can match. The same username always
 * gets the same salt, as a real user would, so repeated HELLOs reveal nothing.
 */
export class FakeCredentials {
  readonly #secret: Uint8Array;
  readonly #iterations: number;
  readonly #saltBytes: number;

  private constructor(secret: Uint8Array, iterations: number, saltBytes: number) {
    this.#secret = secret;
    this.#iterations = iterations;
    this.#saltBytes = saltBytes;
  }

  /** Validate the options; throws `ValueError` on a short secret or out-of-range sizes. */
  static create(options: FakeCredentialsOptions): FakeCredentials {
    if (options.secret.length < 32) throw new ValueError('The fake-credentials secret must be at least 32 bytes');
    const iterations = options.iterations ?? DEFAULT_SCRAM_ITERATIONS;
    const saltBytes = options.saltBytes ?? DEFAULT_SCRAM_SALT_BYTES;
    if (!Number.isSafeInteger(iterations) || iterations < 1) throw new ValueError('Invalid iteration count');
    if (!Number.isSafeInteger(saltBytes) || saltBytes < 1 || saltBytes > 32)
      throw new ValueError('Invalid salt length');
    return new FakeCredentials(Uint8Array.from(options.secret), iterations, saltBytes);
  }

  /** The iteration count fake challenges announce. */
  get iterations(): number {
    return this.#iterations;
  }

  /** Fake credentials for `username` (never matches any password). */
  forUsername(username: string): ScramCredentials {
    return {
      hash: 'SHA-256',
      salt: this.#derive('salt', username).subarray(0, this.#saltBytes),
      iterations: this.#iterations,
      storedKey: this.#derive('stored', username),
      serverKey: this.#derive('server', username),
    };
  }

  #derive(label: string, username: string): Uint8Array {
    // The NUL separator keeps label and username from running into each other.
    return new Uint8Array(createHmac('sha256', this.#secret).update(`${label}\0${username}`, 'utf8').digest());
  }
}
