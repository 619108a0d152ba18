// WebSocket logins through the server's own `authenticate` step, fed the Authorization headers the messages stand for.

import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type AuthChallenge,
  type AuthenticationInfo,
  parseAuthenticationInfo,
  parseWwwAuthenticate,
} from '../../core/auth/auth-header.js';
import { HaystackError } from '../../core/errors.js';
import type { Authenticate, Principal } from '../principal.js';

/** What one authentication step answered. */
export type WsAuthOutcome =
  | { readonly kind: 'principal'; readonly principal: Principal }
  /** A HELLO or SCRAM step answered (its SCRAM challenge), or credentials missing or refused (no SCRAM challenge). */
  | { readonly kind: 'challenge'; readonly scram: ScramChallenge | undefined }
  /** The exchange succeeded: its `Authentication-Info`. */
  | { readonly kind: 'success'; readonly info: AuthenticationInfo }
  | { readonly kind: 'failure' }
  | { readonly kind: 'throttled' }
  /** The user or session store could not be reached: no verdict on the credentials, so nothing is refused. */
  | { readonly kind: 'unavailable'; readonly error: HaystackError };

// Auth-param values of the messages go into a header: only token68 characters, so nothing can be injected.
const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;

/** True when every value may stand in an auth header. */
export function headerSafe(...values: readonly (string | undefined)[]): boolean {
  return values.every((v) => v !== undefined && TOKEN68.test(v));
}

/** The SCRAM challenge of a 401. */
export type ScramChallenge = Extract<AuthChallenge, { scheme: 'SCRAM' }>;

function header(headers: Readonly<Record<string, string>> | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

function scramOf(headers: Readonly<Record<string, string>> | undefined): ScramChallenge | undefined {
  const value = header(headers, 'www-authenticate');
  if (value === undefined) return undefined;
  const c = parseWwwAuthenticate(value).find((x) => x.scheme === 'SCRAM');
  return c?.scheme === 'SCRAM' ? c : undefined;
}

/**
 * Run the server's `authenticate` step for an upgrade request as if it carried `authorization` (undefined: the
 * upgrade's own header), so that a WebSocket logs in exactly as HTTP does: bearer tokens, the SCRAM exchange
 * (each message one header), client certificates on the upgrade's TLS socket, throttling, and any custom step.
 */
export async function authenticateAs(
  authenticate: Authenticate,
  upgrade: IncomingMessage,
  authorization: string | undefined,
): Promise<WsAuthOutcome> {
  const req = Object.create(upgrade) as IncomingMessage;
  const headers = { ...upgrade.headers };
  if (authorization !== undefined) headers.authorization = authorization;
  Object.defineProperty(req, 'headers', { value: headers });
  let written: { status: number; headers: Record<string, string> } | undefined;
  const res = {
    headersSent: false,
    writeHead(status: number, h?: Record<string, string>) {
      written = { status, headers: h ?? {} };
      return res;
    },
    setHeader() {
      return res;
    },
    end() {
      return res;
    },
  } as unknown as ServerResponse;
  try {
    const principal = await authenticate(req, res);
    if (principal !== undefined) return { kind: 'principal', principal };
    const info = header(written?.headers, 'authentication-info');
    if (written?.status === 200 && info !== undefined) return { kind: 'success', info: parseAuthenticationInfo(info) };
    return { kind: 'challenge', scram: scramOf(written?.headers) };
  } catch (err) {
    if (!(err instanceof HaystackError)) throw err;
    if (err.code === 'HS_ERR_THROTTLED') return { kind: 'throttled' };
    if (err.code === 'HS_ERR_UNAVAILABLE' || err.code === 'HS_ERR_STORAGE') return { kind: 'unavailable', error: err };
    if (err.code === 'HS_ERR_AUTH') {
      const h = (err as { headers?: Readonly<Record<string, string>> }).headers;
      return { kind: 'challenge', scram: scramOf(h) };
    }
    return { kind: 'failure' };
  }
}
