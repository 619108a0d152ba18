// MetricsHooks on both clients: op calls (complete, error with its code), bytes, and the WebSocket's connection.

import { afterEach, describe, expect, it } from 'vitest';
import { HaystackClient, WebSocketClient } from '../../src/client/index.js';
import type { MetricsHooks } from '../../src/core/index.js';
import { createServer, type HaystackServer } from '../../src/server/index.js';
import { createMemoryStore } from '../../src/storage/memory/index.js';

let server: HaystackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function recorder(): { hooks: MetricsHooks; events: string[] } {
  const events: string[] = [];
  const hooks: MetricsHooks = {
    onConnectionOpen: (c) => events.push(`open ${c.transport}`),
    onConnectionClose: (c) => events.push(`close ${c.transport}`),
    onMessageSent: (m) => events.push(`sent ${m.transport} ${m.bytes > 0 ? '+' : '0'}`),
    onMessageReceived: (m) => events.push(`received ${m.transport} ${m.bytes > 0 ? '+' : '0'}`),
    onRequestStart: (r) => events.push(`start ${r.transport} ${r.op}`),
    onRequestComplete: (r) => events.push(`complete ${r.transport} ${r.op} ${r.durationMs >= 0 ? 'ms' : '?'}`),
    onRequestError: (r) => events.push(`error ${r.transport} ${r.op} ${r.errorCode ?? '-'}`),
  };
  return { hooks, events };
}

async function started(): Promise<string> {
  server = createServer({ store: createMemoryStore(), noAuth: true });
  return (await server.listen(0, '127.0.0.1')).url;
}

describe('client MetricsHooks', () => {
  it('HaystackClient reports each call, its outcome and the bytes both ways; a throwing hook breaks nothing', async () => {
    const url = await started();
    const { hooks, events } = recorder();
    const client = new HaystackClient({
      url,
      metrics: {
        ...hooks,
        onMessageSent: () => {
          throw new Error('broken sink');
        },
      },
    });
    await client.about();
    await expect(client.call('noSuchOp')).rejects.toThrow();
    expect(events).toContain('start http about');
    expect(events).toContain('complete http about ms');
    expect(events).toContain('received http +');
    expect(events).toContain('error http noSuchOp HS_ERR_UNKNOWN_OP');
  });

  it('WebSocketClient reports its connection, messages, calls and error grids by code', async () => {
    const url = await started();
    const { hooks, events } = recorder();
    const ws = new WebSocketClient({ url, metrics: hooks });
    try {
      await ws.about();
      await expect(ws.call('noSuchOp')).rejects.toThrow();
    } finally {
      await ws.disconnect();
    }
    expect(events.slice(0, 1)).toEqual(['open ws']);
    expect(events).toContain('start ws about');
    expect(events).toContain('complete ws about ms');
    expect(events).toContain('error ws noSuchOp HS_ERR_UNKNOWN_OP');
    expect(events).toContain('sent ws +');
    expect(events).toContain('received ws +');
    expect(events.at(-1)).toBe('close ws');
  });
});
