// TLS options for the server: TLS 1.3 only, with optional client-certificate authentication.

import { readFile } from 'node:fs/promises';
import type { TlsOptions } from 'node:tls';
import { ValueError } from '../../core/errors.js';
import { checkOptionNames, type OptionNames } from '../../core/options.js';

/** PEM text or bytes, or several (a CA bundle). */
export type Pem = string | Buffer | readonly (string | Buffer)[];

/** Input of {@link serverTlsOptions}. */
export interface ServerTlsInput {
  /** Server certificate chain (PEM), from `--tls-cert`. */
  readonly cert: Pem;
  /** Its private key (PEM), from `--tls-key`. */
  readonly key: Pem;
  /** CA(s) that sign client certificates, from `--tls-ca`; needed to request client certificates. Default none. */
  readonly ca?: Pem;
  /** Ask clients for a certificate (mutual TLS; needs `ca`). Default: true when `ca` is given. */
  readonly requestClientCert?: boolean;
  /**
   * Refuse the handshake of a client without a valid certificate (default true). Set false to let
   * certificate-less clients through to HELLO/SCRAM; check `socket.authorized` (see `peerIdentity`) then.
   */
  readonly requireClientCert?: boolean;
}

const SERVER_TLS_INPUT: OptionNames<ServerTlsInput> = {
  cert: true,
  key: true,
  ca: true,
  requestClientCert: true,
  requireClientCert: true,
};

function many(p: Pem): string | Buffer | (string | Buffer)[] {
  return typeof p === 'string' || Buffer.isBuffer(p) ? p : [...p];
}

/**
 * Options for `https.createServer` / `tls.createServer`: TLS 1.3 as the minimum version and, with a CA,
 * client certificates requested and (by default) required to chain to it.
 *
 * ```ts
 * const server = https.createServer(serverTlsOptions(await readServerTlsFiles({ certFile, keyFile, caFile })), handler);
 * ```
 */
export function serverTlsOptions(input: ServerTlsInput): TlsOptions {
  checkOptionNames('TLS options', input, SERVER_TLS_INPUT);
  const request = input.requestClientCert ?? input.ca !== undefined;
  if (request && input.ca === undefined) throw new ValueError('Client certificates need a CA (--tls-ca)');
  const options: TlsOptions = {
    cert: many(input.cert),
    key: many(input.key),
    minVersion: 'TLSv1.3',
    requestCert: request,
    rejectUnauthorized: request && (input.requireClientCert ?? true),
  };
  if (input.ca !== undefined) options.ca = many(input.ca);
  return options;
}

/** Paths given by `--tls-cert`, `--tls-key` and `--tls-ca`. */
export interface ServerTlsFiles {
  /** Certificate chain (PEM). */
  readonly certFile: string;
  /** Private key (PEM). */
  readonly keyFile: string;
  /** CA bundle for client certificates (PEM). Default none. */
  readonly caFile?: string;
}

const SERVER_TLS_FILES: OptionNames<ServerTlsFiles> = { certFile: true, keyFile: true, caFile: true };

/** Read the PEM files named on the command line into a {@link ServerTlsInput}. */
export async function readServerTlsFiles(files: ServerTlsFiles): Promise<ServerTlsInput> {
  checkOptionNames('TLS files', files, SERVER_TLS_FILES);
  const [cert, key, ca] = await Promise.all([
    readFile(files.certFile),
    readFile(files.keyFile),
    files.caFile === undefined ? undefined : readFile(files.caFile),
  ]);
  return ca === undefined ? { cert, key } : { cert, key, ca };
}
