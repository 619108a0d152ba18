// The Haystack auth state machine (Auth chapter): HELLO, the SCRAM exchange, then BEARER tokens, over header strings.

import { channel } from 'node:diagnostics_channel';
import type { AuthChallenge, AuthorizationCredentials } from '../../core/auth/auth-header.js';
import { formatAuthenticationInfo, formatWwwAuthenticate, parseAuthorization } from '../../core/auth/auth-header.js';
import { timingSafeEqual } from '../../core/auth/constant-time.js';
import type { ScramCredentials } from '../../core/auth/scram-keys.js';
import {
  type ScramServerHandshake,
  scramServerFinal,
  scramServerFirst,
  verifyScramPassword,
} from '../../core/auth/scram-server.js';
import { AuthError } from '../../core/errors.js';
import { checkOptionNames, type OptionNames } from '../../core/options.js';
import type { Clock } from '../../storage/adapter.js';
import type { AuthStateStore } from '../../storage/auth-state-store.js';
import { createMemoryAuthState } from '../../storage/memory/memory-auth-state.js';
import { MAX_USERNAME_LENGTH, type UserRecord, type UserRole, type UserStore } from '../../storage/user-store.js';
import { AuthThrottle } from './auth-throttle.js';
import { FakeCredentials } from './fake-credentials.js';
import { decodePending, encodePending, type Pending } from './pending-exchange.js';
import { randomToken } from './random-token.js';
import type { TokenService } from './token-service.js';

/** Options of {@link Authenticator.create}. */
export interface AuthenticatorOptions {
  /** The users. Required. */
  readonly users: UserStore;
  /** Issues and checks tokens. Required. */
  readonly tokens: TokenService;
  /**
   * Secret (>= 32 bytes) from which unknown usernames get their fake salt. Load it from configuration and
   * keep it stable across restarts and processes (see `FakeCredentials`).
   */
  readonly serverSecret: Uint8Array;
  /** Iteration count announced for unknown usernames: the one new users get (default `DEFAULT_SCRAM_ITERATIONS`). */
  readonly iterations?: number;
  /** Login throttle (default `AuthThrottle.create({ clock })`). */
  readonly throttle?: AuthThrottle;
  /**
   * Where exchanges in progress live between their requests (default: this process's memory). Give the store that
   * several server processes share, so that the steps of one login may reach different processes.
   */
  readonly handshakes?: AuthStateStore;
  /** Time source (default `Date.now`). */
  readonly clock?: Clock;
  /** How long a client has for each step of an exchange (default 60 s). */
  readonly handshakeTtlMs?: number;
  /** Most exchanges in progress at once; the oldest are dropped beyond it (default 10,000). */
  readonly maxHandshakes?: number;
  /** Most exchanges in progress from one client address; a further HELLO drops that address's oldest (default 32). */
  readonly maxHandshakesPerAddress?: number;
  /**
   * Accept `PLAINTEXT username=..., password=...` and offer it after SCRAM (default false). For development
   * only: the password crosses the wire, so use it over TLS if at all.
   */
  readonly allowPlaintext?: boolean;
}

const AUTHENTICATOR_OPTIONS: OptionNames<AuthenticatorOptions> = {
  users: true,
  tokens: true,
  serverSecret: true,
  iterations: true,
  throttle: true,
  handshakes: true,
  clock: true,
  handshakeTtlMs: true,
  maxHandshakes: true,
  maxHandshakesPerAddress: true,
  allowPlaintext: true,
};

/** One request as the authenticator sees it. */
export interface AuthRequest {
  /** The `Authorization` header value, if any. */
  readonly authorization: string | undefined;
  /** The client's address (for throttling), e.g. `req.socket.remoteAddress`. */
  readonly address: string;
}

/** Response headers to send as they are. */
export type AuthHeaders = Readonly<Record<string, string>>;

/** What to do with a request. */
export type AuthResult =
  | {
      /** A valid bearer token: serve the request as this user. */
      readonly kind: 'authenticated';
      /** The user. */
      readonly username: string;
      /** The user's current role. */
      readonly role: UserRole;
      /** The token's session (for the `close` op: `tokens.revokeSession(sessionId)`). */
      readonly sessionId: string;
    }
  | {
      /** Answer 401 with these headers and no body: a HELLO or SCRAM step answered, or no/bad/expired token. */
      readonly kind: 'challenge';
      /** 401. */
      readonly status: 401;
      /** `WWW-Authenticate` (and `Cache-Control`). */
      readonly headers: AuthHeaders;
    }
  | {
      /** Exchange completed: answer 200 with these headers (the Auth chapter's last step). */
      readonly kind: 'success';
      /** 200. */
      readonly status: 200;
      /** `Authentication-Info` carrying the authToken (and `Cache-Control`). */
      readonly headers: AuthHeaders;
      /** Who logged in. */
      readonly username: string;
      /** Their role. */
      readonly role: UserRole;
      /** The new session. */
      readonly sessionId: string;
    }
  | {
      /** The exchange failed: answer 403 (Auth chapter) with the error; it never says which part failed. */
      readonly kind: 'failure';
      /** 403. */
      readonly status: 403;
      /** `Cache-Control`. */
      readonly headers: AuthHeaders;
      /** The error to render (HS_ERR_AUTH). */
      readonly error: AuthError;
    }
  | {
      /** Too many failures for this username or address: answer 429. */
      readonly kind: 'throttled';
      /** 429. */
      readonly status: 429;
      /** `Retry-After` in seconds (and `Cache-Control`). */
      readonly headers: AuthHeaders;
      /** The error to render (HS_ERR_THROTTLED). */
      readonly error: AuthError;
    };

const NO_STORE = 'no-store';
const LOGIN_CHANNEL = channel('haystack:auth:login');

/**
 * Payload published on the `haystack:auth:login` diagnostics channel after each login attempt that concludes, and
 * for each bearer token refused (reason `token`).
 */
export interface LoginEvent {
  /** The username the client claimed (empty for a refused token: it names no user). */
  readonly username: string;
  /** The client's address. */
  readonly address: string;
  /** How it ended. */
  readonly outcome: 'success' | 'failure' | 'throttled';
  /** Why it did not succeed (undefined on success). */
  readonly reason?: LoginFailureReason;
}

/**
 * Why a login failed: a wrong password or proof, a user that does not exist or is disabled, a message that tries
 * no password (bad syntax, a SCRAM name other than HELLO's), or too many failures; or why a request's credentials
 * failed without a login: a bearer token that is unknown, expired or revoked (`token`).
 */
export type LoginFailureReason = 'credentials' | 'unknown-user' | 'disabled' | 'malformed' | 'throttled' | 'token';

/** A HELLO/PLAINTEXT name any user could have: at most the username length limit, no control characters. */
function isPlausibleUsername(username: string): boolean {
  return username.length <= MAX_USERNAME_LENGTH && !/\p{Cc}/u.test(username);
}

function sameCredentials(a: ScramCredentials, b: ScramCredentials): boolean {
  return (
    a.hash === b.hash &&
    a.iterations === b.iterations &&
    timingSafeEqual(a.salt, b.salt) &&
    timingSafeEqual(a.storedKey, b.storedKey) &&
    timingSafeEqual(a.serverKey, b.serverKey)
  );
}

/**
 * Runs Haystack authentication over header strings, so the HTTP server only has to call it. For each
 * request to a protected resource:
 *
 * ```ts
 * const result = await authenticator.authenticate({ authorization: req.headers.authorization, address: req.socket.remoteAddress ?? '' });
 * if (result.kind === 'authenticated') serve(req, res, { username: result.username, role: result.role, sessionId: result.sessionId });
 * else if (result.kind === 'challenge' || result.kind === 'success') { res.writeHead(result.status, result.headers); res.end(); }
 * else sendErrorGrid(res, result.status, result.headers, result.error); // failure 403, throttled 429
 * ```
 *
 * The exchange: `HELLO username=<b64url>` is answered 401 `SCRAM hash=SHA-256, handshakeToken=T1`; the
 * client-first-message (`SCRAM handshakeToken=T1, data=...`) 401 `SCRAM handshakeToken=T2, hash=SHA-256,
 * data=<server-first>`; the client-final-message (`SCRAM handshakeToken=T2, data=...`, or T1 again) 200 with
 * `Authentication-Info: authToken=..., hash=SHA-256, data=<server-final>`; a bad proof 403. Handshake
 * tokens are random (letters and digits), single-use and expire (state stays on the server). Unknown usernames go through the
 * same steps with deterministic fake credentials and fail only at the proof, as a wrong password does.
 * Requests without credentials, or with a bad, expired or revoked token, get 401 `WWW-Authenticate: HELLO`.
 * Failures feed the {@link AuthThrottle}; while it refuses, every step answers 429 with `Retry-After`, as
 * does a HELLO from an address that already has `maxHandshakesPerAddress` exchanges in progress.
 */
export class Authenticator {
  readonly #users: UserStore;
  readonly #tokens: TokenService;
  readonly #fake: FakeCredentials;
  readonly #throttle: AuthThrottle;
  readonly #handshakes: AuthStateStore;
  readonly #clock: Clock;
  readonly #handshakeTtlMs: number;
  readonly #handshakeLimits: { readonly maxPerOwner: number; readonly maxEntries: number };
  readonly #allowPlaintext: boolean;

  private constructor(options: AuthenticatorOptions, fake: FakeCredentials) {
    const clock = options.clock ?? Date.now;
    this.#users = options.users;
    this.#tokens = options.tokens;
    this.#fake = fake;
    this.#throttle = options.throttle ?? AuthThrottle.create({ clock });
    this.#handshakes = options.handshakes ?? createMemoryAuthState();
    this.#clock = clock;
    this.#handshakeTtlMs = options.handshakeTtlMs ?? 60_000;
    this.#handshakeLimits = {
      maxEntries: options.maxHandshakes ?? 10_000,
      maxPerOwner: options.maxHandshakesPerAddress ?? 32,
    };
    this.#allowPlaintext = options.allowPlaintext ?? false;
  }

  /** Validate the options and build an authenticator; throws `ValueError` on a short secret. */
  static create(options: AuthenticatorOptions): Authenticator {
    checkOptionNames('Authenticator options', options, AUTHENTICATOR_OPTIONS);
    const fake = FakeCredentials.create(
      options.iterations === undefined
        ? { secret: options.serverSecret }
        : { secret: options.serverSecret, iterations: options.iterations },
    );
    return new Authenticator(options, fake);
  }

  /** The iteration count announced for unknown usernames: give new users' credentials the same. */
  get iterations(): number {
    return this.#fake.iterations;
  }

  /** Decide what to do with one request (see the class comment). Never throws for bad client input. */
  async authenticate(request: AuthRequest): Promise<AuthResult> {
    if (request.authorization === undefined || request.authorization.trim() === '') return this.#needLogin();
    let credentials: AuthorizationCredentials;
    try {
      credentials = parseAuthorization(request.authorization);
    } catch (_err) {
      return this.#needLogin();
    }
    switch (credentials.scheme) {
      case 'BEARER':
        return this.#bearer(credentials.authToken, request.address);
      case 'HELLO':
        return this.#hello(credentials.username, request.address);
      case 'SCRAM':
        return this.#scram(credentials.handshakeToken, credentials.data, request.address);
      case 'PLAINTEXT':
        if (!this.#allowPlaintext) return this.#needLogin();
        return this.#plaintext(credentials.username, credentials.password, request.address);
    }
  }

  async #bearer(token: string, address: string): Promise<AuthResult> {
    const session = await this.#tokens.verify(token);
    if (session === undefined) {
      // Counted, not throttled: a client whose token expired is not guessing, it logs in again next.
      this.#publish({ username: '', address, outcome: 'failure', reason: 'token' });
      return this.#needLogin();
    }
    return { kind: 'authenticated', username: session.username, role: session.role, sessionId: session.sessionId };
  }

  async #hello(username: string, address: string): Promise<AuthResult> {
    // No state is kept for a name no user can have (too long, control characters): memory per attempt stays small.
    if (!isPlausibleUsername(username)) return this.#malformed(username, address);
    const refused = await this.#throttled(username, address);
    if (refused !== undefined) return refused;
    const user = await this.#users.getUser(username);
    const credentials = user === undefined ? this.#fake.forUsername(username) : user.scram;
    const handshakeToken = await this.#putPending({
      username,
      credentials,
      known: user !== undefined,
      scram: undefined,
      address,
    });
    const challenges: AuthChallenge[] = [{ scheme: 'SCRAM', hash: credentials.hash, handshakeToken, data: undefined }];
    if (this.#allowPlaintext) challenges.push({ scheme: 'PLAINTEXT' });
    return this.#challenge(formatWwwAuthenticate(challenges));
  }

  async #scram(handshakeToken: string | undefined, data: string, address: string): Promise<AuthResult> {
    const taken =
      handshakeToken === undefined ? undefined : await this.#handshakes.takeHandshake(handshakeToken, this.#clock());
    // No exchange to continue (never started, replayed, or expired): the client must start over.
    if (taken === undefined) return this.#failure();
    const pending = decodePending(taken);
    const refused = await this.#throttled(pending.username, address);
    if (refused !== undefined) return refused;
    const { username, credentials } = pending;
    if (pending.scram === undefined) {
      let scram: ScramServerHandshake;
      try {
        scram = scramServerFirst(data, credentials);
        // The SCRAM username must be the one announced in HELLO.
        if (scram.username !== username) throw new AuthError();
      } catch (_err) {
        // A message that tries no password: it counts against the address, never the account.
        return this.#malformed(username, address);
      }
      // The HELLO token stays good for the last step beside the new one: some clients repeat it (phable).
      const next = await this.#putPending({ ...pending, scram }, handshakeToken);
      return this.#challenge(
        formatWwwAuthenticate([
          { scheme: 'SCRAM', hash: credentials.hash, handshakeToken: next, data: scram.serverFirst },
        ]),
      );
    }
    let serverFinal: string;
    try {
      serverFinal = await scramServerFinal(pending.scram, data, credentials);
    } catch (_err) {
      return this.#loginFailed(username, address, pending.known ? 'credentials' : 'unknown-user');
    }
    // Re-read the user: disabled, deleted or given new credentials during the exchange means no login. (An unknown
    // user never gets here: a fake StoredKey has no known preimage, so no proof verifies against it.)
    const user = await this.#users.getUser(username);
    if (user === undefined) return this.#loginFailed(username, address, 'unknown-user');
    if (!user.enabled) return this.#loginFailed(username, address, 'disabled');
    if (!sameCredentials(user.scram, credentials)) return this.#loginFailed(username, address, 'credentials');
    return this.#loggedIn(user, address, { hash: credentials.hash, data: serverFinal });
  }

  async #plaintext(username: string, password: string, address: string): Promise<AuthResult> {
    if (!isPlausibleUsername(username)) return this.#malformed(username, address);
    const refused = await this.#throttled(username, address);
    if (refused !== undefined) return refused;
    // Counted before the PBKDF2 runs, so a burst of concurrent guesses is throttled before it costs the CPU.
    await this.#throttle.recordFailure(username, address);
    const user = await this.#users.getUser(username);
    // Unknown users pay the same PBKDF2 as known ones.
    const ok = await verifyScramPassword(password, user?.scram ?? this.#fake.forUsername(username));
    if (!ok || user?.enabled !== true) {
      const reason = user === undefined ? 'unknown-user' : ok ? 'disabled' : 'credentials';
      this.#publish({ username, address, outcome: 'failure', reason });
      return this.#failure();
    }
    return this.#loggedIn(user, address, {}, true);
  }

  async #loggedIn(
    user: UserRecord,
    address: string,
    scram: { readonly hash?: ScramCredentials['hash']; readonly data?: string },
    prepaid = false,
  ): Promise<AuthResult> {
    const issued = await this.#tokens.issue(user.username);
    await this.#throttle.recordSuccess(user.username, address, prepaid);
    this.#publish({ username: user.username, address, outcome: 'success' });
    return {
      kind: 'success',
      status: 200,
      headers: {
        'Authentication-Info': formatAuthenticationInfo({ authToken: issued.token, ...scram }),
        'Cache-Control': NO_STORE,
      },
      username: user.username,
      role: user.role,
      sessionId: issued.sessionId,
    };
  }

  // Stored under a fresh single-use token; with `alias` (the step before's token) that token takes it too.
  async #putPending(pending: Pending, alias?: string): Promise<string> {
    const now = this.#clock();
    const token = randomToken();
    await this.#handshakes.putHandshake(
      {
        token,
        ...(alias === undefined ? {} : { alias }),
        owner: pending.address,
        state: encodePending(pending),
        expires: now + this.#handshakeTtlMs,
      },
      this.#handshakeLimits,
      now,
    );
    return token;
  }

  async #throttled(username: string, address: string): Promise<AuthResult | undefined> {
    const decision = await this.#throttle.check(username, address);
    return decision.allowed ? undefined : this.#tooMany(username, address, decision.retryAfterMs);
  }

  #tooMany(username: string, address: string, retryAfterMs: number): AuthResult {
    this.#publish({ username, address, outcome: 'throttled', reason: 'throttled' });
    return {
      kind: 'throttled',
      status: 429,
      headers: { 'Retry-After': String(Math.ceil(retryAfterMs / 1000)), 'Cache-Control': NO_STORE },
      error: new AuthError('Too many login attempts; try again later', { code: 'HS_ERR_THROTTLED' }),
    };
  }

  async #loginFailed(username: string, address: string, reason: LoginFailureReason): Promise<AuthResult> {
    await this.#throttle.recordFailure(username, address);
    this.#publish({ username, address, outcome: 'failure', reason });
    return this.#failure();
  }

  async #malformed(username: string, address: string): Promise<AuthResult> {
    await this.#throttle.recordFailure(username, address, 'malformed');
    this.#publish({ username, address, outcome: 'failure', reason: 'malformed' });
    return this.#failure();
  }

  #failure(): AuthResult {
    return { kind: 'failure', status: 403, headers: { 'Cache-Control': NO_STORE }, error: new AuthError() };
  }

  #needLogin(): AuthResult {
    return this.#challenge(formatWwwAuthenticate([{ scheme: 'HELLO' }]));
  }

  #challenge(wwwAuthenticate: string): AuthResult {
    return {
      kind: 'challenge',
      status: 401,
      headers: { 'WWW-Authenticate': wwwAuthenticate, 'Cache-Control': NO_STORE },
    };
  }

  #publish(event: LoginEvent): void {
    if (LOGIN_CHANNEL.hasSubscribers) LOGIN_CHANNEL.publish(event);
  }
}
