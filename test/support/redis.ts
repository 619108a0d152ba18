// Redis for tests: the shared server on 127.0.0.1:6379 under a per-run key prefix (deleted afterwards, never a
// FLUSHDB), and private servers on OS-chosen ports in temp folders for tests that stop and restart Redis.

import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { freePort } from './free-port.js';
import { makeTempDir } from './temp-dir.js';

/** The shared test server (`.ci/run` starts it). */
export const SHARED_REDIS_URL = process.env.HAYSTACK_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** True when a Redis server answers PING at `url`. */
export async function redisReachable(url: string = SHARED_REDIS_URL): Promise<boolean> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return true;
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/** Unique store prefixes for one test file, and the removal of every key under them. */
export interface RedisPrefixes {
  /** A new prefix (`hst-<run>-<n>`). */
  next(): string;
  /** Delete every key of every prefix handed out (SCAN + UNLINK on `{hst-<run>-*`). */
  cleanup(): Promise<number>;
}

/** Prefixes under one random run name on the server at `url`. */
export function redisPrefixes(url: string = SHARED_REDIS_URL): RedisPrefixes {
  const run = `hst-${randomBytes(6).toString('hex')}`;
  let n = 0;
  return {
    next: () => `${run}-${String(++n)}`,
    cleanup: async () => {
      const client = new Redis(url, { maxRetriesPerRequest: 1 });
      client.on('error', () => undefined);
      let removed = 0;
      try {
        let cursor = '0';
        do {
          const [next, keys] = await client.scan(cursor, 'MATCH', `{${run}-*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length > 0) removed += await client.unlink(...keys);
        } while (cursor !== '0');
      } finally {
        client.disconnect();
      }
      return removed;
    },
  };
}

/** A private redis-server in a temp folder. */
export interface PrivateRedis {
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** Its port. */
  readonly port: number;
  /** Kill it at once (SIGKILL: no shutdown save; only what the AOF already holds survives). */
  crash(): Promise<void>;
  /** Start it again on the same port and folder; resolves once it accepts connections. */
  restart(): Promise<void>;
  /** Stop it and delete its folder. */
  stop(): Promise<void>;
}

/**
 * Start `redis-server --port P --save ''` in a temp folder; with `cluster`, a one-node Redis Cluster owning every
 * slot (`'unassigned'`: cluster-enabled with no slots, for the caller to join into a cluster); with `aof`, every
 * write is appended and fsynced before Redis replies (`appendonly yes`, `appendfsync always`), so acknowledged
 * writes survive a crash.
 */
export async function startPrivateRedis(
  options: { readonly aof?: boolean; readonly cluster?: boolean | 'unassigned' } = {},
): Promise<PrivateRedis> {
  const dir = makeTempDir('hs-redis-');
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--dir', dir.path, '--daemonize', 'no'];
  if (options.aof === true) args.push('--appendonly', 'yes', '--appendfsync', 'always');
  if (options.cluster !== undefined && options.cluster !== false)
    args.push('--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf');
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    const c = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (b: Buffer): void => {
        out += b.toString();
        if (out.includes('Ready to accept connections')) {
          c.stdout.off('data', onData);
          c.stdout.resume();
          resolve();
        }
      };
      c.stdout.on('data', onData);
      c.stderr.resume();
      c.once('exit', (code) => {
        reject(new Error(`redis-server exited (${String(code)}): ${out.slice(-500)}`));
      });
    });
  };
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    child = undefined;
    if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
    const exited = once(c, 'exit');
    c.kill(signal);
    await exited;
  };
  await start();
  if (options.cluster === true) await ownEverySlot(port);
  return {
    url: `redis://127.0.0.1:${String(port)}`,
    port,
    crash: () => kill('SIGKILL'),
    restart: start,
    stop: async () => {
      await kill('SIGTERM');
      dir.remove();
    },
  };
}

/** A private Redis Cluster of `size` primaries (no replicas), the slots spread over them by `redis-cli`. */
export interface PrivateRedisCluster {
  /** `redis://127.0.0.1:<port>` of each node. */
  readonly urls: readonly string[];
  /** Stop every node and delete their folders. */
  stop(): Promise<void>;
}

/** Start `size` cluster-enabled nodes and join them with `redis-cli --cluster create`; resolves once all say ok. */
export async function startPrivateRedisCluster(size = 3): Promise<PrivateRedisCluster> {
  const nodes = await Promise.all(Array.from({ length: size }, () => startPrivateRedis({ cluster: 'unassigned' })));
  const stop = async (): Promise<void> => {
    await Promise.all(nodes.map((n) => n.stop()));
  };
  try {
    const cli = spawn(
      'redis-cli',
      [
        '--cluster',
        'create',
        ...nodes.map((n) => `127.0.0.1:${String(n.port)}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    cli.stdout.on('data', (b: Buffer) => {
      out += b.toString();
    });
    cli.stderr.on('data', (b: Buffer) => {
      out += b.toString();
    });
    const [code] = (await once(cli, 'exit')) as [number | null];
    if (code !== 0) throw new Error(`redis-cli --cluster create failed (${String(code)}): ${out.slice(-500)}`);
    for (const n of nodes) await clusterReady(n.port);
  } catch (err) {
    await stop();
    throw err;
  }
  return { urls: nodes.map((n) => n.url), stop };
}

// A one-node cluster: assign all 16384 slots to it and wait until it reports the cluster ready.
async function ownEverySlot(port: number): Promise<void> {
  const client = new Redis(port, '127.0.0.1');
  client.on('error', () => undefined);
  try {
    await client.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
  } finally {
    client.disconnect();
  }
  await clusterReady(port);
}

// Wait until the node at `port` reports the cluster ready.
async function clusterReady(port: number): Promise<void> {
  const client = new Redis(port, '127.0.0.1');
  client.on('error', () => undefined);
  try {
    for (;;) {
      const info = String(await client.call('CLUSTER', 'INFO'));
      if (info.includes('cluster_state:ok')) return;
      // Redis offers no event for it: the state is recomputed by its 100 ms cluster cron, so look again shortly.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    client.disconnect();
  }
}
