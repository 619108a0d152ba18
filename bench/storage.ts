// Benchmark: the SQLite and Redis stores beside the memory backend, against issues 14 and 16. Run:
// npx tsx bench/storage.ts
//
// Scale by environment (defaults are the issue's): ENTITIES (1,000,000), HIS_SAMPLES (10,000,000), ROUNDS (5);
// REDIS=off leaves Redis out (its column shows n/a), e.g. on a loaded machine where its commands time out.
// The store file lives in a scratch folder on /dev/shm when there is one (no disk fsync cost), else in tmpdir; Redis
// is a private `redis-server --save ''` on a free port (no persistence, like the SQLite file on tmpfs), started and
// stopped here. Every backend gets the same data, warm-up and rounds; each figure prints its median and best round.
// The ceilings are better-sqlite3 doing the same SQL and ioredis sending the same ZADD / ZRANGEBYSCORE with no store
// logic around them. SQLite answers full scans (filters no index narrows) from its scan cache: the first one is answered
// in SQL and starts filling it in the background (the fill's time and its longest event-loop turn are printed apart),
// and the same scan with the cache off (SQL only) is printed beside. Redis answers in Lua (its mirror off); the
// selective read is timed again through a second adapter's mirror once filled. PostgreSQL follows in a table of its own
// (bench/support/pg-bench.ts: PG=0 skips it, ONLY=postgres runs it alone, PG_BIG=1 adds the 100M-sample read).
// Nothing here asserts anything.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { startApp } from '../src/app/index.js';
import { Num } from '../src/core/index.js';
import type { HisItem, StorageAdapter } from '../src/storage/index.js';
import { createMemoryStore } from '../src/storage/memory/index.js';
import { openRedisStore } from '../src/storage/redis/index.js';
import { openSqliteStore } from '../src/storage/sqlite/index.js';
import { startPrivateRedis } from '../test/support/redis.js';
import { EQUIPS_PER_SITE, entityBatches, PER_SITE } from './support/building-entities.js';
import { postgresBench } from './support/pg-bench.js';
import { stats, type Timing, time } from './support/timing.js';

const ENTITIES = Number(process.env.ENTITIES ?? 1_000_000);
const HIS_SAMPLES = Number(process.env.HIS_SAMPLES ?? 10_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const WITH_REDIS = process.env.REDIS !== 'off';
const NO_TIMING: Timing = { median: Number.NaN, best: Number.NaN };
const BATCH = 10_000;
const HIS_POINTS = 100;
const STEP_MS = 60_000;
const T0 = Date.UTC(2024, 0, 1);
const DAY = 86_400_000;

const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const dir = mkdtempSync(path.join(base, 'hs-bench-storage-'));
const file = path.join(dir, 'bench.db');

// Stops the private redis-server, also when a step fails half-way.
let stopRedis: (() => Promise<void>) | undefined;

const fmt = (x: number, digits = 1): string => (Number.isNaN(x) ? 'n/a' : x.toFixed(digits));
const rows: string[][] = [];
function row(
  workload: string,
  target: string,
  sqlite: string,
  redis: string,
  memory: string,
  ceiling: string,
  note = '',
): void {
  rows.push([workload, target, sqlite, redis, memory, ceiling, note]);
  console.log(
    `${workload}: sqlite ${sqlite} | redis ${redis} | memory ${memory} | ceiling ${ceiling} | target ${target} ${note}`,
  );
}
const ms = (t: Timing, digits = 2): string => `${fmt(t.median, digits)} ms (best ${fmt(t.best, digits)})`;

async function fill(store: StorageAdapter): Promise<number> {
  const t = performance.now();
  for (const batch of entityBatches(ENTITIES, BATCH)) await store.commit(batch);
  return performance.now() - t;
}

function samples(point: number, from: number, count: number): HisItem[] {
  const out = new Array<HisItem>(count);
  for (let i = 0; i < count; i++) out[i] = { ts: T0 + (from + i) * STEP_MS, val: new Num(point + i * 0.01, 'kW') };
  return out;
}

async function main(): Promise<void> {
  console.log(
    `entities ${String(ENTITIES)}, history samples ${String(HIS_SAMPLES)}, rounds ${String(ROUNDS)}; file ${file}`,
  );
  const sqlite = await openSqliteStore({ path: file });
  const memory = createMemoryStore({ limits: { maxEntities: ENTITIES + PER_SITE } });
  const redisServer = WITH_REDIS ? await startPrivateRedis() : undefined;
  stopRedis = redisServer === undefined ? undefined : () => redisServer.stop();
  // Lua alone here; the mirror (on by default) is measured apart, on a second adapter over the same prefix.
  const redis =
    redisServer === undefined
      ? undefined
      : await openRedisStore({ url: redisServer.url, prefix: 'bench', scanCacheEntities: 0 });
  const rawRedis = redisServer === undefined ? undefined : new Redis(redisServer.url);
  // Redis work, or NaN (printed as n/a) when it is left out.
  const onRedis = async (work: (store: StorageAdapter, raw: Redis) => Promise<number>): Promise<number> =>
    redis === undefined || rawRedis === undefined ? Number.NaN : work(redis, rawRedis);
  const timeRedis = async (rounds: number, work: (store: StorageAdapter, raw: Redis) => Promise<unknown>) =>
    redis === undefined || rawRedis === undefined ? NO_TIMING : time(rounds, () => work(redis, rawRedis));

  const fillSqlite = await fill(sqlite);
  const fillRedis = await onRedis((r) => fill(r));
  const fillMemory = await fill(memory);
  const count = await sqlite.count();
  row(
    `add ${String(count)} entities (batches of 10k)`,
    '-',
    `${fmt(count / (fillSqlite / 1000), 0)}/s`,
    `${fmt(count / (fillRedis / 1000), 0)}/s`,
    `${fmt(count / (fillMemory / 1000), 0)}/s`,
    '-',
  );

  // hisWrite ingest: batches of 10k samples into HIS_POINTS points, until HIS_SAMPLES are stored.
  const hisIds = Array.from(
    { length: HIS_POINTS },
    (_, i) => `s0.e${String(i % EQUIPS_PER_SITE)}.p${String(Math.floor(i / EQUIPS_PER_SITE))}`,
  );
  const perPoint = Math.floor(HIS_SAMPLES / HIS_POINTS);
  const ingest = async (store: StorageAdapter): Promise<number> => {
    const t = performance.now();
    for (let off = 0; off < perPoint; off += BATCH) {
      const n = Math.min(BATCH, perPoint - off);
      for (let p = 0; p < HIS_POINTS; p++) await store.hisWrite(hisIds[p] as string, samples(p, off, n));
    }
    return performance.now() - t;
  };
  const ingestSqlite = await ingest(sqlite);
  const ingestRedis = await onRedis((r) => ingest(r));
  const ingestMemory = await ingest(memory);
  // Ceiling: the same rows through one prepared INSERT in 10k-row transactions, in a scratch table of the same shape.
  const raw = new Database(file);
  raw.exec(
    'CREATE TABLE IF NOT EXISTS his_ceiling (rid INTEGER NOT NULL, ts INTEGER NOT NULL, num REAL, unit TEXT, val TEXT, PRIMARY KEY (rid, ts)) WITHOUT ROWID',
  );
  const ins = raw.prepare('INSERT OR REPLACE INTO his_ceiling (rid, ts, num, unit, val) VALUES (?, ?, ?, ?, NULL)');
  const many = raw.transaction((p: number, items: HisItem[]) => {
    for (const it of items) ins.run(p, it.ts, (it.val as Num).val, 'kW');
  });
  const ceilingCount = Math.min(HIS_SAMPLES, 2_000_000);
  let t = performance.now();
  for (let off = 0; off < ceilingCount / HIS_POINTS; off += BATCH) {
    for (let p = 0; p < HIS_POINTS; p++) many(p, samples(p, off, Math.min(BATCH, ceilingCount / HIS_POINTS - off)));
  }
  const ingestCeiling = performance.now() - t;
  raw.exec('DROP TABLE his_ceiling');
  // Redis ceiling: the same members (`<ts>:n<val> kW`) by one ZADD per 10k batch, pipelined per round of points.
  const ingestRedisCeiling = await onRedis(async (_, raw) => {
    const t1 = performance.now();
    for (let off = 0; off < ceilingCount / HIS_POINTS; off += BATCH) {
      const pipe = raw.pipeline();
      for (let p = 0; p < HIS_POINTS; p++) {
        const args: (string | number)[] = [];
        for (const it of samples(p, off, Math.min(BATCH, ceilingCount / HIS_POINTS - off))) {
          args.push(it.ts, `${String(it.ts)}:n${String((it.val as Num).val)} kW`);
        }
        pipe.zadd(`ceiling:${String(p)}`, ...args);
      }
      await pipe.exec();
    }
    return performance.now() - t1;
  });
  const stored = perPoint * HIS_POINTS;
  const kps = (n: number, msTaken: number): string =>
    Number.isNaN(msTaken) ? 'n/a' : `${fmt(n / (msTaken / 1000) / 1000, 0)}k/s`;
  row(
    `hisWrite ingest, ${String(stored)} samples in batches of 10k`,
    '>= 500k samples/s (SQLite)',
    kps(stored, ingestSqlite),
    kps(stored, ingestRedis),
    kps(stored, ingestMemory),
    `better-sqlite3 ${kps(ceilingCount, ingestCeiling)}, redis ZADD ${kps(ceilingCount, ingestRedisCeiling)}`,
    '(one run each; ceilings over 2M samples)',
  );

  // hisRead: one point, one day in the middle of its history.
  const mid = T0 + Math.floor(perPoint / 2) * STEP_MS;
  const range = { start: mid, end: mid + DAY };
  const point = hisIds[42 % HIS_POINTS] as string;
  const readS = await time(ROUNDS * 10, () => sqlite.hisRead(point, range));
  const readM = await time(ROUNDS * 10, () => memory.hisRead(point, range));
  const readR = await timeRedis(ROUNDS * 10, (r) => r.hisRead(point, range));
  const readRC = await timeRedis(ROUNDS * 10, (_, raw) =>
    raw.zrangebyscore(`{bench}:h:${point}`, range.start, `(${String(range.end)}`),
  );
  const readSql = raw
    .prepare(
      'SELECT ts, num, unit FROM his WHERE rid = (SELECT rid FROM entity WHERE id = ?) AND ts >= ? AND ts < ? ORDER BY ts',
    )
    .raw();
  const readC = await time(ROUNDS * 10, () => Promise.resolve(readSql.all(point, range.start, range.end)));
  const got = (await sqlite.hisRead(point, range)).length;
  row(
    `hisRead 1 point, 1 day (${String(got)} samples) among ${String(stored)}`,
    '<= 5 ms',
    ms(readS),
    ms(readR),
    ms(readM),
    `better-sqlite3 ${fmt(readC.median, 2)} ms, redis ZRANGEBYSCORE ${fmt(readRC.median, 2)} ms`,
  );

  // Selective read and a full scan.
  const sites = Math.max(1, Math.floor(ENTITIES / PER_SITE));
  const selective = `equip and siteRef==@s${String(Math.floor(sites / 2))}`;
  const selS = await time(ROUNDS * 10, () => sqlite.read({ filter: selective }));
  const selM = await time(ROUNDS * 10, () => memory.read({ filter: selective }));
  const selR = await timeRedis(ROUNDS * 10, (r) => r.read({ filter: selective }));
  const selN = (await sqlite.read({ filter: selective })).length;
  row(`read \`${selective}\` (${String(selN)} of ${String(count)})`, '<= 5 ms', ms(selS), ms(selR), ms(selM), '-');
  if (redisServer !== undefined) {
    // The same read through a second process's mirror, once filled: one version round trip, then the indexes.
    const mirrored = await openRedisStore({
      url: redisServer.url,
      prefix: 'bench',
      scanCacheEntities: ENTITIES + PER_SITE,
    });
    t = performance.now();
    await mirrored.warmScanCache();
    const fillMs = performance.now() - t;
    const selMirror = await time(ROUNDS * 10, () => mirrored.read({ filter: selective }));
    row(
      `the same read through the Redis mirror (filled in ${fmt(fillMs / 1000, 1)} s)`,
      '<= 5 ms',
      '-',
      ms(selMirror),
      ms(selM),
      '-',
      `${fmt(selMirror.median / selM.median, 1)}x memory`,
    );
    await mirrored.close();
  }
  const sqlOnly = await openSqliteStore({ path: file, scanCacheEntities: 0 });
  for (const scan of ['curVal >= 78°F', 'site and area > 1500ft²']) {
    t = performance.now();
    await sqlite.read({ filter: scan });
    const first = performance.now() - t;
    // The first scan (answered in SQL) started the cache's background fill: let it finish, one chunk per turn.
    const wasFilling = sqlite.scanCacheStats().filling;
    t = performance.now();
    let longest = 0;
    while (sqlite.scanCacheStats().filling) {
      const turn = performance.now();
      await new Promise<void>((resolve) => {
        setImmediate(resolve);
      });
      longest = Math.max(longest, performance.now() - turn);
    }
    const filled = performance.now() - t;
    const fillNote = wasFilling
      ? `in SQL, starting the scan cache's background fill: ${fmt(filled, 0)} ms, longest turn ${fmt(longest, 0)} ms`
      : 'from the scan cache';
    const scanQ = await time(ROUNDS, () => sqlOnly.read({ filter: scan }));
    const scanS = await time(ROUNDS, () => sqlite.read({ filter: scan }));
    const scanM = await time(ROUNDS, () => memory.read({ filter: scan }));
    const scanR = await timeRedis(ROUNDS, (r) => r.read({ filter: scan }));
    const scanN = (await memory.read({ filter: scan })).length;
    row(
      `read \`${scan}\` (${String(scanN)} of ${String(count)})`,
      '<= 2x memory',
      ms(scanS, 0),
      ms(scanR, 0),
      ms(scanM, 0),
      '-',
      `SQLite ${fmt(scanS.median / scanM.median, 1)}x, Redis ${fmt(scanR.median / scanM.median, 1)}x memory; ` +
        `SQLite first call ${fmt(first, 0)} ms (${fillNote}); ` +
        'SQLite with the cache off (SQL only) ' +
        `${fmt(scanQ.median, 0)} ms (best ${fmt(scanQ.best, 0)}), ${fmt(scanQ.median / scanM.median, 1)}x`,
    );
  }
  console.log(`scan cache: ${JSON.stringify(sqlite.scanCacheStats())}`);
  await sqlOnly.close();
  raw.close();
  await sqlite.close();
  await memory.close();
  await redis?.close();
  rawRedis?.disconnect();

  // Start-up of `haystack serve` (startApp, no auth) on the filled store: open, count, security, listen.
  const startUp = async (store: string): Promise<Timing> => {
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      const app = await startApp(
        {
          host: '127.0.0.1',
          port: 0,
          store,
          seed: { kind: 'none' },
          security: { host: '127.0.0.1', auth: false, idleTtlMs: 60_000, maxLifetimeMs: 60_000, env: {} },
          cwd: dir,
        },
        { notice: () => undefined, log: () => undefined, warn: () => undefined },
      );
      starts.push(performance.now() - t);
      await app.close();
    }
    return stats(starts);
  };
  const startS = await startUp(`sqlite:${file}`);
  const startR = redisServer === undefined ? NO_TIMING : await startUp(`${redisServer.url}?prefix=bench`);
  await stopRedis?.();
  stopRedis = undefined;
  row(`haystack serve start-up on ${String(count)} entities`, '<= 3 s', ms(startS, 0), ms(startR, 0), '-', '-');

  console.log(
    '\n| workload | target | SQLite (median, best) | Redis | memory | ceiling | note |\n| --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}

try {
  // ONLY=postgres runs the PostgreSQL section alone (with the memory backend it is compared with).
  if (process.env.ONLY !== 'postgres') await main();
  if (process.env.PG !== '0') {
    await postgresBench({
      entities: ENTITIES,
      hisSamples: HIS_SAMPLES,
      hisPoints: HIS_POINTS,
      rounds: ROUNDS,
      batch: BATCH,
      stepMs: STEP_MS,
      t0: T0,
      samples,
    });
  }
} finally {
  await stopRedis?.();
  rmSync(dir, { recursive: true, force: true });
}
