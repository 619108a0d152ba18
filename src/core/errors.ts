// Typed errors: one root class, a stable code per error, each code declared once with its wire consequence.

import { clipInput } from './echo-input.js';

/** Every error code of the library, with its HTTP status and Haystack error type (the table is the one source). */
export const ERROR_CODES = {
  /** Malformed input to a reader (Zinc, JSON, Trio, filter, ...). */
  HS_ERR_PARSE: { status: 400, type: 'ParseErr' },
  /** A value failed validation (bad tag name, ref chars, coord range, ...). */
  HS_ERR_INVALID_VALUE: { status: 400, type: 'ArgErr' },
  /** A time-zone name that is not a Haystack time zone. */
  HS_ERR_UNKNOWN_TZ: { status: 400, type: 'ArgErr' },
  /** An option a factory does not know (a misspelt name, or one from another factory). */
  HS_ERR_OPTION_UNKNOWN: { status: 400, type: 'ArgErr' },
  /** A required option is absent. */
  HS_ERR_OPTION_MISSING: { status: 400, type: 'ArgErr' },
  /** An option of the wrong type (a string where a number belongs, a value where a function belongs, ...). */
  HS_ERR_OPTION_TYPE: { status: 400, type: 'ArgErr' },
  /** An option of the right type outside its allowed values (a negative limit, an unknown time zone, a bad path). */
  HS_ERR_OPTION_RANGE: { status: 400, type: 'ArgErr' },
  /** Options that cannot go together (`noAuth` with `authenticate`, a default above its maximum, ...). */
  HS_ERR_OPTION_CONFLICT: { status: 400, type: 'ArgErr' },
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
  /**
   * The store cannot be reached for now (a database restarting), or the server holds all the large request bodies it
   * may: retry later; always HTTP 503, with Retry-After.
   */
  HS_ERR_UNAVAILABLE: { status: 503, type: 'IOErr' },
  /** A server answered with an error grid. */
  HS_ERR_CALL: { status: 500, type: 'CallErr' },
  /** A transport failure (network, timeout, bad HTTP status) talking to a server. */
  HS_ERR_NETWORK: { status: 502, type: 'IOErr' },
  /** An application could not start: a file it cannot read, a port it cannot bind, a store it cannot open. */
  HS_ERR_STARTUP: { status: 500, type: 'IOErr' },
  /** Def libraries that do not compile to a namespace (undefined symbol, cycle, duplicate, conflict, invalid def). */
  HS_ERR_DEF: { status: 400, type: 'DefErr' },
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

/** Brand of every error of this library, shared across copies of the package loaded side by side. */
const BRAND = Symbol.for('haystack-ts.error');

/** The `errorName`s of `ctor` and of every error class it extends, most derived first. */
function errorNames(ctor: unknown): string[] {
  const names: string[] = [];
  for (let c = ctor; typeof c === 'function'; c = Object.getPrototypeOf(c)) {
    if (Object.hasOwn(c, 'errorName')) names.push((c as unknown as { errorName: string }).errorName);
  }
  return names;
}

/**
 * Root of every error this library throws; `code` is stable, messages are not. `name` is a literal per class
 * (minifiers rename classes), and `instanceof` also recognizes errors of another copy of this package (an app
 * and a plugin each bundling one) by a `Symbol.for` brand carrying the class names.
 */
export class HaystackError extends Error {
  /** The class's `name`, declared by every subclass. */
  static readonly errorName: string = 'HaystackError';

  /** Stable machine-readable code. */
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: HaystackErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }

  /** True for instances of this class, from this copy of the package or another one. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (typeof value !== 'object' || value === null) return false;
    // `this` is the class on the right of instanceof (a subclass too), which is the point of the check.
    // biome-ignore lint/complexity/noThisInStatic: see above
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    const names: unknown = (value as { [BRAND]?: unknown })[BRAND];
    // biome-ignore lint/complexity/noThisInStatic: see above
    return Array.isArray(names) && names.includes(this.errorName);
  }

  /** The class names of this error, most derived first (what `instanceof` compares across copies). */
  get [BRAND](): readonly string[] {
    return errorNames(this.constructor);
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
    return (this.constructor as typeof HaystackError).errorName;
  }
}

/** Input that does not follow a format's grammar; `line` and `column` are 1-based. */
export class ParseError extends HaystackError {
  /** The class name, as a literal. */
  static override readonly errorName: string = 'ParseError';

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
  /** The class name, as a literal. */
  static override readonly errorName: string = 'ValueError';

  constructor(
    message: string,
    options?: HaystackErrorOptions & { readonly code?: 'HS_ERR_INVALID_VALUE' | OptionErrorCode },
  ) {
    super(options?.code ?? 'HS_ERR_INVALID_VALUE', message, options);
  }
}

/** The codes of {@link OptionError}, one per kind of problem with an option. */
export type OptionErrorCode =
  | 'HS_ERR_OPTION_UNKNOWN'
  | 'HS_ERR_OPTION_MISSING'
  | 'HS_ERR_OPTION_TYPE'
  | 'HS_ERR_OPTION_RANGE'
  | 'HS_ERR_OPTION_CONFLICT';

/**
 * Bad options to a factory (`createServer`, `HaystackClient`, a store, codec limits, ...): `code` says what is
 * wrong, `option` which option (a path such as `limits.maxDepth`). A ValueError, so existing handlers still apply.
 */
export class OptionError extends ValueError {
  /** The class name, as a literal. */
  static override readonly errorName: string = 'OptionError';

  /** The offending option's path, e.g. `basePath`, `limits.maxRows`, `webSocket.pingIntervalMs`. */
  readonly option: string;

  constructor(code: OptionErrorCode, option: string, message: string, options?: HaystackErrorOptions) {
    super(message, { ...options, code });
    this.option = option;
  }
}

/** A configured or input limit was exceeded. */
export class LimitError extends HaystackError {
  /** The class name, as a literal. */
  static override readonly errorName: string = 'LimitError';

  /** Name of the limit, e.g. `maxDepth`. */
  readonly limit: string;

  constructor(limit: string, message: string, code: 'HS_ERR_LIMIT' | 'HS_ERR_TOO_LARGE' = 'HS_ERR_LIMIT') {
    super(code, message);
    this.limit = limit;
  }
}

/** Authentication failed or is missing. */
export class AuthError extends HaystackError {
  /** The class name, as a literal. */
  static override readonly errorName: string = 'AuthError';

  constructor(
    message = 'Authentication failed',
    options?: HaystackErrorOptions & { readonly code?: 'HS_ERR_AUTH' | 'HS_ERR_THROTTLED' },
  ) {
    super(options?.code ?? 'HS_ERR_AUTH', message, options);
  }
}

/** The caller is authenticated but lacks the role for the action. */
export class PermissionError extends HaystackError {
  /** The class name, as a literal. */
  static override readonly errorName: string = 'PermissionError';

  constructor(message = 'Permission denied', options?: HaystackErrorOptions) {
    super('HS_ERR_PERMISSION', message, options);
  }
}

/** A record id that does not exist. */
export class UnknownRecError extends HaystackError {
  /** The class name, as a literal. */
  static override readonly errorName: string = 'UnknownRecError';

  /** The id that was not found. */
  readonly id: string;

  constructor(id: string, options?: HaystackErrorOptions) {
    super('HS_ERR_UNKNOWN_REC', `Unknown record @${clipInput(id)}`, options);
    this.id = id;
  }
}

/** A storage backend failure, or an optimistic-concurrency conflict (`HS_ERR_CONFLICT`). */
export class StorageError extends HaystackError {
  /** The class name, as a literal. */
  static override readonly errorName: string = 'StorageError';

  constructor(
    message: string,
    options?: HaystackErrorOptions & {
      readonly code?: 'HS_ERR_STORAGE' | 'HS_ERR_CONFLICT' | 'HS_ERR_UNAVAILABLE';
    },
  ) {
    super(options?.code ?? 'HS_ERR_STORAGE', message, options);
  }
}

/**
 * The store is unreachable for now (connection lost, database restarting): nothing of the call was applied, or
 * the store cannot tell (see the backend's notes). Servers answer it with HTTP 503 and `Retry-After`.
 */
export class StoreUnavailableError extends StorageError {
  /** The class name, as a literal. */
  static override readonly errorName: string = 'StoreUnavailableError';

  /** The backend that cannot be reached (`redis`, `postgres`). */
  readonly backend: string;

  constructor(backend: string, options?: HaystackErrorOptions) {
    super(`The ${backend} store is unavailable; retry later`, { ...options, code: 'HS_ERR_UNAVAILABLE' });
    this.backend = backend;
  }
}

/** The minimal view of an error grid that {@link CallError} needs (kept structural to avoid an import cycle). */
export interface ErrorGridLike {
  /** Grid meta with `err`, `dis`, `errTrace`, `errType`. */
  readonly meta: { get(name: string): unknown };
}

/** A server answered with an error grid; `grid` is that grid. */
export class CallError extends HaystackError {
  /** The class name, as a literal. */
  static override readonly errorName: string = 'CallError';

  /** The server's error grid. */
  readonly grid: ErrorGridLike;
  /** The server's stack trace, when it sent one. */
  readonly trace: string | undefined;
  /** The server's error type, when it sent one. */
  readonly remoteType: string | undefined;
  /** The server's stable error code (`errCode`, e.g. `HS_ERR_UNKNOWN_REC` from haystack-ts servers), when it sent one. */
  readonly remoteCode: string | undefined;
  /** The HTTP status the grid came with, when it came over HTTP (404 means the URL is not an op). */
  readonly httpStatus: number | undefined;

  constructor(grid: ErrorGridLike, httpStatus?: number) {
    const dis = grid.meta.get('dis');
    super('HS_ERR_CALL', typeof dis === 'string' ? dis : 'Server returned an error grid');
    this.grid = grid;
    const trace = grid.meta.get('errTrace');
    this.trace = typeof trace === 'string' ? trace : undefined;
    const type = grid.meta.get('errType');
    this.remoteType = typeof type === 'string' ? type : undefined;
    const code = grid.meta.get('errCode');
    this.remoteCode = typeof code === 'string' ? code : undefined;
    this.httpStatus = httpStatus;
  }
}
