// WebSocketClient and WebSocketPool: the Ops methods over a WebSocket, with batches and pushed watches.

import { CallError } from '../core/errors.js';
import { Grid } from '../core/grid/grid.js';
import type { Ref } from '../core/kinds/ref.js';
import { WS_CLOSE } from '../core/ws/ws-close-codes.js';
import { AsyncQueue } from './async-queue.js';
import { loginWithScram } from './client-auth.js';
import { type CallOptions, type Ops, OpsClient } from './ops.js';
import type { Watch, WatchOptions } from './watch.js';
import {
  type BatchCall,
  callResult,
  checkWebSocketOptions,
  refusedSocketLogin,
  WebSocketConnection,
  type WebSocketConnectionOptions,
  type WsPush,
  wsEndpoint,
} from './ws-connection.js';

/** Options of {@link WebSocketClient} and {@link WebSocketPool}. */
export type WebSocketClientOptions = WebSocketConnectionOptions;

/** Where a client gets its live connection from (its own, a pool's, a reconnecting supervisor's). */
export interface ConnectionSource {
  /** The live connection, opened (and logged in) if need be. */
  connection(): Promise<WebSocketConnection>;
  /** True when the source itself reconnects and subscribes the watches again, so a dropped connection ends none. */
  readonly resubscribes?: boolean;
}

/** The typed answers of a batch built with the op methods. */
export type BatchResults<T extends readonly unknown[]> = { -readonly [K in keyof T]: Awaited<T[K]> };

/**
 * Open a connection: with the token learned from an earlier login when there is one, falling back to the
 * SCRAM exchange when that token is refused and a password is known.
 */
export async function openConnection(
  options: WebSocketConnectionOptions,
  knownToken: string | undefined,
): Promise<WebSocketConnection> {
  const token = knownToken ?? options.token;
  if (token === undefined) return openWithPassword(options);
  if (options.username === undefined) return WebSocketConnection.open({ ...options, token });
  const conn = await WebSocketConnection.open({ ...options, token });
  // Pipelined token login: a refused token closes the socket (4003) only after the server checked it, so ask once.
  const about = await conn.request('about', Grid.EMPTY, undefined).then(
    () => true,
    () => false,
  );
  if (about) return conn;
  conn.close();
  const { token: _refused, ...scram } = options;
  return openWithPassword(scram);
}

/**
 * Open with a SCRAM exchange over the socket; when the server refuses any login over its socket (haystack-py's takes
 * only a token there), log in over HTTP at the API root the socket sits under (Auth chapter) and send that token.
 */
async function openWithPassword(options: WebSocketConnectionOptions): Promise<WebSocketConnection> {
  try {
    return await WebSocketConnection.open(options);
  } catch (err) {
    const { username, password } = options;
    if (!refusedSocketLogin(err) || username === undefined || password === undefined) throw err;
    const token = await loginWithScram({
      url: new URL('about', httpApiRoot(options.url)).href,
      credentials: { username, password },
      fetch: globalThis.fetch.bind(globalThis),
      fetchInit: {},
      headers: {},
      signal: undefined,
    });
    // A server that needs no login over HTTP: open as before, for the socket's own refusal to show.
    if (token === undefined) throw err;
    return WebSocketConnection.open({ ...options, token });
  }
}

// The HTTP API root of a WebSocket endpoint: `ws://host/api/ws` is served beside `http://host/api/about`.
function httpApiRoot(url: string): string {
  const u = new URL(wsEndpoint(url));
  u.protocol = u.protocol === 'wss:' ? 'https:' : 'http:';
  u.pathname = u.pathname.replace(/[^/]*$/, '');
  return u.href;
}

/** Records op calls instead of sending them, so a batch can be written with the op methods. */
class BatchRecorder extends OpsClient {
  readonly calls: (BatchCall & { resolve(g: Grid): void; reject(e: unknown): void })[] = [];

  override call(op: string, req: Grid = Grid.EMPTY): Promise<Grid> {
    return new Promise<Grid>((resolve, reject) => {
      this.calls.push({ op, grid: req, resolve, reject });
    });
  }
}

/**
 * A Haystack client over one WebSocket (`ws(s)://host/api/ws`, haystack-py's envelope): the same op methods as
 * `HaystackClient` (it implements {@link Ops}), plus {@link WebSocketClient.batch} and server-pushed watches
 * ({@link WebSocketClient.onPush}, {@link WebSocketClient.pushes}, and `watch().changes()` fed by pushes).
 * Connects and logs in on the first call: a bearer `token` as the first message, or a SCRAM exchange over the
 * socket with `username` and `password` (over HTTP when the server takes only a token on its socket, as
 * haystack-py's does). In Node 20 it uses undici's WebSocket unless given `webSocket`.
 */
export class WebSocketClient extends OpsClient {
  readonly #own: WebSocketConnectionOptions | undefined;
  readonly #source: ConnectionSource;
  readonly #ch: string | undefined;
  #conn: Promise<WebSocketConnection> | undefined;
  #attached: WebSocketConnection | undefined;
  #token: string | undefined;
  readonly #watches = new Set<Watch>();
  readonly #listeners = new Set<(push: WsPush) => void>();

  /** A client with its own connection (options), or one sharing another's (`source`, on channel `ch`). */
  constructor(options: WebSocketClientOptions | ConnectionSource, ch?: string) {
    super();
    this.#ch = ch;
    if ('connection' in options) {
      this.#own = undefined;
      this.#source = options;
    } else {
      checkWebSocketOptions(options);
      this.#own = options;
      this.#source = { connection: () => this.#ownConnection(options) };
    }
  }

  async #ownConnection(options: WebSocketConnectionOptions): Promise<WebSocketConnection> {
    const current = this.#conn === undefined ? undefined : await this.#conn.catch(() => undefined);
    if (current?.closed === undefined && current !== undefined) return current;
    const next = openConnection(options, this.#token);
    this.#conn = next;
    next.then(
      (c) => {
        this.#token = c.token;
      },
      () => {
        if (this.#conn === next) this.#conn = undefined;
      },
    );
    return next;
  }

  /** The live connection (opened and logged in if need be), with this client's push listener on it. */
  async connection(): Promise<WebSocketConnection> {
    const conn = await this.#source.connection();
    if (this.#attached !== conn) {
      this.#attached = conn;
      conn.onPush((p) => {
        if (p.ch === this.#ch) this.#dispatch(p);
      });
      // Its pushes came over this connection only: without a source that subscribes them again, the watches'
      // changes() would wait forever. A normal closure (1000, the client's own close) ends them quietly.
      conn.onClose((err) => {
        if (this.#source.resubscribes === true) return;
        this.endWatches(err.closeCode === WS_CLOSE.NORMAL.code ? undefined : err);
      });
    }
    return conn;
  }

  /** Open the connection and log in now (otherwise the first call does). */
  async connect(): Promise<void> {
    await this.connection();
  }

  #dispatch(push: WsPush): void {
    for (const w of this.#watches) {
      if (w.closed) this.#watches.delete(w);
      else if (w.id !== push.watchId) continue;
      else if (push.grid.isError) this.watchGone(w, new CallError(push.grid));
      else w.receive(push.grid);
    }
    for (const l of this.#listeners) l(push);
  }

  /**
   * The server pushed an error grid for `watch`: the watch is gone there (closed elsewhere, its lease ran out, its
   * poll failed), as an error grid on a poll would say. Its `changes()` throw `error` rather than wait for pushes
   * that never come; {@link Watch.resubscribe} opens it again.
   */
  protected watchGone(watch: Watch, error: CallError): void {
    watch.connectionLost(error);
  }

  /** End the `changes()` of every open watch: quietly, or throwing `error` (see {@link Watch.connectionLost}). */
  protected endWatches(error?: Error): void {
    for (const w of this.openWatches) w.connectionLost(error);
  }

  /** The watches opened by this client that are still open (a reconnecting client subscribes them again). */
  protected get openWatches(): readonly Watch[] {
    return [...this.#watches].filter((w) => !w.closed);
  }

  /** Call any op; an error grid is a `CallError`, a lost connection a `WebSocketClosedError`. */
  override async call(op: string, req: Grid = Grid.EMPTY, options: CallOptions = {}): Promise<Grid> {
    const conn = await this.connection();
    return callResult(await conn.request(op, req, this.#ch, options));
  }

  /**
   * Several requests in one message, answered in order. Given calls (`{op, grid}`), it resolves with every answer
   * grid, error grids included (check `grid.isError`). Given a function, it records the op methods called on its
   * argument and resolves with their typed results (rejecting like them):
   * `const [about, sites] = await ws.batch((b) => [b.about(), b.read('site')] as const)`.
   */
  batch(calls: readonly BatchCall[], options?: CallOptions): Promise<Grid[]>;
  batch<T extends readonly unknown[]>(build: (ops: Ops) => T, options?: CallOptions): Promise<BatchResults<T>>;
  async batch(
    what: readonly BatchCall[] | ((ops: Ops) => readonly unknown[]),
    options: CallOptions = {},
  ): Promise<unknown> {
    const conn = await this.connection();
    if (typeof what !== 'function') return conn.batch(what, this.#ch, options);
    const recorder = new BatchRecorder();
    const results = what(recorder);
    const grids = await conn.batch(recorder.calls, this.#ch, options).catch((err: unknown) => {
      for (const c of recorder.calls) c.reject(err);
      return undefined;
    });
    grids?.forEach((g, i) => {
      const c = recorder.calls[i];
      if (c === undefined) return;
      if (g.isError) c.reject(new CallError(g));
      else c.resolve(g);
    });
    return Promise.all(results);
  }

  /** Open a watch whose changes the server pushes: `changes()` yields them as they come; `poll()` still works. */
  override async watch(ids: readonly (Ref | string)[], options: WatchOptions = {}): Promise<Watch> {
    const w = await super.watch(ids, options);
    w.usePushes();
    this.#watches.add(w);
    return w;
  }

  /** Call `listener` with every push for this client's watches; returns the function that stops it. */
  onPush(listener: (push: WsPush) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Every push from now on, as an async iterator, until `signal` aborts. */
  async *pushes(signal?: AbortSignal): AsyncGenerator<WsPush, void, undefined> {
    const queue = new AsyncQueue<WsPush>();
    const stop = this.onPush((p) => {
      queue.put(p);
    });
    try {
      yield* queue.take(signal);
    } finally {
      stop();
    }
  }

  /** Close the socket without ending the session (its token stays valid); a later call connects again. */
  async disconnect(): Promise<void> {
    const conn = this.#own === undefined ? undefined : await this.#conn?.catch(() => undefined);
    conn?.close();
    this.#conn = undefined;
  }

  /** The `close` op (ends the session: every connection on its token closes), then close the socket. */
  async close(options?: CallOptions): Promise<void> {
    const conn = await this.#conn?.catch(() => undefined);
    try {
      if (conn?.token !== undefined && conn.closed === undefined) await this.call('close', Grid.EMPTY, options);
    } finally {
      await this.disconnect();
    }
  }
}

/**
 * Named channels over one WebSocket (haystack-py's `WebSocketPool`): each `channel(name)` is a client whose
 * requests, answers and pushes carry `"ch": name`, so independent parts of an app share one socket and login.
 */
export class WebSocketPool implements ConnectionSource {
  readonly #client: WebSocketClient;
  readonly #channels = new Map<string, WebSocketClient>();

  constructor(options: WebSocketClientOptions) {
    this.#client = new WebSocketClient(options);
  }

  /** The shared connection (opened on first use). */
  connection(): Promise<WebSocketConnection> {
    return this.#client.connection();
  }

  /** The client of channel `name` (the same one for the same name). */
  channel(name: string): WebSocketClient {
    let c = this.#channels.get(name);
    if (c === undefined) {
      c = new WebSocketClient(this, name);
      this.#channels.set(name, c);
    }
    return c;
  }

  /** End the session (`close` op) and close the socket. */
  close(options?: CallOptions): Promise<void> {
    return this.#client.close(options);
  }

  /** Close the socket, keeping the session. */
  disconnect(): Promise<void> {
    return this.#client.disconnect();
  }
}
