// One WebSocket to a Haystack server: open, log in (token or SCRAM), correlate answers, heartbeats, pushes.

import { decodeBase64UrlText, encodeBase64UrlText } from '../core/auth/base64.js';
import { ScramClient } from '../core/auth/scram-client.js';
import { AuthError, CallError, HaystackError, OptionError, type OptionErrorCode } from '../core/errors.js';
import { Grid } from '../core/grid/grid.js';
import { emitMetric, type MetricsHooks } from '../core/metrics-hooks.js';
import { isTimerMs, MAX_TIMER_MS } from '../core/timer-ms.js';
import { WS_CLOSE, type WsCloseReason, wsCloseReason } from '../core/ws/ws-close-codes.js';
import {
  decodeWsMessage,
  encodeWsAuth,
  encodeWsBatch,
  encodeWsControl,
  encodeWsRequest,
  isWsBadItem,
  WS_SUBPROTOCOL,
  type WsMessage,
  type WsResponse,
} from '../core/ws/ws-envelope.js';
import { NetworkError } from './errors.js';

/** An event of a WebSocket as the client uses it (browser, undici and `ws` events all fit). */
export interface WebSocketEventLike {
  /** The message text (`message` events). */
  readonly data?: unknown;
  /** The close code (`close` events). */
  readonly code?: number;
  /** The close reason (`close` events). */
  readonly reason?: string;
  /** What failed (`error` events of undici and `ws`; browsers give none). */
  readonly message?: string;
}

/** What the client needs of a WebSocket: the browser's API, which undici's and `ws` also have. */
export interface WebSocketLike {
  /** The subprotocol the server chose. */
  readonly protocol: string;
  /** Send one text message. */
  send(data: string): void;
  /** Start the closing handshake. */
  close(code?: number, reason?: string): void;
  /** Listen to `open`, `message`, `close` and `error`. */
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: WebSocketEventLike) => void): void;
}

/** Opens a WebSocket (to pass client certificates, headers or a proxy: e.g. undici's `WebSocket` with a dispatcher). */
export type WebSocketFactory = (url: string, protocols: readonly string[]) => WebSocketLike;

type WebSocketCtor = new (url: string, protocols: string[]) => WebSocketLike;

/**
 * The platform's WebSocket: the global one (browsers, Node 22+), else undici's (Node 20). The module name is
 * a variable so that browser bundlers leave the import alone: browsers never reach it.
 */
export async function defaultWebSocketFactory(): Promise<WebSocketFactory> {
  let Ctor = (globalThis as { WebSocket?: WebSocketCtor }).WebSocket;
  if (Ctor === undefined) {
    const name = 'undici';
    Ctor = ((await import(name)) as { WebSocket: WebSocketCtor }).WebSocket;
  }
  const C = Ctor;
  return (url, protocols) => new C(url, [...protocols]);
}

/** The connection ended: the close code and reason, and the error code it stands for. */
export class WebSocketClosedError extends HaystackError {
  /** The class name, as a literal. */
  static override readonly errorName: string = 'WebSocketClosedError';

  /** Close code (see `WS_CLOSE`); 1006 when the connection dropped without a close frame. */
  readonly closeCode: number;
  /** Close reason sent by the server. */
  readonly reason: string;
  /** Name of the close code in `WS_CLOSE`, if it is one of the server's. */
  readonly closeReason: WsCloseReason | undefined;

  constructor(closeCode: number, reason: string) {
    const known = wsCloseReason(closeCode);
    super(
      known === undefined ? 'HS_ERR_NETWORK' : (WS_CLOSE[known].error ?? 'HS_ERR_NETWORK'),
      `WebSocket closed (${closeCode}${reason === '' ? '' : `: ${reason}`})`,
    );
    this.closeCode = closeCode;
    this.reason = reason;
    this.closeReason = known;
  }

  /** True when the server refused or ended the login (a reconnect with the same credentials would fail too). */
  get isAuthFailure(): boolean {
    return this.code === 'HS_ERR_AUTH' || this.code === 'HS_ERR_THROTTLED';
  }
}

/** How to log in over the socket. */
export interface WsLogin {
  /** Bearer token, sent as the first message (`{"authToken": …}`). */
  readonly token?: string;
  /** Username and password for a SCRAM exchange over the socket (used when there is no token, or it fails). */
  readonly username?: string;
  /** Password of `username`. */
  readonly password?: string;
}

/** Options of a {@link WebSocketConnection}. */
export interface WebSocketConnectionOptions extends WsLogin {
  /** Endpoint, `ws(s)://host/api/ws`, or the HTTP API root `http(s)://host/api/` (then `ws` is appended). */
  readonly url: string;
  /**
   * Per-call timeout in ms, up to 2^31 - 1 (default 30,000; 0 disables); also bounds opening and logging in. A call's
   * own longer `timeoutMs` waits as long as a timer can.
   */
  readonly timeoutMs?: number;
  /**
   * Send a ping after this long without a message, and drop the connection after twice as long; in ms, up to
   * 2^31 - 1 (default 30,000; 0 disables).
   */
  readonly heartbeatMs?: number;
  /** Opens the socket (default {@link defaultWebSocketFactory}). */
  readonly webSocket?: WebSocketFactory;
  /** Told of the connection opening and closing, messages sent and received and requests (see {@link MetricsHooks}). */
  readonly metrics?: MetricsHooks;
}

let nextConnectionId = 0;

// Closes that answered a SCRAM `hello` over the socket (haystack-py's server wants a token as the first message).
const helloRefusals = new WeakSet<WebSocketClosedError>();

/** True when `err` is a server closing the socket (4003) on a SCRAM `hello`, before answering any login step. */
export function refusedSocketLogin(err: unknown): boolean {
  return err instanceof WebSocketClosedError && helloRefusals.has(err);
}

/** The server's code of an error grid (`errCode`), else the client's `HS_ERR_CALL`. */
export function errorGridCode(grid: Grid): string {
  const code = grid.meta.get('errCode');
  return typeof code === 'string' ? code : 'HS_ERR_CALL';
}

// UTF-8 size of a message without encoding it (the hooks want bytes, the socket takes the string).
function utf8Bytes(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) n += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : c >= 0xd800 && c <= 0xdbff ? 0 : 1;
  }
  return n;
}

/** A push as the server sends it: the changed entities of a watch (as `watchPoll` answers them). */
export interface WsPush {
  /** The watch. */
  readonly watchId: string;
  /** The changed entities. */
  readonly grid: Grid;
  /** The channel the watch was opened on (pooled channels), if any. */
  readonly ch: string | undefined;
}

/** One request of a batch. */
export interface BatchCall {
  /** Op name. */
  readonly op: string;
  /** Request grid (default empty). */
  readonly grid?: Grid;
}

interface Pending {
  readonly resolve: (grid: Grid) => void;
  readonly reject: (err: Error) => void;
}

/** The endpoint URL for an option that may be the HTTP API root. */
export function wsEndpoint(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch (cause) {
    throw new OptionError('HS_ERR_OPTION_RANGE', 'url', `Invalid WebSocket url ${JSON.stringify(url)}`, { cause });
  }
  if (u.protocol === 'http:' || u.protocol === 'https:') {
    u.protocol = u.protocol === 'http:' ? 'ws:' : 'wss:';
    if (!u.pathname.endsWith('/')) u.pathname += '/';
    u.pathname += 'ws';
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:') {
    throw new OptionError('HS_ERR_OPTION_RANGE', 'url', `WebSocket url must be ws, wss, http or https: ${url}`);
  }
  return u.href;
}

/**
 * How an option of a WebSocket client is checked: its `typeof`, or `timer` for a delay a timer can wait, in ms
 * (`timer0`: or 0, which turns it off).
 */
export type WebSocketOptionCheck = 'string' | 'function' | 'object' | 'timer' | 'timer0';

const CONNECTION_OPTIONS: Readonly<Record<string, WebSocketOptionCheck>> = {
  url: 'string',
  token: 'string',
  username: 'string',
  password: 'string',
  timeoutMs: 'timer0',
  heartbeatMs: 'timer0',
  webSocket: 'function',
  metrics: 'object',
};

function badOption(code: OptionErrorCode, option: string, reason: string): never {
  throw new OptionError(code, option, `WebSocket client options: ${reason}`);
}

/**
 * Eager checks of the options of a WebSocket client, those of {@link WebSocketConnectionOptions} and `extra` (JS
 * callers can pass anything): a misspelt name or a timeout no timer can wait would otherwise surface only as a
 * login as nobody or a call that times out at once. Throws an OptionError naming the option.
 */
export function checkWebSocketOptions(
  options: WebSocketConnectionOptions,
  extra: Readonly<Record<string, WebSocketOptionCheck>> = {},
): void {
  const known = { ...CONNECTION_OPTIONS, ...extra };
  const given = options as unknown as Readonly<Record<string, unknown>>;
  for (const k of Object.keys(given))
    if (!Object.hasOwn(known, k)) badOption('HS_ERR_OPTION_UNKNOWN', k, `unknown option ${k}`);
  if (given.url === undefined) badOption('HS_ERR_OPTION_MISSING', 'url', 'url is required');
  for (const [k, check] of Object.entries(known)) {
    const v = given[k];
    if (v === undefined) continue;
    if (check === 'timer' || check === 'timer0') {
      if (typeof v !== 'number') badOption('HS_ERR_OPTION_TYPE', k, `${k} must be a number`);
      if (!isTimerMs(v) && !(check === 'timer0' && v === 0))
        badOption(
          'HS_ERR_OPTION_RANGE',
          k,
          `${k} must be ${check === 'timer0' ? '0 or ' : ''}> 0 and at most ${MAX_TIMER_MS}`,
        );
    } else if (typeof v !== check || v === null) badOption('HS_ERR_OPTION_TYPE', k, `${k} must be a ${check}`);
  }
  wsEndpoint(options.url);
  if ((options.username === undefined) !== (options.password === undefined)) {
    const missing = options.username === undefined ? 'username' : 'password';
    badOption('HS_ERR_OPTION_MISSING', missing, `username and password go together: ${missing} is missing`);
  }
}

/** Waits `ms`, or rejects with a timeout error; `ms <= 0` waits forever. */
function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  if (ms <= 0) return promise;
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new NetworkError(`${what}: timed out`, { timedOut: true }));
    }, ms);
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

/**
 * One open WebSocket to `/api/ws` and the protocol on it: the login (a bearer token as the first message, or a
 * SCRAM exchange of `hello`/`scram`/`authOk` messages), requests correlated by id, batches, pushes, and
 * heartbeats (`{"type":"ping"}` when idle, since browsers cannot send ping frames). Open it with
 * {@link WebSocketConnection.open}; once closed it stays closed (clients open a new one).
 */
export class WebSocketConnection {
  readonly #socket: WebSocketLike;
  readonly #timeoutMs: number;
  readonly #pending = new Map<string, Pending>();
  readonly #pushListeners = new Set<(push: WsPush) => void>();
  readonly #closeListeners = new Set<(err: WebSocketClosedError) => void>();
  #nextId = 0;
  #closed: WebSocketClosedError | undefined;
  #control: ((m: WsMessage) => void) | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #heard = true;
  #pinged = false;
  #token: string | undefined;
  readonly #metrics: MetricsHooks | undefined;
  readonly #connectionId = ++nextConnectionId;
  #opened = 0;

  private constructor(socket: WebSocketLike, timeoutMs: number, metrics: MetricsHooks | undefined) {
    this.#socket = socket;
    this.#timeoutMs = timeoutMs;
    this.#metrics = metrics;
  }

  /** Send one message, telling the metrics hooks its size. */
  #write(text: string): void {
    if (this.#metrics?.onMessageSent !== undefined) {
      emitMetric(this.#metrics, 'onMessageSent', { transport: 'ws', bytes: utf8Bytes(text) });
    }
    this.#socket.send(text);
  }

  /** Open the socket and log in; rejects with a `WebSocketClosedError` (auth failures included) or a timeout. */
  static async open(options: WebSocketConnectionOptions): Promise<WebSocketConnection> {
    const url = wsEndpoint(options.url);
    const factory = options.webSocket ?? (await defaultWebSocketFactory());
    const timeoutMs = options.timeoutMs ?? 30_000;
    const socket = factory(url, [WS_SUBPROTOCOL]);
    const conn = new WebSocketConnection(socket, timeoutMs, options.metrics);
    const opened = new Promise<void>((resolve, reject) => {
      socket.addEventListener('open', () => {
        conn.#opened = performance.now();
        emitMetric(options.metrics, 'onConnectionOpen', { transport: 'ws', connectionId: conn.#connectionId });
        resolve();
      });
      conn.onClose(reject);
    });
    socket.addEventListener('message', (e) => {
      conn.#onMessage(e.data);
    });
    // An error event is always followed by close, which carries the code; but a connection this side failed (an
    // answer past the client's maxPayload) closes with a bare 1006, and only the error says why.
    let failure = '';
    socket.addEventListener('close', (e) => {
      conn.#end(new WebSocketClosedError(e.code ?? 1006, e.reason || failure));
    });
    socket.addEventListener('error', (e) => {
      failure = e.message ?? '';
    });
    try {
      await withTimeout(opened, timeoutMs, 'WebSocket open');
      await withTimeout(conn.#login(options), timeoutMs, 'WebSocket login');
    } catch (err) {
      conn.close(WS_CLOSE.NORMAL.code);
      throw err;
    }
    conn.#startHeartbeat(options.heartbeatMs ?? 30_000);
    return conn;
  }

  /** The bearer token in use: the given one, or the one a SCRAM login over the socket obtained. */
  get token(): string | undefined {
    return this.#token;
  }

  /** The reason the connection ended, once it has. */
  get closed(): WebSocketClosedError | undefined {
    return this.#closed;
  }

  async #login(login: WsLogin): Promise<void> {
    if (login.token !== undefined) {
      this.#token = login.token;
      // No wait for the answer: the server reads requests only after the token, and closes with 4003 if it is bad.
      this.#write(encodeWsAuth(login.token));
      return;
    }
    if (login.username === undefined) return;
    if (login.password === undefined)
      throw new OptionError('HS_ERR_OPTION_MISSING', 'password', 'username needs a password');
    const scram = ScramClient.create({ username: login.username, password: login.password });
    const hello = await this.#step('hello', { username: encodeBase64UrlText(login.username) }, 'hello').catch(
      (err: unknown) => {
        // Closed as refused before any SCRAM step was answered: the server takes no login over its socket.
        if (err instanceof WebSocketClosedError && err.closeCode === WS_CLOSE.AUTH_FAILED.code) helloRefusals.add(err);
        throw err;
      },
    );
    const first = await this.#step(
      'scram',
      { handshakeToken: hello.handshakeToken ?? '', data: encodeBase64UrlText(scram.clientFirstMessage()) },
      'scram',
    );
    const final = await scram.clientFinalMessage(decodeBase64UrlText(first.data ?? ''));
    const ok = await this.#step(
      'scram',
      { handshakeToken: first.handshakeToken ?? '', data: encodeBase64UrlText(final) },
      'authOk',
    );
    // RFC 5802: the client verifies ServerSignature before trusting the outcome.
    if (ok.data === undefined || ok.authToken === undefined)
      throw new AuthError('Login failed: server did not prove itself');
    scram.verifyServerFinal(decodeBase64UrlText(ok.data));
    this.#token = ok.authToken;
  }

  /** Send an auth step and wait for the server's next one, which must be `expect`. */
  #step(
    type: 'hello' | 'scram',
    fields: Readonly<Record<string, string>>,
    expect: 'hello' | 'scram' | 'authOk',
  ): Promise<Readonly<Record<string, string>>> {
    return new Promise((resolve, reject) => {
      const onClose = (err: WebSocketClosedError): void => {
        reject(err);
      };
      this.onClose(onClose);
      this.#control = (m) => {
        this.#control = undefined;
        this.#closeListeners.delete(onClose);
        if (m.kind === expect) resolve(m.fields);
        else reject(new AuthError('Login failed'));
      };
      this.#write(encodeWsControl(type, fields));
    });
  }

  #startHeartbeat(ms: number): void {
    if (ms <= 0 || this.#closed !== undefined) return;
    this.#heartbeat = setInterval(() => {
      if (this.#heard) {
        this.#heard = false;
        this.#pinged = false;
        return;
      }
      if (!this.#pinged) {
        this.#pinged = true;
        this.#write(encodeWsControl('ping'));
        return;
      }
      // Nothing heard for two periods, not even a pong: the peer or the path is gone.
      this.#end(new WebSocketClosedError(1006, 'no answer to heartbeat'));
      this.#socket.close(WS_CLOSE.NORMAL.code);
    }, ms);
  }

  #onMessage(data: unknown): void {
    this.#heard = true;
    if (typeof data !== 'string') return;
    if (this.#metrics?.onMessageReceived !== undefined) {
      emitMetric(this.#metrics, 'onMessageReceived', { transport: 'ws', bytes: utf8Bytes(data) });
    }
    let m: WsMessage;
    try {
      m = decodeWsMessage(data);
    } catch {
      // A message we cannot read answers nothing we wait for; its request times out.
      return;
    }
    switch (m.kind) {
      case 'response':
        this.#settle(m.response);
        return;
      case 'batch':
        for (const item of m.items) if (!isWsBadItem(item) && !('op' in item)) this.#settle(item);
        return;
      case 'push':
        for (const l of this.#pushListeners) l({ watchId: m.watchId, grid: m.grid, ch: m.ch });
        return;
      case 'hello':
      case 'scram':
      case 'authOk':
      case 'authErr':
        this.#control?.(m);
        return;
      case 'ping':
        this.#write(encodeWsControl('pong'));
        return;
      default:
        return;
    }
  }

  #settle(res: WsResponse): void {
    if (res.id === undefined) return;
    const key = String(res.id);
    const p = this.#pending.get(key);
    if (p === undefined) return;
    this.#pending.delete(key);
    p.resolve(res.grid);
  }

  #end(err: WebSocketClosedError): void {
    if (this.#closed !== undefined) return;
    this.#closed = err;
    if (this.#metrics !== undefined && this.#opened > 0) {
      const c = { transport: 'ws', connectionId: this.#connectionId };
      // 1000 (normal) and 1001 (going away) end a connection; any other code is a failure worth counting.
      if (err.closeCode !== 1000 && err.closeCode !== 1001)
        emitMetric(this.#metrics, 'onConnectionError', { ...c, error: err });
      emitMetric(this.#metrics, 'onConnectionClose', { ...c, durationMs: performance.now() - this.#opened });
    }
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(err);
    for (const l of [...this.#closeListeners]) l(err);
    this.#closeListeners.clear();
  }

  /** Call `listener` once when the connection ends (at once if it has). */
  onClose(listener: (err: WebSocketClosedError) => void): void {
    if (this.#closed !== undefined) listener(this.#closed);
    else this.#closeListeners.add(listener);
  }

  /** Call `listener` with every push; returns the function that stops it. */
  onPush(listener: (push: WsPush) => void): () => void {
    this.#pushListeners.add(listener);
    return () => {
      this.#pushListeners.delete(listener);
    };
  }

  #expect(signal: AbortSignal | undefined, timeoutMs: number, what: string): { id: string; answer: Promise<Grid> } {
    if (this.#closed !== undefined) throw this.#closed;
    const id = String(++this.#nextId);
    const answer = new Promise<Grid>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.#pending.delete(id);
      };
      const onAbort = (): void => {
        done();
        reject(new NetworkError(`${what}: aborted`, { aborted: true, cause: signal?.reason }));
      };
      if (timeoutMs > 0) {
        // A longer wait than a timer can take waits as long as one can (Node would fire it at once).
        timer = setTimeout(
          () => {
            done();
            reject(new NetworkError(`${what}: timed out`, { timedOut: true }));
          },
          Math.min(timeoutMs, MAX_TIMER_MS),
        );
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#pending.set(id, {
        resolve: (g) => {
          done();
          resolve(g);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
    });
    return { id, answer };
  }

  /** Send one request; resolves with the answer grid (an error grid too: callers decide), or rejects on failure. */
  request(
    op: string,
    grid: Grid,
    ch: string | undefined,
    options: { readonly signal?: AbortSignal; readonly timeoutMs?: number } = {},
  ): Promise<Grid> {
    if (options.signal?.aborted === true) {
      return Promise.reject(new NetworkError(`${op}: aborted`, { aborted: true, cause: options.signal.reason }));
    }
    const { id, answer } = this.#expect(options.signal, options.timeoutMs ?? this.#timeoutMs, op);
    this.#write(encodeWsRequest(id, op, grid, ch));
    return this.#metrics === undefined ? answer : this.#measured(op, answer);
  }

  // Report a request's start and its outcome (an error grid counts as an error, with its code).
  #measured(op: string, answer: Promise<Grid>): Promise<Grid> {
    const metrics = this.#metrics;
    const started = performance.now();
    emitMetric(metrics, 'onRequestStart', { op, transport: 'ws' });
    answer.then(
      (grid) => {
        const durationMs = performance.now() - started;
        if (!grid.isError) emitMetric(metrics, 'onRequestComplete', { op, transport: 'ws', durationMs });
        else {
          const errorCode = errorGridCode(grid);
          emitMetric(metrics, 'onRequestError', { op, transport: 'ws', durationMs, errorCode });
        }
      },
      (err: unknown) => {
        const errorCode = err instanceof HaystackError ? err.code : undefined;
        emitMetric(metrics, 'onRequestError', {
          op,
          transport: 'ws',
          durationMs: performance.now() - started,
          errorCode,
        });
      },
    );
    return answer;
  }

  /** Send requests as one batch message; resolves with the answers in order (error grids included). */
  batch(
    calls: readonly BatchCall[],
    ch: string | undefined,
    options: { readonly signal?: AbortSignal; readonly timeoutMs?: number } = {},
  ): Promise<Grid[]> {
    if (calls.length === 0) return Promise.resolve([]);
    const timeoutMs = options.timeoutMs ?? this.#timeoutMs;
    const parts: string[] = [];
    const answers: Promise<Grid>[] = [];
    for (const c of calls) {
      const { id, answer } = this.#expect(options.signal, timeoutMs, c.op);
      // A failure of one rejects the batch; the others must not become unhandled rejections.
      answer.catch(() => undefined);
      parts.push(encodeWsRequest(id, c.op, c.grid ?? Grid.EMPTY, ch));
      answers.push(this.#metrics === undefined ? answer : this.#measured(c.op, answer));
    }
    this.#write(encodeWsBatch(parts));
    return Promise.all(answers);
  }

  /** Close the socket (code 1000 unless given); pending calls reject. */
  close(code: number = WS_CLOSE.NORMAL.code, reason = ''): void {
    this.#end(new WebSocketClosedError(code, reason));
    try {
      this.#socket.close(code, reason);
    } catch {
      // Closing a socket that never opened throws in some implementations: it is closed either way.
    }
  }
}

/** A `CallError` for an error grid (as the HTTP client raises it). */
export function callResult(grid: Grid): Grid {
  if (grid.isError) throw new CallError(grid);
  return grid;
}
