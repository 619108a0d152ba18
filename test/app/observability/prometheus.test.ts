// The Prometheus sink's connection gauge: only connections it saw open count, so it never goes below zero.

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
