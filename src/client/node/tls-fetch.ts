// A fetch for HTTPS servers with a private CA or a client certificate (mutual TLS), on undici's Agent.

import type { ConnectionOptions } from 'node:tls';
import { Agent, type buildConnector, fetch as undiciFetch } from 'undici';
import { type ClientTlsInput, clientTlsOptions } from './tls-options.js';

/** A fetch bound to TLS settings, and how to release its connections. */
export interface TlsFetch {
  /** Use as `HaystackClient`'s `fetch`. */
  readonly fetch: typeof fetch;
  /** Close the pooled connections. */
  close(): Promise<void>;
}

/**
 * A fetch whose connections use `clientTlsOptions(input)`: TLS 1.3 minimum, the server certificate verified
 * against `ca` (or Node's roots), and `cert`/`key` presented when the server asks for a client certificate.
 * `extra` is merged over them (tests use it to pin `maxVersion`).
 */
export function createTlsFetch(input: ClientTlsInput, extra: ConnectionOptions = {}): TlsFetch {
  const connect: ConnectionOptions = { ...clientTlsOptions(input), ...extra };
  // Node's typings mark absent options `| undefined`, which undici's (under exactOptionalPropertyTypes) do not.
  const agent = new Agent({ connect: connect as Partial<buildConnector.BuildOptions> });
  const bound = (url: string, init?: Parameters<typeof undiciFetch>[1]) =>
    undiciFetch(url, { ...init, dispatcher: agent });
  return {
    // undici's fetch is the one Node bundles, from a newer release: the shapes match the global one.
    fetch: bound as unknown as typeof fetch,
    close: () => agent.close(),
  };
}
