// The one place an error becomes a response: HTTP status plus error grid (`err`, `dis`, `errType`, `errTrace`).

import { type ErrorCode, HaystackError, type HaystackErrorOptions } from '../../core/errors.js';
import { Dict } from '../../core/grid/dict.js';
import { Grid } from '../../core/grid/grid.js';
import { MARKER } from '../../core/kinds/marker.js';

/** How request errors (after the request grid was read) are reported. */
export type ErrorStatusMode = 'spec' | 'http';

/** A HaystackError that also carries response headers (e.g. `Allow` on a 405). */
export class HttpHeaderError extends HaystackError {
  /** The class name, as a literal. */
  static override readonly errorName: string = 'HttpHeaderError';

  /** Headers to add to the error response. */
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    code: ErrorCode,
    message: string,
    headers: Readonly<Record<string, string>>,
    options?: HaystackErrorOptions,
  ) {
    super(code, message, options);
    this.headers = headers;
  }
}

/** The response for an error. */
export interface ErrorReply {
  /** HTTP status. */
  readonly status: number;
  /** The error grid. */
  readonly grid: Grid;
  /** The error's code (`HS_ERR_INTERNAL` for anything that is not a HaystackError). */
  readonly code: ErrorCode;
  /** Extra response headers. */
  readonly headers: Readonly<Record<string, string>>;
}

/** What decides the reply besides the error. */
export interface ErrorReplyOptions {
  /** Add `errTrace` (the stack) and keep the messages of internal errors. */
  readonly debug: boolean;
  /** True once the request grid has been read, i.e. the error comes from the op itself. */
  readonly requestRead: boolean;
  /** `spec` (default): HttpApi says errors after the request grid is read answer 200 with the error grid; `http`: always the code's status. */
  readonly mode: ErrorStatusMode;
}

const INTERNAL_DIS = 'Internal server error';
// RFC 9110 10.2.3: seconds to wait before retrying; a restarting store is usually back within seconds.
const RETRY_AFTER: Readonly<Record<string, string>> = Object.freeze({ 'retry-after': '1' });
// Messages may quote client input; a cap keeps every error grid small whatever was sent.
const MAX_DIS = 1024;

/**
 * Turn any thrown value into a status and an error grid. HttpApi, Error Grid: the meta has `err`, a
 * human-readable `dis` and, when the runtime has stack traces, `errTrace`; we add `errType` (the Haystack
 * error type) and `errCode` (our stable code). A 5xx error never shows its message or stack unless debugging.
 */
export function errorReply(err: unknown, options: ErrorReplyOptions): ErrorReply {
  const known = err instanceof HaystackError ? err : undefined;
  const code: ErrorCode = known?.code ?? 'HS_ERR_INTERNAL';
  const httpStatus = known?.status ?? 500;
  // A 501 (a method the API does not serve) and a 503 (store unavailable, a fixed message) say what is wrong; other
  // 5xx never show internals.
  const internal = httpStatus >= 500 && code !== 'HS_ERR_NOT_IMPLEMENTED' && code !== 'HS_ERR_UNAVAILABLE';
  const showDetail = options.debug || !internal;
  const full = showDetail && err instanceof Error && err.message !== '' ? err.message : INTERNAL_DIS;
  const dis = full.length > MAX_DIS ? `${full.slice(0, MAX_DIS)}...` : full;
  const trace = options.debug && err instanceof Error ? err.stack : undefined;
  const meta = Dict.of({
    err: MARKER,
    dis,
    errType: known?.errType ?? 'Err',
    errCode: code,
    errTrace: trace,
  });
  // HttpApi, Error Handling: only a request that cannot be read gets an HTTP error status. A store that is down is
  // not the request's fault: 503 tells clients and load balancers to retry (RFC 9110 15.6.4), in both modes.
  const unavailable = code === 'HS_ERR_UNAVAILABLE';
  const status = options.mode === 'spec' && options.requestRead && !unavailable ? 200 : httpStatus;
  return {
    status,
    grid: Grid.fromTrustedParts(meta, Object.freeze([{ name: 'empty', meta: Dict.EMPTY }]), []),
    code,
    headers: err instanceof HttpHeaderError ? err.headers : unavailable ? RETRY_AFTER : {},
  };
}
