// Haystack authentication wired into the server: the authenticate/closeSession hooks and the users API from one config.

import type { IncomingMessage } from 'node:http';
import { TLSSocket } from 'node:tls';
import { DEFAULT_SCRAM_ITERATIONS } from '../core/auth/scram-keys.js';
import { OptionError } from '../core/errors.js';
import { checkOptionNames, type OptionNames } from '../core/options.js';
import type { Clock } from '../storage/adapter.js';
import type { AuthStateStore } from '../storage/auth-state-store.js';
import type { SessionStore } from '../storage/session-store.js';
import type { UserStore } from '../storage/user-store.js';
import { AuthThrottle, type AuthThrottleOptions, checkThrottleOptions } from './auth/auth-throttle.js';
import { Authenticator } from './auth/authenticator.js';
import { TokenService } from './auth/token-service.js';
import { HttpHeaderError } from './http/error-reply.js';
import type { HttpRoute } from './http/route.js';
import type { Authenticate, CloseSession, Principal } from './principal.js';
import type { CertAuthenticator } from './tls/cert-authenticator.js';
import { createUsersRoute, createWhoamiRoute } from './users/users-api.js';

/** Options of {@link securityHooks}: the auth building blocks, already made. */
export interface SecurityHooksOptions {
  /** Runs HELLO/SCRAM/BEARER (and PLAINTEXT when it allows it). */
  readonly authenticator: Authenticator;
  /** The authenticator's token service: `close` revokes through it. */
  readonly tokens: TokenService;
  /** Maps a verified client certificate to a user (mutual TLS), tried before the Authorization header. Default none. */
  readonly certAuth?: CertAuthenticator;
  /** The client address throttling counts against (default `req.socket.remoteAddress`; behind a proxy, read its header here). */
  readonly clientAddress?: (req: IncomingMessage) => string;
}

/** The server options that switch authentication on: spread them into `createServer`/`createHandler` options. */
export interface SecurityServerOptions {
  /** The authentication step. */
  readonly authenticate: Authenticate;
  /** Revokes the caller's token (the `close` op). */
  readonly closeSession: CloseSession;
  /** The users API (`{basePath}users/`). */
  readonly routes: readonly HttpRoute[];
}

const defaultAddress = (req: IncomingMessage): string => req.socket.remoteAddress ?? '';

// An IPv4 address as such: a dual-stack socket (listening on `::`) reports IPv4 peers as `::ffff:a.b.c.d`.
const unmapped = (address: string): string =>
  /^::ffff:\d{1,3}(?:\.\d{1,3}){3}$/i.test(address) ? address.slice(7) : address;

/**
 * The client address of a request that may come through reverse proxies at `trustedProxies` (addresses as the
 * socket reports them, e.g. `127.0.0.1`, `fd00::5`; an IPv4 proxy matches whether the socket reports it as
 * `10.0.0.5` or, listening on `::`, as `::ffff:10.0.0.5`, and IPv4 clients are given as IPv4). From a trusted
 * peer, `X-Forwarded-For` is read right to left and the first address that is not a trusted proxy is the client
 * (a client can prepend anything, so only what trusted proxies appended counts); from any other peer the header
 * is ignored.
 */
export function forwardedClientAddress(trustedProxies: readonly string[]): (req: IncomingMessage) => string {
  const trusted = new Set(trustedProxies.map(unmapped));
  return (req) => {
    const peer = unmapped(defaultAddress(req));
    const header = req.headers['x-forwarded-for'];
    if (!trusted.has(peer) || header === undefined) return peer;
    // Node joins repeated X-Forwarded-For headers into one string; String() also covers the string[] the type allows.
    const hops = String(header)
      .split(',')
      .map((h) => unmapped(h.trim()));
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i] as string;
      if (hop !== '' && !trusted.has(hop)) return hop;
    }
    return peer;
  };
}

/**
 * The `authenticate` and `closeSession` hooks over an {@link Authenticator}. Per request, in this order:
 *
 * 1. With `certAuth`, on a TLS connection whose client certificate the handshake verified
 *    (`socket.authorized`), a certificate that maps to an enabled user authenticates the request: no token.
 * 2. Otherwise the `Authorization` header goes to the authenticator, and its answer is rendered as the Auth
 *    chapter wants: a valid `BEARER` token serves the request; a HELLO or SCRAM step, or a missing, bad,
 *    expired or revoked token, answers 401 with `WWW-Authenticate` (HELLO for a missing token) and an error
 *    grid `HS_ERR_AUTH`; the last SCRAM step answers 200 with `Authentication-Info: authToken=...`; a failed
 *    exchange answers 403 with an error grid `HS_ERR_AUTH_FAILED` that never says which part failed; a
 *    throttled username or address answers 429 with `Retry-After` and `HS_ERR_THROTTLED`. Every such answer
 *    carries `Cache-Control: no-store`.
 *
 * `closeSession` revokes the token of the request (a certificate-authenticated request has none).
 */
export function securityHooks(
  options: SecurityHooksOptions,
): Pick<SecurityServerOptions, 'authenticate' | 'closeSession'> {
  checkOptionNames('Security hooks options', options, SECURITY_HOOKS_OPTIONS);
  const { authenticator, tokens, certAuth } = options;
  const clientAddress = options.clientAddress ?? defaultAddress;

  const authenticate: Authenticate = async (req, res) => {
    const socket = req.socket;
    if (certAuth !== undefined && socket instanceof TLSSocket && socket.authorized) {
      const who = await certAuth.authenticate(socket);
      if (who !== undefined) return { username: who.username, role: who.role } satisfies Principal;
    }
    const result = await authenticator.authenticate({
      authorization: req.headers.authorization,
      address: clientAddress(req),
    });
    switch (result.kind) {
      case 'authenticated':
        return { username: result.username, role: result.role, sessionId: result.sessionId } satisfies Principal;
      case 'success':
        // Auth chapter: the last message of the exchange is a 200 carrying the authToken.
        res.writeHead(200, { ...result.headers, 'content-length': 0 });
        res.end();
        return undefined;
      case 'challenge':
        throw new HttpHeaderError('HS_ERR_AUTH', 'Authentication required', result.headers);
      case 'failure':
        throw new HttpHeaderError('HS_ERR_AUTH_FAILED', 'Authentication failed', result.headers);
      case 'throttled':
        throw new HttpHeaderError('HS_ERR_THROTTLED', result.error.message, result.headers);
    }
  };

  const closeSession: CloseSession = async (principal) => {
    if (principal.sessionId !== undefined) await tokens.revokeSession(principal.sessionId);
  };

  return { authenticate, closeSession };
}

/** Options of {@link createSecurity}; durations in milliseconds. */
export interface SecurityOptions {
  /** The users. Required. */
  readonly users: UserStore;
  /** Where token sessions live (default: this process's memory). Share one between server processes. */
  readonly sessions?: SessionStore;
  /**
   * Where the login throttle's records and SCRAM exchanges in progress live (default: this process's memory). Share
   * one between server processes (a persistent store's), so they throttle together and a login's steps may reach any.
   */
  readonly authState?: AuthStateStore;
  /**
   * Secret of at least 32 bytes that unknown usernames' fake salts derive from. Keep it stable across
   * restarts and processes when the user store persists (see `FakeCredentials`).
   */
  readonly serverSecret: Uint8Array;
  /** PBKDF2 iterations of new passwords and of fake challenges (default `DEFAULT_SCRAM_ITERATIONS`, 100,000). */
  readonly iterations?: number;
  /** Time source of tokens, exchanges and the throttle (default `Date.now`). */
  readonly clock?: Clock;
  /** A token unused this long expires (default 30 minutes). */
  readonly idleTtlMs?: number;
  /** A token expires this long after login however much it is used (default 12 hours). */
  readonly maxLifetimeMs?: number;
  /** Login throttle limits (defaults: see `AuthThrottleOptions`). */
  readonly throttle?: Omit<AuthThrottleOptions, 'clock'>;
  /** Accept `PLAINTEXT` logins (default false): development only, never on an untrusted network without TLS. */
  readonly allowPlaintext?: boolean;
  /** Client-certificate authentication (serve with `serverTlsOptions({ ..., ca })`). Default none. */
  readonly certAuth?: CertAuthenticator;
  /** The client address for throttling (default the socket's remote address, or see `trustedProxies`). */
  readonly clientAddress?: (req: IncomingMessage) => string;
  /** Reverse proxies whose `X-Forwarded-For` names the client (see {@link forwardedClientAddress}); default none. */
  readonly trustedProxies?: readonly string[];
}

const SECURITY_HOOKS_OPTIONS: OptionNames<SecurityHooksOptions> = {
  authenticator: true,
  tokens: true,
  certAuth: true,
  clientAddress: true,
};

const SECURITY_OPTIONS: OptionNames<SecurityOptions> = {
  users: true,
  sessions: true,
  authState: true,
  serverSecret: true,
  iterations: true,
  clock: true,
  idleTtlMs: true,
  maxLifetimeMs: true,
  throttle: true,
  allowPlaintext: true,
  certAuth: true,
  clientAddress: true,
  trustedProxies: true,
};

/**
 * Eager checks of {@link SecurityOptions} (JS callers can pass anything): a misspelt `trustedProxies` would leave
 * the throttle counting every login against the proxy's address. The parts' own factories check the rest.
 */
function checkSecurityOptions(options: SecurityOptions): void {
  checkOptionNames('Security options', options, SECURITY_OPTIONS);
  if (options.throttle !== undefined) checkThrottleOptions(options.throttle, 'throttle.');
  const proxies: unknown = options.trustedProxies;
  if (proxies !== undefined && (!Array.isArray(proxies) || proxies.some((p) => typeof p !== 'string')))
    throw new OptionError(
      'HS_ERR_OPTION_TYPE',
      'trustedProxies',
      'Security options: trustedProxies must be an array of addresses',
    );
  for (const name of ['clientAddress', 'clock'] as const) {
    if (options[name] !== undefined && typeof (options[name] as unknown) !== 'function')
      throw new OptionError('HS_ERR_OPTION_TYPE', name, `Security options: ${name} must be a function`);
  }
}

/** Authentication, ready to give to the server. */
export interface ServerSecurity {
  /** Spread into the server options: `createServer({ store, ...security.serverOptions })`. */
  readonly serverOptions: SecurityServerOptions;
  /** The users. */
  readonly users: UserStore;
  /** Issues and checks tokens; call `purgeExpired()` from a timer. */
  readonly tokens: TokenService;
  /** The HELLO/SCRAM/BEARER state machine. */
  readonly authenticator: Authenticator;
  /** The login throttle; call `purge()` from a timer to drop records that lock nothing any more. */
  readonly throttle: AuthThrottle;
  /** PBKDF2 iterations new passwords get. */
  readonly iterations: number;
}

/**
 * Everything the server needs to require Haystack authentication, from one options object: a
 * {@link TokenService} (sliding idle expiry with an absolute cap), an {@link Authenticator} with its login
 * throttle, the hooks of {@link securityHooks}, the users API route (admin only, see `createUsersRoute`) and
 * `whoami` (see `createWhoamiRoute`).
 *
 * ```ts
 * const users = createMemoryUserStore();
 * await bootstrapAdmin({ users, username: 'admin', password: process.env.ADMIN_PASSWORD });
 * const security = createSecurity({ users, serverSecret: randomBytes(32) });
 * await createServer({ store, ...security.serverOptions }).listen(8080);
 * ```
 */
export function createSecurity(options: SecurityOptions): ServerSecurity {
  checkSecurityOptions(options);
  const { users } = options;
  const clock = options.clock ?? Date.now;
  const iterations = options.iterations ?? DEFAULT_SCRAM_ITERATIONS;
  const tokens = TokenService.create({
    users,
    clock,
    ...(options.sessions === undefined ? {} : { sessions: options.sessions }),
    ...(options.idleTtlMs === undefined ? {} : { idleTtlMs: options.idleTtlMs }),
    ...(options.maxLifetimeMs === undefined ? {} : { maxLifetimeMs: options.maxLifetimeMs }),
  });
  const authState = options.authState;
  const throttle = AuthThrottle.create({
    ...options.throttle,
    clock,
    ...(authState === undefined ? {} : { state: authState }),
  });
  const authenticator = Authenticator.create({
    users,
    tokens,
    serverSecret: options.serverSecret,
    iterations,
    clock,
    throttle,
    ...(authState === undefined ? {} : { handshakes: authState }),
    allowPlaintext: options.allowPlaintext ?? false,
  });
  const clientAddress =
    options.clientAddress ??
    (options.trustedProxies === undefined ? defaultAddress : forwardedClientAddress(options.trustedProxies));
  const hooks = securityHooks({
    authenticator,
    tokens,
    clientAddress,
    ...(options.certAuth === undefined ? {} : { certAuth: options.certAuth }),
  });
  const routes = [createUsersRoute({ users, tokens, iterations }), createWhoamiRoute()];
  return Object.freeze({
    serverOptions: Object.freeze({ ...hooks, routes: Object.freeze(routes) }),
    users,
    tokens,
    authenticator,
    throttle,
    iterations,
  });
}
