// Prometheus metrics (prom-client): a MetricsHooks sink plus gauges read at scrape time, in one registry.

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CustomMetric, MetricsHooks } from '../../core/metrics-hooks.js';
import { checkOptionNames, type OptionNames } from '../../core/options.js';
import type { StorageAdapter } from '../../storage/adapter.js';
import type { ScanCacheCounts } from '../stores/store-backend.js';

const PROMETHEUS_OPTIONS: OptionNames<PrometheusMetricsOptions> = {
  store: true,
  knownOp: true,
  defaultMetrics: true,
  scanCache: true,
  clampSessions: true,
};

/** Options of {@link createPrometheusMetrics}. */
export interface PrometheusMetricsOptions {
  /** The store whose open watches `haystack_watches_active` counts at each scrape. */
  readonly store?: StorageAdapter;
  /** True for op names the server serves; others are labelled `unknown` (an op name comes from the URL). */
  readonly knownOp?: (op: string) => boolean;
  /** Node's default series (`process_*`, `nodejs_*`: event-loop lag, heap, GC, ...); default true. */
  readonly defaultMetrics?: boolean;
  /**
   * Show `haystack_sessions_active` as 0 rather than below it (sessions that started before this process and ended
   * here); default true. A cluster's workers say false: one worker's login may end at another, so only the sum the
   * primary makes is clamped.
   */
  readonly clampSessions?: boolean;
  /** The store's scan cache, read at each scrape (`haystack_scan_cache_*`); absent: those series are not made. */
  readonly scanCache?: () => ScanCacheCounts;
}

/** A registry of the server's series and the hooks that feed it. */
export interface PrometheusMetrics {
  /** Attach these (`attachMetricsHooks(metrics.hooks, pipeline)`) to feed the series. */
  readonly hooks: MetricsHooks;
  /** The prom-client registry (register series of your own here). */
  readonly registry: Registry;
  /** Media type of {@link PrometheusMetrics.metrics}' text. */
  readonly contentType: string;
  /** The exposition text (Prometheus text format 0.0.4). */
  metrics(): Promise<string>;
}

// Seconds: a cached read answers in tens of microseconds, a big hisRead in seconds.
const OP_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const STORE_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];

/** Make a registry with every `haystack_*` series (see the README's Observability section) and its hooks. */
export function createPrometheusMetrics(options: PrometheusMetricsOptions = {}): PrometheusMetrics {
  checkOptionNames('Metrics options', options, PROMETHEUS_OPTIONS);
  const registry = new Registry();
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> =>
    new Counter({ name, help, labelNames, registers });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]): Gauge<L> =>
    new Gauge({ name, help, labelNames, registers });
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const knownOp = options.knownOp ?? (() => true);
  const opLabel = (op: string, errorCode?: string): string =>
    errorCode === 'HS_ERR_UNKNOWN_OP' || !knownOp(op) ? 'unknown' : op;

  const requests = counter('haystack_op_requests_total', 'Op calls by op, transport and outcome (ok or error)', [
    'op',
    'transport',
    'outcome',
  ]);
  const latency = new Histogram({
    name: 'haystack_op_duration_seconds',
    help: 'Op call latency in the pipeline, by op and transport',
    labelNames: ['op', 'transport'] as const,
    buckets: OP_BUCKETS,
    registers,
  });
  const errors = counter('haystack_op_errors_total', 'Op calls answered with an error grid, by op and error code', [
    'op',
    'code',
  ]);
  const cached = counter('haystack_op_cache_hits_total', 'Op calls answered from the response cache, by op', ['op']);
  const logins = counter(
    'haystack_auth_logins_total',
    'Login attempts that concluded, by outcome (success, failure, throttled)',
    ['outcome'],
  );
  const authFailures = counter(
    'haystack_auth_failures_total',
    'Failed logins by reason (credentials, unknown-user, disabled, malformed, throttled), and refused bearer tokens (token)',
    ['reason'],
  );
  const connections = gauge(
    'haystack_connections_active',
    'Open connections by transport (http: TCP/TLS connections; ws: WebSockets)',
    ['transport'],
  );
  const connectionsTotal = counter('haystack_connections_total', 'Connections opened, by transport', ['transport']);
  const connectionErrors = counter(
    'haystack_connection_errors_total',
    'Connection errors (resets, timeouts, malformed requests, failed TLS handshakes), by transport',
    ['transport'],
  );
  const messages = counter('haystack_messages_total', 'WebSocket messages, by direction (received, sent)', [
    'transport',
    'direction',
  ]);
  const messageBytes = counter('haystack_message_bytes_total', 'WebSocket message bytes, by direction', [
    'transport',
    'direction',
  ]);
  const watchesChanged = counter(
    'haystack_watch_changes_total',
    'Watches opened and closed through this server, by action',
    ['action'],
  );
  const store = options.store;
  new Gauge({
    name: 'haystack_watches_active',
    help: 'Open watches in the store (every server sharing it included)',
    registers,
    // Every worker of a cluster counts the same shared store: their sum would count each watch N times.
    aggregator: 'max',
    async collect() {
      // A store that is down or slow keeps the last count: its failure must not take every other series with it
      // (a scrape is all or nothing), least of all while an outage is what the scraper should be showing.
      const watches = store === undefined ? undefined : await settledWithin(store.watches(), STORE_WAIT_MS);
      if (watches !== undefined) this.set(watches.length);
    },
  });
  let sessions = 0;
  const clampSessions = options.clampSessions !== false;
  new Gauge({
    name: 'haystack_sessions_active',
    help: 'Login sessions started and not yet ended by this process since it started',
    registers,
    collect() {
      this.set(clampSessions ? Math.max(0, sessions) : sessions);
    },
  });
  const storeLatency = new Histogram({
    name: 'haystack_store_query_duration_seconds',
    help: 'Store call latency, by backend and kind (the StorageAdapter method)',
    labelNames: ['backend', 'kind'] as const,
    buckets: STORE_BUCKETS,
    registers,
  });
  const storeErrors = counter('haystack_store_errors_total', 'Store calls that failed, by backend and kind', [
    'backend',
    'kind',
  ]);
  const hisWritten = counter('haystack_his_samples_written_total', 'History samples written, by backend', ['backend']);
  if (options.scanCache !== undefined) scanCacheSeries(options.scanCache, registers);
  const custom = customMetrics(registry);

  // Connections seen opening: one that opened before the hooks were attached closes without lowering the gauge.
  const live = new Set<string>();
  const hooks: MetricsHooks = {
    onConnectionOpen: (c) => {
      live.add(`${c.transport} ${String(c.connectionId)}`);
      connections.inc({ transport: c.transport });
      connectionsTotal.inc({ transport: c.transport });
    },
    onConnectionClose: (c) => {
      if (live.delete(`${c.transport} ${String(c.connectionId)}`)) connections.dec({ transport: c.transport });
    },
    onConnectionError: (c) => {
      connectionErrors.inc({ transport: c.transport });
    },
    onMessageSent: (m) => {
      messages.inc({ transport: m.transport, direction: 'sent' });
      messageBytes.inc({ transport: m.transport, direction: 'sent' }, m.bytes);
    },
    onMessageReceived: (m) => {
      messages.inc({ transport: m.transport, direction: 'received' });
      messageBytes.inc({ transport: m.transport, direction: 'received' }, m.bytes);
    },
    onRequestComplete: (r) => {
      const op = opLabel(r.op);
      requests.inc({ op, transport: r.transport, outcome: 'ok' });
      latency.observe({ op, transport: r.transport }, r.durationMs / 1000);
      if (r.cached === true) cached.inc({ op });
    },
    onRequestError: (r) => {
      const op = opLabel(r.op, r.errorCode);
      requests.inc({ op, transport: r.transport, outcome: 'error' });
      latency.observe({ op, transport: r.transport }, r.durationMs / 1000);
      errors.inc({ op, code: r.errorCode ?? 'unknown' });
    },
    onAuth: (a) => {
      // A refused token is no login attempt: it counts as an auth failure only.
      if (a.reason !== 'token') logins.inc({ outcome: a.outcome });
      if (a.reason !== undefined) authFailures.inc({ reason: a.reason });
    },
    onSession: (s) => {
      sessions += s.action === 'open' ? s.count : -s.count;
    },
    onWatch: (w) => {
      watchesChanged.inc({ action: w.action });
    },
    onStoreQuery: (q) => {
      storeLatency.observe({ backend: q.backend, kind: q.kind }, q.durationMs / 1000);
      if (!q.ok) storeErrors.inc({ backend: q.backend, kind: q.kind });
      if (q.ok && (q.kind === 'hisWrite' || q.kind === 'hisWriteBatch') && q.items !== undefined)
        hisWritten.inc({ backend: q.backend }, q.items);
    },
    onMetric: custom,
  };
  return { hooks, registry, contentType: registry.contentType, metrics: () => registry.metrics() };
}

// How long a scrape waits for the store's watches: well inside Prometheus's default 10 s scrape timeout.
const STORE_WAIT_MS = 2000;

// `promise`'s value, or undefined once it fails or has taken `ms`.
function settledWithin<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms, undefined);
    timer.unref();
    const settle = (value: T | undefined): void => {
      clearTimeout(timer);
      resolve(value);
    };
    promise.then(settle, () => {
      settle(undefined);
    });
  });
}

// Read at each scrape. The counters follow the store's own counts (they only grow while it is open).
function scanCacheSeries(read: () => ScanCacheCounts, registers: Registry[]): void {
  new Gauge({
    name: 'haystack_scan_cache_entities',
    help: "Entities held decoded in this process's scan cache (0 while it fills, is off, or the store has too many)",
    registers,
    collect() {
      this.set(read().entities);
    },
  });
  const counterOf = (name: string, help: string, count: (c: ScanCacheCounts) => number): void => {
    let seen = 0;
    new Counter({
      name,
      help,
      registers,
      collect() {
        const now = count(read());
        if (now > seen) this.inc(now - seen);
        seen = Math.max(seen, now);
      },
    });
  };
  counterOf(
    'haystack_scan_cache_loads_total',
    'Full loads of the scan cache (more than one: it was dropped and filled again)',
    (c) => c.loads,
  );
  counterOf(
    'haystack_scan_cache_catch_ups_total',
    "Catch-ups of the scan cache from the store's change log",
    (c) => c.catchUps,
  );
}

// An application's own metrics, made on first use with the labels of that first use.
function customMetrics(registry: Registry): (m: CustomMetric) => void {
  const made = new Map<string, Counter | Gauge | Histogram>();
  return (m) => {
    const name = m.name.replace(/[^\w:]/g, '_').replace(/^(\d)/, '_$1');
    const labels = m.labels ?? {};
    let metric = made.get(name);
    if (metric === undefined) {
      const config = { name, help: `${m.type} ${name}`, labelNames: Object.keys(labels), registers: [registry] };
      metric =
        m.type === 'counter' ? new Counter(config) : m.type === 'gauge' ? new Gauge(config) : new Histogram(config);
      made.set(name, metric);
    }
    if (metric instanceof Counter) metric.inc(labels, m.value);
    else if (metric instanceof Gauge) metric.set(labels, m.value);
    else metric.observe(labels, m.value);
  };
}
