// HaystackClient: one method per standard op over fetch, with automatic SCRAM login and typed errors.

// The stream reader's own module, not the Zinc door: the door also reaches the history byte writer, which a
// browser bundle would then load up front (the JSON writer, loaded lazily, is its only user here).
import { decodeZincStream, readZincStream, type ZincStreamEvent } from '../core/codec/zinc/zinc-stream.js';
import {
  AuthError,
  CallError,
  HaystackError,
  OptionError,
  type OptionErrorCode,
  PermissionError,
} from '../core/errors.js';
import { Grid } from '../core/grid/grid.js';
import type { Ref } from '../core/kinds/ref.js';
import { emitMetric, type MetricsHooks } from '../core/metrics-hooks.js';
import { checkOptionNames, type OptionNames } from '../core/options.js';
import { isTimerMs, MAX_TIMER_MS } from '../core/timer-ms.js';
import { type ClientCredentials, loadLogin, loginWithScram } from './client-auth.js';
import { HttpStatusError, LoginRequiredError, NetworkError, redirectedAway } from './errors.js';
import { type ClientCodec, type ClientFormat, checkClientFormat, decodeResponse, loadCodec } from './formats.js';
import { GET_FALLBACK_OPS, GET_OPS, getQuery } from './get-query.js';
import type { HisRange } from './his-range.js';
import { fetchFailureMessage } from './network-failure.js';
import { type CallOptions, hisReadRequest, OpsClient } from './ops.js';

/** The HTTP method of a call. */
type Method = 'GET' | 'POST';

/** An event the client reports through `onEvent` (the library never logs). */
export type ClientEvent =
  | { readonly type: 'request'; readonly op: string; readonly method: string }
  | { readonly type: 'response'; readonly op: string; readonly status: number; readonly ms: number }
  | { readonly type: 'login'; readonly username: string }
  | { readonly type: 'error'; readonly op: string; readonly error: HaystackError };

/** Options of {@link HaystackClient}. */
export interface HaystackClientOptions {
  /** API root, e.g. `http://host:8080/api` or SkySpark's `http://host/api/demo`; ops are `url/op`. */
  readonly url: string;
  /** Username for SCRAM login (with `password`). */
  readonly username?: string;
  /** Password for SCRAM login; kept only until the first login succeeds (then salted keys are kept). */
  readonly password?: string;
  /** An existing bearer token to use instead of logging in. */
  readonly token?: string;
  /** Wire format of requests and responses (default `zinc`). */
  readonly format?: ClientFormat;
  /** Per-call timeout in ms, above 0 and up to 2^31 - 1 (default 30,000); a call's own `timeoutMs: 0` waits without one. */
  readonly timeoutMs?: number;
  /** The fetch to use (default `globalThis.fetch`); give one bound to an agent for mTLS or proxies. */
  readonly fetch?: typeof fetch;
  /** Extra fetch init merged into every request (e.g. undici's `dispatcher` for client certificates). */
  readonly fetchInit?: Readonly<Record<string, unknown>>;
  /** Extra headers sent with every request. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Receives request/response/login/error events. */
  readonly onEvent?: (event: ClientEvent) => void;
  /** Told of every op call (start, complete, error with its code) and the bytes sent and received. */
  readonly metrics?: MetricsHooks;
}

const ZINC_MEDIA = 'text/zinc';
const ZINC_TYPE = /^\s*text\/zinc\b/i;
// Ops whose answers can be long enough to decode as a stream.
const STREAMED_OPS = new Set(['hisRead']);

/**
 * The chunks of a fetch body, read with a reader (async iteration of ReadableStream is not in every browser).
 * Each read waits at most `stallMs` (0: no limit): the call's timer stops at the headers, and a server that stalls
 * mid-body must still end the call.
 */
async function* bodyChunks(
  body: ReadableStream<Uint8Array<ArrayBuffer>>,
  op: string,
  stallMs: number,
): AsyncGenerator<Uint8Array<ArrayBuffer>, void, undefined> {
  const reader = body.getReader();
  let finished = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    for (;;) {
      const { done, value } = await Promise.race([
        reader.read(),
        new Promise<never>((_, reject) => {
          if (stallMs > 0)
            timer = setTimeout(
              () => {
                reject(new NetworkError(`${op}: timed out`, { timedOut: true }));
              },
              Math.min(stallMs, MAX_TIMER_MS),
            );
        }),
      ]);
      clearTimeout(timer);
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
    clearTimeout(timer);
    // A consumer that stops early (or a stalled read) must not leave the connection half-read.
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

/** A whole body as UTF-8 text (as `Response.text()` reads it), each read bounded as {@link bodyChunks} says. */
async function bodyText(res: Response, op: string, stallMs: number): Promise<string> {
  const chunks: Uint8Array<ArrayBuffer>[] = [];
  if (res.body !== null) for await (const chunk of bodyChunks(res.body, op, stallMs)) chunks.push(chunk);
  return new Blob(chunks).text();
}

/** `promise`, or a rejection with the signal's reason as soon as `signal` aborts (the promise runs on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      reject(signal?.reason as Error);
    };
    // The listener goes when the wait ends: a long-lived signal (one given to many calls) must not collect them.
    void promise.then(resolve, reject).finally(() => {
      signal?.removeEventListener('abort', onAbort);
    });
    signal?.addEventListener('abort', onAbort);
    if (signal?.aborted === true) onAbort();
  });
}

/** The caller's signal combined with a timer of `timeoutMs` (none for 0), and that timer's controller and id. */
function callSignal(
  signal: AbortSignal | undefined,
  timeoutMs: number,
): [AbortSignal, AbortController, ReturnType<typeof setTimeout> | undefined] {
  const timeout = new AbortController();
  // A call's own timeoutMs is not checked as the client's is: past what a timer can wait (2^31 - 1 ms, where it
  // would fire at once), it waits that long.
  const timer =
    timeoutMs > 0
      ? setTimeout(
          () => {
            timeout.abort(new Error(`Timed out after ${timeoutMs} ms`));
          },
          Math.min(timeoutMs, MAX_TIMER_MS),
        )
      : undefined;
  // A signal of the call's own even without a timer: fetch hangs a listener on the signal it gets until a GC.
  return [AbortSignal.any(signal === undefined ? [timeout.signal] : [signal, timeout.signal]), timeout, timer];
}

const CLIENT_OPTIONS: OptionNames<HaystackClientOptions> = {
  url: true,
  username: true,
  password: true,
  token: true,
  format: true,
  timeoutMs: true,
  fetch: true,
  fetchInit: true,
  headers: true,
  onEvent: true,
  metrics: true,
};

function bad(code: OptionErrorCode, option: string, reason: string, cause?: unknown): never {
  throw new OptionError(code, option, `Client options: ${reason}`, cause === undefined ? undefined : { cause });
}

/** Eager checks of {@link HaystackClientOptions} (JS callers can pass anything); throws an OptionError. */
function checkClientOptions(options: HaystackClientOptions): void {
  checkOptionNames('Client options', options, CLIENT_OPTIONS);
  const url: unknown = options.url;
  if (url === undefined) bad('HS_ERR_OPTION_MISSING', 'url', 'url is required');
  if (typeof url !== 'string') bad('HS_ERR_OPTION_TYPE', 'url', 'url must be a string');
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch (cause) {
    bad('HS_ERR_OPTION_RANGE', 'url', `invalid url ${JSON.stringify(url)}`, cause);
  }
  if (protocol !== 'http:' && protocol !== 'https:')
    bad('HS_ERR_OPTION_RANGE', 'url', `url must be http or https: ${url}`);
  const timeoutMs: unknown = options.timeoutMs;
  if (timeoutMs !== undefined) {
    if (typeof timeoutMs !== 'number') bad('HS_ERR_OPTION_TYPE', 'timeoutMs', 'timeoutMs must be a number');
    if (!isTimerMs(timeoutMs))
      bad('HS_ERR_OPTION_RANGE', 'timeoutMs', `timeoutMs must be > 0 and at most ${MAX_TIMER_MS}`);
  }
  for (const k of ['fetch', 'onEvent'] as const) {
    if (options[k] !== undefined && typeof options[k] !== 'function')
      bad('HS_ERR_OPTION_TYPE', k, `${k} must be a function`);
  }
  for (const k of ['username', 'password', 'token'] as const) {
    if (options[k] !== undefined && typeof options[k] !== 'string')
      bad('HS_ERR_OPTION_TYPE', k, `${k} must be a string`);
  }
  if ((options.username === undefined) !== (options.password === undefined)) {
    const missing = options.username === undefined ? 'username' : 'password';
    bad('HS_ERR_OPTION_MISSING', missing, `username and password go together: ${missing} is missing`);
  }
}

/**
 * A client for any standard Haystack server (SkySpark, Haxall, nHaystack, haystack-ts), in Node and
 * in browsers. Read-only ops that take at most one row of scalars (about, ops, formats, read by filter, nav,
 * defs, libs, filetypes) go as GET with Zinc-encoded query parameters, everything else as a POSTed grid; a
 * 405 switches to the other method once where the other is possible (`close` and `hisRead`: POST, then GET). Error grids become
 * {@link CallError}; a 401 triggers one fresh login when credentials are known.
 */
export class HaystackClient extends OpsClient {
  readonly #base: string;
  readonly #format: ClientFormat;
  #codec: ClientCodec | undefined;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #fetchInit: Readonly<Record<string, unknown>>;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #onEvent: ((event: ClientEvent) => void) | undefined;
  readonly #metrics: MetricsHooks | undefined;
  readonly #credentials: ClientCredentials | undefined;
  #token: string | undefined;
  #login: Promise<string | undefined> | undefined;
  #noLoginNeeded = false;
  // Ops this server answered 405 for in the method first tried: the method that worked instead.
  readonly #methodByOp = new Map<string, Method>();

  constructor(options: HaystackClientOptions) {
    super();
    checkClientOptions(options);
    // HttpApi: the base URI is assumed to end with a slash.
    const href = new URL(options.url).href;
    this.#base = href.endsWith('/') ? href : `${href}/`;
    this.#format = options.format ?? 'zinc';
    checkClientFormat(this.#format);
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    const f = options.fetch ?? globalThis.fetch;
    this.#fetch = f.bind(globalThis);
    this.#fetchInit = options.fetchInit ?? {};
    this.#headers = options.headers ?? {};
    this.#onEvent = options.onEvent;
    this.#metrics = options.metrics;
    this.#token = options.token;
    if (options.username !== undefined && options.password !== undefined) {
      this.#credentials = { username: options.username, password: options.password };
      void loadLogin();
    }
  }

  /** The API root, ending in `/`. */
  get url(): string {
    return this.#base;
  }

  /** True once a bearer token is held. */
  get authenticated(): boolean {
    return this.#token !== undefined;
  }

  /** The op's URL. */
  opUrl(op: string): string {
    return new URL(encodeURIComponent(op), this.#base).href;
  }

  #emit(event: ClientEvent): void {
    this.#onEvent?.(event);
  }

  async #ensureToken(signal: AbortSignal | undefined): Promise<string | undefined> {
    if (this.#token !== undefined) return this.#token;
    const credentials = this.#credentials;
    if (credentials === undefined || this.#noLoginNeeded) return undefined;
    // One login serves every call waiting for it, so it runs on its own timer, not on the signal of the call
    // that happened to start it: that call's abort or short timeout must not fail the others.
    if (this.#login === undefined) {
      // Whole ms: Node's AbortSignal.timeout throws on a fraction (timeoutMs is any number above 0).
      const timeout = AbortSignal.timeout(Math.ceil(this.#timeoutMs));
      this.#login = loginWithScram({
        url: this.opUrl('about'),
        credentials,
        fetch: this.#fetch,
        fetchInit: this.#fetchInit,
        headers: this.#headers,
        signal: timeout,
      })
        .then(
          (token) => {
            // A server that answers HELLO with 200 needs no login; don't ask again until it says 401.
            this.#noLoginNeeded = token === undefined;
            this.#token = token;
            this.#emit({ type: 'login', username: credentials.username });
            return token;
          },
          (err: unknown) => {
            // The login's own timer ended it, whatever the fetch made of that abort: a timeout, also for a call that
            // has no timer of its own (or a longer one) and would otherwise read it as a failure to reach the host.
            throw timeout.aborted ? new NetworkError('timed out logging in', { cause: err, timedOut: true }) : err;
          },
        )
        .finally(() => {
          this.#login = undefined;
        });
    }
    return untilAborted(this.#login, signal);
  }

  /** Log in now (otherwise the first call does); a no-op without credentials or with a token. */
  async login(options: CallOptions = {}): Promise<void> {
    await this.#ensureToken(options.signal);
  }

  /** Call any op with a request grid; returns the response grid, or throws a typed error. */
  override async call(op: string, req: Grid = Grid.EMPTY, options: CallOptions = {}): Promise<Grid> {
    const metrics = this.#metrics;
    if (metrics === undefined) return this.#call(op, req, options);
    const started = performance.now();
    emitMetric(metrics, 'onRequestStart', { op, transport: 'http' });
    try {
      const grid = await this.#call(op, req, options);
      emitMetric(metrics, 'onRequestComplete', { op, transport: 'http', durationMs: performance.now() - started });
      return grid;
    } catch (err) {
      const errorCode =
        err instanceof CallError ? (err.remoteCode ?? err.code) : err instanceof HaystackError ? err.code : undefined;
      emitMetric(metrics, 'onRequestError', {
        op,
        transport: 'http',
        durationMs: performance.now() - started,
        errorCode,
      });
      throw err;
    }
  }

  async #call(op: string, req: Grid, options: CallOptions): Promise<Grid> {
    const res = await this.#send(op, req, options, true);
    // A body read may wait for data as long as the call for its headers (the call's timer ends with them).
    const stallMs = options.timeoutMs ?? this.#timeoutMs;
    try {
      const contentType = res.headers.get('content-type');
      // A long Zinc answer (a history) is decoded as it arrives, into typed columns, never held as text.
      const grid =
        STREAMED_OPS.has(op) && ZINC_TYPE.test(contentType ?? 'text/zinc') && res.body !== null
          ? await decodeZincStream(bodyChunks(res.body, op, stallMs))
          : await this.#decodeResponse(await bodyText(res, op, stallMs), contentType, op);
      if (grid.isError) throw new CallError(grid, res.status);
      return grid;
    } catch (err) {
      throw this.#fail(op, err, options.signal);
    }
  }

  /**
   * Call an op and yield the Zinc response row by row as it arrives (the header first), so a history of
   * any length passes through in flat memory. The request asks for Zinc whatever the client's format.
   */
  async *callStream(
    op: string,
    req: Grid = Grid.EMPTY,
    options: CallOptions = {},
  ): AsyncGenerator<ZincStreamEvent, void, undefined> {
    const res = await this.#send(op, req, options, true, ZINC_MEDIA);
    // A body read may wait for data as long as the call for its headers (the call's timer ends with them).
    const stallMs = options.timeoutMs ?? this.#timeoutMs;
    const contentType = res.headers.get('content-type');
    try {
      if (!ZINC_TYPE.test(contentType ?? 'text/zinc') || res.body === null) {
        const grid = await this.#decodeResponse(await bodyText(res, op, stallMs), contentType, op);
        if (grid.isError) throw new CallError(grid, res.status);
        yield { type: 'header', meta: grid.meta, cols: grid.cols };
        for (const row of grid) yield { type: 'row', row };
        return;
      }
      for await (const e of readZincStream(bodyChunks(res.body, op, stallMs))) {
        if (e.type === 'header' && e.meta.has('err'))
          throw new CallError(Grid.fromTrustedParts(e.meta, e.cols, []), res.status);
        yield e;
      }
    } catch (err) {
      throw this.#fail(op, err, options.signal);
    }
  }

  // `err` as the typed error the call fails with, told to onEvent: a failure below HTTP becomes a NetworkError that
  // says whether the call's timer (`timedOut`) or the caller's `signal` ended it.
  #fail(op: string, err: unknown, signal?: AbortSignal, timedOut = false): HaystackError {
    const aborted = !timedOut && signal?.aborted === true;
    // A body cut short is undici's bare `terminated`: its cause says what happened (a reset, a TLS failure).
    const e =
      err instanceof HaystackError
        ? err
        : new NetworkError(
            `${op}: ${timedOut ? 'timed out' : aborted ? 'aborted' : fetchFailureMessage(err, this.#base)}`,
            { cause: err, timedOut, aborted },
          );
    this.#emit({ type: 'error', op, error: e });
    return e;
  }

  async #decodeResponse(text: string, contentType: string | null, op: string): Promise<Grid> {
    // Content-Type says how the server actually answered (an error page may differ from what Accept asked).
    const val = await decodeResponse(text, contentType);
    if (!(val instanceof Grid)) throw new HaystackError('HS_ERR_PARSE', `${op}: response is not a grid`);
    return val;
  }

  // The GET query of a call, or undefined when it must go as POST (see the class comment).
  #queryFor(op: string, req: Grid): string | undefined {
    if (!GET_OPS.has(op) && !GET_FALLBACK_OPS.has(op)) return undefined;
    // read by ids keeps its grid of ids (a POST), as every server reads it.
    if (op === 'read' && !req.hasCol('filter')) return undefined;
    return getQuery(req);
  }

  /** Send the call (GET or POST); handles timeouts, aborts, one re-login on 401, one switch on 405, HTTP errors. */
  async #send(
    op: string,
    req: Grid,
    options: CallOptions,
    mayRelogin: boolean,
    accept?: string,
    forced?: Method,
  ): Promise<Response> {
    const query = this.#queryFor(op, req);
    const preferred = forced ?? this.#methodByOp.get(op) ?? (GET_OPS.has(op) ? 'GET' : 'POST');
    const method: Method = preferred === 'GET' && query !== undefined ? 'GET' : 'POST';
    const [signal, timeout, timer] = callSignal(options.signal, options.timeoutMs ?? this.#timeoutMs);
    const started = Date.now();
    let res: Response;
    // The token the request went with: a 401 is about that one, which may no longer be the current one.
    let token: string | undefined;
    try {
      token = await this.#ensureToken(signal);
      const codec = (this.#codec ??= await loadCodec(this.#format));
      const headers: Record<string, string> = { ...this.#headers, accept: accept ?? codec.mediaType };
      if (method === 'POST') headers['content-type'] = codec.contentType;
      if (token !== undefined) headers.authorization = `BEARER authToken=${token}`;
      this.#emit({ type: 'request', op, method });
      const url =
        method === 'GET' && query !== undefined && query !== '' ? `${this.opUrl(op)}?${query}` : this.opUrl(op);
      const body = method === 'POST' ? codec.encodeGrid(req) : undefined;
      if (body !== undefined && this.#metrics?.onMessageSent !== undefined) {
        emitMetric(this.#metrics, 'onMessageSent', { transport: 'http', bytes: new TextEncoder().encode(body).length });
      }
      res = await this.#fetch(url, {
        ...this.#fetchInit,
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal,
      });
      const length = res.headers.get('content-length');
      if (length !== null && this.#metrics?.onMessageReceived !== undefined) {
        emitMetric(this.#metrics, 'onMessageReceived', { transport: 'http', bytes: Number(length) });
      }
    } catch (err) {
      throw this.#fail(op, err, options.signal, timeout.signal.aborted);
    } finally {
      clearTimeout(timer);
    }
    this.#emit({ type: 'response', op, status: res.status, ms: Date.now() - started });
    if (res.status === 401) {
      await res.body?.cancel();
      // Sent away to another origin, it went without credentials: a fresh login would go the same way.
      const away = redirectedAway(res, this.#base, op);
      // Not for `close`: the session it would end is already over, and a login would only open another.
      if (away === undefined && this.#credentials !== undefined && op !== 'close') {
        // A 401 to a token that another call has since replaced (or is replacing, after its own 401) says nothing
        // of the current one: go again with that, keeping the one fresh login for a 401 to it.
        if (token !== this.#token) return this.#send(op, req, options, mayRelogin, accept, forced);
        // The token expired or was revoked: log in once more, then give up.
        if (mayRelogin) {
          this.#token = undefined;
          this.#noLoginNeeded = false;
          return this.#send(op, req, options, false, accept, forced);
        }
      }
      throw this.#fail(
        op,
        away ??
          (this.#credentials === undefined
            ? new LoginRequiredError(
                token !== undefined
                  ? `${op}: the session token was refused (expired or revoked): log in again`
                  : `${op}: authentication required, and no credentials were given`,
              )
            : new AuthError(`${op}: authentication required`)),
      );
    }
    // 405: the server takes this op only by the other method (haystack-py: GET only for about, ops, formats,
    // close; some servers: POST only). Switch once and remember what worked.
    if (res.status === 405 && forced === undefined && (method === 'GET' || query !== undefined)) {
      await res.body?.cancel();
      const other: Method = method === 'GET' ? 'POST' : 'GET';
      const retried = await this.#send(op, req, options, mayRelogin, accept, other);
      this.#methodByOp.set(op, other);
      return retried;
    }
    if (res.ok) return res;
    const body = await bodyText(res, op, options.timeoutMs ?? this.#timeoutMs).catch(() => '');
    // Servers differ: some send an error grid with a 4xx/5xx status, some plain text.
    let grid: Grid | undefined;
    try {
      grid = await this.#decodeResponse(body, res.headers.get('content-type'), op);
    } catch {
      grid = undefined;
    }
    if (res.status === 403)
      throw this.#fail(
        op,
        new PermissionError(grid === undefined ? `${op}: forbidden` : String(grid.meta.get('dis') ?? 'forbidden')),
      );
    if (grid?.isError === true) throw this.#fail(op, new CallError(grid, res.status));
    throw this.#fail(op, new HttpStatusError(op, res.status, res.statusText, body));
  }

  /** The `hisRead` op for one point, row by row as the answer arrives (see {@link callStream}). */
  hisReadStream(
    id: Ref | string,
    range: HisRange,
    options?: CallOptions,
  ): AsyncGenerator<ZincStreamEvent, void, undefined> {
    return this.callStream('hisRead', hisReadRequest(id, range), options);
  }

  /** The `close` op: end the session on the server and forget the token (a session already over is no error). */
  async close(options?: CallOptions): Promise<void> {
    if (this.#token === undefined) return;
    try {
      await this.call('close', Grid.EMPTY, options);
    } catch (err) {
      // 401: the server no longer knows the token, which is what closing wanted.
      if (!(err instanceof AuthError)) throw err;
    } finally {
      this.#token = undefined;
    }
  }
}
