// Maps a verified client certificate (mutual TLS) to a user: by CN or by a subject alternative name.

import type { TLSSocket } from 'node:tls';
import { checkOptionNames, type OptionNames } from '../../core/options.js';
import type { UserRole, UserStore } from '../../storage/user-store.js';
import { peerIdentity } from './peer-identity.js';

/** Where in the certificate the username is read. */
export type CertIdentitySource = 'cn' | 'email' | 'dns' | 'uri';

/** Options of {@link CertAuthenticator.create}. */
export interface CertAuthenticatorOptions {
  /** The users; a certificate maps only to an existing, enabled user. Required. */
  readonly users: UserStore;
  /** Names to try, in order (default `['cn']`). */
  readonly sources?: readonly CertIdentitySource[];
  /** Turn a certificate name into a username, or undefined to skip it (default: the name as is). */
  readonly mapIdentity?: (name: string, source: CertIdentitySource) => string | undefined;
}

const CERT_AUTH_OPTIONS: OptionNames<CertAuthenticatorOptions> = { users: true, sources: true, mapIdentity: true };

/** A user identified by certificate. */
export interface CertAuthResult {
  /** The user. */
  readonly username: string;
  /** Their role. */
  readonly role: UserRole;
  /** Which certificate field matched. */
  readonly source: CertIdentitySource;
  /** SHA-256 fingerprint of the client certificate (for audit logs). */
  readonly fingerprint256: string;
}

/**
 * Client-certificate authentication. Serve with `serverTlsOptions({ cert, key, ca })` so that the TLS
 * handshake already refused certificates not signed by the CA; then, per request,
 * `await certAuth.authenticate(req.socket as TLSSocket)` gives the user, or undefined (fall back to
 * HELLO/SCRAM/BEARER or answer 401/403). The names of the certificate are tried in `sources` order; the
 * first that names an existing user decides: that user if enabled, nobody if disabled.
 */
export class CertAuthenticator {
  readonly #users: UserStore;
  readonly #sources: readonly CertIdentitySource[];
  readonly #map: (name: string, source: CertIdentitySource) => string | undefined;

  private constructor(options: CertAuthenticatorOptions) {
    this.#users = options.users;
    this.#sources = options.sources ?? ['cn'];
    this.#map = options.mapIdentity ?? ((name) => name);
  }

  /** Build a certificate authenticator. */
  static create(options: CertAuthenticatorOptions): CertAuthenticator {
    checkOptionNames('Certificate authenticator options', options, CERT_AUTH_OPTIONS);
    return new CertAuthenticator(options);
  }

  /** The user the verified peer certificate on `socket` maps to, or undefined. */
  async authenticate(socket: TLSSocket): Promise<CertAuthResult | undefined> {
    const id = peerIdentity(socket);
    if (id === undefined) return undefined;
    for (const source of this.#sources) {
      const names = source === 'cn' ? (id.cn === undefined ? [] : [id.cn]) : id[source];
      for (const name of names) {
        const username = this.#map(name, source);
        if (username === undefined) continue;
        const user = await this.#users.getUser(username);
        if (user === undefined) continue;
        if (!user.enabled) return undefined;
        return { username: user.username, role: user.role, source, fingerprint256: id.fingerprint256 };
      }
    }
    return undefined;
  }
}
