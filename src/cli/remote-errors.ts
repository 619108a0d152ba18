// Turning a failed call to a server into a CLI message that says what failed and what to do about it.

import {
  AuthError,
  CallError,
  findApiRoot,
  HaystackError,
  HttpStatusError,
  LoginRequiredError,
  NetworkError,
  type NetworkFailure,
  PermissionError,
} from '../client/index.js';
import { ERROR_CODES, ParseError } from '../core/index.js';
import { CliExit } from './io.js';

/** What the explanation may mention: the URL used, whether a user was named, the fetch to probe with. */
export interface RemoteErrorContext {
  /** The `--url` (or `$HAYSTACK_URL`) used. */
  readonly url: string;
  /** True when a user was given (so a 401 is a failed login, not a missing one). */
  readonly loggedIn: boolean;
  /** The fetch the command used (for probing the right API root). */
  readonly fetch?: typeof fetch;
}

// Formats of answers the client decodes; a ParseError in any other (a filter) is not the server's answer.
const WIRE_FORMATS: ReadonlySet<string> = new Set(['zinc', 'json']);

// What to do, for the failures a person can fix from the command line.
const NETWORK_HINTS: Partial<Record<NetworkFailure, string>> = {
  refused: 'is the server running, and on that port? (`npm start` runs one on 127.0.0.1:8080; check --url)',
  'host-not-found': 'check the host name in --url',
  reset: 'if the server serves HTTPS, use an https:// URL',
  'tls-untrusted': 'pass the CA that signed it with --ca FILE (for `haystack certs certs`: --ca certs/ca.pem)',
  'tls-hostname': 'use the host name the certificate was issued for (haystack certs: localhost or 127.0.0.1)',
  'tls-expired': "check the machine's clock, or issue a new certificate",
  tls: 'if the server serves plain HTTP, use an http:// URL',
};

/**
 * The CliExit for an error from a remote command (`haystack <command>: <what failed>; <what to do>`), or the
 * error itself when it is not one a server call produces. A 404 probes for the API root the URL lacks.
 */
export async function explainRemoteError(command: string, err: unknown, ctx: RemoteErrorContext): Promise<unknown> {
  const prefix = `haystack ${command}:`;
  if (err instanceof CliExit) return err;
  // The client names the op it was calling; where that is the command's own name it would be said twice.
  const own = `${command}: `;
  const said = (message: string): string => (message.startsWith(own) ? message.slice(own.length) : message);
  if (err instanceof NetworkError) {
    const hint = NETWORK_HINTS[err.failure];
    return new CliExit(1, `${prefix} ${said(err.message)}${hint === undefined ? '' : `\n  ${hint}`}`);
  }
  // Our server's answer to plain HTTP on its HTTPS port (src/server/tls/plain-http.ts); nginx answers such a
  // request 400 too, with a page that says so.
  if (err instanceof HttpStatusError && err.httpStatus === 400 && /\bHTTPS\b/.test(err.body)) {
    const https = ctx.url.replace(/^http:/i, 'https:');
    return new CliExit(1, `${prefix} ${ctx.url} is an HTTPS port (HTTP 400)\n  use an https:// URL: --url ${https}`);
  }
  // 404 for an op every server has: the URL is not the API root. A 404 error grid may also be a real unknown op,
  // so that one gets a hint only when the right root is found.
  const plain404 = err instanceof HttpStatusError && err.httpStatus === 404;
  if (plain404 || (err instanceof CallError && err.httpStatus === 404)) {
    const root = await findApiRoot(ctx.url, ctx.fetch);
    if (root !== undefined)
      return new CliExit(
        1,
        `${prefix} no Haystack API at ${ctx.url} (HTTP 404)\n  the API root there is ${root}: use --url ${root}`,
      );
    if (plain404)
      return new CliExit(
        1,
        `${prefix} no Haystack API at ${ctx.url} (HTTP 404)\n  --url must be the API root, e.g. http://127.0.0.1:8080/api/`,
      );
  }
  if (err instanceof LoginRequiredError && !ctx.loggedIn) {
    return new CliExit(
      1,
      `${prefix} ${said(err.message)}\n  give -u USER (or set $HAYSTACK_USER); the password comes from $HAYSTACK_PASSWORD or a prompt`,
    );
  }
  if (err instanceof PermissionError) {
    return new CliExit(1, `${prefix} ${err.message}\n  the user needs a role that allows this (see haystack user)`);
  }
  // A 200 answer that does not decode: a web page, a proxy's or router's login, another API at that URL.
  if (err instanceof ParseError && WIRE_FORMATS.has(err.format)) {
    return new CliExit(
      1,
      `${prefix} the answer from ${ctx.url} is not a Haystack grid (${err.message})\n` +
        '  --url must be the API root of a Haystack server, e.g. http://127.0.0.1:8080/api/',
    );
  }
  if (err instanceof CallError) {
    const what = aboutTheRequest(err) ? 'the server refused the request' : 'server error';
    return new CliExit(1, `${prefix} ${what}: ${err.message}`);
  }
  if (err instanceof AuthError || err instanceof HaystackError) {
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
    return new CliExit(1, `${prefix} ${err.message}${cause}`);
  }
  return err;
}

// Error types of a request a server refuses (Haxall and SkySpark qualify them: `sys::ArgErr`).
const REQUEST_ERR_TYPE = /(?:^|::)(?:ArgErr|ParseErr|UnknownRecErr|UnknownNameErr|PermissionErr|LimitErr)$/;

// Whether an error grid is about the request (a bad range, an unknown id) rather than a fault of the server. The
// HttpApi chapter answers errors with HTTP 200 once the request grid is read, so the status alone cannot tell.
function aboutTheRequest(err: CallError): boolean {
  if (err.httpStatus !== undefined && err.httpStatus >= 400 && err.httpStatus < 500) return true;
  const code = err.remoteCode;
  if (code !== undefined && Object.hasOwn(ERROR_CODES, code)) {
    return ERROR_CODES[code as keyof typeof ERROR_CODES].status < 500;
  }
  return err.remoteType !== undefined && REQUEST_ERR_TYPE.test(err.remoteType);
}
