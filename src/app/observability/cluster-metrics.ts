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

// Series a Prometheus server reads as only ever growing (a drop is a reset): a cluster's sum of them must not drop.
const cumulative = (m: MetricSnapshot): boolean =>
  (m.type === 'counter' || m.type === 'histogram') && !perProcess(m.name);

/**
 * What a cluster's workers have counted, kept so that the summed counters and histograms never go down: a worker
 * that misses a scrape counts with its last answer, and what a worker's process counted before it ended stays in
 * the sums after it is started again (its new process counts from 0). Without this Prometheus would read each dip
 * as a counter reset and count the whole sum again as an increase.
 */
export class ClusterCounts {
  // Per worker index: the cumulative series of its current process, as it last answered.
  readonly #last = new Map<number, readonly MetricSnapshot[]>();
  // Summed cumulative series of the processes that ended.
  #ended: readonly MetricSnapshot[] = [];

  /** Record a worker's answer to a scrape (call it as the answer arrives, before that process can be ended). */
  answered(answer: WorkerMetrics): void {
    this.#last.set(answer.worker, answer.metrics.filter(cumulative));
  }

  /** Worker `index`'s process ended: what it counted until its last answer stays in the sums. */
  ended(index: number): void {
    const last = this.#last.get(index);
    if (last === undefined) return;
    this.#last.delete(index);
    this.#ended = sumSnapshots([...this.#ended, ...last]);
  }

  /** The counts a scrape answered by `answers` adds to theirs: ended processes', and last answers of the others. */
  carried(answers: readonly WorkerMetrics[]): readonly (readonly MetricSnapshot[])[] {
    const answered = new Set(answers.map((a) => a.worker));
    const silent = [...this.#last].filter(([index]) => !answered.has(index)).map(([, metrics]) => metrics);
    return this.#ended.length === 0 ? silent : [this.#ended, ...silent];
  }
}

// Metrics of the same names summed value by value (a histogram's buckets, sum and count each by its labels).
function sumSnapshots(metrics: readonly MetricSnapshot[]): readonly MetricSnapshot[] {
  const byName = new Map<string, { metric: MetricSnapshot; values: Map<string, MetricValueSnapshot> }>();
  for (const m of metrics) {
    let entry = byName.get(m.name);
    if (entry === undefined) {
      entry = { metric: m, values: new Map() };
      byName.set(m.name, entry);
    }
    for (const v of m.values) {
      const key = `${v.metricName ?? ''} ${JSON.stringify(Object.entries(v.labels).sort(([a], [b]) => (a < b ? -1 : 1)))}`;
      const seen = entry.values.get(key);
      entry.values.set(key, seen === undefined ? v : { ...seen, value: seen.value + v.value });
    }
  }
  return [...byName.values()].map(({ metric, values }) => ({
    ...metric,
    aggregator: 'sum',
    values: [...values.values()],
  }));
}

/**
 * The exposition text of a cluster: `haystack_*` series (and an application's own) summed over the workers that
 * answered, except those whose metric says otherwise (`haystack_watches_active` counts the shared store's watches:
 * the largest answer; `haystack_sessions_active`, unclamped in workers, clamped at 0 once summed); Node's process
 * series kept per worker under a `worker` label; and
 * `haystack_cluster_workers{state="configured"|"answered"}` so a scrape that missed a worker (restarting, or too
 * slow) shows it. With `counts`, the counters and histograms also hold what it carries (see {@link ClusterCounts}).
 */
export async function clusterMetricsText(
  answers: readonly WorkerMetrics[],
  configured: number,
  counts?: ClusterCounts,
): Promise<string> {
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
  return AggregatorRegistry.aggregate([...labelled, ...(counts?.carried(answers) ?? []), extra]).metrics();
}

/** Media type of {@link clusterMetricsText}. */
export const CLUSTER_METRICS_CONTENT_TYPE: string = prometheusContentType;
