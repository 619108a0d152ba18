// Auth tokens: random 256-bit bearer tokens, kept only as SHA-256 hashes, with sliding and absolute expiry.

import * as nodeCrypto from 'node:crypto';
import { OptionError } from '../../core/errors.js';
import { checkOptionNames, type OptionNames } from '../../core/options.js';
import type { Clock } from '../../storage/adapter.js';
import { createMemorySessionStore } from '../../storage/memory/memory-user-store.js';
import type { SessionRecord, SessionStore } from '../../storage/session-store.js';
import type { UserRole, UserStore } from '../../storage/user-store.js';
import { type SessionEvent, sessionChannel } from '../events.js';
import { randomToken } from './random-token.js';

const TOKEN_OPTIONS: OptionNames<TokenServiceOptions> = {
  users: true,
  sessions: true,
  clock: true,
  idleTtlMs: true,
  maxLifetimeMs: true,
  touchIntervalMs: true,
  maxSessionsPerUser: true,
};

/** Options of {@link TokenService.create}; every duration in milliseconds. */
export interface TokenServiceOptions {
  /** Users, read on every use of a token (disabled or deleted users' tokens stop working at once). */
  readonly users: UserStore;
  /** Where sessions live (default: in this process's memory). Give a shared store to several processes. */
  readonly sessions?: SessionStore;
  /** Time source (default `Date.now`). */
  readonly clock?: Clock;
  /** Idle timeout: a token unused this long expires (default 30 minutes). */
  readonly idleTtlMs?: number;
  /** Absolute lifetime: a token expires this long after login however much it is used (default 12 hours). */
  readonly maxLifetimeMs?: number;
  /**
   * The idle timer is written back at most this often per token (default a tenth of `idleTtlMs`, at most 60 s),
   * to spare shared stores a write per request; a token may therefore expire up to this much sooner than
   * `idleTtlMs` after its last use.
   */
  readonly touchIntervalMs?: number;
  /** Most live sessions per user; logging in beyond it ends that user's oldest session (default 50). */
  readonly maxSessionsPerUser?: number;
}

/** A token just issued: give `token` to the client (Authentication-Info `authToken`); it is not kept anywhere. */
export interface IssuedToken {
  /** The bearer token (43 letters and digits: 256 random bits). */
  readonly token: string;
  /** Session id: hex SHA-256 of the token; safe to log and to pass to {@link TokenService.revokeSession}. */
  readonly sessionId: string;
  /** When the token expires unless used again (epoch ms). */
  readonly expires: number;
}

/** The caller behind a valid token. */
export interface TokenSession {
  /** Session id (hex SHA-256 of the token). */
  readonly sessionId: string;
  /** The user. */
  readonly username: string;
  /** The user's role now (read from the user store on every use, so a role change applies at once). */
  readonly role: UserRole;
  /** When the session started (epoch ms). */
  readonly created: number;
  /** When it expires unless used again (epoch ms). */
  readonly expires: number;
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

// crypto.hash (Node >= 20.12) is about 4x faster than createHash for one short input; this runs on every request.
const oneShotHash = (nodeCrypto as Partial<typeof nodeCrypto>).hash;

/** Hex SHA-256 of a token: the only form in which tokens are stored. */
export function tokenSessionId(token: string): string {
  // Node 20 releases before 20.12 only: the Node that runs the tests has crypto.hash.
  /* v8 ignore start */
  if (oneShotHash === undefined) return nodeCrypto.createHash('sha256').update(token, 'utf8').digest('hex');
  /* v8 ignore stop */
  return oneShotHash('sha256', token, 'hex');
}

function sessionEvent(event: SessionEvent): void {
  if (sessionChannel.hasSubscribers) sessionChannel.publish(event);
}

// Report ended sessions on `haystack:auth:session` and hand the store's answer back.
function closed(existed: boolean, reason: NonNullable<SessionEvent['reason']>): boolean {
  if (existed) sessionEvent({ action: 'close', reason, count: 1 });
  return existed;
}

function closedMany(count: number, reason: NonNullable<SessionEvent['reason']>): number {
  if (count > 0) sessionEvent({ action: 'close', reason, count });
  return count;
}

/**
 * Issues and checks bearer tokens. Expiry policy: sliding with an absolute cap. A token expires when it has
 * not been used for `idleTtlMs` (each use pushes the deadline, see `touchIntervalMs`) or when `maxLifetimeMs`
 * has passed since login, whichever is first. Revoked by {@link revoke} (the `close` op), {@link revokeUser}
 * (password change, user deleted) or when the user is disabled or deleted (checked on every use).
 *
 * Server use: after a successful login (the `Authenticator` does this) `issue(username)`; on every request
 * with `Authorization: BEARER authToken=...`, `verify(token)` and answer 401 when it gives undefined; the
 * `close` op calls `revoke(token)`. Call `purgeExpired()` from a timer (say every minute) to drop dead sessions.
 */
export class TokenService {
  readonly #users: UserStore;
  readonly #sessions: SessionStore;
  readonly #clock: Clock;
  readonly #idleTtlMs: number;
  readonly #maxLifetimeMs: number;
  readonly #touchIntervalMs: number;
  readonly #maxSessionsPerUser: number;

  private constructor(options: TokenServiceOptions) {
    this.#users = options.users;
    this.#sessions = options.sessions ?? createMemorySessionStore();
    this.#clock = options.clock ?? Date.now;
    this.#idleTtlMs = options.idleTtlMs ?? 30 * 60_000;
    this.#maxLifetimeMs = options.maxLifetimeMs ?? 12 * 3_600_000;
    // Proportional, so that a short idle limit still slides (a fixed minute never refreshes a one-minute limit).
    this.#touchIntervalMs = options.touchIntervalMs ?? Math.min(60_000, Math.floor(this.#idleTtlMs / 10));
    this.#maxSessionsPerUser = options.maxSessionsPerUser ?? 50;
  }

  /** Validate options (positive durations) and build the service; throws `OptionError`. */
  static create(options: TokenServiceOptions): TokenService {
    checkOptionNames('Token options', options, TOKEN_OPTIONS);
    for (const name of ['idleTtlMs', 'maxLifetimeMs', 'maxSessionsPerUser', 'touchIntervalMs'] as const) {
      const v: unknown = options[name];
      if (v === undefined) continue;
      if (typeof v !== 'number')
        throw new OptionError('HS_ERR_OPTION_TYPE', name, `Token options: ${name} must be a number`);
      const ok = Number.isFinite(v) && (name === 'touchIntervalMs' ? v >= 0 : v > 0);
      if (!ok)
        throw new OptionError(
          'HS_ERR_OPTION_RANGE',
          name,
          `Token options: ${name} must be ${name === 'touchIntervalMs' ? '>= 0' : 'positive'}`,
        );
    }
    return new TokenService(options);
  }

  /** Start a session for `username` and return its new token. */
  async issue(username: string): Promise<IssuedToken> {
    const now = this.#clock();
    const token = randomToken();
    const sessionId = tokenSessionId(token);
    const expires = Math.min(now + this.#idleTtlMs, now + this.#maxLifetimeMs);
    await this.#sessions.putSession({ id: sessionId, username, created: now, lastUsed: now, expires });
    sessionEvent({ action: 'open', count: 1 });
    const mine = await this.#sessions.listUserSessions(username);
    const excess = mine.length - this.#maxSessionsPerUser;
    for (const old of excess > 0 ? mine.slice(0, excess) : [])
      closed(await this.#sessions.deleteSession(old.id), 'evicted');
    return { token, sessionId, expires };
  }

  /**
   * The session behind `token`, or undefined when the token is unknown, expired or revoked, or its user is
   * deleted or disabled (such a session is ended for good: re-enabling the user does not revive it).
   */
  async verify(token: string): Promise<TokenSession | undefined> {
    if (!TOKEN_SHAPE.test(token)) return undefined;
    const id = tokenSessionId(token);
    const session = await this.#sessions.getSession(id);
    if (session === undefined) return undefined;
    const now = this.#clock();
    if (now >= session.expires || now >= session.created + this.#maxLifetimeMs) {
      closed(await this.#sessions.deleteSession(id), 'expired');
      return undefined;
    }
    const user = await this.#users.getUser(session.username);
    if (user?.enabled !== true) {
      closed(await this.#sessions.deleteSession(id), 'revoked');
      return undefined;
    }
    const expires = await this.#touch(session, now);
    return { sessionId: id, username: user.username, role: user.role, created: session.created, expires };
  }

  /** End the session of `token` (the `close` op); true when it was live. */
  async revoke(token: string): Promise<boolean> {
    return closed(await this.#sessions.deleteSession(tokenSessionId(token)), 'revoked');
  }

  /** End a session by id; true when it existed. */
  async revokeSession(sessionId: string): Promise<boolean> {
    return closed(await this.#sessions.deleteSession(sessionId), 'revoked');
  }

  /** End every session of a user (password change, disable, delete); returns how many. */
  async revokeUser(username: string): Promise<number> {
    return closedMany(await this.#sessions.deleteUserSessions(username), 'revoked');
  }

  /**
   * Make `change` of user `username`, one that ends their sessions (`UserChanges.endSessions`, a delete) in the step
   * of `users` that makes it, and report those sessions ended (counted before: the store does not say how many).
   * When this service keeps its sessions elsewhere (its memory, by default), it ends them right after the change.
   */
  async endingUserSessions<T>(users: UserStore, username: string, change: () => Promise<T>): Promise<T> {
    if (this.#sessions !== (users as object)) {
      const result = await change();
      await this.revokeUser(username);
      return result;
    }
    const before = (await this.#sessions.listUserSessions(username)).length;
    const result = await change();
    closedMany(before, 'revoked');
    return result;
  }

  /** Drop sessions that have expired; returns how many. Sessions past their absolute cap are dropped at use. */
  async purgeExpired(): Promise<number> {
    return closedMany(await this.#sessions.purgeExpiredSessions(this.#clock()), 'expired');
  }

  async #touch(session: SessionRecord, now: number): Promise<number> {
    if (now - session.lastUsed < this.#touchIntervalMs) return session.expires;
    const expires = Math.min(now + this.#idleTtlMs, session.created + this.#maxLifetimeMs);
    // touch, not put: a session revoked since it was read must stay revoked.
    await this.#sessions.touchSession(session.id, now, expires);
    return expires;
  }
}
