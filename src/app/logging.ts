// Log lines from the library's diagnostics channels: the library publishes events, the app turns them into lines.
// One line per event, `TIME LEVEL EVENT key=value...` (logfmt after the event name), so people read it and tools
// split it; a structured logger (pino) can replace these functions without touching the library.

import diagnostics from 'node:diagnostics_channel';
import { type LoginEvent, type RequestEvent, SERVER_CHANNELS } from '../server/index.js';

/** The login channel of the authenticator. */
const LOGIN_CHANNEL = 'haystack:auth:login';

/**
 * Text from a request (an op name from the URL, a method) made safe for one log line: control characters,
 * line and paragraph separators and bidi controls are escaped as `\uXXXX`, so a request cannot forge a line.
 */
export function logSafe(text: string): string {
  return text.replace(/[\p{Cc}\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\\]/gu, (c) =>
    c === '\\' ? '\\\\' : `\\u${(c.codePointAt(0) as number).toString(16).padStart(4, '0')}`,
  );
}

/** Subscribe `listener` to `channel` until the returned function is called. */
function subscribe(channel: string, listener: (message: unknown) => void): () => void {
  diagnostics.subscribe(channel, listener);
  return () => diagnostics.unsubscribe(channel, listener);
}

// logfmt: bare when the value is plain, else quoted; absent values are `-`.
function field(key: string, value: string | number | undefined): string {
  if (value === undefined) return `${key}=-`;
  const text = String(value);
  // Quoted and escaped by logSafe: a value from the request (a user name, an op) cannot forge a line.
  return `${key}=${/^[\w.:/@%+-]+$/.test(text) ? text : `"${logSafe(text).replaceAll('"', '\\"')}"`}`;
}

/** A log line: ISO time, level, event name, then the fields. */
export function logLine(
  now: number,
  level: string,
  event: string,
  fields: Readonly<Record<string, string | number | undefined>>,
): string {
  const parts = Object.entries(fields).map(([k, v]) => field(k, v));
  return `${new Date(now).toISOString()} ${level} ${event} ${parts.join(' ')}`;
}

/**
 * One line per finished HTTP request: time, client address, user, method, op, status, error code (of an error
 * grid) and duration, e.g. `2026-01-15T10:00:00.000Z info request addr=127.0.0.1 user=admin method=GET op=read
 * status=200 ms=1.2`.
 */
export function logRequests(log: (line: string) => void, now: () => number = Date.now): () => void {
  return subscribe(SERVER_CHANNELS.request, (m) => {
    log(logLine(now(), 'info', 'request', requestFields(m as RequestEvent)));
  });
}

/** The fields of a request's log record, in the documented order (the request id comes last). */
export function requestFields(e: RequestEvent): Record<string, string | number | undefined> {
  return {
    addr: e.address,
    user: e.username,
    method: e.method,
    op: e.op,
    status: e.status,
    ...(e.errorCode === undefined ? {} : { err: e.errorCode }),
    ms: Number(e.durationMs.toFixed(1)),
  };
}

/** One line per login attempt (`... info login outcome=success user=alice addr=127.0.0.1`); never the password. */
export function logLogins(log: (line: string) => void, now: () => number = Date.now): () => void {
  return subscribe(LOGIN_CHANNEL, (m) => {
    const e = m as LoginEvent;
    if (e.reason === 'token') {
      log(logLine(now(), 'warn', 'token refused', { addr: e.address }));
      return;
    }
    log(
      logLine(now(), e.outcome === 'success' ? 'info' : 'warn', 'login', {
        outcome: e.outcome,
        user: e.username,
        addr: e.address,
      }),
    );
  });
}
