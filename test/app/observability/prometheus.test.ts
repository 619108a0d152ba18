// The Prometheus sink's connection gauge: only connections it saw open count, so it never goes below zero. The
// scan cache series: read from the store at each scrape, made only for a store that has one. The watches gauge:
// a store that is down or slow never takes the scrape with it.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPrometheusMetrics } from '../../../src/app/observability/prometheus.js';
import type { WatchInfo } from '../../../src/storage/adapter.js';
import { createMemoryStore } from '../../../src/storage/memory/index.js';

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

describe('haystack_watches_active', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A memory store whose `watches()` answers as `watches` says (the store going down, or hanging). */
  function storeWith(watches: () => Promise<readonly WatchInfo[]>) {
    return Object.assign(createMemoryStore(), { watches });
  }
  const line = (text: string, name: string): string | undefined =>
    text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));

  it('keeps its last count, and the scrape answers, while the store is down', async () => {
    let down = false;
    const store = storeWith(() =>
      down
        ? Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'))
        : Promise.resolve([{ id: 'w1' } as WatchInfo, { id: 'w2' } as WatchInfo]),
    );
    const m = createPrometheusMetrics({ store, defaultMetrics: false });
    m.hooks.onRequestComplete?.({ op: 'read', transport: 'http', durationMs: 1 });
    expect(line(await m.metrics(), 'haystack_watches_active')).toBe('haystack_watches_active 2');
    down = true;
    const text = await m.metrics();
    expect(line(text, 'haystack_watches_active')).toBe('haystack_watches_active 2');
    expect(line(text, 'haystack_op_requests_total')).toBe(
      'haystack_op_requests_total{op="read",transport="http",outcome="ok"} 1',
    );
  });

  it('does not hold the scrape past a store that does not answer', async () => {
    vi.useFakeTimers();
    const m = createPrometheusMetrics({ store: storeWith(() => new Promise(() => undefined)), defaultMetrics: false });
    const scrape = m.metrics();
    await vi.runAllTimersAsync();
    expect(line(await scrape, 'haystack_watches_active')).toBe('haystack_watches_active 0');
  }, 5_000);
});
