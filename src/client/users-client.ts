// A client of the users API (`{api}/users/`): logs in with the Haystack client's SCRAM login, then speaks JSON.

import { formatAuthorization } from '../core/auth/auth-header.js';
import type { UserJson, WhoamiJson } from '../core/auth/user-json.js';
import { AuthError, HaystackError, OptionError } from '../core/errors.js';
import { checkOptionNames, type OptionNames } from '../core/options.js';
import { isTimerMs, MAX_TIMER_MS } from '../core/timer-ms.js';
import { loginWithScram } from './client-auth.js';
import { NetworkError } from './errors.js';
import { fetchFailureMessage } from './network-failure.js';

export type { UserJson, WhoamiJson } from '../core/auth/user-json.js';

/** How to reach and log in to a server. */
export interface UsersClientOptions {
  /** API root, e.g. `http://127.0.0.1:8080/api/`. */
  readonly url: string;
  /** Username and password to log in with; omit both to rely on a client certificate. */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** The fetch to use (one from `createTlsFetch` for a private CA or a client certificate). */
  readonly fetch: typeof fetch;
  /** A bearer token of a session already logged in (e.g. the web UI's), used instead of `credentials`. */
  readonly token?: string;
  /** Longest wait for each call (the login, and each request to its whole answer), in ms up to 2^31 - 1; default 30,000. */
  readonly timeoutMs?: number;
}

/** A failed users API call: the HTTP status, the server's message and its `errCode`. */
export class UsersApiError extends HaystackError {
  /** The class name, as a literal. */
  static override readonly errorName: string = 'UsersApiError';

  /** HTTP status of the answer. */
  readonly httpStatus: number;
  /** The server's `errCode`, when it sent one. */
  readonly errCode: string | undefined;

  constructor(status: number, message: string, errCode: string | undefined) {
    super('HS_ERR_CALL', message);
    this.httpStatus = status;
    this.errCode = errCode;
  }
}

/** Fields of a new user. */
export interface NewUserJson {
  readonly username: string;
  readonly password: string;
  readonly role?: string;
  readonly enabled?: boolean;
}

/** Fields to change. */
export interface UserChangesJson {
  readonly role?: string;
  readonly enabled?: boolean;
  readonly password?: string;
}

const USERS_CLIENT_OPTIONS: OptionNames<UsersClientOptions> = {
  url: true,
  credentials: true,
  fetch: true,
  token: true,
  timeoutMs: true,
};

/** The users API of one server, over one login session. */
export class UsersClient {
  readonly #base: string;
  readonly #fetch: typeof fetch;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;

  private constructor(base: string, f: typeof fetch, token: string | undefined, timeoutMs: number) {
    this.#base = base;
    this.#fetch = f;
    this.#token = token;
    this.#timeoutMs = timeoutMs;
  }

  /**
   * Log in (when credentials and no token are given) and return a client; throws `AuthError` when the login fails,
   * `NetworkError` when the server cannot be reached or does not answer within `timeoutMs`.
   */
  static async connect(options: UsersClientOptions): Promise<UsersClient> {
    checkOptionNames('Users client options', options, USERS_CLIENT_OPTIONS);
    const given = options.timeoutMs ?? 30_000;
    if (!isTimerMs(given)) {
      throw new OptionError(
        'HS_ERR_OPTION_RANGE',
        'timeoutMs',
        `Users client options: timeoutMs must be > 0 and at most ${MAX_TIMER_MS}`,
      );
    }
    // Whole ms: Node's AbortSignal.timeout refuses a fraction.
    const timeoutMs = Math.ceil(given);
    const base = options.url.endsWith('/') ? options.url : `${options.url}/`;
    let token = options.token;
    if (token === undefined && options.credentials !== undefined) {
      const url = new URL('about', base).href;
      const signal = AbortSignal.timeout(timeoutMs);
      token = await loginWithScram({
        url,
        credentials: options.credentials,
        fetch: options.fetch,
        fetchInit: {},
        headers: {},
        signal,
      }).catch((err: unknown) => {
        throw networkFailure(err, url, signal, timeoutMs);
      });
    }
    return new UsersClient(base, options.fetch, token, timeoutMs);
  }

  /** Every user. */
  async list(): Promise<readonly UserJson[]> {
    return ((await this.#call('GET', '')) as { users: UserJson[] }).users;
  }

  /** One user. */
  async get(username: string): Promise<UserJson> {
    return (await this.#call('GET', encodeURIComponent(username))) as UserJson;
  }

  /** Create a user. */
  async create(user: NewUserJson): Promise<UserJson> {
    return (await this.#call('POST', '', user)) as UserJson;
  }

  /** Change a user. */
  async update(username: string, changes: UserChangesJson): Promise<UserJson> {
    return (await this.#call('PATCH', encodeURIComponent(username), changes)) as UserJson;
  }

  /** Delete a user. */
  async remove(username: string): Promise<void> {
    await this.#call('DELETE', encodeURIComponent(username));
  }

  /** Who this session is logged in as, and with which role (`{api}/whoami`, open to every role). */
  async whoami(): Promise<WhoamiJson> {
    return (await this.#call('GET', '../whoami')) as WhoamiJson;
  }

  /** End the login session on the server (the `close` op). */
  async close(): Promise<void> {
    if (this.#token === undefined) return;
    await this.#send(new URL('close', this.#base).href, { method: 'POST', headers: this.#headers() });
  }

  // One request and its whole answer within the timeout; a failure to reach the server is a NetworkError.
  async #send(url: string, init: RequestInit): Promise<{ status: number; ok: boolean; text: string }> {
    const signal = AbortSignal.timeout(this.#timeoutMs);
    try {
      const res = await this.#fetch(url, { ...init, signal });
      return { status: res.status, ok: res.ok, text: await res.text() };
    } catch (err) {
      throw networkFailure(err, url, signal, this.#timeoutMs);
    }
  }

  #headers(): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#token !== undefined) {
      headers.authorization = formatAuthorization({ scheme: 'BEARER', authToken: this.#token });
    }
    return headers;
  }

  async #call(method: string, path: string, body?: unknown): Promise<unknown> {
    const headers = this.#headers();
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.#send(new URL(`users/${path}`, this.#base).href, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = res.text;
    if (res.status === 401)
      throw new AuthError('Authentication required: give -u and the password (HAYSTACK_PASSWORD)');
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      // The users API answers JSON errors; an error grid (e.g. in Hayson) is read for its dis if it comes instead.
      const fields = (json ?? {}) as { dis?: unknown; errCode?: unknown; meta?: { dis?: unknown } };
      const dis = fields.dis ?? fields.meta?.dis;
      throw new UsersApiError(
        res.status,
        typeof dis === 'string' ? dis : `HTTP ${res.status}`,
        typeof fields.errCode === 'string' ? fields.errCode : undefined,
      );
    }
    return json;
  }
}

// A failed fetch as a NetworkError (a HaystackError is passed on): timed out when `signal` (the timeout) fired.
function networkFailure(err: unknown, url: string, signal: AbortSignal, timeoutMs: number): unknown {
  if (err instanceof HaystackError && !(err instanceof NetworkError && signal.aborted)) return err;
  if (signal.aborted) {
    return new NetworkError(`users API: no answer from ${url} within ${String(timeoutMs)} ms`, {
      cause: err,
      timedOut: true,
    });
  }
  return new NetworkError(fetchFailureMessage(err, url), { cause: err });
}
