// Authentication and TLS of `haystack serve`: flags and environment checked, first admin made, security built.

import { randomBytes } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import net from 'node:net';
import type { TlsOptions } from 'node:tls';
import { DEFAULT_SCRAM_ITERATIONS } from '../core/auth/scram-keys.js';
import { HaystackError } from '../core/errors.js';
import {
  bootstrapAdmin,
  CertAuthenticator,
  createSecurity,
  type LoginEvent,
  type SecurityServerOptions,
  serverTlsOptions,
} from '../server/index.js';
import { createMemoryUserStore } from '../storage/memory/index.js';
import { CliExit, type CliIo } from './io.js';
import { readFileArg } from './read-file-arg.js';

/** The flags of `haystack serve` that concern security, as commander parses them. */
export interface ServeSecurityFlags {
  readonly host: string;
  /** False with `--no-auth`. */
  readonly auth: boolean;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsCa?: string;
  readonly tlsClientOptional?: boolean;
  readonly allowPlaintext?: boolean;
  /** Minutes a token may stay unused. */
  readonly sessionIdle: string;
  /** Minutes a token lives at most. */
  readonly sessionMax: string;
}

/** What `serve` needs from its security setup. */
export interface ServeSecurity {
  /** Spread into `createServer`. */
  readonly serverOptions: SecurityServerOptions | { readonly noAuth: true };
  /** HTTPS options, when `--tls-cert` was given. */
  readonly tls: TlsOptions | undefined;
  /** How the listening line describes access, e.g. `authentication required`. */
  readonly access: string;
  /** Stop the token purge timer and the login log. */
  stop(): void;
}

/** Environment variables read by `serve`. */
export const SERVE_ENV = Object.freeze({
  username: 'HS_SUPERUSER_USERNAME',
  password: 'HS_SUPERUSER_PASSWORD',
  secret: 'HS_SERVER_SECRET',
});

const PURGE_INTERVAL_MS = 60_000;

/** True for a host that only this machine can reach: `localhost`, 127.0.0.0/8, `::1`. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

function fail(message: string): never {
  throw new CliExit(2, `haystack serve: ${message}`);
}

function minutes(raw: string, flag: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1) fail(`${flag} must be a whole number of minutes >= 1`);
  return Number(raw) * 60_000;
}

// A stable secret keeps unknown users' fake salts stable across restarts (see FakeCredentials).
function serverSecret(io: CliIo): Uint8Array {
  const raw = io.env[SERVE_ENV.secret];
  if (raw === undefined || raw === '') return new Uint8Array(randomBytes(32));
  const bytes = /^(?:[0-9a-f]{2})+$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (bytes.length < 32) fail(`${SERVE_ENV.secret} must hold at least 32 bytes (64 hex digits or base64)`);
  return new Uint8Array(bytes);
}

async function tlsOptions(flags: ServeSecurityFlags, io: CliIo): Promise<TlsOptions | undefined> {
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) fail('--tls-cert and --tls-key go together');
  if (flags.tlsCert === undefined || flags.tlsKey === undefined) {
    if (flags.tlsCa !== undefined) fail('--tls-ca needs --tls-cert and --tls-key');
    return undefined;
  }
  // One after the other, so that when several files are missing the error names the first flag, every time.
  const cert = await readFileArg(io, 'haystack serve', '--tls-cert', flags.tlsCert);
  const key = await readFileArg(io, 'haystack serve', '--tls-key', flags.tlsKey);
  const ca = flags.tlsCa === undefined ? undefined : await readFileArg(io, 'haystack serve', '--tls-ca', flags.tlsCa);
  try {
    return serverTlsOptions({
      cert,
      key,
      ...(ca === undefined ? {} : { ca, requireClientCert: flags.tlsClientOptional !== true }),
    });
  } catch (err) {
    if (err instanceof HaystackError) fail(err.message);
    throw err;
  }
}

function logLogins(io: CliIo): () => void {
  const listener = (m: unknown): void => {
    const e = m as LoginEvent;
    io.stderr.write(`login ${e.outcome} ${JSON.stringify(e.username)} from ${e.address}\n`);
  };
  diagnostics.subscribe('haystack:auth:login', listener);
  return () => diagnostics.unsubscribe('haystack:auth:login', listener);
}

/**
 * Check the security flags and build what `serve` needs. With authentication (the default): an in-memory user
 * store, the first admin from `HS_SUPERUSER_USERNAME`/`HS_SUPERUSER_PASSWORD` or `admin` with a generated
 * password printed once, tokens purged every minute. `--no-auth` is refused unless the host is loopback.
 */
export async function prepareServeSecurity(
  flags: ServeSecurityFlags,
  io: CliIo,
  verbose: boolean,
): Promise<ServeSecurity> {
  const tls = await tlsOptions(flags, io);
  if (!flags.auth) {
    if (!isLoopbackHost(flags.host)) {
      fail(`--no-auth is refused on ${flags.host}: serve without authentication only on a loopback host (127.0.0.1)`);
    }
    if (flags.tlsCa !== undefined) fail('--tls-ca maps client certificates to users: it needs authentication');
    if (flags.allowPlaintext === true) fail('--allow-plaintext needs authentication');
    return {
      serverOptions: { noAuth: true },
      tls,
      access: 'no authentication: development only',
      stop: () => undefined,
    };
  }
  if (flags.allowPlaintext === true && tls === undefined && !isLoopbackHost(flags.host)) {
    fail('--allow-plaintext sends passwords in the clear: only with TLS or on a loopback host');
  }
  const idleTtlMs = minutes(flags.sessionIdle, '--session-idle');
  const maxLifetimeMs = minutes(flags.sessionMax, '--session-max');
  const users = createMemoryUserStore();
  try {
    const made = await bootstrapAdmin({
      users,
      username: io.env[SERVE_ENV.username],
      password: io.env[SERVE_ENV.password],
      iterations: DEFAULT_SCRAM_ITERATIONS,
    });
    if (made.kind === 'created' && made.generatedPassword !== undefined) {
      io.stdout.write(
        `haystack serve: created user "${made.username}" (role admin) with password ${made.generatedPassword}\n` +
          'haystack serve: it is shown only this once; set HS_SUPERUSER_USERNAME and HS_SUPERUSER_PASSWORD to choose your own\n',
      );
    } else if (made.kind === 'created') {
      io.stdout.write(`haystack serve: created user "${made.username}" (role admin) from ${SERVE_ENV.username}\n`);
    }
    io.stdout.write('haystack serve: users live in memory and are forgotten when the server stops\n');
  } catch (err) {
    if (err instanceof HaystackError) fail(`${SERVE_ENV.username}/${SERVE_ENV.password}: ${err.message}`);
    throw err;
  }
  const security = createSecurity({
    users,
    sessions: users,
    serverSecret: serverSecret(io),
    idleTtlMs,
    maxLifetimeMs,
    allowPlaintext: flags.allowPlaintext === true,
    ...(flags.tlsCa === undefined ? {} : { certAuth: CertAuthenticator.create({ users }) }),
  });
  const purge = setInterval(() => {
    security.tokens.purgeExpired().catch((err: unknown) => {
      io.stderr.write(`haystack serve: purging sessions: ${String(err)}\n`);
    });
  }, PURGE_INTERVAL_MS);
  purge.unref();
  const stopLogins = verbose ? logLogins(io) : () => undefined;
  const access =
    flags.tlsCa === undefined
      ? 'authentication required'
      : `authentication required; client certificates ${flags.tlsClientOptional === true ? 'accepted' : 'required'}`;
  return {
    serverOptions: security.serverOptions,
    tls,
    access,
    stop: () => {
      clearInterval(purge);
      stopLogins();
    },
  };
}
