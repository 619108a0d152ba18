// Benchmark: scale-out. Requests per second of the read mix (bench/support/read-mix.ts, Alpha + Bravo, 50
// connections) from `haystack serve` with 1 and 2 worker processes (`--workers 2`) on each store: memory (1 worker
// only: it cannot be shared), SQLite, PostgreSQL (127.0.0.1:5432, db test, a schema of its own) and Redis
// (127.0.0.1:6379, a key prefix of its own); beside a bare node:http server (1 process, and 2 under node:cluster)
// sending the bytes our server sent. Rounds alternate ours / bare of the same process count; best and median shown.
//
// Run (after `npm run build`: the servers are the built CLI, as a user starts them):
//   nice -n 10 npx tsx bench/scale-out.ts [--seconds 5] [--rounds 3] [--stores memory,sqlite,postgres,redis]
//     [--no-cache]
//
// The load generator (autocannon) runs in this process on the same machine: on a 2-core machine, 2 workers and the
// load generator compete for the cores, so a 2-worker figure there measures the sharing as much as the scaling.
// The script prints the core count and the load average beside the figures.

import { type ChildProcess, spawn } from 'node:child_process';
import cluster from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pg from 'pg';
import { encodeZinc } from '../src/core/codec/zinc/index.js';
import { Grid } from '../src/core/grid/grid.js';
import { listeningUrl, startChild } from './support/bench-child.js';
import { loadMix, MIX, MIX_CONNECTIONS, mixGrids, type Recorded, recordMix, startBare } from './support/read-mix.js';

const PG_URL = process.env.HAYSTACK_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.HAYSTACK_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const STORES = ['memory', 'sqlite', 'postgres', 'redis'] as const;
type StoreName = (typeof STORES)[number];

/** A bare server child: `processes` node:http servers on one port (node:cluster when more than one). */
interface BareInit {
  readonly table: [string, Recorded][];
  readonly processes: number;
}

async function serveBare(init: BareInit): Promise<number> {
  if (init.processes === 1 || !cluster.isPrimary) return startBare(init.table);
  cluster.setupPrimary({ serialization: 'advanced' });
  const ports = await Promise.all(
    Array.from({ length: init.processes }, async () => {
      const worker = cluster.fork();
      // Told what to serve only once it listens for messages: a worker drops those that come before (ESM loads late).
      await once(worker, 'message');
      worker.send({ ...init, processes: 1 } satisfies BareInit);
      return (await once(worker, 'message')) as [number];
    }),
  );
  // Workers listening on port 0 under node:cluster share one port.
  return (ports[0] as [number])[0];
}

/** A store for one configuration: its `--store` text and how to remove it afterwards. */
interface BenchStore {
  readonly spec: string;
  readonly drop: () => Promise<void>;
}

function makeStore(name: StoreName, dir: string, n: number): BenchStore {
  const tag = `${randomBytes(4).toString('hex')}_${String(n)}`;
  switch (name) {
    case 'memory':
      return { spec: 'memory', drop: () => Promise.resolve() };
    case 'sqlite':
      return { spec: `sqlite:${path.join(dir, `bench-${tag}.db`)}`, drop: () => Promise.resolve() };
    case 'postgres': {
      const schema = `hs_bench_${tag}`;
      return {
        spec: `${PG_URL}?schema=${schema}`,
        drop: async () => {
          const c = new pg.Client({ connectionString: PG_URL });
          await c.connect();
          await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await c.end();
        },
      };
    }
    case 'redis': {
      const prefix = `hsbench-${tag}`;
      return {
        spec: `${REDIS_URL}?prefix=${prefix}`,
        drop: async () => {
          const r = new Redis(REDIS_URL);
          let cursor = '0';
          do {
            const [next, keys] = await r.scan(cursor, 'MATCH', `{${prefix}}*`, 'COUNT', 1000);
            cursor = next;
            if (keys.length > 0) await r.unlink(...keys);
          } while (cursor !== '0');
          r.disconnect();
        },
      };
    }
  }
}

const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

/** `haystack serve` (the built CLI) on `store` with `workers` processes, the mix's buildings as its data. */
async function startServe(
  store: string,
  workers: number,
  data: string,
  cache: boolean,
): Promise<{ child: ChildProcess; port: number }> {
  const args = [cli, 'serve', '--store', store, '--port', '0', '--no-auth', '--quiet', '--tz', 'Denver'];
  args.push('--data', data, ...(workers > 1 ? ['--workers', String(workers)] : []), ...(cache ? [] : ['--no-cache']));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await listeningUrl(child);
  return { child, port: Number(new URL(url).port) };
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGINT');
  await exited;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};
const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const fmt = (x: number): string => x.toFixed(0).padStart(6);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string', default: '5' },
      rounds: { type: 'string', default: '3' },
      stores: { type: 'string', default: STORES.join(',') },
      'no-cache': { type: 'boolean', default: false },
    },
  });
  const seconds = Number(values.seconds);
  const rounds = Number(values.rounds);
  const cache = !values['no-cache'];
  const wanted = values.stores.split(',') as StoreName[];
  for (const s of wanted) if (!STORES.includes(s)) throw new Error(`unknown store ${s}: ${STORES.join(', ')}`);
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);

  const dir = mkdtempSync(path.join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'hs-bench-scale-'));
  const data = path.join(dir, 'mix.zinc');
  writeFileSync(data, encodeZinc(Grid.fromDicts(mixGrids().flatMap((g) => [...g.rows]))));
  const children: ChildProcess[] = [];
  try {
    // The bytes the bare servers send: what our server (memory, one process) answers to each URL.
    const reference = await startServe('memory', 1, data, cache);
    const table = await recordMix(`http://127.0.0.1:${String(reference.port)}`);
    await stop(reference.child);
    const bare = new Map<number, number>();
    for (const processes of [1, 2]) {
      const b = await startChild(fileURLToPath(import.meta.url), { table, processes } satisfies BareInit);
      children.push(b.child);
      bare.set(processes, b.port);
    }
    const bytes = table.reduce((n, [, r]) => n + r.body.length, 0);
    console.log(
      `scale-out, read mix: ${String(MIX.length)} URLs, ${String(bytes)} response bytes per cycle, ` +
        `${String(MIX_CONNECTIONS)} connections, ${String(rounds)} rounds of ${String(seconds)} s, response cache ` +
        (cache ? 'on' : 'off'),
    );
    console.log(
      `${String(availableParallelism())} cores: workers, bare servers and the load generator (this process) share ` +
        'them, so 2-worker figures on 2 cores include that competition',
    );
    console.log(`load average before: ${load()}`);
    console.log('store     workers  ours best/median req/s   bare best/median req/s   ratio best (median)');
    const results = new Map<string, { readonly ours: number; readonly bare: number }>();
    let n = 0;
    for (const name of wanted) {
      for (const workers of name === 'memory' ? [1] : [1, 2]) {
        const store = makeStore(name, dir, ++n);
        const ours = await startServe(store.spec, workers, data, cache);
        const barePort = bare.get(workers) as number;
        try {
          await loadMix(ours.port, 1);
          await loadMix(barePort, 1);
          const o: number[] = [];
          const b: number[] = [];
          for (let r = 0; r < rounds; r++) {
            o.push(await loadMix(ours.port, seconds));
            b.push(await loadMix(barePort, seconds));
          }
          const best = Math.max(...o);
          results.set(`${name}/${String(workers)}`, { ours: best, bare: Math.max(...b) });
          console.log(
            `${name.padEnd(9)} ${String(workers).padStart(7)}  ${fmt(best)} / ${fmt(median(o))}          ` +
              `${fmt(Math.max(...b))} / ${fmt(median(b))}          ${(best / Math.max(...b)).toFixed(2)} ` +
              `(${(median(o) / median(b)).toFixed(2)})`,
          );
        } finally {
          await stop(ours.child);
          await store.drop();
        }
      }
    }
    for (const name of wanted) {
      const one = results.get(`${name}/1`);
      const two = results.get(`${name}/2`);
      if (one !== undefined && two !== undefined) {
        // The two figures come from different minutes: the bare servers' own 2/1 over the same rounds says how much
        // of the change is the machine's (load, cores) rather than ours.
        console.log(
          `${name}: 2 workers / 1 worker = ${(two.ours / one.ours).toFixed(2)} (best rounds; bare node:http 2/1 in ` +
            `the same rounds: ${(two.bare / one.bare).toFixed(2)})`,
        );
      }
    }
    console.log(`load average after: ${load()}`);
  } finally {
    for (const c of children) c.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

// Last, after every declaration: a child is told what to serve in its first message and answers with its port.
if (process.send !== undefined) {
  process.once('message', (init: BareInit) => {
    void serveBare(init).then((port) => process.send?.(port));
  });
  if (cluster.isWorker) process.send('ready');
} else {
  await main();
}
