// Limits and timers of the WebSocket endpoint, with their documented defaults.

/** Limits and timers of the WebSocket endpoint; every field optional in options, defaults below. */
export interface WebSocketOptions {
  /**
   * Largest message in bytes; a longer one closes the connection with 1009. Default 16 MiB (before a login: 16 KiB,
   * and 64 KiB sent in all).
   */
  readonly maxMessageBytes: number;
  /**
   * Most requests in one batch; a longer batch is answered with an `HS_ERR_LIMIT` error for each member, and one
   * of more than ten times this many closes the connection (1009). Default 100.
   */
  readonly maxBatch: number;
  /** Most requests of one connection running at once; past it the server stops reading the socket. Default 64. */
  readonly maxInFlight: number;
  /**
   * Bytes sent that the client has not read yet past which the server stops reading its requests and holds watch
   * pushes back (their changes go out merged once it has read); an answer due while they are past four times this
   * closes the connection with 4009. Default 8 MiB.
   */
  readonly maxBufferedBytes: number;
  /**
   * Ping interval in ms; a peer that has not answered the previous ping is dropped (while the server reads nothing
   * from it, its pongs included, a peer taking what it is sent counts as an answer). Default 30,000.
   */
  readonly pingIntervalMs: number;
  /** How long a connection has to log in, in ms. Default 10,000. */
  readonly authTimeoutMs: number;
  /**
   * How often the session of every connection is checked (expired, closed, user disabled), in ms. Default 15,000. A
   * user changed through this process, or through another one over a store that announces user changes (PostgreSQL,
   * Redis), is checked at once.
   */
  readonly sessionCheckMs: number;
  /** How often pushed watches are polled for changes made elsewhere (other processes), renewing their leases. Default 2,000. */
  readonly pushPollMs: number;
  /**
   * permessage-deflate for messages of at least 1 KiB. Default false: it saves bandwidth over slow links, but it
   * costs the server about four times its messages per second (bench/websocket.ts), as the `ws` library warns.
   */
  readonly compression: boolean;
}

/** The endpoint's defaults. */
export const DEFAULT_WEBSOCKET_OPTIONS: WebSocketOptions = Object.freeze({
  maxMessageBytes: 16 * 1024 * 1024,
  maxBatch: 100,
  maxInFlight: 64,
  maxBufferedBytes: 8 * 1024 * 1024,
  pingIntervalMs: 30_000,
  authTimeoutMs: 10_000,
  sessionCheckMs: 15_000,
  pushPollMs: 2_000,
  compression: false,
});
