// Several server processes on one port (node:cluster) over one shared store: what `haystack serve --workers N` runs.

import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import process from 'node:process';
import { HaystackError, ValueError } from '../core/errors.js';
import type { ListenAddress } from '../server/index.js';
import type { AppOutput } from './app-output.js';
import {
  CLUSTER_METRICS_CONTENT_TYPE,
  ClusterCounts,
  clusterMetricsText,
  type MetricSnapshot,
  metricsSnapshot,
  type WorkerMetrics,
} from './observability/cluster-metrics.js';
import { warningsLogged } from './observability/logger.js';
import type { MetricsListener, MetricsSource } from './observability/metrics-server.js';
import { SERVE_ENV } from './security.js';
import { type AppConfig, appLogger, listenMetricsAt, prepareApp, type RunningApp, startApp } from './serve-app.js';
import { MAX_WORKERS } from './serve-defaults.js';

/** The environment variable that tells a process it is worker `N` (1-based) of a cluster. */
export const WORKER_ENV = 'HAYSTACK_WORKER';

/** A started cluster, as its primary process sees it. */
export interface RunningCluster {
  /** Where it listens (every worker on the same port). */
  readonly address: ListenAddress;
  /** What the store holds. */
  readonly summary: string;
  /** How access is described. */
  readonly access: string;
  /** Number of worker processes. */
  readonly workers: number;
  /** Where the metrics listener answers (the sum over workers), with `metrics.listen`. */
  readonly metricsUrl: string | undefined;
  /**
   * Ask every listening worker to read its TLS files again (each does what `haystack serve` does on SIGHUP, and
   * reports a refusal itself); resolves once each has answered (or not within 2 s) with how many were asked and how
   * many serve the files now.
   */
  reloadTls(): Promise<{ readonly asked: number; readonly reloaded: number }>;
  /** Ask every worker to stop (each closes its server and store) and resolve once all have exited. */
  close(): Promise<void>;
}

// Between the primary and a worker: start-up and stop; a scrape of the worker's registry (`collect`, answered by
// `collected`); a worker's `{api}metrics` asking the primary for the cluster's text (`scrape`, answered by `scraped`).
type WorkerMessage =
  | { readonly type: 'listening'; readonly address: ListenAddress }
  | { readonly type: 'stop' }
  | { readonly type: 'reload-tls'; readonly id: number }
  | { readonly type: 'tls-reloaded'; readonly id: number; readonly ok: boolean }
  | { readonly type: 'metrics-collect'; readonly id: number }
  | { readonly type: 'metrics-collected'; readonly id: number; readonly metrics: readonly MetricSnapshot[] }
  | { readonly type: 'metrics-scrape'; readonly id: number }
  | { readonly type: 'metrics-scraped'; readonly id: number; readonly text?: string; readonly error?: string };

// How long a scrape waits for a worker's registry: one that has not answered by then is left out of the sum.
const COLLECT_TIMEOUT_MS = 2000;
// How long a worker's `{api}metrics` waits for the primary (which waits for the other workers first).
const SCRAPE_TIMEOUT_MS = 2 * COLLECT_TIMEOUT_MS + 1000;

/** This process's index among a cluster's workers (1 to N), or undefined when it is not a worker. */
export function clusterWorkerIndex(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const raw = env[WORKER_ENV];
  if (raw === undefined || !/^[1-9]\d*$/.test(raw)) return undefined;
  return Number(raw);
}

/**
 * Start `workers` processes serving one store on one port, from the primary process. The store is prepared here
 * first ({@link prepareApp}: refused unless several processes can share it, seeded and given its first admin once),
 * then each worker re-runs this process's command line with `HAYSTACK_WORKER=i` set and serves through
 * {@link startClusterWorker}; node:cluster hands connections to them in turn. Every worker gets the same server
 * secret (`HS_SERVER_SECRET`, made here when not set), so unknown users' fake salts agree across them. A worker that
 * stops before listening stops the whole start (`HS_ERR_STARTUP`); one that dies later is started again. With
 * metrics on, every scrape (the `--metrics-listen` listener, served here, or `{api}metrics` in any worker) asks each
 * listening worker for its registry and answers the sum ({@link clusterMetricsText}).
 */
export async function startCluster(config: AppConfig, startOut: AppOutput, workers: number): Promise<RunningCluster> {
  if (!Number.isInteger(workers) || workers < 2 || workers > MAX_WORKERS) {
    throw new ValueError(`--workers must be a whole number from 1 to ${String(MAX_WORKERS)}`);
  }
  // The workers' records and the primary's go to one log: its warnings are records too.
  const out = warningsLogged(startOut, appLogger(config, startOut));
  const prepared = await prepareApp(config, out);
  const secret = config.security.env[SERVE_ENV.secret] ?? randomBytes(32).toString('hex');
  const live = new Map<number, Worker>();
  // Workers that are listening (their registries exist): the ones a scrape asks.
  const serving = new Map<number, Worker>();
  let stopping = false;
  let metricsListener: MetricsListener | undefined;
  const counts = new ClusterCounts();
  const scrape = async (): Promise<string> => {
    const answers = await Promise.all([...serving].map(([index, w]) => collectFrom(index, w, counts)));
    return clusterMetricsText(
      answers.filter((a) => a !== undefined),
      workers,
      counts,
    );
  };
  const fork = (index: number): Worker => {
    const worker = cluster.fork({ [WORKER_ENV]: String(index), [SERVE_ENV.secret]: secret });
    live.set(index, worker);
    worker.on('message', (m: WorkerMessage) => {
      if (m.type !== 'metrics-scrape') return;
      const reply = (answer: WorkerMessage): void => {
        if (worker.isConnected()) worker.send(answer);
      };
      scrape().then(
        (text) => {
          reply({ type: 'metrics-scraped', id: m.id, text });
        },
        (err: unknown) => {
          reply({ type: 'metrics-scraped', id: m.id, error: String(err) });
        },
      );
    });
    worker.once('exit', () => {
      serving.delete(index);
      counts.ended(index);
    });
    return worker;
  };
  const listening = (index: number): Promise<ListenAddress> => {
    const worker = fork(index);
    return new Promise<ListenAddress>((resolve, reject) => {
      const onMessage = (m: WorkerMessage): void => {
        if (m.type !== 'listening') return;
        // Asked to stop while it started (a worker started again): the stop sent then found nothing listening for it.
        if (stopping && worker.isConnected()) worker.send({ type: 'stop' } satisfies WorkerMessage);
        serving.set(index, worker);
        worker.off('exit', onEarlyExit);
        worker.on('exit', () => {
          live.delete(index);
          if (stopping) return;
          out.warn(`worker ${String(index)} stopped (${exitOf(worker)}): starting it again`);
          // Started again in the background: it serves once listening, the others serve meanwhile.
          listening(index).catch((err: unknown) => {
            out.warn(`worker ${String(index)}: ${String(err)}`);
          });
        });
        resolve(m.address);
      };
      const onEarlyExit = (code: number | null): void => {
        live.delete(index);
        reject(
          new HaystackError(
            'HS_ERR_STARTUP',
            `worker ${String(index)} stopped before listening (exit code ${String(code)})`,
          ),
        );
      };
      worker.on('message', onMessage);
      worker.once('exit', onEarlyExit);
    });
  };
  const close = async (): Promise<void> => {
    stopping = true;
    await metricsListener?.close();
    const exits = [...live.values()].map(
      (w) =>
        new Promise<void>((resolve) => {
          if (w.isDead()) {
            resolve();
            return;
          }
          w.once('exit', () => {
            resolve();
          });
          if (w.isConnected()) w.send({ type: 'stop' } satisfies WorkerMessage);
        }),
    );
    await Promise.all(exits);
  };
  let addresses: ListenAddress[];
  try {
    addresses = await Promise.all(Array.from({ length: workers }, (_, i) => listening(i + 1)));
    const listen = config.metrics?.listen;
    if (listen !== undefined) {
      metricsListener = await listenMetricsAt({ contentType: CLUSTER_METRICS_CONTENT_TYPE, metrics: scrape }, listen);
    }
  } catch (err) {
    await close();
    throw err;
  }
  return {
    address: addresses[0] as ListenAddress,
    summary: prepared.summary,
    access: prepared.access,
    workers,
    metricsUrl: metricsListener?.url,
    reloadTls: async () => {
      const answers = await Promise.all(
        [...serving.values()].map((w) => {
          const id = ++asks;
          return ask(w, { type: 'reload-tls', id }, (m) => (m.type === 'tls-reloaded' && m.id === id ? m : undefined));
        }),
      );
      return { asked: answers.length, reloaded: answers.filter((a) => a?.ok === true).length };
    },
    close,
  };
}

// How a worker's process ended: its exit code, or the signal that killed it (a crash, the OOM killer, `kill -9`).
function exitOf(worker: Worker): string {
  const signal = worker.process.signalCode;
  return signal === null ? `exit code ${String(worker.process.exitCode)}` : `killed by ${signal}`;
}

let asks = 0;

// A worker's answer to `message` (the first message `answer` maps to a value), or undefined when it does not answer
// in time (starting, stopping or stuck) or goes away first.
function ask<T>(
  worker: Worker,
  message: WorkerMessage,
  answer: (m: WorkerMessage) => T | undefined,
): Promise<T | undefined> {
  return new Promise((resolve) => {
    const done = (value: T | undefined): void => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      resolve(value);
    };
    const onMessage = (m: WorkerMessage): void => {
      const value = answer(m);
      if (value !== undefined) done(value);
    };
    const onExit = (): void => {
      done(undefined);
    };
    const timer = setTimeout(onExit, COLLECT_TIMEOUT_MS);
    timer.unref();
    worker.on('message', onMessage);
    worker.once('exit', onExit);
    if (!worker.isConnected()) {
      done(undefined);
      return;
    }
    worker.send(message, (err: Error | null) => {
      if (err !== null) done(undefined);
    });
  });
}

// A worker's registry, or undefined when it does not answer in time. The answer is recorded in `counts` as it
// arrives: before the exit of its process, which moves it to the ended processes' counts.
function collectFrom(index: number, worker: Worker, counts: ClusterCounts): Promise<WorkerMetrics | undefined> {
  const id = ++asks;
  return ask(worker, { type: 'metrics-collect', id }, (m) => {
    if (m.type !== 'metrics-collected' || m.id !== id) return undefined;
    const answer = { worker: index, metrics: m.metrics };
    counts.answered(answer);
    return answer;
  });
}

/**
 * Serve as worker `index` of a cluster: {@link startApp} over the store the primary prepared (the demo simulator runs
 * in worker 1 only), then tell the primary where it listens. With metrics on, the primary's scrapes read this
 * process's registry, and `{api}metrics` here answers the primary's sum over all workers. `onReloadTls` runs when
 * the primary asks for the TLS files to be read again ({@link RunningCluster.reloadTls}). Resolves with the app (whose `close` also lets go of
 * the primary, so the process can end) and a promise that resolves when the primary asks it to stop (or goes away).
 */
export async function startClusterWorker(
  config: AppConfig,
  out: AppOutput,
  index: number,
  onReloadTls?: () => Promise<boolean>,
): Promise<{ readonly app: RunningApp; readonly stopRequested: Promise<void> }> {
  const scrapes = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();
  let scrapeIds = 0;
  const clusterMetrics: MetricsSource = {
    contentType: CLUSTER_METRICS_CONTENT_TYPE,
    metrics: () =>
      new Promise<string>((resolve, reject) => {
        const id = ++scrapeIds;
        const timer = setTimeout(() => {
          scrapes.delete(id);
          reject(new HaystackError('HS_ERR_UNAVAILABLE', 'the cluster primary did not answer the metrics scrape'));
        }, SCRAPE_TIMEOUT_MS);
        timer.unref();
        scrapes.set(id, {
          resolve: (text) => {
            clearTimeout(timer);
            resolve(text);
          },
          reject: (err) => {
            clearTimeout(timer);
            reject(err);
          },
        });
        process.send?.({ type: 'metrics-scrape', id } satisfies WorkerMessage);
      }),
  };
  const worker = {
    simulator: index === 1,
    index,
    ...(config.metrics === undefined ? {} : { metrics: clusterMetrics }),
  };
  const app = await startApp({ ...config, worker }, out);
  const stopRequested = new Promise<void>((resolve) => {
    process.on('message', (m: WorkerMessage) => {
      if (m.type === 'stop') resolve();
      else if (m.type === 'reload-tls') {
        (onReloadTls?.() ?? Promise.resolve(false)).then(
          (ok) => process.send?.({ type: 'tls-reloaded', id: m.id, ok } satisfies WorkerMessage),
          () => undefined,
        );
      } else if (m.type === 'metrics-collect') {
        const registry = app.metrics?.registry;
        (registry === undefined ? Promise.resolve([]) : metricsSnapshot(registry)).then(
          (metrics) => process.send?.({ type: 'metrics-collected', id: m.id, metrics } satisfies WorkerMessage),
          () => undefined,
        );
      } else if (m.type === 'metrics-scraped') {
        const pending = scrapes.get(m.id);
        scrapes.delete(m.id);
        if (m.text !== undefined) pending?.resolve(m.text);
        else pending?.reject(new HaystackError('HS_ERR_INTERNAL', `cluster metrics: ${m.error ?? 'no answer'}`));
      }
    });
    process.once('disconnect', () => {
      resolve();
    });
  });
  process.send?.({ type: 'listening', address: app.address } satisfies WorkerMessage);
  const close = async (): Promise<void> => {
    await app.close();
    // The channel to the primary keeps this process alive: let go of it once everything is closed.
    if (process.connected) process.disconnect();
  };
  return { app: { ...app, close }, stopRequested };
}
