// A login session of the UI: the HTTP client, the live hub and the users API, all on one bearer token.

import { HaystackClient } from '../client/client.js';
import { loginWithScram } from '../client/client-auth.js';
import { NetworkError } from '../client/errors.js';
import type { UsersClient } from '../client/users-client.js';
import { AuthError } from '../core/errors.js';
import type { Dict } from '../core/grid/dict.js';
import { LiveHub } from './live.js';
import { checkLoadFailure, loadOnce } from './load-once.js';

/** Everything the screens call the server through. */
export interface Session {
  /** The API root, absolute, ending in `/`. */
  readonly api: string;
  /** Ops over HTTP. */
  readonly client: HaystackClient;
  /** Who is logged in (undefined on a server without authentication). */
  readonly username: string | undefined;
  /** The server's `about` answer. */
  readonly about: Dict;
  /** Live values over the WebSocket. */
  readonly live: LiveHub;
  /** The users API client (admins only; the server refuses others). */
  users(): Promise<UsersClient>;
  /** End the session on the server (the `close` op) and close the socket. */
  logout(): Promise<void>;
  /** Be told when the server stops taking the session's token (expired, or ended elsewhere); returns the unsubscribe. */
  onExpired(fn: () => void): () => void;
}

const STORE_KEY = 'haystack-ui.session';

/** The API root the server wrote into the page (`<meta name="haystack-api">`), made absolute. */
export function apiRoot(): string {
  const meta = document.querySelector('meta[name="haystack-api"]')?.getAttribute('content') ?? '/api/';
  return new URL(meta.endsWith('/') ? meta : `${meta}/`, location.href).href;
}

/** True when the server asks for a login (`<meta name="haystack-auth" content="none">` says it does not). */
export function loginRequired(): boolean {
  return document.querySelector('meta[name="haystack-auth"]')?.getAttribute('content') !== 'none';
}

const boundFetch: typeof fetch = (input, init) => fetch(input, init);

async function open(api: string, token: string | undefined, username: string | undefined): Promise<Session> {
  const expiredListeners = new Set<() => void>();
  let expired = false;
  // A 401 to a call that carried the token means the server ended the session (idle or lifetime limit, a logout
  // elsewhere): no screen can recover from that, only a new login can, so the app is told once.
  const expire = (): void => {
    if (token === undefined || expired) return;
    expired = true;
    sessionStorage.removeItem(STORE_KEY);
    for (const fn of expiredListeners) fn();
  };
  const sessionFetch: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    if (res.status === 401) expire();
    return res;
  };
  const client = new HaystackClient({ url: api, fetch: sessionFetch, ...(token === undefined ? {} : { token }) });
  const about = await client.about();
  const live = new LiveHub(api, token);
  // A screen that only shows live values makes no HTTP call to be refused: the socket closed for the session's end
  // says it instead, or the page would sit on stale values marked offline.
  live.onState(() => {
    if (live.sessionEnded) expire();
  });
  return {
    api,
    client,
    username,
    about,
    live,
    // A chunk of its own (with the auth headers it formats): the header asks it for the role once the first screen
    // is up, and the login page never needs it. A failed fetch is tried again by the next screen that asks.
    users: loadOnce(() =>
      import('../client/users-client.js').then(({ UsersClient }) =>
        UsersClient.connect({ url: api, fetch: sessionFetch, ...(token === undefined ? {} : { token }) }),
      ),
    ),
    async logout() {
      sessionStorage.removeItem(STORE_KEY);
      await live.close();
      if (token !== undefined && !expired) await client.close();
    },
    onExpired(fn) {
      expiredListeners.add(fn);
      return () => expiredListeners.delete(fn);
    },
  };
}

/** Log in with SCRAM (the password never leaves the browser) and open a session; the token outlives a reload. */
export async function login(api: string, username: string, password: string): Promise<Session> {
  const token = await loginWithScram({
    url: new URL('about', api).href,
    credentials: { username, password },
    fetch: boundFetch,
    fetchInit: {},
    headers: {},
    signal: undefined,
  }).catch((err: unknown) => {
    // The login's code is a chunk of its own: one the server no longer has means it runs a newer build.
    if (err instanceof NetworkError) checkLoadFailure(err.cause);
    throw err;
  });
  if (token !== undefined) sessionStorage.setItem(STORE_KEY, JSON.stringify({ token, username }));
  return open(api, token, username);
}

/** The session of a server without authentication. */
export function openWithoutLogin(api: string): Promise<Session> {
  return open(api, undefined, undefined);
}

/**
 * The session kept from before a reload: undefined when there is none or the server refuses its token (log in
 * again); a server that cannot be reached throws, and the token is kept for the next try.
 */
export async function resume(api: string): Promise<Session | undefined> {
  const kept = sessionStorage.getItem(STORE_KEY);
  if (kept === null) return undefined;
  let fields: { token?: unknown; username?: unknown } | undefined;
  try {
    fields = JSON.parse(kept) as { token?: unknown; username?: unknown };
  } catch {
    fields = undefined;
  }
  const { token, username } = fields ?? {};
  if (typeof token !== 'string' || typeof username !== 'string') {
    sessionStorage.removeItem(STORE_KEY);
    return undefined;
  }
  try {
    return await open(api, token, username);
  } catch (err) {
    // Only a 401 says the session is over; a server that is down or restarting says nothing of it.
    if (!(err instanceof AuthError)) throw err;
    sessionStorage.removeItem(STORE_KEY);
    return undefined;
  }
}
