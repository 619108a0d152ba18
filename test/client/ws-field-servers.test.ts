// The WebSocket clients against a purpose-built server speaking haystack-py's envelope, misbehaving on cue.

import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { CallError, ReconnectingWebSocketClient } from '../../src/client/index.js';
import { Grid } from '../../src/core/grid/grid.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { decodeWsMessage, encodeWsResponse } from '../../src/core/ws/ws-envelope.js';

let wss: WebSocketServer | undefined;

afterEach(async () => {
  const s = wss;
  wss = undefined;
  for (const c of s?.clients ?? []) c.terminate();
  await new Promise<void>((resolve) => {
    s?.close(() => {
      resolve();
    });
  });
});

/** A server answering each request with `answer(op)`; returns its `ws://` URL. */
async function serve(answer: (op: string) => Grid): Promise<string> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => 'haystack' });
  wss = server;
  server.on('connection', (socket) => {
    socket.on('message', (data: Buffer) => {
      const m = decodeWsMessage(data.toString('utf8'));
      if (m.kind === 'request') socket.send(encodeWsResponse(m.request.id, answer(m.request.op)));
    });
  });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/ws`;
}

describe('ReconnectingWebSocketClient when the server refuses to subscribe a watch again', () => {
  it("the watch's changes() throws the refusal instead of waiting for pushes that never come", async () => {
    let refuse = false;
    const url = await serve((op) =>
      op === 'watchSub' && refuse
        ? Grid.make({ meta: { err: MARKER, dis: 'Too many watches' }, cols: ['empty'] })
        : op === 'watchSub'
          ? Grid.fromDicts([{ id: new Ref('p1'), curVal: 1 }], { watchId: 'w1' })
          : Grid.make({ cols: ['empty'] }),
    );
    let connected!: () => void;
    const reconnected = new Promise<void>((resolve) => {
      connected = resolve;
    });
    const client = new ReconnectingWebSocketClient({
      url,
      minDelayMs: 1,
      random: () => 0,
      onReconnect: (e) => {
        if (e.type === 'connected' && e.attempt > 0) connected();
      },
    });
    const w = await client.watch(['p1']);
    const changes = w.changes()[Symbol.asyncIterator]();
    refuse = true;
    for (const c of wss?.clients ?? []) c.terminate();
    await reconnected;
    const err = await changes.next().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallError);
    expect((err as CallError).message).toBe('Too many watches');
    await client.disconnect();
  });
});
