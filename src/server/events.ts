// Server events on named node:diagnostics_channel channels: the library never logs, the app subscribes.

import diagnostics from 'node:diagnostics_channel';
import type { ErrorCode } from '../core/errors.js';

/** Published once per finished request on `haystack:server:request`. */
export interface RequestEvent {
  /** HTTP method. */
  readonly method: string;
  /** Op name, or undefined when the path named none. */
  readonly op: string | undefined;
  /** HTTP status sent. */
  readonly status: number;
  /** Error code when the response is an error grid. */
  readonly errorCode: ErrorCode | undefined;
  /** User name of the caller, once authenticated. */
  readonly username: string | undefined;
  /** The client's IP address (of the TCP connection: a proxy's address behind a proxy). */
  readonly address: string | undefined;
  /** Time taken, in milliseconds (from `performance.now`). */
  readonly durationMs: number;
  /** The request id echoed in `X-Request-Id` (the client's when it sent a sane one, else made here). */
  readonly requestId: string;
}

/** Published on `haystack:server:error` for every 5xx error but a 501, with the original error for the app's log. */
export interface ServerErrorEvent {
  /** Op name, if known. */
  readonly op: string | undefined;
  /** The thrown value. */
  readonly error: unknown;
  /** The id of the request it failed (its `X-Request-Id`), when it failed one that has an id. */
  readonly requestId?: string | undefined;
}

/**
 * Published on `haystack:server:connection` when a connection opens, closes or fails (HTTP: TCP/TLS; `ws`). A TLS
 * connection opens once its handshake is done; one whose handshake fails is an `error` alone, without open or close.
 */
export interface ConnectionEvent {
  /** What happened. */
  readonly phase: 'open' | 'close' | 'error';
  /** `http` (a TCP or TLS connection of `createServer`) or `ws` (an upgraded WebSocket). */
  readonly transport: 'http' | 'ws';
  /** Process-unique id of the connection, for pairing open and close. */
  readonly connectionId: number;
  /** Peer address. */
  readonly address: string | undefined;
  /** With `close`: how long the connection lived, in milliseconds. */
  readonly durationMs?: number;
  /** With `error`: the socket error (its `code`, e.g. `ECONNRESET`, is what logs and metrics use). */
  readonly error?: unknown;
}

/** Published on `haystack:server:message` per WebSocket message received or sent (never its content). */
export interface MessageEvent {
  /** `received` from the client or `sent` to it. */
  readonly direction: 'received' | 'sent';
  /** Transport: `ws`. */
  readonly transport: 'ws';
  /** The connection it travelled on. */
  readonly connectionId: number;
  /** Size in bytes (UTF-8). */
  readonly bytes: number;
}

/** Published on `haystack:server:watch` when a watch is opened or closed through the server's store. */
export interface WatchEvent {
  /** `open` (watchSub made a new watch) or `close` (watchUnsub with `close`, or a closing caller). */
  readonly action: 'open' | 'close';
  /** The watch id. */
  readonly watchId: string;
}

/** Published on `haystack:store:query` after every call of the server's store (never with the data). */
export interface StoreQueryEvent {
  /** Backend name (`memory`, `sqlite`, ...). */
  readonly backend: string;
  /** The store method: `read`, `readByIds`, `commit`, `hisRead`, `hisWrite`, `watchPoll`, ... */
  readonly kind: string;
  /** Time taken, in milliseconds. */
  readonly durationMs: number;
  /** True when the call resolved. */
  readonly ok: boolean;
  /** Error code when it failed with a `HaystackError`, else undefined. */
  readonly errorCode: ErrorCode | undefined;
  /** Entities returned (reads), written (commit) or history samples written (`hisWrite`) or read (`hisRead`). */
  readonly items: number | undefined;
}

/** Published on `haystack:auth:session` when a login session starts or ends (never the token). */
export interface SessionEvent {
  /** `open` at login; `close` when sessions end. */
  readonly action: 'open' | 'close';
  /** Why sessions closed: `revoked` (the close op, a password change...), `expired`, `evicted` (too many). */
  readonly reason?: 'revoked' | 'expired' | 'evicted';
  /** How many sessions (1 but for `revokeUser` and purges). */
  readonly count: number;
}

/**
 * Published on `haystack:server:decode` while a large request body is decoded a slice at a time, between two
 * slices (the event loop serves other requests there), and once more when the decode ends or fails.
 */
export interface DecodeEvent {
  /** The body's format (`zinc`, `json`, `json3`, `trio`). */
  readonly format: string;
  /** Length of the body text, in characters. */
  readonly length: number;
  /** Slices decoded so far. */
  readonly slices: number;
  /** True on the last event of a body: decoded or failed. */
  readonly done: boolean;
}

/** Channel names, stable across versions. */
export const SERVER_CHANNELS = Object.freeze({
  request: 'haystack:server:request',
  error: 'haystack:server:error',
  op: 'haystack:server:op',
  connection: 'haystack:server:connection',
  message: 'haystack:server:message',
  watch: 'haystack:server:watch',
  storeQuery: 'haystack:store:query',
  login: 'haystack:auth:login',
  users: 'haystack:auth:users',
  session: 'haystack:auth:session',
  decode: 'haystack:server:decode',
} as const);

/**
 * Tracing channels (`node:diagnostics_channel` `tracingChannel`): `start`/`end`/`asyncStart`/`asyncEnd`/`error`
 * around each op handler and each store call, so a tracer can bind its context (`start.bindStore`) and nest store
 * spans in op spans. Nothing runs through them while nobody subscribes.
 */
export const TRACE_CHANNELS = Object.freeze({
  op: 'haystack:trace:op',
  store: 'haystack:trace:store',
} as const);

/** What the `haystack:trace:op` tracing channel carries. */
export interface OpTraceContext {
  /** Op name. */
  readonly op: string;
  /** Transport of the call. */
  readonly transport: string;
  /** User name of the caller. */
  readonly username: string;
  /** The request id, when the transport has one. */
  readonly requestId: string | undefined;
}

/** What the `haystack:trace:store` tracing channel carries. */
export interface StoreTraceContext {
  /** Backend name. */
  readonly backend: string;
  /** The store method. */
  readonly kind: string;
}

/** The request channel. */
export const requestChannel = diagnostics.channel(SERVER_CHANNELS.request);
/** The internal-error channel. */
export const errorChannel = diagnostics.channel(SERVER_CHANNELS.error);
/** The op channel: one `OpEvent` per op call, whatever its transport. */
export const opChannel = diagnostics.channel(SERVER_CHANNELS.op);
/** Connections opened, closed and failed. */
export const connectionChannel = diagnostics.channel(SERVER_CHANNELS.connection);
/** WebSocket messages received and sent. */
export const messageChannel = diagnostics.channel(SERVER_CHANNELS.message);
/** Watches opened and closed. */
export const watchChannel = diagnostics.channel(SERVER_CHANNELS.watch);
/** Store calls and their timings. */
export const storeQueryChannel = diagnostics.channel(SERVER_CHANNELS.storeQuery);
/** Login sessions started and ended. */
export const sessionChannel = diagnostics.channel(SERVER_CHANNELS.session);
/** Spans around op handlers. */
export const opTraceChannel = diagnostics.tracingChannel<unknown, OpTraceContext>(TRACE_CHANNELS.op);
/** Spans around store calls. */
export const storeTraceChannel = diagnostics.tracingChannel<unknown, StoreTraceContext>(TRACE_CHANNELS.store);

let nextConnectionId = 0;
/** A process-unique connection id. */
export function newConnectionId(): number {
  nextConnectionId += 1;
  return nextConnectionId;
}
/** The decode channel: {@link DecodeEvent}s of large request bodies. */
export const decodeChannel = diagnostics.channel(SERVER_CHANNELS.decode);
