// ReconnectingWebSocketClient: a WebSocketClient that reconnects with backoff, logs in again and resubscribes watches.

import { AuthError, type CallError } from '../core/errors.js';
import { NetworkError } from './errors.js';
import { abortableDelay, type Watch } from './watch.js';
import { openConnection, WebSocketClient, type WebSocketClientOptions } from './ws-client.js';
import { checkWebSocketOptions, WebSocketClosedError, type WebSocketConnection } from './ws-connection.js';

/** What the reconnecting client reports. */
export type ReconnectEvent =
  | { readonly type: 'connected'; readonly attempt: number }
  | { readonly type: 'disconnected'; readonly error: WebSocketClosedError }
  | { readonly type: 'retry'; readonly attempt: number; readonly delayMs: number; readonly error: unknown }
  | { readonly type: 'resubscribed'; readonly watchId: string }
  | { readonly type: 'stopped'; readonly error: unknown };

/** Options of {@link ReconnectingWebSocketClient}. */
export interface ReconnectingWebSocketClientOptions extends WebSocketClientOptions {
  /** First retry delay cap in ms (default 500); each failed attempt doubles it. */
  readonly minDelayMs?: number;
  /** Largest delay cap in ms (default 30,000). */
  readonly maxDelayMs?: number;
  /** Random source in [0, 1) for the jitter (default `Math.random`); tests may fix it. */
  readonly random?: () => number;
  /** Waits between attempts (default a timer); injectable so tests need no real time. */
  readonly delay?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Receives connection events. */
  readonly onReconnect?: (event: ReconnectEvent) => void;
}

const RECONNECT_OPTIONS = {
  minDelayMs: 'timer',
  maxDelayMs: 'timer',
  random: 'function',
  delay: 'function',
  onReconnect: 'function',
} as const;

/**
 * A {@link WebSocketClient} that stays connected: when the connection drops it reconnects after a backoff with
 * full jitter (a delay drawn uniformly below `min(maxDelayMs, minDelayMs * 2^attempt)`), logs in again (the
 * token a SCRAM login obtained, or a fresh SCRAM exchange when that token was refused) and subscribes every open
 * watch again, whose `changes()` then yield the full current state so nothing changed meanwhile is missed. Calls
 * made while it reconnects wait for the connection (within their timeout). A login the server refuses stops it:
 * waiting and later calls reject with that error.
 */
export class ReconnectingWebSocketClient extends WebSocketClient {
  readonly #options: ReconnectingWebSocketClientOptions;
  readonly #stop = new AbortController();
  #current: Promise<WebSocketConnection>;
  // The connection while it is up: what close() may end the session on without waiting for a reconnect.
  #up: WebSocketConnection | undefined;
  #token: string | undefined;
  #fatal: Error | undefined;

  constructor(options: ReconnectingWebSocketClientOptions) {
    checkWebSocketOptions(options, RECONNECT_OPTIONS);
    super({ connection: () => (this as ReconnectingWebSocketClient).#live(), resubscribes: true });
    this.#options = options;
    this.#current = this.#connect(0);
    // Nobody may be waiting yet: a failure is kept for the next call rather than left unhandled.
    this.#current.catch(() => undefined);
  }

  async #live(): Promise<WebSocketConnection> {
    if (this.#fatal !== undefined) throw this.#fatal;
    const timeoutMs = this.#options.timeoutMs ?? 30_000;
    if (timeoutMs <= 0) return this.#current;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new NetworkError('WebSocket reconnect: timed out', { timedOut: true }));
      }, timeoutMs);
    });
    try {
      return await Promise.race([this.#current, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #emit(event: ReconnectEvent): void {
    this.#options.onReconnect?.(event);
  }

  /** Open connections until one logs in (or a login is refused, or `stop()`), starting at `attempt`. */
  async #connect(attempt: number): Promise<WebSocketConnection> {
    const min = this.#options.minDelayMs ?? 500;
    const max = this.#options.maxDelayMs ?? 30_000;
    const random = this.#options.random ?? Math.random;
    const delay = this.#options.delay ?? abortableDelay;
    for (let n = attempt; ; n++) {
      if (this.#stop.signal.aborted) throw this.#stopped();
      try {
        const conn = await openConnection(this.#options, this.#token);
        this.#token = conn.token;
        this.#up = conn;
        this.#emit({ type: 'connected', attempt: n });
        conn.onClose((err) => {
          this.#dropped(err);
        });
        return conn;
      } catch (err) {
        if (isRefusedLogin(err)) {
          this.#fatal = err as Error;
          this.#emit({ type: 'stopped', error: err });
          this.endWatches(err as Error);
          throw err;
        }
        const delayMs = Math.floor(random() * Math.min(max, min * 2 ** n));
        this.#emit({ type: 'retry', attempt: n + 1, delayMs, error: err });
        await delay(delayMs, this.#stop.signal).catch(() => undefined);
      }
    }
  }

  #stopped(): Error {
    return new NetworkError('WebSocket client stopped', { aborted: true });
  }

  #dropped(err: WebSocketClosedError): void {
    this.#up = undefined;
    if (this.#stop.signal.aborted) return;
    this.#emit({ type: 'disconnected', error: err });
    if (err.code === 'HS_ERR_AUTH' && this.#options.username === undefined) {
      // The session ended (expired, closed, user disabled) and no password can start another.
      this.#fatal = err;
      this.#emit({ type: 'stopped', error: err });
      this.endWatches(err);
      return;
    }
    if (err.code === 'HS_ERR_AUTH') this.#token = undefined;
    this.#current = this.#connect(1);
    this.#current.then(
      () => this.#resubscribe(),
      () => undefined,
    );
  }

  // Runs once the new connection serves calls (the resubscriptions are calls like any other).
  async #resubscribe(): Promise<void> {
    const conn = this.#up;
    for (const w of this.openWatches) {
      try {
        await w.resubscribe();
        this.#emit({ type: 'resubscribed', watchId: w.id });
      } catch (error) {
        // Refused on a live connection (an error grid, a timeout): no reconnect will try again, so the watch is
        // lost and its changes() says why rather than waiting for pushes that never come.
        if (conn !== undefined && conn.closed === undefined) {
          w.connectionLost(error instanceof Error ? error : new Error(String(error)));
          continue;
        }
        // The connection dropped again: the next reconnect subscribes again.
        this.#emit({ type: 'retry', attempt: 0, delayMs: 0, error });
        return;
      }
    }
  }

  /** A watch the server no longer has is opened again at once, as after a reconnect; a refusal ends its changes(). */
  protected override watchGone(watch: Watch, error: CallError): void {
    watch.resubscribe().then(
      () => {
        this.#emit({ type: 'resubscribed', watchId: watch.id });
      },
      (err: unknown) => {
        watch.connectionLost(err instanceof Error ? err : error);
      },
    );
  }

  /** Stop reconnecting and close the socket without ending the session. */
  override async disconnect(): Promise<void> {
    this.#stop.abort();
    this.#fatal ??= this.#stopped();
    this.endWatches();
    const conn = await this.#current.catch(() => undefined);
    conn?.close();
  }

  /** The `close` op (ends the session) if connected, then stop and close the socket; during a reconnect it only stops. */
  override async close(): Promise<void> {
    // Waiting for a reconnect could take as long as the server stays away: without a connection there is no op to send.
    const conn = this.#fatal === undefined ? this.#up : undefined;
    try {
      if (conn?.closed === undefined && conn?.token !== undefined) await this.call('close');
    } finally {
      await this.disconnect();
    }
  }
}

function isRefusedLogin(err: unknown): boolean {
  return err instanceof AuthError || (err instanceof WebSocketClosedError && err.isAuthFailure);
}
