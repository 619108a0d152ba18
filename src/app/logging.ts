// Log lines from the library's diagnostics channels: the library publishes events, the app turns them into lines.

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

/** One line per finished HTTP request (`GET read 200 1.2ms`, with the error code of an error grid). */
export function logRequests(log: (line: string) => void): () => void {
  return subscribe(SERVER_CHANNELS.request, (m) => {
    const e = m as RequestEvent;
    const err = e.errorCode === undefined ? '' : ` ${e.errorCode}`;
    log(`${logSafe(e.method)} ${logSafe(e.op ?? '-')} ${e.status}${err} ${e.durationMs.toFixed(1)}ms`);
  });
}

/** One line per login attempt (`login success "alice" from 127.0.0.1`); never the password. */
export function logLogins(log: (line: string) => void): () => void {
  return subscribe(LOGIN_CHANNEL, (m) => {
    const e = m as LoginEvent;
    // Both come from the client (the address through X-Forwarded-For): quoted, so they cannot forge a line.
    log(`login ${e.outcome} ${JSON.stringify(e.username)} from ${JSON.stringify(e.address)}`);
  });
}
