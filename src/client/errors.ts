// Client-side failures: an HTTP status that carries no error grid, and network or timeout failures.

import { HaystackError } from '../core/errors.js';

/** The server answered with an HTTP error status and no readable error grid. */
export class HttpStatusError extends HaystackError {
  /** The class name, as a literal. */
  static override readonly errorName: string = 'HttpStatusError';

  /** The HTTP status code. */
  readonly httpStatus: number;
  /** The first part of the response body, for diagnosis. */
  readonly body: string;

  constructor(httpStatus: number, statusText: string, body: string) {
    super('HS_ERR_NETWORK', `HTTP ${httpStatus} ${statusText}`.trim());
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

  constructor(
    message: string,
    options: { readonly cause?: unknown; readonly timedOut?: boolean; readonly aborted?: boolean },
  ) {
    super('HS_ERR_NETWORK', message, options.cause === undefined ? undefined : { cause: options.cause });
    this.timedOut = options.timedOut ?? false;
    this.aborted = options.aborted ?? false;
  }
}
