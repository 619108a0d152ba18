// Security of a running app: the no-auth policy, first admin, token sessions and TLS, composed from one config.

import { randomBytes, X509Certificate } from 'node:crypto';
import { access, open, rm } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { createSecureContext, type TlsOptions } from 'node:tls';
import { DEFAULT_SCRAM_ITERATIONS } from '../core/auth/scram-keys.js';
import { describeErrno } from '../core/errno-text.js';
import { HaystackError, ValueError } from '../core/errors.js';
import {
  bootstrapAdmin,
  CertAuthenticator,
  createSecurity,
  DEFAULT_ADMIN_USERNAME,
  generatePassword,
  type Pem,
  type SecurityServerOptions,
  serverTlsOptions,
} from '../server/index.js';
import type { AuthStateStore } from '../storage/auth-state-store.js';
import type { SessionStore } from '../storage/session-store.js';
import type { UserStore } from '../storage/user-store.js';
import type { AppOutput } from './app-output.js';

/** TLS of the app: PEM bytes, already read. */
export interface AppTlsConfig {
  /** Certificate chain. */
  readonly cert: Pem;
  /** Private key of `cert`. */
  readonly key: Pem;
  /** CA of client certificates; given, a certificate logs in as the user its CN names. */
  readonly ca?: Pem;
  /** With `ca`: let clients without a certificate log in with a password (default false: required). */
  readonly clientOptional?: boolean;
}

/** Security settings of the app. */
export interface AppSecurityConfig {
  /** Interface listened on: authentication may be off only on a loopback host. */
  readonly host: string;
  /** False serves without authentication (development only). */
  readonly auth: boolean;
  /** HTTPS, when given. */
  readonly tls?: AppTlsConfig;
  /** Accept PLAINTEXT logins (only over TLS or on a loopback host). */
  readonly allowPlaintext?: boolean;
  /** Reverse proxies (IP addresses) whose X-Forwarded-For names the client for login throttling. */
  readonly trustedProxies?: readonly string[];
  /** A token unused this long expires, in ms. */
  readonly idleTtlMs: number;
  /** A token expires this long after login, in ms. */
  readonly maxLifetimeMs: number;
  /** Environment: the first admin and the server secret (see {@link SERVE_ENV}). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Where a generated first-admin password is written, readable by its owner only (`--admin-password-file`).
   * Default: beside a store that is a file (`haystack.db.admin-password`), else `haystack.admin-password` in the
   * working folder.
   */
  readonly adminPasswordFile?: string;
}

/** Name of the generated first-admin password's file when the store is no file of its own. */
export const ADMIN_PASSWORD_FILE = 'haystack.admin-password';

/** What the server needs from the app's security. */
export interface AppSecurity {
  /** Spread into `createServer`. */
  readonly serverOptions: SecurityServerOptions | { readonly noAuth: true };
  /** HTTPS options, when TLS is on. */
  readonly tls: TlsOptions | undefined;
  /** How the listening line describes access, e.g. `authentication required`. */
  readonly access: string;
  /** Stop the token purge timer. */
  stop(): void;
}

/** Environment variables the app reads. */
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

// A stable secret keeps unknown users' fake salts stable across restarts (see FakeCredentials).
function serverSecret(env: AppSecurityConfig['env']): Uint8Array {
  const raw = env[SERVE_ENV.secret];
  if (raw === undefined || raw === '') return new Uint8Array(randomBytes(32));
  const bytes = /^(?:[0-9a-f]{2})+$/i.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (bytes.length < 32) {
    throw new ValueError(`${SERVE_ENV.secret} must hold at least 32 bytes (64 hex digits or base64)`);
  }
  return new Uint8Array(bytes);
}

/**
 * The HTTPS options of `tls`, checked as a handshake would use them: a key that does not match its certificate, or
 * text that is not PEM, is a `ValueError` naming the flags, found before anything else starts.
 */
export function appTlsOptions(tls: AppTlsConfig): TlsOptions {
  let options: TlsOptions;
  try {
    options = serverTlsOptions({
      cert: tls.cert,
      key: tls.key,
      ...(tls.ca === undefined ? {} : { ca: tls.ca, requireClientCert: tls.clientOptional !== true }),
    });
  } catch (err) {
    if (err instanceof HaystackError && !(err instanceof ValueError)) throw new ValueError(err.message, { cause: err });
    throw err;
  }
  // Node takes CA text without a certificate in it as an empty list: every client certificate would be refused.
  if (tls.ca !== undefined && pemCertificateCount(tls.ca) === 0)
    throw new ValueError('--tls-ca holds no PEM certificate');
  try {
    createSecureContext(options);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const what = isKeyMismatch(err) ? '--tls-key is not the key of --tls-cert' : 'TLS files refused';
    throw new ValueError(`${what} (${why})`, { cause: err });
  }
  return options;
}

/** How many X.509 certificates `pem` holds (PEM blocks that parse); 0 for text that is not PEM at all. */
export function pemCertificateCount(pem: Pem): number {
  const texts = typeof pem === 'string' || Buffer.isBuffer(pem) ? [pem] : pem;
  let n = 0;
  for (const text of texts) {
    for (const block of text
      .toString('latin1')
      .match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []) {
      try {
        new X509Certificate(block);
        n++;
      } catch {
        // A damaged block is no certificate.
      }
    }
  }
  return n;
}

/** Whether a TLS error says that a private key is not the key of its certificate. */
export function isKeyMismatch(err: unknown): boolean {
  return err instanceof Error && err.message.includes('key values mismatch');
}

/** The first certificate of a PEM chain in one line: its subject's CN and when it expires. */
export function certificateText(pem: Pem): string {
  const first = typeof pem === 'string' || Buffer.isBuffer(pem) ? pem : pem[0];
  try {
    const cert = new X509Certificate(first ?? '');
    const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1] ?? cert.subject;
    return `certificate ${cn}, valid until ${cert.validTo}`;
  } catch {
    return 'certificate (not readable as X.509)';
  }
}

// Logs are collected and kept (journald, container logs) by more people than may log in as admin: a generated
// password goes to a file only its owner can read, and the log says where.
async function firstAdmin(users: UserStore, config: AppSecurityConfig, out: AppOutput, kept: boolean): Promise<void> {
  const username = config.env[SERVE_ENV.username];
  const password = config.env[SERVE_ENV.password];
  const file = path.resolve(config.adminPasswordFile ?? ADMIN_PASSWORD_FILE);
  // Written before the admin exists: a file that cannot be written stops the start, with no admin nobody can log in as.
  const generated =
    !given(username) && !given(password) && (await users.listUsers()).length === 0 ? generatePassword() : undefined;
  if (generated !== undefined) await writeOwnerOnly(file, `${generated}\n`);
  // The file outlives the first start unless someone deletes it: each later start reminds whoever reads the log.
  else if (
    await access(file).then(
      () => true,
      () => false,
    )
  ) {
    out.warn(`${file} still holds the first admin's generated password: delete it once that password is changed`);
  }
  try {
    const made = await bootstrapAdmin({
      users,
      username: generated === undefined ? username : DEFAULT_ADMIN_USERNAME,
      password: generated ?? password,
      iterations: DEFAULT_SCRAM_ITERATIONS,
    });
    if (made.kind === 'created' && generated !== undefined) {
      out.notice(
        `created user "${made.username}" (role admin); its password is in ${file}, readable by its owner only`,
      );
      out.notice(
        `log in with it, change it (haystack user set ${made.username} --password), then delete that file; ` +
          `${SERVE_ENV.username} and ${SERVE_ENV.password} choose the first admin instead`,
      );
    } else if (made.kind === 'created') {
      out.notice(`created user "${made.username}" (role admin) from ${SERVE_ENV.username}`);
    } else if (generated !== undefined) {
      // Another process made the first user meanwhile: this password opens nothing.
      await rm(file, { force: true });
    }
    if (!kept) out.notice('users live in memory and are forgotten when the server stops');
  } catch (err) {
    if (err instanceof HaystackError) {
      throw new ValueError(`${SERVE_ENV.username}/${SERVE_ENV.password}: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

function given(value: string | undefined): boolean {
  return value !== undefined && value !== '';
}

// Made anew with mode 0600, never through a file or link already there, whose mode or target another user chose.
async function writeOwnerOnly(file: string, text: string): Promise<void> {
  try {
    await rm(file, { force: true });
    const handle = await open(file, 'wx', 0o600);
    try {
      await handle.writeFile(text);
    } finally {
      await handle.close();
    }
  } catch (err) {
    throw new HaystackError(
      'HS_ERR_STARTUP',
      `cannot write the first admin's password to ${file}: ${describeErrno(err)}`,
      { cause: err },
    );
  }
}

/**
 * Check the security settings and build what the server needs. With authentication (the default): the users of
 * the store (or of this process's memory), the first admin from `HS_SUPERUSER_USERNAME`/`HS_SUPERUSER_PASSWORD`
 * or `admin` with a generated password written to `adminPasswordFile` (mode 0600), tokens purged every minute. Without authentication: refused
 * unless the host is loopback. With `authState` (a shared store's), the login throttle and SCRAM exchanges live
 * there, so that several server processes share them. Bad settings throw `ValueError`.
 */
export async function prepareSecurity(
  config: AppSecurityConfig,
  users: UserStore & SessionStore,
  usersKept: boolean,
  out: AppOutput,
  authState?: AuthStateStore,
): Promise<AppSecurity> {
  const tls = config.tls === undefined ? undefined : appTlsOptions(config.tls);
  if (!config.auth) {
    if (!isLoopbackHost(config.host)) {
      throw new ValueError(
        `--no-auth is refused on ${config.host}: serve without authentication only on a loopback host (127.0.0.1)`,
      );
    }
    if (config.tls?.ca !== undefined) {
      throw new ValueError('--tls-ca maps client certificates to users: it needs authentication');
    }
    if (config.allowPlaintext === true) throw new ValueError('--allow-plaintext needs authentication');
    return { serverOptions: { noAuth: true }, tls, access: 'no authentication: development only', stop: () => {} };
  }
  if (config.allowPlaintext === true && tls === undefined && !isLoopbackHost(config.host)) {
    throw new ValueError('--allow-plaintext sends passwords in the clear: only with TLS or on a loopback host');
  }
  if (config.trustedProxies?.some((a) => net.isIP(a) === 0) === true) {
    throw new ValueError('--trust-proxy takes IP addresses separated by commas');
  }
  const secret = serverSecret(config.env);
  await firstAdmin(users, config, out, usersKept);
  const security = createSecurity({
    users,
    sessions: users,
    ...(authState === undefined ? {} : { authState }),
    serverSecret: secret,
    idleTtlMs: config.idleTtlMs,
    maxLifetimeMs: config.maxLifetimeMs,
    allowPlaintext: config.allowPlaintext === true,
    ...(config.trustedProxies === undefined ? {} : { trustedProxies: config.trustedProxies }),
    ...(config.tls?.ca === undefined ? {} : { certAuth: CertAuthenticator.create({ users }) }),
  });
  const purge = setInterval(() => {
    Promise.all([security.tokens.purgeExpired(), security.throttle.purge()]).catch((err: unknown) => {
      out.warn(`purging sessions: ${String(err)}`);
    });
  }, PURGE_INTERVAL_MS);
  purge.unref();
  const access =
    config.tls?.ca === undefined
      ? 'authentication required'
      : `authentication required; client certificates ${config.tls.clientOptional === true ? 'accepted' : 'required'}`;
  return {
    serverOptions: security.serverOptions,
    tls,
    access,
    stop: () => {
      clearInterval(purge);
    },
  };
}
