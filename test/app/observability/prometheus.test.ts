// The Prometheus sink's connection gauge: only connections it saw open count, so it never goes below zero. The
// scan cache series: read from the store at each scrape, made only for a store that has one.

import { describe, expect, it } from 'vitest';
import { createPrometheusMetrics } from '../../../src/app/observability/prometheus.js';

describe('haystack_connections_active', () => {
  it('counts connections seen opening, and ignores the close of one opened before the hooks', async () => {
    const m = createPrometheusMetrics({ defaultMetrics: false });
    const active = async (): Promise<string | undefined> =>
      (await m.metrics()).split('\n').find((l) => l.startsWith('haystack_connections_active{transport="http"}'));
    m.hooks.onConnectionClose?.({ transport: 'http', connectionId: 1, durationMs: 5 });
    m.hooks.onConnectionOpen?.({ transport: 'http', connectionId: 2 });
    m.hooks.onConnectionOpen?.({ transport: 'http', connectionId: 3 });
    expect(await active()).toMatch(/ 2$/);
    m.hooks.onConnectionClose?.({ transport: 'http', connectionId: 2, durationMs: 5 });
    m.hooks.onConnectionClose?.({ transport: 'http', connectionId: 2, durationMs: 5 });
    expect(await active()).toMatch(/ 1$/);
  });
});

describe('haystack_scan_cache_*', () => {
  it("follow the store's counts at each scrape, and are absent for a store without a scan cache", async () => {
    let counts = { entities: 0, loads: 0, catchUps: 0 };
    const m = createPrometheusMetrics({ defaultMetrics: false, scanCache: () => counts });
    const value = async (name: string): Promise<number | undefined> => {
      const line = (await m.metrics()).split('\n').find((l) => l.startsWith(`${name} `));
      return line === undefined ? undefined : Number(line.slice(name.length + 1));
    };
    expect(await value('haystack_scan_cache_entities')).toBe(0);
    counts = { entities: 3109, loads: 1, catchUps: 4 };
    expect(await value('haystack_scan_cache_entities')).toBe(3109);
    expect(await value('haystack_scan_cache_loads_total')).toBe(1);
    expect(await value('haystack_scan_cache_catch_ups_total')).toBe(4);
    // Dropped (a store that grew past the bound) and filled again: the gauge falls, the counters only grow.
    counts = { entities: 0, loads: 2, catchUps: 4 };
    expect(await value('haystack_scan_cache_entities')).toBe(0);
    expect(await value('haystack_scan_cache_loads_total')).toBe(2);
    expect(await value('haystack_scan_cache_catch_ups_total')).toBe(4);
    const none = await createPrometheusMetrics({ defaultMetrics: false }).metrics();
    expect(none).not.toContain('haystack_scan_cache');
  });
});
