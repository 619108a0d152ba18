// The library's diagnostics channels as log records: one child logger per subsystem (http, ws, auth, store, server).

import diagnostics from 'node:diagnostics_channel';
import { HaystackError } from '../../core/errors.js';
import type {
  ConnectionEvent,
  LoginEvent,
  OpEvent,
  RequestEvent,
  ServerErrorEvent,
  SessionEvent,
  StoreQueryEvent,
  UserChangeEvent,
  WatchEvent,
} from '../../server/index.js';
import { SERVER_CHANNELS } from '../../server/index.js';
import { requestFields } from '../logging.js';
import type { AppLogger } from './logger.js';

/** Store calls slower than this are logged at `warn`, whatever the level (the rest only at `trace`). */
const SLOW_STORE_MS = 1000;

/** While the store cannot be reached, at most one `store unavailable` record per this many ms. */
const UNAVAILABLE_LOG_MS = 10_000;

/**
 * Log what the library publishes, until the returned function is called: each finished request (`info`, with its
 * request id) and op call over a WebSocket (`info`), logins (`info`, failures `warn` with the reason), refused bearer
 * tokens (`warn`), user changes (`info`), internal errors (`error`, with the stack and the failed request's id; a
 * store that cannot be reached as one `store unavailable` record per 10 s, counting the calls it failed meanwhile),
 * connections and watches (`debug`), sessions (`debug`) and store calls (`trace`; slow ones `warn`).
 * Never a secret: events carry none, and the logger redacts fields named like one. `now` is the clock (tests).
 */
export function logEvents(logger: AppLogger, now: () => number = Date.now): () => void {
  const detach: (() => void)[] = [];
  const on = (name: string, listener: (message: unknown) => void): void => {
    diagnostics.subscribe(name, listener);
    detach.push(() => diagnostics.unsubscribe(name, listener));
  };
  const http = logger.child({ subsystem: 'http' });
  const ws = logger.child({ subsystem: 'ws' });
  const auth = logger.child({ subsystem: 'auth' });
  const store = logger.child({ subsystem: 'store' });
  const server = logger.child({ subsystem: 'server' });

  if (http.isLevelEnabled('info')) {
    on(SERVER_CHANNELS.request, (m) => {
      const e = m as RequestEvent;
      http.info({ ...requestFields(e), reqId: e.requestId }, 'request');
    });
    // An op call over a WebSocket has no HTTP request to log; the server's own polls for pushes (ws-push) are no
    // calls of a client, and an HTTP call is logged above with its status.
    on(SERVER_CHANNELS.op, (m) => {
      const e = m as OpEvent;
      if (e.transport !== 'ws') return;
      // The connection's id and address, as its `connection open` line has them: an operator finds its calls.
      const fields = { conn: e.connectionId, addr: e.address, user: e.username, op: e.op, err: e.errorCode };
      ws.info({ ...fields, ms: Number(e.durationMs.toFixed(1)) }, 'request');
    });
  }
  on(SERVER_CHANNELS.login, (m) => {
    const e = m as LoginEvent;
    // A refused bearer token names no user and is no login: its own message, so a reader does not count it as one.
    if (e.reason === 'token') {
      auth.warn({ addr: e.address, reason: e.reason }, 'token refused');
      return;
    }
    const fields = {
      outcome: e.outcome,
      user: e.username,
      addr: e.address,
      ...(e.reason === undefined ? {} : { reason: e.reason }),
    };
    if (e.outcome === 'success') auth.info(fields, 'login');
    else auth.warn(fields, 'login');
  });
  on(SERVER_CHANNELS.users, (m) => {
    const e = m as UserChangeEvent;
    const fields = e.fields.join(',') || undefined;
    // The address and the request id of the change's own request line, so the audit line leads to it.
    auth.info({ action: e.action, user: e.username, by: e.by, fields, addr: e.address, reqId: e.requestId }, 'user');
  });
  // During an outage every call fails alike, each with its own request line (status 503): a stack per call would
  // bury the log, so the first failure is recorded and then one per interval, with how many failed since.
  let unavailableAt = Number.NEGATIVE_INFINITY;
  let unavailableSince = 0;
  on(SERVER_CHANNELS.error, (m) => {
    const e = m as ServerErrorEvent;
    if (e.error instanceof HaystackError && e.error.code === 'HS_ERR_UNAVAILABLE') {
      const t = now();
      if (t - unavailableAt < UNAVAILABLE_LOG_MS) {
        unavailableSince++;
        return;
      }
      const since = unavailableSince > 0 ? { failedSince: unavailableSince } : {};
      server.error({ op: e.op, reqId: e.requestId, reason: e.error.message, ...since }, 'store unavailable');
      unavailableAt = t;
      unavailableSince = 0;
      return;
    }
    server.error({ op: e.op, reqId: e.requestId, err: e.error }, 'internal error');
  });
  if (logger.isLevelEnabled('debug')) {
    on(SERVER_CHANNELS.connection, (m) => {
      const e = m as ConnectionEvent;
      const log = e.transport === 'ws' ? ws : http;
      const code = (e.error as { code?: unknown } | undefined)?.code;
      log.debug(
        {
          conn: e.connectionId,
          addr: e.address,
          ...(e.durationMs === undefined ? {} : { ms: Number(e.durationMs.toFixed(1)) }),
          ...(e.error === undefined
            ? {}
            : { code: typeof code === 'string' ? code : e.error instanceof Error ? e.error.message : 'error' }),
        },
        `connection ${e.phase}`,
      );
    });
    on(SERVER_CHANNELS.watch, (m) => {
      const e = m as WatchEvent;
      server.debug({ watchId: e.watchId }, `watch ${e.action}`);
    });
    on(SERVER_CHANNELS.session, (m) => {
      const e = m as SessionEvent;
      auth.debug({ count: e.count, ...(e.reason === undefined ? {} : { reason: e.reason }) }, `session ${e.action}`);
    });
  }
  const traceStore = logger.isLevelEnabled('trace');
  on(SERVER_CHANNELS.storeQuery, (m) => {
    const e = m as StoreQueryEvent;
    if (!traceStore && e.durationMs < SLOW_STORE_MS) return;
    const fields = {
      backend: e.backend,
      kind: e.kind,
      ok: e.ok,
      ...(e.errorCode === undefined ? {} : { err: e.errorCode }),
      ...(e.items === undefined ? {} : { items: e.items }),
      ms: Number(e.durationMs.toFixed(1)),
    };
    if (e.durationMs >= SLOW_STORE_MS) store.warn(fields, 'slow store call');
    else store.trace(fields, 'store call');
  });
  return () => {
    for (const d of detach.splice(0)) d();
  };
}
