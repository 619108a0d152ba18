// The cluster's exposition text: workers' registries summed, process series per worker, store-wide gauges once.

import { describe, expect, it } from 'vitest';
import { ClusterCounts, clusterMetricsText, metricsSnapshot } from '../../../src/app/observability/cluster-metrics.js';
import { createPrometheusMetrics } from '../../../src/app/observability/prometheus.js';

/** A worker's registry after `calls` about requests and one failed login. */
async function workerRegistry(calls: number) {
  const m = createPrometheusMetrics();
  for (let i = 0; i < calls; i++) {
    m.hooks.onRequestComplete?.({ op: 'about', transport: 'http', durationMs: 2 });
  }
  m.hooks.onAuth?.({ outcome: 'failure', reason: 'credentials' });
  return metricsSnapshot(m.registry);
}

const line = (text: string, series: string): string | undefined =>
  text.split('\n').find((l) => l.startsWith(`${series} `));

describe('clusterMetricsText', () => {
  it('sums haystack series, keeps process series per worker and says how many workers answered', async () => {
    const text = await clusterMetricsText(
      [
        { worker: 1, metrics: await workerRegistry(3) },
        { worker: 2, metrics: await workerRegistry(4) },
      ],
      3,
    );
    expect(line(text, 'haystack_op_requests_total{op="about",transport="http",outcome="ok"}')).toMatch(/ 7$/);
    expect(line(text, 'haystack_op_duration_seconds_count{op="about",transport="http"}')).toMatch(/ 7$/);
    expect(line(text, 'haystack_op_duration_seconds_bucket{le="0.0025",op="about",transport="http"}')).toMatch(/ 7$/);
    expect(line(text, 'haystack_auth_failures_total{reason="credentials"}')).toMatch(/ 2$/);
    for (const worker of ['1', '2']) {
      expect(line(text, `nodejs_heap_size_used_bytes{worker="${worker}"}`)).toBeDefined();
      // prom-client omits the start time of a cluster; per worker it stays.
      expect(line(text, `process_start_time_seconds{worker="${worker}"}`)).toBeDefined();
    }
    expect(line(text, 'haystack_cluster_workers{state="configured"}')).toMatch(/ 3$/);
    expect(line(text, 'haystack_cluster_workers{state="answered"}')).toMatch(/ 2$/);
  });

  it("counts the shared store's watches once, not once per worker", async () => {
    const watches = (value: number) => [
      { name: 'haystack_watches_active', help: 'h', type: 'gauge', aggregator: 'max', values: [{ value, labels: {} }] },
    ];
    const text = await clusterMetricsText(
      [
        { worker: 1, metrics: watches(5) },
        { worker: 2, metrics: watches(5) },
      ],
      2,
    );
    expect(line(text, 'haystack_watches_active')).toBe('haystack_watches_active 5');
    const real = await workerRegistry(0);
    expect(real.find((m) => m.name === 'haystack_watches_active')?.aggregator).toBe('max');
  });

  it('sums sessions unclamped and clamps the sum: a login through one worker may end through another', async () => {
    const sessions = async (opened: number, closed: number) => {
      const m = createPrometheusMetrics({ defaultMetrics: false, clampSessions: false });
      m.hooks.onSession?.({ action: 'open', count: opened });
      m.hooks.onSession?.({ action: 'close', count: closed });
      return metricsSnapshot(m.registry);
    };
    const text = async (a: [number, number], b: [number, number]) =>
      clusterMetricsText(
        [
          { worker: 1, metrics: await sessions(...a) },
          { worker: 2, metrics: await sessions(...b) },
        ],
        2,
      );
    // Two logins through worker 1, one of them closed through worker 2: one session left.
    expect(line(await text([2, 0], [0, 1]), 'haystack_sessions_active')).toBe('haystack_sessions_active 1');
    // Closes of sessions older than the processes never make it negative.
    expect(line(await text([0, 1], [0, 2]), 'haystack_sessions_active')).toBe('haystack_sessions_active 0');
    // A lone server clamps its own count.
    const alone = createPrometheusMetrics({ defaultMetrics: false });
    alone.hooks.onSession?.({ action: 'close', count: 3 });
    expect(line(await alone.metrics(), 'haystack_sessions_active')).toBe('haystack_sessions_active 0');
  });

  it('never lowers a summed counter when a worker misses a scrape or is started again', async () => {
    const counts = new ClusterCounts();
    const requests = 'haystack_op_requests_total{op="about",transport="http",outcome="ok"}';
    const scrape = async (answers: { worker: number; calls: number }[]) => {
      const metrics = await Promise.all(
        answers.map(async (a) => ({ worker: a.worker, metrics: await workerRegistry(a.calls) })),
      );
      for (const answer of metrics) counts.answered(answer);
      return clusterMetricsText(metrics, 2, counts);
    };
    const first = await scrape([
      { worker: 1, calls: 3 },
      { worker: 2, calls: 4 },
    ]);
    expect(line(first, requests)).toMatch(/ 7$/);
    // Worker 2 too slow for this scrape: its last answer still counts.
    const missed = await scrape([{ worker: 1, calls: 5 }]);
    expect(line(missed, requests)).toMatch(/ 9$/);
    expect(line(missed, 'haystack_cluster_workers{state="answered"}')).toMatch(/ 1$/);
    // Worker 2's process ends and a new one starts from 0: the old one's counts stay in the sum.
    counts.ended(2);
    const restarted = await scrape([
      { worker: 1, calls: 5 },
      { worker: 2, calls: 1 },
    ]);
    expect(line(restarted, requests)).toMatch(/ 10$/);
    expect(line(restarted, 'haystack_op_duration_seconds_count{op="about",transport="http"}')).toMatch(/ 10$/);
    expect(line(restarted, 'haystack_op_duration_seconds_bucket{le="+Inf",op="about",transport="http"}')).toMatch(
      / 10$/,
    );
    expect(line(restarted, 'haystack_auth_failures_total{reason="credentials"}')).toMatch(/ 3$/);
    // That process ends too (and its end is told twice): it counts once, beside the first one.
    counts.ended(2);
    counts.ended(2);
    const again = await scrape([
      { worker: 1, calls: 5 },
      { worker: 2, calls: 0 },
    ]);
    expect(line(again, requests)).toMatch(/ 10$/);
    // Process series are per process (their own resets are real) and gauges are not carried.
    expect(again.match(/^nodejs_heap_size_used_bytes\{/gm)).toHaveLength(2);
    expect(again.match(/^# TYPE haystack_op_requests_total /gm)).toHaveLength(1);
  });
});
