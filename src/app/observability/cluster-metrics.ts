// Prometheus metrics of a cluster (`haystack serve --workers N`): the primary sums what every worker's registry holds.

import { AggregatorRegistry, prometheusContentType, type Registry } from 'prom-client';

/** One value of a metric as a registry's `getMetricsAsJSON` gives it (what crosses the cluster's IPC channel). */
export interface MetricValueSnapshot {
  /** The value. */
  readonly value: number;
  /** Its labels. */
  readonly labels: Readonly<Record<string, string | number>>;
  /** The series name when it differs from the metric's (a histogram's `_bucket`, `_sum`, `_count`). */
  readonly metricName?: string;
}

/** One metric of a registry, as JSON (prom-client's `getMetricsAsJSON` shape). */
export interface MetricSnapshot {
  /** Metric name. */
  readonly name: string;
  /** Help text. */
  readonly help: string;
  /** `counter`, `gauge`, `histogram` or `summary`. */
  readonly type: string;
  /** How values of several processes combine (prom-client aggregator: sum, first, min, max, average, omit). */
  readonly aggregator?: string;
  /** The values. */
  readonly values: readonly MetricValueSnapshot[];
}

/** What one worker answered to a scrape. */
export interface WorkerMetrics {
  /** The worker's index (1 to N): its `worker` label. */
  readonly worker: number;
  /** Its registry's metrics. */
  readonly metrics: readonly MetricSnapshot[];
}

/** A registry's metrics as plain data, to send to the primary. */
export async function metricsSnapshot(registry: Registry): Promise<readonly MetricSnapshot[]> {
  // prom-client types `type` as an enum it never uses at run time (it holds 'counter', 'gauge', ...).
  return (await registry.getMetricsAsJSON()) as unknown as readonly MetricSnapshot[];
}

// Node's own series (heap, event-loop lag, CPU, handles, GC) describe one process: a sum over workers means nothing.
const perProcess = (name: string): boolean => name.startsWith('process_') || name.startsWith('nodejs_');

// Workers report their sessions unclamped (a login through one may end through another): the sum is clamped here.
const SESSIONS = 'haystack_sessions_active';

/**
 * The exposition text of a cluster: `haystack_*` series (and an application's own) summed over the workers that
 * answered, except those whose metric says otherwise (`haystack_watches_active` counts the shared store's watches:
 * the largest answer; `haystack_sessions_active`, unclamped in workers, clamped at 0 once summed); Node's process
 * series kept per worker under a `worker` label; and
 * `haystack_cluster_workers{state="configured"|"answered"}` so a scrape that missed a worker (restarting, or too
 * slow) shows it.
 */
export async function clusterMetricsText(answers: readonly WorkerMetrics[], configured: number): Promise<string> {
  const sessions = answers.flatMap((a) => a.metrics.filter((m) => m.name === SESSIONS));
  const labelled = answers.map(({ worker, metrics }) =>
    metrics
      .filter((m) => m.name !== SESSIONS)
      .map((m): MetricSnapshot => {
        if (!perProcess(m.name)) return m;
        const values = m.values.map((v) => ({ ...v, labels: { ...v.labels, worker: String(worker) } }));
        // Values differ by `worker` now, so none combine: `first` also keeps those prom-client would omit.
        return { ...m, aggregator: 'first', values };
      }),
  );
  const workers: MetricSnapshot = {
    name: 'haystack_cluster_workers',
    help: 'Worker processes of the cluster: configured, and answered (to this scrape)',
    type: 'gauge',
    aggregator: 'sum',
    values: [
      { value: configured, labels: { state: 'configured' } },
      { value: answers.length, labels: { state: 'answered' } },
    ],
  };
  const extra = [workers];
  const first = sessions[0];
  if (first !== undefined) {
    const sum = sessions.flatMap((m) => m.values).reduce((total, v) => total + v.value, 0);
    extra.push({ ...first, aggregator: 'sum', values: [{ value: Math.max(0, sum), labels: {} }] });
  }
  return AggregatorRegistry.aggregate([...labelled, extra]).metrics();
}

/** Media type of {@link clusterMetricsText}. */
export const CLUSTER_METRICS_CONTENT_TYPE: string = prometheusContentType;
