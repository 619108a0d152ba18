// Server events on named node:diagnostics_channel channels: the library never logs, the app subscribes.

import diagnostics from 'node:diagnostics_channel';
import type { ErrorCode } from '../core/errors.js';

/** Published once per finished request on `haystack:server:request`. */
export interface RequestEvent {
  /** HTTP method. */
  readonly method: string;
  /** Op name, or undefined when the path named none. */
  readonly op: string | undefined;
  /** HTTP status sent. */
  readonly status: number;
  /** Error code when the response is an error grid. */
  readonly errorCode: ErrorCode | undefined;
  /** User name of the caller, once authenticated. */
  readonly username: string | undefined;
  /** The client's IP address (of the TCP connection: a proxy's address behind a proxy). */
  readonly address: string | undefined;
  /** Time taken, in milliseconds (from `performance.now`). */
  readonly durationMs: number;
}

/** Published on `haystack:server:error` for every 5xx error, with the original error for the app's log. */
export interface ServerErrorEvent {
  /** Op name, if known. */
  readonly op: string | undefined;
  /** The thrown value. */
  readonly error: unknown;
}

/** Channel names, stable across versions. */
export const SERVER_CHANNELS = Object.freeze({
  request: 'haystack:server:request',
  error: 'haystack:server:error',
  op: 'haystack:server:op',
} as const);

/** The request channel. */
export const requestChannel = diagnostics.channel(SERVER_CHANNELS.request);
/** The internal-error channel. */
export const errorChannel = diagnostics.channel(SERVER_CHANNELS.error);
/** The op channel: one `OpEvent` per op call, whatever its transport. */
export const opChannel = diagnostics.channel(SERVER_CHANNELS.op);
