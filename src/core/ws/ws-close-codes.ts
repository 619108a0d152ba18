// WebSocket close codes of the Haystack endpoint: each reason to end a connection once, with its error code.

import type { ErrorCode } from '../errors.js';

/**
 * Why the server ends a connection, as close codes (RFC 6455 section 7.4: 1000-1015 are the protocol's own,
 * 4000-4999 are for applications). 4003 is haystack-py's code for a refused login, kept so its clients read it.
 */
export const WS_CLOSE = {
  /** The client or the server closed normally. */
  NORMAL: { code: 1000, error: undefined },
  /** The server is shutting down. */
  GOING_AWAY: { code: 1001, error: 'HS_ERR_NETWORK' },
  /** A frame that is not text, or text that is not UTF-8 (RFC 6455: 1003 unsupported data). */
  UNSUPPORTED_DATA: { code: 1003, error: 'HS_ERR_BAD_REQUEST' },
  /** A message longer than the server's `maxMessageBytes` (RFC 6455: 1009). */
  TOO_BIG: { code: 1009, error: 'HS_ERR_TOO_LARGE' },
  /** A failure of the server itself. */
  INTERNAL: { code: 1011, error: 'HS_ERR_INTERNAL' },
  /** A login the server could not check because its user store is unreachable (RFC 6455 registry: try again later). */
  UNAVAILABLE: { code: 1013, error: 'HS_ERR_UNAVAILABLE' },
  /**
   * The session ended: its token expired, or was revoked elsewhere (a `close` on another connection or over HTTP,
   * through any server process; a password change; the user disabled).
   */
  SESSION_ENDED: { code: 4001, error: 'HS_ERR_AUTH' },
  /** The `close` op on this connection, once answered (its session's other connections get 4001). */
  SESSION_CLOSED: { code: 4002, error: 'HS_ERR_AUTH' },
  /** No credentials, or credentials that do not authenticate (bad token, failed SCRAM exchange). */
  AUTH_FAILED: { code: 4003, error: 'HS_ERR_AUTH' },
  /** The user of a client certificate was disabled or deleted. */
  USER_DISABLED: { code: 4004, error: 'HS_ERR_AUTH' },
  /** A message that is not an envelope before login, or a protocol step out of order. */
  PROTOCOL: { code: 4005, error: 'HS_ERR_BAD_REQUEST' },
  /** No login within the server's `authTimeoutMs`. */
  AUTH_TIMEOUT: { code: 4008, error: 'HS_ERR_AUTH' },
  /** The client reads its answers too slowly: an answer was due while its unread bytes passed four times `maxBufferedBytes`. */
  SLOW_CONSUMER: { code: 4009, error: 'HS_ERR_LIMIT' },
  /** Too many failed logins from this user or address. */
  THROTTLED: { code: 4029, error: 'HS_ERR_THROTTLED' },
} as const satisfies Record<string, { readonly code: number; readonly error: ErrorCode | undefined }>;

/** A name of {@link WS_CLOSE}. */
export type WsCloseReason = keyof typeof WS_CLOSE;

/** The reason of a close code, if it is one of ours. */
export function wsCloseReason(code: number): WsCloseReason | undefined {
  for (const [name, v] of Object.entries(WS_CLOSE)) if (v.code === code) return name as WsCloseReason;
  return undefined;
}
