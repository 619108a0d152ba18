// Benchmark: bulk entity adds into PostgreSQL (the building of bench/storage.ts in commits of 10,000), timed and
// also measured as CPU: this process's and the store's server backends' (read from /proc, so PostgreSQL must run on
// this machine). On a shared machine the CPU figures vary far less with the load than the wall-clock ones, and the
// split shows which side bounds the adds. Run: npx tsx bench/pg-entity-add.ts
//
// Scale by environment: ENTITIES (100,000), ROUNDS (3), PG_URL (the tests' server). Each round adds into a new schema,
// dropped afterwards. Nothing here asserts anything.

import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import pg from 'pg';
import { openPostgresStore } from '../src/storage/postgres/index.js';
import { entityBatches } from './support/building-entities.js';

const ENTITIES = Number(process.env.ENTITIES ?? 100_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const URL_BASE = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
// The store's connections carry this name, so that their server processes can be found.
const APP = `hs_bench_add_${String(process.pid)}`;
const TICK_MS = 10;

const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

// User and system CPU of a process in ms (fields 14 and 15 of /proc/PID/stat, in clock ticks of 10 ms).
function cpuMs(pid: number): number {
  const fields =
    readFileSync(`/proc/${String(pid)}/stat`, 'utf8')
      .split(') ')[1]
      ?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

const batches = [...entityBatches(ENTITIES, 10_000)];
let count = 0;
for (const b of batches) count += b.length;
const admin = new pg.Client({ connectionString: URL_BASE });
await admin.connect();
const sep = URL_BASE.includes('?') ? '&' : '?';
try {
  for (let r = 0; r < ROUNDS; r++) {
    const schema = `hs_bench_add_${String(process.pid)}_${String(r)}`;
    const store = await openPostgresStore({
      url: `${URL_BASE}${sep}application_name=${APP}`,
      schema,
      poolSize: 4,
      timescale: 'off',
      scanCacheEntities: 0,
    });
    try {
      await store.count();
      const found = await admin.query<{ readonly pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE application_name = $1',
        [APP],
      );
      const pids = found.rows.map((x) => x.pid);
      const before = pids.map(cpuMs);
      const cpu = process.cpuUsage();
      const t = performance.now();
      for (const b of batches) await store.commit(b);
      const ms = performance.now() - t;
      const own = process.cpuUsage(cpu);
      let server = 0;
      for (const [i, pid] of pids.entries()) server += cpuMs(pid) - (before[i] as number);
      process.stdout.write(
        `add ${String(count)} entities: ${ms.toFixed(0)} ms, ${(count / (ms / 1000)).toFixed(0)}/s; CPU: this ` +
          `process ${((own.user + own.system) / 1000).toFixed(0)} ms, server ${String(server)} ms; load ${load()}\n`,
      );
    } finally {
      await store.close();
      await admin.query(`DROP SCHEMA "${schema}" CASCADE`);
    }
  }
} finally {
  await admin.end();
}
