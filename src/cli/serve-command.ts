// `haystack serve`: parses its flags into an app config, starts the app, prints where it listens, stops on Ctrl-C.

import { type Command, Option } from 'commander';
import type { AppConfig, AppOutput, AppTlsConfig, RunningApp, RunningCluster, SeedConfig } from '../app/index.js';
// Leaf modules only: the help text names these, and `haystack --help` must not load the app (see runServe).
import { DEFAULT_METRICS_PORT, LOG_LEVELS, MAX_WORKERS } from '../app/serve-defaults.js';
import { DEFAULT_STORE, STORE_BACKENDS } from '../app/stores/backends.js';
import { HaystackError, ValueError } from '../core/errors.js';
import { CliExit, type CliIo } from './io.js';
import { readFileArg } from './read-file-arg.js';

/** Options of `haystack serve` as commander parses them. */
interface ServeOptions {
  readonly port: string;
  readonly host: string;
  /** False with `--no-auth`. */
  readonly auth: boolean;
  readonly store: string;
  readonly data?: string;
  readonly defs?: string;
  readonly tz?: string;
  readonly demoDays: string;
  readonly debug?: boolean;
  readonly quiet?: boolean;
  readonly cache: boolean;
  readonly wsCompression?: boolean;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
  readonly tlsCa?: string;
  readonly tlsClientOptional?: boolean;
  readonly allowPlaintext?: boolean;
  /** Where a generated first-admin password goes. */
  readonly adminPasswordFile?: string;
  /** Comma-separated reverse-proxy addresses whose X-Forwarded-For names the client. */
  readonly trustProxy?: string;
  /** Minutes a token may stay unused. */
  readonly sessionIdle: string;
  /** Minutes a token lives at most. */
  readonly sessionMax: string;
  readonly logLevel?: string;
  readonly logFormat?: string;
  readonly metrics?: boolean;
  /** `host:port` of the metrics listener. */
  readonly metricsListen?: string;
  /** Processes serving the port. */
  readonly workers: string;
  /** Most entities each process keeps decoded for reads. */
  readonly scanCache?: string;
  /** A web UI folder to serve at `/`, or false with `--no-ui`. */
  readonly ui?: string | false;
}

const COMMAND = 'haystack serve';

/** Register `haystack serve [--port N] [--host H] [--store S] [--data FILE] [--no-auth] [--tls-cert F --tls-key F]`. */
export function registerServe(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('serve the Haystack HTTP API (/api/{op}) over a data file or a generated demo building')
    .option('--port <n>', 'TCP port (0 picks a free one)', '8080')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--store <store>', `where data lives: ${STORE_BACKENDS.map((b) => b.usage).join('; ')}`, DEFAULT_STORE)
    .option('--data <file>', 'load entities from a Zinc, JSON or Trio file instead of the demo building')
    .option('--no-auth', 'serve without authentication (development only; refused unless the host is loopback)')
    .option('--tls-cert <file>', 'serve HTTPS (TLS 1.3 minimum) with this PEM certificate chain')
    .option('--tls-key <file>', 'the PEM private key of --tls-cert')
    .option(
      '--tls-ca <file>',
      'require client certificates signed by this PEM CA; a certificate logs in as the user its CN names',
    )
    .option('--tls-client-optional', 'with --tls-ca: let clients without a certificate log in with a password')
    .option('--allow-plaintext', 'also accept PLAINTEXT password logins (development only: over TLS or on loopback)')
    .option(
      '--admin-password-file <file>',
      "on a first start without HS_SUPERUSER_*, write the generated admin's password here, readable by you only " +
        '(default: beside a sqlite: store file, as FILE.admin-password; else ./haystack.admin-password)',
    )
    .option(
      '--trust-proxy <addresses>',
      'reverse proxies (IP addresses, comma-separated) whose X-Forwarded-For names the client',
    )
    .option('--session-idle <minutes>', 'a token unused this long expires', '30')
    .option('--session-max <minutes>', 'a token expires this long after login however much it is used', '720')
    .option(
      '--workers <n>',
      'serve with N processes on one port (node:cluster); needs a store they share (sqlite:, postgres:, redis:; not memory)',
      '1',
    )
    .option(
      '--scan-cache <entities>',
      'most entities each process keeps decoded to answer reads in process (sqlite:, postgres:, redis:; 0: none, ' +
        'the store answers every read; default 1000000)',
    )
    .option('--defs <dir>', 'directory of Trio def libraries served by defs/libs/ops/filetypes')
    .option('--tz <name>', 'server time zone (default: the host zone)')
    .option('--demo-days <n>', 'days of history in the demo building', '30')
    .option('--no-cache', 'do not cache encoded read/nav responses')
    .option(
      '--ws-compression',
      'compress WebSocket messages of 1 KiB or more (permessage-deflate): less bandwidth over slow links, about ' +
        'four times fewer messages per second',
    )
    .option('--ui <dir>', "serve the web UI built into this folder at / (default: the package's own, when built)")
    .option('--no-ui', 'serve no web UI: / answers a plain page of links to the API')
    .option('--debug', 'add stack traces to error grids')
    .option('--quiet', 'log errors only (default: one line per request and per login on stderr)')
    .option('--log-level <level>', `least severe level logged: ${LOG_LEVELS.join(', ')} (default info)`)
    .option(
      '--log-format <format>',
      'json (one JSON object per line) or pretty (default: pretty on a terminal, else json)',
    )
    .option('--metrics', `serve Prometheus metrics at /metrics on --metrics-listen, and at {api}metrics for admins`)
    .option(
      '--metrics-listen <host:port>',
      `where /metrics answers without login (implies --metrics; default 127.0.0.1:${String(DEFAULT_METRICS_PORT)})`,
    )
    // Kept so that older scripts still start: request lines are on by default now.
    .addOption(new Option('--verbose').hideHelp())
    .action(async (options: ServeOptions) => {
      await runServe(options, io);
    });
}

function usage(message: string): never {
  throw new CliExit(2, `${COMMAND}: ${message}`);
}

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65_535) usage(`--port must be 0-65535, not ${raw}`);
  return port;
}

function wholeNumber(raw: string, flag: string): number {
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) usage(`${flag} must be a whole number, not ${raw}`);
  return Number(raw);
}

function minutes(raw: string, flag: string): number {
  if (!/^\d+$/.test(raw) || Number(raw) < 1) usage(`${flag} must be a whole number of minutes >= 1`);
  return Number(raw) * 60_000;
}

function seedOf(options: ServeOptions): SeedConfig {
  if (options.data !== undefined) return { kind: 'file', file: options.data };
  if (!/^\d+$/.test(options.demoDays)) usage('--demo-days must be a whole number');
  return { kind: 'demo', days: Number(options.demoDays) };
}

async function tlsOf(options: ServeOptions, io: CliIo): Promise<AppTlsConfig | undefined> {
  if ((options.tlsCert === undefined) !== (options.tlsKey === undefined)) usage('--tls-cert and --tls-key go together');
  if (options.tlsClientOptional === true && options.tlsCa === undefined) usage('--tls-client-optional needs --tls-ca');
  if (options.tlsCert === undefined || options.tlsKey === undefined) {
    if (options.tlsCa !== undefined) usage('--tls-ca needs --tls-cert and --tls-key');
    return undefined;
  }
  // One after the other, so that when several files are missing the error names the first flag, every time.
  const cert = await readFileArg(io, COMMAND, '--tls-cert', options.tlsCert);
  const key = await readFileArg(io, COMMAND, '--tls-key', options.tlsKey);
  const ca = options.tlsCa === undefined ? undefined : await readFileArg(io, COMMAND, '--tls-ca', options.tlsCa);
  return { cert, key, ...(ca === undefined ? {} : { ca, clientOptional: options.tlsClientOptional === true }) };
}

async function configOf(options: ServeOptions, io: CliIo): Promise<AppConfig> {
  const port = parsePort(options.port);
  const tls = await tlsOf(options, io);
  const seed = seedOf(options);
  if (!options.auth && options.adminPasswordFile !== undefined) usage('--admin-password-file needs authentication');
  return {
    host: options.host,
    port,
    store: options.store,
    ...(options.scanCache === undefined ? {} : { scanCacheEntities: wholeNumber(options.scanCache, '--scan-cache') }),
    seed,
    security: {
      host: options.host,
      auth: options.auth,
      ...(tls === undefined ? {} : { tls }),
      allowPlaintext: options.allowPlaintext === true,
      ...(options.trustProxy === undefined
        ? {}
        : { trustedProxies: options.trustProxy.split(',').map((a) => a.trim()) }),
      idleTtlMs: minutes(options.sessionIdle, '--session-idle'),
      maxLifetimeMs: minutes(options.sessionMax, '--session-max'),
      env: io.env,
      ...(options.adminPasswordFile === undefined ? {} : { adminPasswordFile: options.adminPasswordFile }),
    },
    ...(options.defs === undefined ? {} : { defs: options.defs }),
    ...(options.tz === undefined ? {} : { tz: options.tz }),
    debug: options.debug === true,
    responseCache: options.cache,
    webSocketCompression: options.wsCompression === true,
    ...(options.ui === undefined ? {} : { ui: options.ui }),
    quiet: options.quiet === true,
    ...logOf(options, io),
    ...(options.metrics === true || options.metricsListen !== undefined
      ? { metrics: { listen: listenOf(options.metricsListen) } }
      : {}),
    cwd: io.cwd,
  };
}

function logOf(options: ServeOptions, io: CliIo): Pick<AppConfig, 'logLevel' | 'logFormat'> {
  const level = options.logLevel;
  if (level !== undefined && !(LOG_LEVELS as readonly string[]).includes(level)) {
    usage(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not ${level}`);
  }
  const format = options.logFormat ?? ((io.stderr as { isTTY?: boolean }).isTTY === true ? 'pretty' : 'json');
  if (format !== 'json' && format !== 'pretty') usage(`--log-format must be json or pretty, not ${format}`);
  return {
    ...(level === undefined ? {} : { logLevel: level as NonNullable<AppConfig['logLevel']> }),
    logFormat: format,
  };
}

function listenOf(raw: string | undefined): { host: string; port: number } {
  if (raw === undefined) return { host: '127.0.0.1', port: DEFAULT_METRICS_PORT };
  // host:port, [v6]:port, or a bare port on loopback.
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(raw) ?? /^()()(\d+)$/.exec(raw);
  if (m === null) usage(`--metrics-listen must be host:port, not ${raw}`);
  const host = m[1] ?? (m[2] === '' || m[2] === undefined ? '127.0.0.1' : m[2]);
  return { host, port: parsePort(m[3] ?? '') };
}

function outputOf(io: CliIo): AppOutput {
  return {
    notice: (line) => io.stdout.write(`${COMMAND}: ${line}\n`),
    log: (line) => io.stderr.write(`${line}\n`),
    warn: (line) => io.stderr.write(`${COMMAND}: ${line}\n`),
  };
}

function parseWorkers(raw: string): number {
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1 || n > MAX_WORKERS)
    usage(`--workers must be a whole number from 1 to ${MAX_WORKERS}`);
  return n;
}

// Bad settings are usage errors (2); a file, store or port that fails is a runtime failure (1).
async function starting<T>(start: Promise<T>): Promise<T> {
  try {
    return await start;
  } catch (err) {
    if (err instanceof ValueError) usage(err.message);
    if (err instanceof HaystackError && err.code === 'HS_ERR_STARTUP')
      throw new CliExit(1, `${COMMAND}: ${err.message}`);
    throw err;
  }
}

async function runServe(options: ServeOptions, io: CliIo): Promise<void> {
  const workers = parseWorkers(options.workers);
  const config = await configOf(options, io);
  const out = outputOf(io);
  const { appTlsOptions, certificateText, clusterWorkerIndex, startApp, startCluster, startClusterWorker } =
    await import('../app/index.js');
  const index = clusterWorkerIndex(io.env);
  const tls = config.security.tls !== undefined;
  if (index !== undefined) {
    // A cluster's worker: the primary prints the start-up lines; this one serves until asked to stop. It reloads its
    // TLS files when the primary asks, and ignores a SIGHUP sent to the whole process group (a closed terminal).
    const quietOut = { ...out, notice: () => undefined };
    const started: { app?: RunningApp } = {};
    const reload = tlsReloader(options, io, quietOut, (files) => {
      if (started.app === undefined) throw new ValueError('the worker is still starting');
      return started.app.reloadTls(files);
    });
    const ignoreHangup = tls ? io.onHangup?.(() => undefined) : undefined;
    const { app, stopRequested } = await starting(startClusterWorker(config, quietOut, index, reload));
    started.app = app;
    await Promise.race([stopped(io.signal), stopRequested]);
    ignoreHangup?.();
    await app.close();
    return;
  }
  let app: Pick<RunningCluster, 'address' | 'summary' | 'access' | 'metricsUrl' | 'close'>;
  let apply: (files: AppTlsConfig) => string | Promise<string>;
  if (workers > 1) {
    const cluster = await starting(startCluster(config, out, workers));
    app = cluster;
    // The primary checks the files, so that a bad renewal is reported once, then each worker reads them itself.
    apply = async (files) => {
      appTlsOptions(files);
      const { asked, reloaded } = await cluster.reloadTls();
      const all = reloaded === asked ? '' : " (see the workers' warnings)";
      return `${certificateText(files.cert)}; ${String(reloaded)} of ${String(asked)} workers serve it${all}`;
    };
  } else {
    const single = await starting(startApp(config, out));
    app = single;
    apply = (files) => single.reloadTls(files);
  }
  const reload = tlsReloader(options, io, out, apply);
  const stopReloads = tls ? io.onHangup?.(() => void reload()) : undefined;
  const processes = workers > 1 ? `; ${String(workers)} worker processes` : '';
  out.notice(app.summary);
  out.notice(`listening on ${app.address.url} (${app.access}${processes}; Ctrl-C stops)`);
  if (app.metricsUrl !== undefined) out.notice(`metrics at ${app.metricsUrl}`);
  await stopped(io.signal);
  stopReloads?.();
  await app.close();
  out.notice('stopped');
}

// What SIGHUP does with TLS on: read the --tls-* files again and serve them from the next handshake on (a renewed
// certificate without a restart). A file that cannot be read, or a key that does not match, is reported and the
// previous certificate stays. Reloads run one at a time, in order; each resolves with whether it took.
function tlsReloader(
  options: ServeOptions,
  io: CliIo,
  out: AppOutput,
  apply: (files: AppTlsConfig) => string | Promise<string>,
): () => Promise<boolean> {
  let last: Promise<boolean> = Promise.resolve(true);
  return () => {
    last = last.then(async () => {
      try {
        const files = await tlsOf(options, io);
        if (files === undefined) return false;
        out.notice(`TLS files read again: ${await apply(files)}`);
        return true;
      } catch (err) {
        const why = err instanceof Error ? err.message.replace(`${COMMAND}: `, '') : String(err);
        out.warn(`TLS files not reloaded, the previous certificate stays: ${why}`);
        return false;
      }
    });
    return last;
  };
}

function stopped(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    signal.addEventListener(
      'abort',
      () => {
        resolve();
      },
      { once: true },
    );
  });
}
