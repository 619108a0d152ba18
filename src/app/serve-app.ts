// A running Haystack server composed: store, seed, security, server, demo simulator, logs, metrics and traces.

import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describeErrno } from '../core/errno-text.js';
import { HaystackError, ValueError } from '../core/errors.js';
import { TimeZone } from '../core/tz/time-zone.js';
import {
  attachMetricsHooks,
  createServer,
  type DefLib,
  type HaystackServer,
  type ListenAddress,
  loadDefLibs,
} from '../server/index.js';
import { compileDefLibs, defsProblem } from '../server/namespace/load-def-libs.js';
import type { StorageAdapter } from '../storage/adapter.js';
import { createMemoryUserStore } from '../storage/memory/index.js';
import type { AppOutput } from './app-output.js';
import { createDemoBuilding, type DemoBuilding, demoPresent, demoUnfinished } from './demo/demo-building.js';
import { createDemoSimulator, type DemoSimulator } from './demo/demo-simulator.js';
import { logEvents } from './observability/log-events.js';
import { type AppLogger, createLogger, type LogFormat, warningsLogged } from './observability/logger.js';
import {
  listenMetrics,
  type MetricsListener,
  type MetricsSource,
  metricsRoute,
} from './observability/metrics-server.js';
import { createPrometheusMetrics, type PrometheusMetrics } from './observability/prometheus.js';
import { traceHaystack, tracerRegistered } from './observability/tracing.js';
import {
  ADMIN_PASSWORD_FILE,
  type AppSecurity,
  type AppSecurityConfig,
  type AppTlsConfig,
  appTlsOptions,
  certificateText,
  prepareSecurity,
} from './security.js';
import { type SeedConfig, type Seeded, seedStore } from './seed.js';
import { DEFAULT_STORE, STORE_BACKENDS } from './stores/backends.js';
import { type OpenedStore, openStore, type StoreBackend } from './stores/store-backend.js';

/** Everything a running server is made from (what `haystack serve` flags turn into). */
export interface AppConfig {
  /** Interface to listen on. */
  readonly host: string;
  /** TCP port (0 picks a free one). */
  readonly port: number;
  /** The store to open: `sqlite:haystack.db` (default), `memory`, or another backend's text, see {@link STORE_BACKENDS}. */
  readonly store?: string;
  /**
   * Most entities each server process keeps decoded to answer reads in process (SQLite, PostgreSQL, Redis; 0: none,
   * the store answers every read); default the backend's, 1,000,000. Each worker of a cluster holds its own copy.
   */
  readonly scanCacheEntities?: number;
  /** What a fresh store starts with. */
  readonly seed: SeedConfig;
  /** Authentication and TLS. */
  readonly security: AppSecurityConfig;
  /** Directory of Trio def libraries (relative to `cwd`). */
  readonly defs?: string;
  /** Server time zone name. */
  readonly tz?: string;
  /** Stack traces in error grids. */
  readonly debug?: boolean;
  /** Cache encoded read/nav responses (default true). */
  readonly responseCache?: boolean;
  /** Compress WebSocket messages of 1 KiB or more (permessage-deflate); default false. */
  readonly webSocketCompression?: boolean;
  /** Only errors in the log (level `error`) unless `logLevel` says otherwise (default false: level `info`). */
  readonly quiet?: boolean;
  /** Least severe log level written: fatal, error, warn, info (default), debug, trace or silent. */
  readonly logLevel?: LogLevel;
  /** `json` lines (default) or `pretty` lines (`TIME level event key=value ...`, what a terminal wants). */
  readonly logFormat?: LogFormat;
  /** Prometheus metrics: on when given (`haystack serve --metrics`). */
  readonly metrics?: AppMetricsConfig;
  /**
   * OpenTelemetry spans per op and store call: `auto` (default) traces when an SDK registered a global tracer
   * provider before start, `off` never does.
   */
  readonly tracing?: 'auto' | 'off';
  /** How often the demo simulator moves live values, in ms (default 5,000). */
  readonly simulatorIntervalMs?: number;
  /** Directory relative paths resolve against. */
  readonly cwd: string;
  /** Store backends to choose from (default {@link STORE_BACKENDS}). */
  readonly backends?: readonly StoreBackend[];
  /**
   * Directory of the built web UI served at `/` (relative to `cwd`), or false for none. Default: the package's
   * dist/ui when `npm run build` wrote it; without it (e.g. running from the sources) `/` answers the home page.
   */
  readonly ui?: string | false;
  /**
   * Set in one of several processes serving one store (`haystack serve --workers N`): the store was prepared
   * before (seeded, first admin made; see {@link prepareApp}), so nothing is seeded here, and the demo simulator
   * runs only in the process where `simulator` is true.
   */
  readonly worker?: AppWorker;
}

/** How one process of a cluster differs from a lone server (see {@link AppConfig.worker}). */
export interface AppWorker {
  /** Whether the demo simulator runs in this process (in one process of the cluster only). */
  readonly simulator: boolean;
  /** This process's index among the workers (1 to N): a `worker` field on every log record. */
  readonly index?: number;
  /**
   * With metrics on: what `{api}metrics` answers (the cluster's sum, from the primary). No metrics listener is
   * opened here then: the primary serves `--metrics-listen` itself.
   */
  readonly metrics?: MetricsSource;
}

/** Log levels of {@link AppConfig.logLevel}. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Where Prometheus metrics are served. */
export interface AppMetricsConfig {
  /**
   * A listener of its own serving `GET /metrics` without login (for the scraper, on loopback or an internal
   * interface). Without it the metrics are only at `{api}metrics` on the API server, for admins.
   */
  readonly listen?: { readonly host: string; readonly port: number };
}

/** A started app. */
export interface RunningApp {
  /** Where it listens. */
  readonly address: ListenAddress;
  /** What the store holds, e.g. `demo building: 512 entities, ...`. */
  readonly summary: string;
  /** How access is described, e.g. `authentication required`. */
  readonly access: string;
  /** The server (its handler and pipeline, for embedding apps and tests). */
  readonly server: HaystackServer;
  /** The metrics registry, with `metrics` on. */
  readonly metrics: PrometheusMetrics | undefined;
  /** Where the metrics listener answers (`http://host:port/metrics`), with `metrics.listen`. */
  readonly metricsUrl: string | undefined;
  /** The app's logger (child loggers per subsystem come from it). */
  readonly logger: AppLogger;
  /**
   * Serve renewed TLS files (what `haystack serve` does on SIGHUP) from the next handshake on; returns the new
   * certificate in one line. Throws a `ValueError` and keeps serving the current ones when they are refused, or
   * when the app serves plain HTTP.
   */
  reloadTls(tls: AppTlsConfig): string;
  /** Stop the simulator, the subscribers and the server, then close the store. */
  close(): Promise<void>;
}

const DEFAULT_SIMULATOR_INTERVAL_MS = 5000;

/** Where `npm run build` writes the web UI: dist/ui beside dist/app (this module's folder once built). */
export const BUILT_UI_DIR: string = fileURLToPath(new URL('../ui/', import.meta.url));

// The UI directory to serve: the configured one (which must exist), else the built one when present.
function uiDir(config: AppConfig): string | undefined {
  if (config.ui === false) return undefined;
  if (config.ui !== undefined) return path.resolve(config.cwd, config.ui);
  return existsSync(path.join(BUILT_UI_DIR, 'index.html')) ? BUILT_UI_DIR : undefined;
}

// The server's own settings, checked before the store opens: a typo must not first make a store file and its admin.
function checkServerSettings(config: AppConfig): void {
  if (config.tz !== undefined && TimeZone.find(config.tz) === undefined) {
    throw new ValueError(`--tz: unknown time zone ${JSON.stringify(config.tz)}`);
  }
  const ui = uiDir(config);
  if (ui !== undefined && !existsSync(path.join(ui, 'index.html')))
    throw new ValueError(`--ui ${ui} has no index.html`);
}

// Def errors logged one a line at most; the rest are counted (`haystack defs --defs DIR` shows them one at a time).
const MAX_DEF_PROBLEMS_LOGGED = 20;

// The def libs of `--defs DIR`, read once at start: a folder that cannot be read or holds no lib is a start error.
// Libs that compile only in part are served as far as they compile, as Haxall does; what does not is logged here,
// where whoever chose the folder reads, since no request would ever tell them. Warnings go to `logger` at `debug`.
async function startupDefs(dir: string, out: AppOutput, logger?: AppLogger): Promise<readonly DefLib[]> {
  let libs: readonly DefLib[];
  try {
    libs = await loadDefLibs(dir);
  } catch (err) {
    throw new HaystackError('HS_ERR_STARTUP', `--defs ${defsProblem(dir, err)}`, { cause: err });
  }
  if (libs.length === 0) {
    throw new HaystackError('HS_ERR_STARTUP', `--defs ${dir}: no def libs (Trio files) in it or its sub-directories`);
  }
  const all = compileDefLibs(libs, { lenient: true }).problems;
  // Warnings only when asked (`--log-level debug`): the standard libs themselves carry four (phIoT's chiller-* defs
  // inherit two docs), which nobody serving them can act on.
  for (const p of all) if (p.severity === 'warning') logger?.debug({ subsystem: 'defs' }, `--defs ${p.message}`);
  const problems = all.filter((p) => p.severity === 'error');
  for (const p of problems.slice(0, MAX_DEF_PROBLEMS_LOGGED)) out.warn(`--defs ${p.message}`);
  if (problems.length > MAX_DEF_PROBLEMS_LOGGED) {
    out.warn(`--defs: ${String(problems.length - MAX_DEF_PROBLEMS_LOGGED)} more problems not shown`);
  }
  return libs;
}

/**
 * Open the store, seed it (when fresh), prepare security, start the server and, for the demo building, the
 * simulator that moves its live values. Bad settings throw `ValueError`; a file, store or port that fails throws a
 * `HaystackError` with `HS_ERR_STARTUP` (so does a `defs` folder without libs). Everything started is stopped
 * again when start-up fails half way.
 */
export async function startApp(config: AppConfig, out: AppOutput): Promise<RunningApp> {
  const cleanup: (() => void | Promise<void>)[] = [];
  const unwind = async (): Promise<void> => {
    for (const step of cleanup.splice(0).reverse()) await step();
  };
  try {
    const logger = appLogger(config, out);
    const output = warningsLogged(out, logger);
    cleanup.push(logEvents(logger));
    if (config.tracing !== 'off' && tracerRegistered()) cleanup.push(traceHaystack());
    // Before the store opens: a wrong folder fails the start, not every later `ops` or `defs` call.
    const defs =
      config.defs === undefined ? undefined : await startupDefs(path.resolve(config.cwd, config.defs), output, logger);
    const { opened, security, seeded, summary } = await openPrepared(config, output, cleanup);
    const metrics =
      config.metrics === undefined
        ? undefined
        : createPrometheusMetrics({
            store: opened.store,
            ...(opened.scanCache === undefined ? {} : { scanCache: opened.scanCache }),
            knownOp: (op) => server.handler.ops.get(op) !== undefined,
            ...(config.worker?.metrics === undefined ? {} : { clampSessions: false }),
          });
    const securityRoutes = 'routes' in security.serverOptions ? security.serverOptions.routes : [];
    const ui = uiDir(config);
    const server = createServer({
      store: opened.store,
      ...security.serverOptions,
      ...(metrics === undefined
        ? {}
        : { routes: [...securityRoutes, metricsRoute(config.worker?.metrics ?? metrics)] }),
      ...(security.tls === undefined ? {} : { tls: security.tls }),
      debug: config.debug === true,
      responseCache: config.responseCache !== false,
      ...(config.webSocketCompression === true ? { webSocket: { compression: true } } : {}),
      ...(defs === undefined ? {} : { defs }),
      ...(config.tz === undefined ? {} : { tz: config.tz }),
      ...(ui === undefined ? {} : { ui: { dir: ui } }),
    });
    // Before listening, so the first connections are counted.
    if (metrics !== undefined) cleanup.push(attachMetricsHooks(metrics.hooks, server.handler.pipeline));
    let address: ListenAddress;
    try {
      address = await server.listen(config.port, config.host);
    } catch (err) {
      throw new HaystackError(
        'HS_ERR_STARTUP',
        `cannot listen on ${config.host}:${config.port}: ${listenFailure(err)}`,
        {
          cause: err,
        },
      );
    }
    cleanup.push(() => server.close());
    // Once listening: a large SQLite store's scan cache fills in the background, ready for the first full scan.
    opened.warm?.();
    let metricsUrl: string | undefined;
    if (metrics !== undefined) {
      const listen = config.metrics?.listen;
      // A cluster's primary serves the listener (the sum over workers), not each worker.
      if (listen !== undefined && config.worker?.metrics === undefined) {
        const listener = await listenMetricsAt(metrics, listen);
        cleanup.push(() => listener.close());
        metricsUrl = listener.url;
      }
    }
    const simulator =
      config.worker?.simulator === false ? undefined : startSimulator(server, seeded.demo, config, output);
    if (simulator !== undefined) {
      cleanup.push(() => {
        simulator.stop();
      });
    }
    const reloadTls = (tls: AppTlsConfig): string => {
      if (security.tls === undefined) throw new ValueError('TLS reload: this server serves plain HTTP');
      const { cert, key, ca } = appTlsOptions(tls);
      server.setTls({ cert, key, ca });
      return certificateText(tls.cert);
    };
    return { address, summary, access: security.access, server, metrics, metricsUrl, logger, reloadTls, close: unwind };
  } catch (err) {
    await unwind();
    throw err;
  }
}

/** The app's logger as `config` sets it (level, format), writing to `out.log`; a worker's records carry its index. */
export function appLogger(config: AppConfig, out: AppOutput): AppLogger {
  return createLogger({
    level: config.logLevel ?? (config.quiet === true ? 'error' : 'info'),
    format: config.logFormat ?? 'json',
    write: out.log,
    ...(config.worker?.index === undefined ? {} : { fields: { worker: config.worker.index } }),
  });
}

// Why the server's port could not be taken, and for a taken port what to do: the usual first-run stumble.
function listenFailure(err: unknown): string {
  const why = describeErrno(err);
  return (err as { code?: unknown }).code === 'EADDRINUSE'
    ? `${why}: stop what listens there, or choose another --port (0 picks a free one)`
    : why;
}

/** {@link listenMetrics} on `listen`, failing with `HS_ERR_STARTUP` when the address cannot be had. */
export async function listenMetricsAt(
  source: MetricsSource,
  listen: { readonly host: string; readonly port: number },
): Promise<MetricsListener> {
  try {
    return await listenMetrics(source, listen.host, listen.port);
  } catch (err) {
    throw new HaystackError(
      'HS_ERR_STARTUP',
      `cannot listen for metrics on ${listen.host}:${String(listen.port)}: ${describeErrno(err)}`,
      { cause: err },
    );
  }
}

/** What {@link prepareApp} did: the start-up lines of a cluster. */
export interface PreparedApp {
  /** What the store holds, e.g. `store sqlite ...: 512 entities, demo building ...`. */
  readonly summary: string;
  /** How access is described, e.g. `authentication required`. */
  readonly access: string;
}

/**
 * Prepare a store for several server processes (`haystack serve --workers N`), in the process that starts them:
 * check that the store can be shared (a persistent backend that announces changes and keeps the auth state, so that
 * caches, watches, tokens and the login throttle work across processes), make the first admin and seed it when
 * fresh, then close it. Each worker then runs {@link startApp} with `worker` set. Refusals throw `ValueError`.
 */
export async function prepareApp(config: AppConfig, out: AppOutput): Promise<PreparedApp> {
  const cleanup: (() => void | Promise<void>)[] = [];
  try {
    // Checked here too, so that a wrong folder stops the start instead of every worker failing and restarting.
    if (config.defs !== undefined) await startupDefs(path.resolve(config.cwd, config.defs), out);
    const { opened, security, summary } = await openPrepared(config, out, cleanup, true);
    if (!opened.persistent || opened.store.subscribeChanges === undefined || opened.authState === undefined) {
      throw new ValueError(
        `--workers needs a store that several processes share (e.g. --store sqlite:FILE): ${opened.description} ${
          opened.persistent ? 'does not announce changes to other processes' : 'lives in one process only'
        }`,
      );
    }
    return { summary, access: security.access };
  } finally {
    for (const step of cleanup.splice(0).reverse()) await step();
  }
}

// Open the store, prepare security, and seed a fresh store unless a cluster's primary did it already.
async function openPrepared(
  config: AppConfig,
  out: AppOutput,
  cleanup: (() => void | Promise<void>)[],
  checkOnly = false,
): Promise<{ opened: OpenedStore; security: AppSecurity; seeded: Seeded; summary: string }> {
  // TLS files are checked first: a key that does not match its certificate stops the start before the store opens.
  if (config.security.tls !== undefined) appTlsOptions(config.security.tls);
  checkServerSettings(config);
  // The primary of a cluster prepares the store and closes it: a copy of its entities would be thrown away.
  const scanCacheEntities = checkOnly ? 0 : config.scanCacheEntities;
  const opened = await openStore(config.store ?? DEFAULT_STORE, config.backends ?? STORE_BACKENDS, {
    cwd: config.cwd,
    ...(scanCacheEntities === undefined ? {} : { scanCacheEntities }),
  });
  cleanup.push(() => opened.close());
  // Memory cannot serve several processes: refused before anything is printed or seeded.
  if (checkOnly && !opened.persistent) return { opened, security: NO_SECURITY, seeded: NOTHING, summary: '' };
  const users = opened.users ?? createMemoryUserStore();
  const adminPasswordFile = path.resolve(
    config.cwd,
    config.security.adminPasswordFile ??
      (opened.file === undefined ? ADMIN_PASSWORD_FILE : `${opened.file}.admin-password`),
  );
  const security = await prepareSecurity(
    { ...config.security, adminPasswordFile },
    users,
    opened.users !== undefined,
    out,
    opened.authState,
  );
  cleanup.push(() => {
    security.stop();
  });
  const fresh =
    config.worker === undefined &&
    (!opened.persistent || (await opened.store.read({ filter: 'id', limit: 1 })).length === 0);
  // The demo takes several commits: a first start that failed or was killed during them left it half-written.
  const unfinished =
    !fresh && config.worker === undefined && config.seed.kind === 'demo' && (await demoUnfinished(opened.store));
  let seeded: Seeded;
  if (fresh || unfinished) {
    seeded = await seedStore(opened.store, config.seed, config.cwd, { inBatches: !opened.persistent });
    if (unfinished) seeded = { ...seeded, summary: `${seeded.summary} (an earlier start's seed, finished)` };
  } else {
    seeded = { summary: 'kept from before (nothing seeded)', demo: await keptDemo(opened.store, config.seed) };
  }
  const held = await opened.store.count();
  const summary = `store ${opened.description}: ${String(held)} entities, ${seeded.summary}`;
  return { opened, security, seeded, summary };
}

const NO_SECURITY: AppSecurity = { serverOptions: { noAuth: true }, tls: undefined, access: '', stop: () => undefined };
const NOTHING: Seeded = { summary: '', demo: undefined };

// A kept store that holds the demo building keeps its values moving: the simulator reads its state from the store.
async function keptDemo(store: StorageAdapter, seed: SeedConfig): Promise<DemoBuilding | undefined> {
  if (seed.kind !== 'demo') return undefined;
  const building = createDemoBuilding();
  return (await demoPresent(store, building)) ? building : undefined;
}

function startSimulator(
  server: HaystackServer,
  demo: DemoBuilding | undefined,
  config: AppConfig,
  out: AppOutput,
): DemoSimulator | undefined {
  if (demo === undefined) return undefined;
  // The simulator writes through the server's view of the store, so cached responses see its changes.
  const simulator = createDemoSimulator(server.handler.store, demo, {
    onError: (err) => {
      out.warn(`demo simulator: ${String(err)}`);
    },
  });
  simulator.start(config.simulatorIntervalMs ?? DEFAULT_SIMULATOR_INTERVAL_MS);
  return simulator;
}
