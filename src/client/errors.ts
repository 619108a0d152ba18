// Client-side failures: an HTTP status that carries no error grid, and network or timeout failures.

import { AuthError, HaystackError } from '../core/errors.js';
import { classifyNetworkFailure, type NetworkFailure } from './network-failure.js';

/** The server answered with an HTTP error status and no readable error grid. */
export class HttpStatusError extends HaystackError {
  /** The class name, as a literal. */
  static override readonly errorName: string = 'HttpStatusError';

  /** The op whose call got the status (`login` when it came during the login handshake). */
  readonly op: string;
  /** The HTTP status code. */
  readonly httpStatus: number;
  /** The first part of the response body, for diagnosis. */
  readonly body: string;

  constructor(op: string, httpStatus: number, statusText: string, body: string) {
    super('HS_ERR_NETWORK', `${op}: HTTP ${httpStatus} ${statusText}`.trim());
    this.op = op;
    this.httpStatus = httpStatus;
    this.body = body.slice(0, 2000);
  }
}

/** The request could not be made or did not finish: connection refused, reset, timeout or abort. */
export class NetworkError extends HaystackError {
  /** The class name, as a literal. */
  static override readonly errorName: string = 'NetworkError';

  /** True when the per-call timeout expired. */
  readonly timedOut: boolean;
  /** True when the caller's AbortSignal aborted the call. */
  readonly aborted: boolean;
  /** What failed, as far as the runtime tells (`unknown` in browsers). */
  readonly failure: NetworkFailure;
  /** The runtime's error code behind `failure` (e.g. `ECONNREFUSED`, `SELF_SIGNED_CERT_IN_CHAIN`), if any. */
  readonly failureCode: string | undefined;

  constructor(
    message: string,
    options: { readonly cause?: unknown; readonly timedOut?: boolean; readonly aborted?: boolean },
  ) {
    super('HS_ERR_NETWORK', message, options.cause === undefined ? undefined : { cause: options.cause });
    this.timedOut = options.timedOut ?? false;
    this.aborted = options.aborted ?? false;
    const found = classifyNetworkFailure(options.cause);
    this.failure = this.timedOut ? 'timeout' : this.aborted ? 'aborted' : found.failure;
    this.failureCode = found.code;
  }
}

/** The server wants a login (401) and the client has no credentials to give it. */
export class LoginRequiredError extends AuthError {
  static override readonly errorName: string = 'LoginRequiredError';
}

/**
 * A 401 from where a redirect took the request, when that is another origin (http to https,
 * another host): fetch sends no Authorization header there, so the refusal says nothing about the credentials.
 * The error names the API root there, the URL to use instead; undefined when the request was not sent away.
 */
export function redirectedAway(res: Response, requested: string, what: string): AuthError | undefined {
  if (!res.redirected || res.status !== 401) return undefined;
  const to = new URL(res.url);
  if (to.origin === new URL(requested).origin) return undefined;
  return new AuthError(`${what}: redirected to another origin: use ${new URL('.', to).href}`);
}
