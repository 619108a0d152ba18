// `haystack serve`: the Haystack HTTP API over an in-process store holding a data file or the generated demo building.

import diagnostics from 'node:diagnostics_channel';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import { codecForExtension } from '../core/codec/media-types.js';
import { Dict, Grid, HaystackError, isList, type Val } from '../core/index.js';
import { type DemoBuilding, populateDemo } from '../server/demo/demo-building.js';
import { createDemoSimulator } from '../server/demo/demo-simulator.js';
import { createServer, type ListenAddress, type RequestEvent, SERVER_CHANNELS } from '../server/index.js';
import type { StorageAdapter } from '../storage/adapter.js';
import { createMemoryStore } from '../storage/memory/index.js';
import { CliExit, type CliIo } from './io.js';
import { prepareServeSecurity, type ServeSecurityFlags } from './serve-security.js';

/** Options of `haystack serve` as commander parses them. */
interface ServeOptions extends ServeSecurityFlags {
  readonly port: string;
  readonly data?: string;
  readonly defs?: string;
  readonly tz?: string;
  readonly demoDays: string;
  readonly debug?: boolean;
  readonly verbose?: boolean;
  readonly cache: boolean;
}

/** How often the demo simulator moves the live values, in ms. */
const SIMULATOR_INTERVAL_MS = 5000;

/** Register `haystack serve [--port N] [--host H] [--data FILE] [--no-auth] [--tls-cert F --tls-key F [--tls-ca F]]`. */
export function registerServe(program: Command, io: CliIo): void {
  program
    .command('serve')
    .description('serve the Haystack HTTP API (/api/{op}) over a data file or a generated demo building')
    .option('--port <n>', 'TCP port (0 picks a free one)', '8080')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
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
    .option('--session-idle <minutes>', 'a token unused this long expires', '30')
    .option('--session-max <minutes>', 'a token expires this long after login however much it is used', '720')
    .option('--defs <dir>', 'directory of Trio def libraries served by defs/libs/ops/filetypes')
    .option('--tz <name>', 'server time zone (default: the host zone)')
    .option('--demo-days <n>', 'days of history in the demo building', '30')
    .option('--no-cache', 'do not cache encoded read/nav responses')
    .option('--debug', 'add stack traces to error grids')
    .option('--verbose', 'print one line per request to stderr')
    .action(async (options: ServeOptions) => {
      await runServe(options, io);
    });
}

function parsePort(raw: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port > 65_535) throw new CliExit(2, `haystack serve: --port must be 0-65535, not ${raw}`);
  return port;
}

async function loadData(file: string, io: CliIo): Promise<Dict[]> {
  const full = path.resolve(io.cwd, file);
  const read = codecForExtension(path.extname(full))?.decode;
  if (read === undefined) throw new CliExit(2, 'haystack serve: --data must be a .zinc, .json or .trio file');
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    throw new CliExit(1, `haystack serve: cannot read ${file}: ${typeof code === 'string' ? code : String(err)}`);
  }
  let val: Val;
  try {
    val = read(text);
  } catch (err) {
    if (err instanceof HaystackError) throw new CliExit(1, `haystack serve: ${file}: ${err.message}`);
    throw err;
  }
  if (val instanceof Grid) return [...val.rows];
  if (isList(val) && val.every((v) => v instanceof Dict)) return val as Dict[];
  throw new CliExit(1, `haystack serve: ${file} holds no grid or list of dicts`);
}

/** What was loaded: a line to print, and the demo building when it is the demo. */
interface Loaded {
  readonly summary: string;
  readonly demo: DemoBuilding | undefined;
}

async function fill(store: StorageAdapter, options: ServeOptions, io: CliIo): Promise<Loaded> {
  if (options.data !== undefined) {
    const entities = await loadData(options.data, io);
    try {
      await store.commit(entities.map((tags) => ({ op: 'add', tags })));
    } catch (err) {
      if (err instanceof HaystackError) throw new CliExit(1, `haystack serve: ${options.data}: ${err.message}`);
      throw err;
    }
    return { summary: `${entities.length} entities from ${options.data}`, demo: undefined };
  }
  const days = Number(options.demoDays);
  if (!/^\d+$/.test(options.demoDays)) throw new CliExit(2, 'haystack serve: --demo-days must be a whole number');
  const demo = await populateDemo(store, { days });
  return {
    summary: `demo building: ${demo.entities} entities, ${demo.points} points, ${demo.samples} history samples`,
    demo: demo.building,
  };
}

function logRequests(io: CliIo): () => void {
  const listener = (m: unknown): void => {
    const e = m as RequestEvent;
    const err = e.errorCode === undefined ? '' : ` ${e.errorCode}`;
    io.stderr.write(`${e.method} ${e.op ?? '-'} ${e.status}${err} ${e.durationMs.toFixed(1)}ms\n`);
  };
  diagnostics.subscribe(SERVER_CHANNELS.request, listener);
  return () => diagnostics.unsubscribe(SERVER_CHANNELS.request, listener);
}

async function runServe(options: ServeOptions, io: CliIo): Promise<void> {
  const port = parsePort(options.port);
  const security = await prepareServeSecurity(options, io, options.verbose === true);
  const store = createMemoryStore();
  try {
    const loaded = await fill(store, options, io);
    const server = createServer({
      store,
      ...security.serverOptions,
      ...(security.tls === undefined ? {} : { tls: security.tls }),
      debug: options.debug === true,
      responseCache: options.cache,
      ...(options.defs === undefined ? {} : { defs: path.resolve(io.cwd, options.defs) }),
      ...(options.tz === undefined ? {} : { tz: options.tz }),
    });
    let addr: ListenAddress;
    try {
      addr = await server.listen(port, options.host);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      throw new CliExit(1, `haystack serve: cannot listen on ${options.host}:${port}: ${String(code ?? err)}`);
    }
    const stopLogging = options.verbose === true ? logRequests(io) : () => undefined;
    // The simulator writes through the server's view of the store, so cached responses see its changes.
    const simulator =
      loaded.demo === undefined
        ? undefined
        : createDemoSimulator(server.handler.store, loaded.demo, {
            onError: (err) => io.stderr.write(`haystack serve: demo simulator: ${String(err)}\n`),
          });
    simulator?.start(SIMULATOR_INTERVAL_MS);
    io.stdout.write(`haystack serve: ${loaded.summary}\n`);
    io.stdout.write(`haystack serve: listening on ${addr.url} (${security.access}; Ctrl-C stops)\n`);
    await stopped(io.signal);
    simulator?.stop();
    stopLogging();
    await server.close();
    io.stdout.write('haystack serve: stopped\n');
  } catch (err) {
    if (err instanceof Error && err.name === 'ValueError') throw new CliExit(2, `haystack serve: ${err.message}`);
    throw err;
  } finally {
    security.stop();
    await store.close();
  }
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
