// MetricsHooks: the callbacks servers and clients report to, the adapter interface for Prometheus, StatsD or any sink.

/** A connection (HTTP keep-alive or TLS connection, or a WebSocket). */
export interface MetricsConnection {
  /** `http` or `ws`. */
  readonly transport: string;
  /** Process-unique id pairing open and close. */
  readonly connectionId: number;
  /** Peer address, where known (servers). */
  readonly address?: string | undefined;
}

/** A message on a connection (never its content). */
export interface MetricsMessage {
  /** `http` or `ws`. */
  readonly transport: string;
  /** Size in bytes. */
  readonly bytes: number;
}

/** An op call starting. */
export interface MetricsRequest {
  /** Op name. */
  readonly op: string;
  /** `http`, `ws`, ... */
  readonly transport: string;
}

/** An op call that answered. */
export interface MetricsRequestDone extends MetricsRequest {
  /** Time taken, in milliseconds. */
  readonly durationMs: number;
  /** True when the server answered from its response cache (server side only). */
  readonly cached?: boolean;
}

/** An op call that failed (an error grid, a network failure, a refused login). */
export interface MetricsRequestFailed extends MetricsRequest {
  /** Time taken, in milliseconds. */
  readonly durationMs: number;
  /** The error's `HS_ERR_*` code, when it has one. */
  readonly errorCode: string | undefined;
}

/** A login attempt that concluded, or a bearer token refused (server side). */
export interface MetricsAuth {
  /** `success`, `failure` or `throttled`. */
  readonly outcome: string;
  /** Why it failed: `credentials`, `unknown-user`, `disabled`, `malformed`, `throttled`, or `token` (no login). */
  readonly reason: string | undefined;
}

/** A watch opened or closed (server side). */
export interface MetricsWatch {
  /** `open` or `close`. */
  readonly action: 'open' | 'close';
}

/** Login sessions started or ended (server side). */
export interface MetricsSession {
  /** `open` or `close`. */
  readonly action: 'open' | 'close';
  /** How many (a purge or a user's revocation ends several at once). */
  readonly count: number;
}

/** One store call (server side). */
export interface MetricsStoreQuery {
  /** Backend name. */
  readonly backend: string;
  /** Store method: `read`, `hisWrite`, ... */
  readonly kind: string;
  /** Time taken, in milliseconds. */
  readonly durationMs: number;
  /** True when it resolved. */
  readonly ok: boolean;
  /** Entities or samples returned or written, where the call deals in them. */
  readonly items: number | undefined;
}

/** A metric of the embedding application's own, passed through the same sink. */
export interface CustomMetric {
  /** Metric name. */
  readonly name: string;
  /** `counter` adds `value`; `gauge` sets it; `histogram` observes it. */
  readonly type: 'counter' | 'gauge' | 'histogram';
  /** The value. */
  readonly value: number;
  /** Labels. */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Callbacks for what a server or client does; implement the ones you need. They run synchronously on the path
 * they measure, so keep them cheap (count, observe), and never throw: a throw is swallowed by servers and clients.
 */
export interface MetricsHooks {
  /** A connection opened. */
  readonly onConnectionOpen?: (c: MetricsConnection) => void;
  /** A connection closed, after `durationMs`. */
  readonly onConnectionClose?: (c: MetricsConnection & { readonly durationMs: number }) => void;
  /** A connection failed (a reset, a refused login, a timeout). */
  readonly onConnectionError?: (c: MetricsConnection & { readonly error: unknown }) => void;
  /** A message was sent. */
  readonly onMessageSent?: (m: MetricsMessage) => void;
  /** A message was received. */
  readonly onMessageReceived?: (m: MetricsMessage) => void;
  /** An op call started. */
  readonly onRequestStart?: (r: MetricsRequest) => void;
  /** An op call answered a grid. */
  readonly onRequestComplete?: (r: MetricsRequestDone) => void;
  /** An op call failed. */
  readonly onRequestError?: (r: MetricsRequestFailed) => void;
  /** A login attempt concluded. */
  readonly onAuth?: (a: MetricsAuth) => void;
  /** A watch opened or closed. */
  readonly onWatch?: (w: MetricsWatch) => void;
  /** Login sessions started or ended. */
  readonly onSession?: (s: MetricsSession) => void;
  /** A store call finished. */
  readonly onStoreQuery?: (q: MetricsStoreQuery) => void;
  /** A custom metric (see {@link emitMetric}). */
  readonly onMetric?: (m: CustomMetric) => void;
}

/** The event names of {@link MetricsHooks}, for adapters that fan out to several sinks. */
export type MetricsHookName = keyof MetricsHooks;

/** Call one hook of `hooks`, if set, swallowing a throw (a broken metrics sink must not break a call). */
export function emitMetric<K extends MetricsHookName>(
  hooks: MetricsHooks | undefined,
  name: K,
  event: Parameters<NonNullable<MetricsHooks[K]>>[0],
): void {
  const hook = hooks?.[name] as ((e: typeof event) => void) | undefined;
  if (hook === undefined) return;
  try {
    hook(event);
  } catch {
    // Metrics are best effort: the call they measure goes on.
  }
}
