// TLS options for clients on Node: TLS 1.3 minimum, the server certificate always verified, optional client certificate.

import type { ConnectionOptions } from 'node:tls';
import { ValueError } from '../../core/errors.js';
import { checkOptionNames, type OptionNames } from '../../core/options.js';

/** PEM text or bytes, or several (a CA bundle). */
export type ClientPem = string | Buffer | readonly (string | Buffer)[];

/** Input of {@link clientTlsOptions}. */
export interface ClientTlsInput {
  /** CA(s) to trust for the server certificate (default: Node's root store). */
  readonly ca?: ClientPem;
  /** Client certificate for mutual TLS. */
  readonly cert?: ClientPem;
  /** Its private key. */
  readonly key?: ClientPem;
  /** Server name for SNI and certificate checking when connecting by IP or another alias. */
  readonly servername?: string;
}

const TLS_INPUT: OptionNames<ClientTlsInput> = { ca: true, cert: true, key: true, servername: true };

function many(p: ClientPem): string | Buffer | (string | Buffer)[] {
  return typeof p === 'string' || Buffer.isBuffer(p) ? p : [...p];
}

/** Options for `https.request` / `tls.connect` / an undici Agent: TLS 1.3 minimum, server certificate always verified. */
export function clientTlsOptions(input: ClientTlsInput = {}): ConnectionOptions {
  // A misspelt `ca` would verify against Node's roots in silence.
  checkOptionNames('Client TLS options', input, TLS_INPUT);
  if ((input.cert === undefined) !== (input.key === undefined)) {
    throw new ValueError('A client certificate needs its key, and a key its certificate');
  }
  const options: ConnectionOptions = { minVersion: 'TLSv1.3', rejectUnauthorized: true };
  if (input.ca !== undefined) options.ca = many(input.ca);
  if (input.cert !== undefined) options.cert = many(input.cert);
  if (input.key !== undefined) options.key = many(input.key);
  if (input.servername !== undefined) options.servername = input.servername;
  return options;
}
