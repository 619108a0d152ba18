// Several server processes on one port (node:cluster) over one shared store: what `haystack serve --workers N` runs.

import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import process from 'node:process';
import { HaystackError, ValueError } from '../core/errors.js';
import type { ListenAddress } from '../server/index.js';
import type { AppOutput } from './app-output.js';
import { SERVE_ENV } from './security.js';
import { type AppConfig, prepareApp, type RunningApp, startApp } from './serve-app.js';

/** The environment variable that tells a process it is worker `N` (1-based) of a cluster. */
export const WORKER_ENV = 'HAYSTACK_WORKER';

/** Most workers `--workers` accepts. */
export const MAX_WORKERS = 64;

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
  /** Ask every worker to stop (each closes its server and store) and resolve once all have exited. */
  close(): Promise<void>;
}

type WorkerMessage = { readonly type: 'listening'; readonly address: ListenAddress } | { readonly type: 'stop' };

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
 * stops before listening stops the whole start (`HS_ERR_STARTUP`); one that dies later is started again.
 */
export async function startCluster(config: AppConfig, out: AppOutput, workers: number): Promise<RunningCluster> {
  if (!Number.isInteger(workers) || workers < 2 || workers > MAX_WORKERS) {
    throw new ValueError(`--workers must be a whole number from 1 to ${String(MAX_WORKERS)}`);
  }
  const prepared = await prepareApp(config, out);
  const secret = config.security.env[SERVE_ENV.secret] ?? randomBytes(32).toString('hex');
  const live = new Map<number, Worker>();
  let stopping = false;
  const fork = (index: number): Worker => {
    const worker = cluster.fork({ [WORKER_ENV]: String(index), [SERVE_ENV.secret]: secret });
    live.set(index, worker);
    return worker;
  };
  const listening = (index: number): Promise<ListenAddress> => {
    const worker = fork(index);
    return new Promise<ListenAddress>((resolve, reject) => {
      const onMessage = (m: WorkerMessage): void => {
        if (m.type !== 'listening') return;
        worker.off('exit', onEarlyExit);
        worker.on('exit', () => {
          live.delete(index);
          if (stopping) return;
          out.warn(`worker ${String(index)} stopped (exit code ${String(worker.process.exitCode)}): starting it again`);
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
  } catch (err) {
    await close();
    throw err;
  }
  return {
    address: addresses[0] as ListenAddress,
    summary: prepared.summary,
    access: prepared.access,
    workers,
    close,
  };
}

/**
 * Serve as worker `index` of a cluster: {@link startApp} over the store the primary prepared (the demo simulator runs
 * in worker 1 only), then tell the primary where it listens. Resolves with the app (whose `close` also lets go of
 * the primary, so the process can end) and a promise that resolves when the primary asks it to stop (or goes away).
 */
export async function startClusterWorker(
  config: AppConfig,
  out: AppOutput,
  index: number,
): Promise<{ readonly app: RunningApp; readonly stopRequested: Promise<void> }> {
  const app = await startApp({ ...config, worker: { simulator: index === 1 } }, out);
  const stopRequested = new Promise<void>((resolve) => {
    process.on('message', (m: WorkerMessage) => {
      if (m.type === 'stop') resolve();
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
