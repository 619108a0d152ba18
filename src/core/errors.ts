// Typed errors: one root class, a stable code per error, each code declared once with its wire consequence.

/** Every error code of the library, with its HTTP status and Haystack error type (the table is the one source). */
export const ERROR_CODES = {
  /** Malformed input to a reader (Zinc, JSON, Trio, filter, ...). */
  HS_ERR_PARSE: { status: 400, type: 'ParseErr' },
  /** A value failed validation (bad tag name, ref chars, coord range, ...). */
  HS_ERR_INVALID_VALUE: { status: 400, type: 'ArgErr' },
  /** A time-zone name that is not a Haystack time zone. */
  HS_ERR_UNKNOWN_TZ: { status: 400, type: 'ArgErr' },
  /** A request argument is missing or of the wrong kind. */
  HS_ERR_BAD_REQUEST: { status: 400, type: 'ArgErr' },
  /** An input limit was exceeded (nesting depth, rows, filter length, ...). */
  HS_ERR_LIMIT: { status: 400, type: 'LimitErr' },
  /** A request body larger than allowed. */
  HS_ERR_TOO_LARGE: { status: 413, type: 'LimitErr' },
  /** No credentials, or credentials that do not authenticate. */
  HS_ERR_AUTH: { status: 401, type: 'AuthErr' },
  /** An auth exchange that failed (Auth chapter: 403); never says which part failed. */
  HS_ERR_AUTH_FAILED: { status: 403, type: 'AuthErr' },
  /** Authenticated but not allowed to do this. */
  HS_ERR_PERMISSION: { status: 403, type: 'PermissionErr' },
  /** An op the server does not have. */
  HS_ERR_UNKNOWN_OP: { status: 404, type: 'UnknownNameErr' },
  /** A record id that does not exist. */
  HS_ERR_UNKNOWN_REC: { status: 404, type: 'UnknownRecErr' },
  /** A named thing (action, user, watch, lib, ...) that does not exist. */
  HS_ERR_UNKNOWN_NAME: { status: 404, type: 'UnknownNameErr' },
  /** An HTTP method the op does not accept. */
  HS_ERR_METHOD_NOT_ALLOWED: { status: 405, type: 'UnsupportedErr' },
  /** An optimistic-concurrency conflict (stale `mod`) or a duplicate. */
  HS_ERR_CONFLICT: { status: 409, type: 'ConcurrentChangeErr' },
  /** A media type the server cannot read or write. */
  HS_ERR_UNSUPPORTED_MEDIA: { status: 415, type: 'UnsupportedErr' },
  /** No format the client's Accept header allows (HttpApi: 406). */
  HS_ERR_NOT_ACCEPTABLE: { status: 406, type: 'UnsupportedErr' },
  /** An HTTP method other than GET or POST (HttpApi: 501). */
  HS_ERR_NOT_IMPLEMENTED: { status: 501, type: 'UnsupportedErr' },
  /** Too many attempts; try again later. */
  HS_ERR_THROTTLED: { status: 429, type: 'AuthErr' },
  /** A storage backend failed. */
  HS_ERR_STORAGE: { status: 500, type: 'StorageErr' },
  /** A server answered with an error grid. */
  HS_ERR_CALL: { status: 500, type: 'CallErr' },
  /** A transport failure (network, timeout, bad HTTP status) talking to a server. */
  HS_ERR_NETWORK: { status: 502, type: 'IOErr' },
  /** An application could not start: a file it cannot read, a port it cannot bind, a store it cannot open. */
  HS_ERR_STARTUP: { status: 500, type: 'IOErr' },
  /** A bug or an unexpected failure; never leaks internals over the wire. */
  HS_ERR_INTERNAL: { status: 500, type: 'Err' },
} as const satisfies Record<string, { readonly status: number; readonly type: string }>;

/** One of the codes in {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Options every error accepts. */
export interface HaystackErrorOptions {
  /** The underlying error, if any. */
  readonly cause?: unknown;
}

/** Root of every error this library throws; `code` is stable, messages are not. */
export class HaystackError extends Error {
  /** Stable machine-readable code. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: HaystackErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }

  /** HTTP status this error maps to. */
  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  /** Haystack error type name (`err` grid meta `errType`). */
  get errType(): string {
    return ERROR_CODES[this.code].type;
  }

  override get name(): string {
    return this.constructor.name;
  }
}

/** Input that does not follow a format's grammar; `line` and `column` are 1-based. */
export class ParseError extends HaystackError {
  /** Format being read: `zinc`, `json`, `trio`, `filter`, ... */
  readonly format: string;
  /** 1-based line of the offending character. */
  readonly line: number;
  /** 1-based column of the offending character. */
  readonly column: number;
  /** The message without the position prefix. */
  readonly reason: string;

  constructor(format: string, line: number, column: number, reason: string, options?: HaystackErrorOptions) {
    super('HS_ERR_PARSE', `${format} ${line}:${column}: ${reason}`, options);
    this.format = format;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

/** A value that fails validation (constructor arguments, tag names, ...). */
export class ValueError extends HaystackError {
  constructor(message: string, options?: HaystackErrorOptions) {
    super('HS_ERR_INVALID_VALUE', message, options);
  }
}

/** A configured or input limit was exceeded. */
export class LimitError extends HaystackError {
  /** Name of the limit, e.g. `maxDepth`. */
  readonly limit: string;

  constructor(limit: string, message: string, code: 'HS_ERR_LIMIT' | 'HS_ERR_TOO_LARGE' = 'HS_ERR_LIMIT') {
    super(code, message);
    this.limit = limit;
  }
}

/** Authentication failed or is missing. */
export class AuthError extends HaystackError {
  constructor(
    message = 'Authentication failed',
    options?: HaystackErrorOptions & { readonly code?: 'HS_ERR_AUTH' | 'HS_ERR_THROTTLED' },
  ) {
    super(options?.code ?? 'HS_ERR_AUTH', message, options);
  }
}

/** The caller is authenticated but lacks the role for the action. */
export class PermissionError extends HaystackError {
  constructor(message = 'Permission denied', options?: HaystackErrorOptions) {
    super('HS_ERR_PERMISSION', message, options);
  }
}

/** A record id that does not exist. */
export class UnknownRecError extends HaystackError {
  /** The id that was not found. */
  readonly id: string;

  constructor(id: string, options?: HaystackErrorOptions) {
    super('HS_ERR_UNKNOWN_REC', `Unknown record @${id}`, options);
    this.id = id;
  }
}

/** A storage backend failure, or an optimistic-concurrency conflict (`HS_ERR_CONFLICT`). */
export class StorageError extends HaystackError {
  constructor(
    message: string,
    options?: HaystackErrorOptions & { readonly code?: 'HS_ERR_STORAGE' | 'HS_ERR_CONFLICT' },
  ) {
    super(options?.code ?? 'HS_ERR_STORAGE', message, options);
  }
}

/** The minimal view of an error grid that {@link CallError} needs (kept structural to avoid an import cycle). */
export interface ErrorGridLike {
  /** Grid meta with `err`, `dis`, `errTrace`, `errType`. */
  readonly meta: { get(name: string): unknown };
}

/** A server answered with an error grid; `grid` is that grid. */
export class CallError extends HaystackError {
  /** The server's error grid. */
  readonly grid: ErrorGridLike;
  /** The server's stack trace, when it sent one. */
  readonly trace: string | undefined;
  /** The server's error type, when it sent one. */
  readonly remoteType: string | undefined;

  constructor(grid: ErrorGridLike) {
    const dis = grid.meta.get('dis');
    super('HS_ERR_CALL', typeof dis === 'string' ? dis : 'Server returned an error grid');
    this.grid = grid;
    const trace = grid.meta.get('errTrace');
    this.trace = typeof trace === 'string' ? trace : undefined;
    const type = grid.meta.get('errType');
    this.remoteType = typeof type === 'string' ? type : undefined;
  }
}
