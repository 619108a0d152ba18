// Options of createHandler/createServer: one object, every option documented with its default, validated eagerly.

import { createRequire } from 'node:module';
import { OptionError, type OptionErrorCode } from '../core/errors.js';
import { Namespace } from '../core/ontology/namespace.js';
import { checkOptionNames, type OptionNames } from '../core/options.js';
import { MAX_TIMER_MS } from '../core/timer-ms.js';
import { TimeZone } from '../core/tz/time-zone.js';
import type { Clock, StorageAdapter } from '../storage/adapter.js';
import { type ActionDef, type ActionRegistry, createActionRegistry } from './actions.js';
import type { ErrorStatusMode } from './http/error-reply.js';
import { DEFAULT_HOME_LINKS, type HomeLink } from './http/home-page.js';
import type { HttpRoute } from './http/route.js';
import { normalizeBasePath } from './http/router.js';
import type { UiOptions } from './http/ui-assets.js';
import { resolveServerLimits, type ServerLimits } from './limits.js';
import type { DefLib } from './namespace/namespace.js';
import type { AboutInfo, OpDef } from './op.js';
import { type Authenticate, type Authorize, type CloseSession, defaultAuthorize } from './principal.js';
import { DEFAULT_WEBSOCKET_OPTIONS, type WebSocketOptions } from './ws/ws-options.js';

/** Options of {@link createHandler} and {@link createServer}. Only `store` and an auth choice are required. */
export interface HaystackServerOptions {
  /** The store to serve. Required. */
  readonly store: StorageAdapter;
  /** Authentication step (see `principal.ts`). Required unless `noAuth` is true. */
  readonly authenticate?: Authenticate;
  /** Serve without authentication, every caller an anonymous admin: a development option. Default false. */
  readonly noAuth?: boolean;
  /**
   * With `noAuth`: Host names (without port) served besides loopback ones (`localhost`, `127.x.x.x`, `[::1]`);
   * any other Host is refused (403), so a web page cannot reach the server through DNS rebinding. Default none.
   */
  readonly allowedHosts?: readonly string[];
  /** Per-op role check. Default: the caller's roles must include the op's `requiredRole` (or a higher standard role). */
  readonly authorize?: Authorize;
  /** Ends a session for the `close` op. Default: nothing to close. */
  readonly closeSession?: CloseSession;
  /** Path under which ops are served (`{basePath}{op}`). Default `/api/`. */
  readonly basePath?: string;
  /** Custom ops, added to the standard ones; one with a standard op's name replaces it. Default none. */
  readonly ops?: readonly OpDef[];
  /** Resources other than ops under the base path (e.g. the users API of `createSecurity`), authenticated like ops. Default none. */
  readonly routes?: readonly HttpRoute[];
  /** Actions for `invokeAction`: definitions, or a registry the app keeps adding to. Default none. */
  readonly actions?: readonly ActionDef[] | ActionRegistry;
  /** Def libraries for `defs`/`libs`/`ops`/`filetypes`: a directory of Trio libs, loaded libs, or a compiled Namespace. Default none (the server's own lib only). */
  readonly defs?: string | readonly DefLib[] | Namespace;
  /** Server time zone (Haystack name or TimeZone), used by `about` and for points without `tz`. Default: the host's zone, else UTC. */
  readonly tz?: string | TimeZone;
  /** Source of the current time in epoch ms; give the store the same clock. Default `Date.now`. */
  readonly clock?: Clock;
  /** Facts reported by `about`. Default: serverName "haystack-ts", product and vendor of haystack-ts. */
  readonly about?: Partial<AboutInfo>;
  /** Input limits; each omitted one takes its default from `DEFAULT_SERVER_LIMITS`. */
  readonly limits?: Partial<ServerLimits>;
  /** Lease of a watch that asks for none, in ms. Default 300,000 (5 min). */
  readonly defaultLeaseMs?: number;
  /** Longest watch lease, in ms; longer requests are shortened. Default 3,600,000 (1 h). */
  readonly maxLeaseMs?: number;
  /** Add stack traces (`errTrace`) and internal messages to error grids. Default false. */
  readonly debug?: boolean;
  /** `spec` (default): op errors answer HTTP 200 with the error grid, as HttpApi requires; `http`: the error code's status. */
  readonly errorStatus?: ErrorStatusMode;
  /**
   * The page served at `/` (outside the base path) to a person at a browser: `false` serves none (404, as any other
   * path); an array replaces the links shown after the API root. Default: links to the HTTP API chapter and to the
   * haystack-ts documentation.
   */
  readonly homePage?: boolean | readonly HomeLink[];
  /**
   * The web UI at `/` (its assets under `/ui/`), from a directory `npm run build` writes (dist/ui): it replaces the
   * home page, whose links its `<noscript>` keeps. Default none (the home page answers `/`).
   */
  readonly ui?: UiOptions;
  /**
   * Keep encoded GET responses of read/nav/defs until a change invalidates them (exactly the entries a change can
   * affect). Only for stores written through this process: every write must go through the handler's `store`.
   * Default false.
   */
  readonly responseCache?: boolean;
  /**
   * Most entities whose encoded Zinc cells (and whole row, under the columns last answered with) are kept between
   * responses, so that reads and navs of entities served before copy their bytes instead of encoding their values
   * (entities are immutable: a changed one is a new entity, never an outdated entry). About 900 bytes per entity
   * kept; at most twice this many are held. Rows other than entities that are answered again and again (the `ops`
   * and `defs` grids) are kept the same way. The same bound holds the JSON v4 bytes of rows answered in JSON (about
   * their JSON size each). 0 keeps none. Default 10,000.
   */
  readonly cellMemoEntities?: number;
  /** The WebSocket endpoint `{basePath}ws`: its limits and timers (see `WebSocketOptions`), or false for none. Default on. */
  readonly webSocket?: Partial<WebSocketOptions> | false;
}

/** Options with every default filled in. */
export interface ResolvedServerOptions {
  readonly store: StorageAdapter;
  readonly authenticate: Authenticate | undefined;
  readonly allowedHosts: readonly string[];
  readonly authorize: Authorize;
  readonly closeSession: CloseSession;
  readonly basePath: string;
  readonly ops: readonly OpDef[];
  readonly routes: readonly HttpRoute[];
  readonly actions: ActionRegistry;
  readonly defs: string | readonly DefLib[] | Namespace | undefined;
  readonly tz: TimeZone;
  readonly clock: Clock;
  readonly about: AboutInfo;
  readonly limits: ServerLimits;
  readonly defaultLeaseMs: number;
  readonly maxLeaseMs: number;
  readonly debug: boolean;
  readonly errorStatus: ErrorStatusMode;
  readonly responseCache: boolean;
  readonly cellMemoEntities: number;
  readonly webSocket: Partial<WebSocketOptions> | false;
  /** Links of the page at `/`, or undefined for no page. */
  readonly homePage: readonly HomeLink[] | undefined;
  /** The web UI, if served. */
  readonly ui: UiOptions | undefined;
}

const KNOWN: OptionNames<HaystackServerOptions> = {
  homePage: true,
  ui: true,
  store: true,
  authenticate: true,
  noAuth: true,
  allowedHosts: true,
  authorize: true,
  closeSession: true,
  basePath: true,
  ops: true,
  routes: true,
  actions: true,
  defs: true,
  tz: true,
  clock: true,
  about: true,
  limits: true,
  defaultLeaseMs: true,
  maxLeaseMs: true,
  debug: true,
  errorStatus: true,
  responseCache: true,
  cellMemoEntities: true,
  webSocket: true,
};

/** Version of this package, reported as `productVersion` (package.json is two levels up from src/ and dist/). */
export const PRODUCT_VERSION: string = (() => {
  try {
    const pkg = createRequire(import.meta.url)('../../package.json') as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
})();

const DEFAULT_ABOUT: AboutInfo = Object.freeze({
  serverName: 'haystack-ts',
  productName: 'haystack-ts',
  productVersion: PRODUCT_VERSION,
  productUri: 'https://github.com/haystack-ts/haystack-ts',
  vendorName: 'haystack-ts',
  vendorUri: 'https://github.com/haystack-ts',
});

/** Throw the OptionError for `option` (its path) with `code`; the message keeps the `Server options:` prefix. */
function fail(code: OptionErrorCode, option: string, message: string): never {
  throw new OptionError(code, option, `Server options: ${message}`);
}

/** The host's time zone as a Haystack zone, else UTC: the server's zone when none is configured. */
export function hostZone(): TimeZone {
  const iana = new Intl.DateTimeFormat().resolvedOptions().timeZone;
  return TimeZone.find(iana) ?? TimeZone.UTC;
}

/** The `tz` option as a TimeZone (the host's zone when absent). */
function serverZone(tz: unknown): TimeZone {
  if (tz === undefined) return hostZone();
  if (tz instanceof TimeZone) return tz;
  if (typeof tz !== 'string') fail('HS_ERR_OPTION_TYPE', 'tz', 'tz must be a time zone name');
  return TimeZone.find(tz) ?? fail('HS_ERR_OPTION_RANGE', 'tz', `unknown time zone ${JSON.stringify(tz)}`);
}

function positiveMs(v: unknown, name: string, dflt: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number') fail('HS_ERR_OPTION_TYPE', name, `${name} must be a positive integer of ms`);
  if (!Number.isSafeInteger(v) || v <= 0 || v > max)
    fail('HS_ERR_OPTION_RANGE', name, `${name} must be a positive integer of at most ${String(max)}`);
  return v;
}

// Options come from JavaScript callers too, so a declared function type is still checked at run time.
function fn<T extends (...args: never[]) => unknown>(v: T | undefined, name: string): T | undefined {
  if (v === undefined) return undefined;
  if (typeof (v as unknown) !== 'function') fail('HS_ERR_OPTION_TYPE', name, `${name} must be a function`);
  return v;
}

function webSocketOptions(v: Partial<WebSocketOptions> | false | undefined): Partial<WebSocketOptions> | false {
  if (v === undefined) return {};
  if (v === false) return false;
  if (typeof v !== 'object' || (v as unknown) === null) {
    fail('HS_ERR_OPTION_TYPE', 'webSocket', 'webSocket must be an options object or false');
  }
  checkOptionNames('Server options', v, DEFAULT_WEBSOCKET_OPTIONS, 'webSocket.');
  for (const [k, x] of Object.entries(v) as [string, unknown][]) {
    if (k === 'compression') {
      if (typeof x !== 'boolean')
        fail('HS_ERR_OPTION_TYPE', 'webSocket.compression', 'webSocket.compression must be a boolean');
      // The ...Ms options run timers, which Node fires after 1 ms when asked to wait longer than MAX_TIMER_MS.
    } else positiveMs(x, `webSocket.${k}`, 1, k.endsWith('Ms') ? MAX_TIMER_MS : Number.MAX_SAFE_INTEGER);
  }
  return Object.freeze({ ...v });
}

/** Check every option and fill in defaults; throws an `OptionError` (code and option path) for the first bad one. */
export function resolveServerOptions(options: HaystackServerOptions): ResolvedServerOptions {
  checkOptionNames('Server options', options, KNOWN);
  const store = options.store as StorageAdapter | undefined;
  if (store === undefined) fail('HS_ERR_OPTION_MISSING', 'store', 'store must be a StorageAdapter');
  if (typeof store.read !== 'function') fail('HS_ERR_OPTION_TYPE', 'store', 'store must be a StorageAdapter');
  const authenticate = fn(options.authenticate, 'authenticate');
  if (options.noAuth !== undefined && typeof options.noAuth !== 'boolean') {
    fail('HS_ERR_OPTION_TYPE', 'noAuth', 'noAuth must be a boolean');
  }
  if (authenticate === undefined && options.noAuth !== true) {
    fail(
      'HS_ERR_OPTION_MISSING',
      'authenticate',
      'give an authenticate step, or noAuth: true to serve without authentication',
    );
  }
  if (authenticate !== undefined && options.noAuth === true) {
    fail('HS_ERR_OPTION_CONFLICT', 'noAuth', 'noAuth and authenticate exclude each other');
  }
  const allowedHosts: unknown = options.allowedHosts ?? [];
  if (!Array.isArray(allowedHosts) || allowedHosts.some((h) => typeof h !== 'string')) {
    fail('HS_ERR_OPTION_TYPE', 'allowedHosts', 'allowedHosts must be an array of host names');
  }
  if (options.basePath !== undefined) {
    if (typeof options.basePath !== 'string') fail('HS_ERR_OPTION_TYPE', 'basePath', 'basePath must be a URL path');
    if (/[?#\s]/.test(options.basePath)) fail('HS_ERR_OPTION_RANGE', 'basePath', 'basePath must be a URL path');
  }
  if (options.ops !== undefined && !Array.isArray(options.ops)) {
    fail('HS_ERR_OPTION_TYPE', 'ops', 'ops must be an array of op definitions');
  }
  const routes = options.routes ?? [];
  if (!Array.isArray(routes)) fail('HS_ERR_OPTION_TYPE', 'routes', 'routes must be an array of routes');
  for (const r of routes as readonly Partial<HttpRoute>[]) {
    if (typeof r.name !== 'string' || !/^[a-zA-Z][a-zA-Z0-9_-]*$/.test(r.name) || typeof r.serve !== 'function') {
      fail('HS_ERR_OPTION_TYPE', 'routes', 'each route needs a name (letters, digits, _ or -) and a serve function');
    }
  }
  const defs: unknown = options.defs;
  if (defs !== undefined && typeof defs !== 'string' && !Array.isArray(defs) && !(defs instanceof Namespace)) {
    fail('HS_ERR_OPTION_TYPE', 'defs', 'defs must be a directory, an array of def libs or a Namespace');
  }
  const tz = serverZone(options.tz);
  const about: AboutInfo = { ...DEFAULT_ABOUT };
  checkOptionNames('Server options', options.about ?? {}, DEFAULT_ABOUT, 'about.');
  for (const [k, v] of Object.entries(options.about ?? {}) as [string, unknown][]) {
    if (typeof v !== 'string') fail('HS_ERR_OPTION_TYPE', `about.${k}`, `about.${k} must be a string`);
  }
  Object.assign(about, options.about);
  const defaultLeaseMs = positiveMs(options.defaultLeaseMs, 'defaultLeaseMs', 300_000);
  const maxLeaseMs = positiveMs(options.maxLeaseMs, 'maxLeaseMs', 3_600_000);
  if (defaultLeaseMs > maxLeaseMs) {
    fail('HS_ERR_OPTION_CONFLICT', 'defaultLeaseMs', 'defaultLeaseMs must not exceed maxLeaseMs');
  }
  const errorStatus: unknown = options.errorStatus;
  if (errorStatus !== undefined && errorStatus !== 'spec' && errorStatus !== 'http') {
    fail('HS_ERR_OPTION_RANGE', 'errorStatus', 'errorStatus must be "spec" or "http"');
  }
  const actions = options.actions;
  const homePage = options.homePage ?? true;
  if (typeof homePage !== 'boolean' && !Array.isArray(homePage)) {
    fail('HS_ERR_OPTION_TYPE', 'homePage', 'homePage must be a boolean or an array of links');
  }
  const ui: unknown = options.ui;
  if (ui !== undefined && (typeof ui !== 'object' || ui === null || typeof (ui as UiOptions).dir !== 'string')) {
    fail('HS_ERR_OPTION_TYPE', 'ui', 'ui must be { dir: string }');
  }
  const limits = resolveServerLimits(options.limits);
  const cellMemoEntities: unknown = options.cellMemoEntities ?? 10_000;
  if (typeof cellMemoEntities !== 'number') {
    fail('HS_ERR_OPTION_TYPE', 'cellMemoEntities', 'cellMemoEntities must be a number');
  }
  if (!Number.isSafeInteger(cellMemoEntities) || cellMemoEntities < 0) {
    fail('HS_ERR_OPTION_RANGE', 'cellMemoEntities', 'cellMemoEntities must be an integer >= 0');
  }
  return Object.freeze({
    store,
    authenticate,
    allowedHosts: Object.freeze((allowedHosts as string[]).map((h) => h.toLowerCase())),
    authorize: fn(options.authorize, 'authorize') ?? defaultAuthorize,
    closeSession: fn(options.closeSession, 'closeSession') ?? (() => Promise.resolve()),
    basePath: normalizeBasePath(options.basePath ?? '/api/'),
    ops: options.ops ?? [],
    routes,
    actions:
      actions === undefined || Array.isArray(actions) ? createActionRegistry(actions) : (actions as ActionRegistry),
    defs: options.defs,
    tz,
    clock: fn(options.clock, 'clock') ?? Date.now,
    about: Object.freeze(about),
    limits,
    defaultLeaseMs,
    maxLeaseMs,
    debug: options.debug === true,
    errorStatus: options.errorStatus ?? 'spec',
    responseCache: options.responseCache === true,
    cellMemoEntities,
    webSocket: webSocketOptions(options.webSocket),
    homePage: homePage === true ? DEFAULT_HOME_LINKS : homePage === false ? undefined : homePage,
    ui: options.ui,
  });
}
