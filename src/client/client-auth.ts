// The client's login: its request types and its HTTP side here, the SCRAM exchange (scram-login.ts) loaded on first
// use. Every client and the web UI import it from here, so no bundle carries the exchange's code (a third of a
// browser client) up front: a bundler gives a module that is only ever imported with `import()` a chunk of its own.

import { HttpStatusError, NetworkError, redirectedAway } from './errors.js';

/** A username and password. */
export interface ClientCredentials {
  /** Username. */
  readonly username: string;
  /** Password (never sent: SCRAM proves it). */
  readonly password: string;
}

/** What a login needs. */
export interface LoginRequest {
  /** URL the handshake messages go to (any op URL; the Auth chapter's examples use `about`). */
  readonly url: string;
  /** Who logs in. */
  readonly credentials: ClientCredentials;
  /** The fetch to use. */
  readonly fetch: typeof fetch;
  /** Extra fetch init (e.g. a dispatcher). */
  readonly fetchInit: Readonly<Record<string, unknown>>;
  /** Extra headers. */
  readonly headers: Readonly<Record<string, string>>;
  /** Aborts the login. */
  readonly signal: AbortSignal | undefined;
}

/**
 * Run the handshake and return the bearer token, or undefined when the server needs no login (it
 * answered HELLO with 200). Every failure is an `AuthError`; the server's signature is verified, so a
 * token is only accepted from a server that holds the user's credentials.
 */
export async function loginWithScram(req: LoginRequest): Promise<string | undefined> {
  // A browser fetches the handshake's chunk on first use: a failed fetch is a network failure of the login.
  const { scramLogin } = await loadLogin().catch((cause: unknown) => {
    throw new NetworkError('login: the login code could not be loaded', { cause });
  });
  // Auth chapter: all handshake messages use GET.
  return scramLogin(req.credentials, async (authorization, hello) => {
    const res = await req.fetch(req.url, {
      ...req.fetchInit,
      method: 'GET',
      headers: { ...req.headers, authorization },
      ...(req.signal === undefined ? {} : { signal: req.signal }),
    });
    await res.body?.cancel();
    const away = redirectedAway(res, req.url, 'Login failed');
    if (away !== undefined) throw away;
    // Not a login answer at all (404: the URL is not an API root): the status says more than "login failed".
    if (hello === true && !res.ok && res.status !== 401 && res.status !== 403 && res.status !== 429)
      throw new HttpStatusError('login', res.status, res.statusText, '');
    return res;
  });
}

/**
 * The handshake's module, loading (once: the runtime caches it). A client that holds credentials starts this when
 * it is made, so its first login does not wait for the chunk; a failed load is the login's to report.
 */
export function loadLogin(): Promise<typeof import('./scram-login.js')> {
  const loading = import('./scram-login.js');
  loading.catch(() => undefined);
  return loading;
}
