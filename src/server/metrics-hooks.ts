// attachMetricsHooks: the server's diagnostics channels turned into MetricsHooks callbacks (any metrics sink).

import diagnostics from 'node:diagnostics_channel';
import { emitMetric, type MetricsHooks } from '../core/metrics-hooks.js';
import type { LoginEvent } from './auth/authenticator.js';
import {
  type ConnectionEvent,
  type MessageEvent,
  SERVER_CHANNELS,
  type SessionEvent,
  type StoreQueryEvent,
  type WatchEvent,
} from './events.js';
import type { OpPipeline } from './pipeline/dispatch-op.js';
import type { OpEvent } from './pipeline/op-hooks.js';

/**
 * Feed `hooks` from every server in this process (the channels are process-wide): connections, WebSocket
 * messages, op calls (complete or error, by the `haystack:server:op` event), logins, sessions, watches and store calls.
 * `onRequestStart` needs a pipeline to hook into: give `pipeline` for it. Returns the function that detaches.
 */
export function attachMetricsHooks(hooks: MetricsHooks, pipeline?: OpPipeline): () => void {
  const detach: (() => void)[] = [];
  const on = (name: string, listener: (message: unknown) => void): void => {
    diagnostics.subscribe(name, listener);
    detach.push(() => diagnostics.unsubscribe(name, listener));
  };
  on(SERVER_CHANNELS.connection, (m) => {
    const e = m as ConnectionEvent;
    const c = { transport: e.transport, connectionId: e.connectionId, address: e.address };
    if (e.phase === 'open') emitMetric(hooks, 'onConnectionOpen', c);
    else if (e.phase === 'close') emitMetric(hooks, 'onConnectionClose', { ...c, durationMs: e.durationMs ?? 0 });
    else emitMetric(hooks, 'onConnectionError', { ...c, error: e.error });
  });
  on(SERVER_CHANNELS.message, (m) => {
    const e = m as MessageEvent;
    const message = { transport: e.transport, bytes: e.bytes };
    emitMetric(hooks, e.direction === 'sent' ? 'onMessageSent' : 'onMessageReceived', message);
  });
  on(SERVER_CHANNELS.op, (m) => {
    const e = m as OpEvent;
    if (e.errorCode === undefined) {
      emitMetric(hooks, 'onRequestComplete', {
        op: e.op,
        transport: e.transport,
        durationMs: e.durationMs,
        cached: e.cached,
      });
    } else {
      emitMetric(hooks, 'onRequestError', {
        op: e.op,
        transport: e.transport,
        durationMs: e.durationMs,
        errorCode: e.errorCode,
      });
    }
  });
  on(SERVER_CHANNELS.login, (m) => {
    const e = m as LoginEvent;
    emitMetric(hooks, 'onAuth', { outcome: e.outcome, reason: e.reason });
  });
  on(SERVER_CHANNELS.watch, (m) => {
    emitMetric(hooks, 'onWatch', { action: (m as WatchEvent).action });
  });
  on(SERVER_CHANNELS.session, (m) => {
    const e = m as SessionEvent;
    emitMetric(hooks, 'onSession', { action: e.action, count: e.count });
  });
  on(SERVER_CHANNELS.storeQuery, (m) => {
    const e = m as StoreQueryEvent;
    emitMetric(hooks, 'onStoreQuery', {
      backend: e.backend,
      kind: e.kind,
      durationMs: e.durationMs,
      ok: e.ok,
      items: e.items,
    });
  });
  if (pipeline !== undefined && hooks.onRequestStart !== undefined) {
    detach.push(
      pipeline.addHooks({
        onRequest: (ctx) => {
          emitMetric(hooks, 'onRequestStart', { op: ctx.op, transport: ctx.transport });
        },
      }),
    );
  }
  return () => {
    for (const d of detach.splice(0)) d();
  };
}
