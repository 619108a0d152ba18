// The PostgreSQL part of bench/storage.ts: the same building and history as the other backends, against issue 15's
// targets, beside the memory backend and the bare SQL (the ceiling) measured in the same run.
//
// It runs on the PostgreSQL of PG_URL (default the tests' server) in a schema of its own, dropped afterwards. With
// PG_BIG=1 it also generates the 100M-sample history (bench/support/pg-big-history.ts says how; about 20 minutes
// on a loaded 2-core machine) and reads one point's day from it; PG_BIG_SCHEMA=name reuses one kept by
// PG_BIG_KEEP=1. Check free disk first (`df -h`): 100M samples take about 8.4 GB with their index.

import { loadavg } from 'node:os';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { Grid, HDateTime, type Num, Ref, TimeZone } from '../../src/core/index.js';
import { createHandler, type Principal } from '../../src/server/index.js';
import type { HisItem, StorageAdapter } from '../../src/storage/index.js';
import { createMemoryStore } from '../../src/storage/memory/index.js';
import { openPostgresStore } from '../../src/storage/postgres/index.js';
import { EQUIPS_PER_SITE, entityBatches, PER_SITE } from './building-entities.js';
import { bigHistory } from './pg-big-history.js';
import { stats, type Timing, time } from './timing.js';

/** What the section needs from bench/storage.ts. */
export interface PgBenchConfig {
  readonly entities: number;
  readonly hisSamples: number;
  readonly hisPoints: number;
  readonly rounds: number;
  readonly batch: number;
  readonly stepMs: number;
  readonly t0: number;
  readonly samples: (point: number, from: number, count: number) => HisItem[];
}

const DAY = 86_400_000;
const BENCH_ADMIN: Principal = { username: 'bench', role: 'admin' };
const fmt = (x: number, digits = 1): string => x.toFixed(digits);
const ms = (t: Timing, digits = 2): string => `${fmt(t.median, digits)} ms (best ${fmt(t.best, digits)})`;

const load = (): string =>
  loadavg()
    .map((x) => fmt(x, 2))
    .join(' ');

/** Run the PostgreSQL section and print its table. */
export async function postgresBench(c: PgBenchConfig): Promise<void> {
  const url = process.env.PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `hs_bench_${String(process.pid)}`;
  console.log(`\nPostgreSQL ${url.replace(/:[^:@/]*@/, ':***@')}, schema ${schema}; load average ${load()}`);
  const rows: string[][] = [];
  const row = (workload: string, target: string, pgFig: string, memory: string, ceiling: string, note = ''): void => {
    rows.push([workload, target, pgFig, memory, ceiling, note]);
    console.log(`${workload}: postgres ${pgFig} | memory ${memory} | ceiling ${ceiling} | target ${target} ${note}`);
  };
  // SQL alone here; the mirror (on by default) is measured apart below, on a second adapter over the same schema.
  const store = await openPostgresStore({ url, schema, poolSize: 4, timescale: 'off', scanCacheEntities: 0 });
  const memory = createMemoryStore({ limits: { maxEntities: c.entities + PER_SITE } });
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    const fill = async (s: StorageAdapter): Promise<number> => {
      const t = performance.now();
      for (const batch of entityBatches(c.entities, c.batch)) await s.commit(batch);
      return performance.now() - t;
    };
    const fillPg = await fill(store);
    const count = await store.count();

    // hisWrite ingest: batches of 10k samples into hisPoints points, in `rounds` rounds each followed by a round of
    // bare COPY of the same rows (one COPY per 10k batch, as the store does) into a table of the same shape, so both
    // see the same machine load and a table of the same size. The memory store is filled only afterwards: its
    // million entities would otherwise sit in this process's heap (GC) during PostgreSQL's rounds.
    const hisIds = Array.from(
      { length: c.hisPoints },
      (_, i) => `s0.e${String(i % EQUIPS_PER_SITE)}.p${String(Math.floor(i / EQUIPS_PER_SITE))}`,
    );
    const perPoint = Math.floor(c.hisSamples / c.hisPoints);
    const ingestRounds = Math.max(1, Math.min(c.rounds, Math.floor(perPoint / c.batch)));
    const perRound = Math.ceil(perPoint / ingestRounds / c.batch) * c.batch;
    const ingest = async (s: StorageAdapter, from: number, to: number): Promise<number> => {
      const t = performance.now();
      for (let off = from; off < to; off += c.batch) {
        const n = Math.min(c.batch, to - off);
        for (let p = 0; p < c.hisPoints; p++) await s.hisWrite(hisIds[p] as string, c.samples(p, off, n));
      }
      return performance.now() - t;
    };
    await admin.query(`SET search_path = "${schema}"`);
    await admin.query(
      'CREATE TABLE his_ceiling (rid bigint NOT NULL, ts bigint NOT NULL, num double precision, unit text, val text, PRIMARY KEY (rid, ts))',
    );
    const bareCopy = async (from: number, to: number): Promise<number> => {
      const t = performance.now();
      for (let off = from; off < to; off += c.batch) {
        for (let p = 0; p < c.hisPoints; p++) {
          const n = Math.min(c.batch, to - off);
          let text = '';
          for (const it of c.samples(p, off, n))
            text += `${String(p)}\t${String(it.ts)}\t${String((it.val as Num).val)}\tkW\t\\N\n`;
          const stream = admin.query(copyFrom('COPY his_ceiling (rid, ts, num, unit, val) FROM STDIN'));
          await new Promise<void>((resolve, reject) => {
            stream.on('error', reject);
            stream.on('finish', resolve);
            stream.end(text);
          });
        }
      }
      return performance.now() - t;
    };
    const oursRate: number[] = [];
    const bareRate: number[] = [];
    for (let r = 0; r < ingestRounds; r++) {
      const from = r * perRound;
      const to = Math.min(perPoint, from + perRound);
      if (to <= from) break;
      const samples = (to - from) * c.hisPoints;
      oursRate.push(samples / (await ingest(store, from, to)));
      bareRate.push(samples / (await bareCopy(from, to)));
    }
    await admin.query('DROP TABLE his_ceiling');
    const stored = perPoint * c.hisPoints;
    // Rates in samples per ms: median and best (the highest) of the rounds.
    const rate = (xs: readonly number[]): { readonly median: number; readonly best: number } => {
      const sorted = [...xs].sort((a, b) => a - b);
      return { median: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN, best: sorted[sorted.length - 1] ?? 0 };
    };
    const ours = rate(oursRate);
    const bare = rate(bareRate);
    const ratios = rate(oursRate.map((x, i) => x / (bareRate[i] as number)));
    const kps = (perMs: number): string => `${fmt(perMs, 0)}k/s`;

    const fillMemory = await fill(memory);
    row(
      `add ${String(count)} entities (batches of 10k)`,
      '>= 50k entities/s',
      `${fmt(count / (fillPg / 1000), 0)}/s`,
      `${fmt(count / (fillMemory / 1000), 0)}/s`,
      '-',
      `load ${load()}`,
    );
    const ingestMemory = await ingest(memory, 0, perPoint);
    row(
      `hisWrite ingest, ${String(stored)} samples in batches of 10k`,
      '>= 300k samples/s',
      `${kps(ours.median)} (best ${kps(ours.best)})`,
      `${kps(stored / ingestMemory)} (one run)`,
      `bare COPY ${kps(bare.median)} (best ${kps(bare.best)})`,
      `${String(oursRate.length)} rounds of ${String(perRound * c.hisPoints)} samples, each followed by bare COPY of ` +
        `the same rows; ours/bare ${fmt(ratios.median, 2)} (best ${fmt(ratios.best, 2)}); load ${load()}`,
    );

    // hisRead: one point, one day in the middle of its history.
    const mid = c.t0 + Math.floor(perPoint / 2) * c.stepMs;
    const range = { start: mid, end: mid + DAY };
    const point = hisIds[42 % c.hisPoints] as string;
    const readPg = await time(c.rounds * 10, () => store.hisRead(point, range));
    const readMemory = await time(c.rounds * 10, () => memory.hisRead(point, range));
    const rid = (await admin.query<{ readonly rid: number }>('SELECT rid FROM entity WHERE id = $1', [point])).rows[0]
      ?.rid;
    const readCeiling = await time(c.rounds * 10, () =>
      admin.query({
        text: 'SELECT ts, num, unit, val FROM his WHERE rid = $1 AND ts >= $2 AND ts < $3 ORDER BY ts',
        values: [rid, range.start, range.end],
        rowMode: 'array',
      }),
    );
    const got = (await store.hisRead(point, range)).length;
    row(
      `hisRead 1 point, 1 day (${String(got)} samples) among ${String(stored)}`,
      '<= 10 ms',
      ms(readPg),
      ms(readMemory),
      `bare SQL ${ms(readCeiling)}`,
      `load ${load()}`,
    );
    // The same day through the op pipeline (what a client waits for, less HTTP), beside the direct call again.
    const { pipeline } = createHandler({ store, noAuth: true, webSocket: false });
    const utc = TimeZone.get('UTC');
    const dayRange = `${HDateTime.fromEpochMs(range.start, utc).toString()},${HDateTime.fromEpochMs(range.end, utc).toString()}`;
    const request = Grid.fromDicts([{ id: new Ref(point), range: dayRange }]);
    const callRead = () => pipeline.callOp({ op: 'hisRead', principal: BENCH_ADMIN, transport: 'bench', request });
    const opRows = (await callRead()).size;
    const readOp = await time(c.rounds * 10, callRead);
    const readDirect = await time(c.rounds * 10, () => store.hisRead(point, range));
    pipeline.stopFollowing();
    row(
      `hisRead op 1 point, 1 day (${String(opRows)} rows) through callOp`,
      '<= 10 ms',
      ms(readOp),
      '-',
      `store.hisRead ${ms(readDirect)}`,
      `op/direct ${fmt(readOp.median / readDirect.median, 1)}x; load ${load()}`,
    );

    // Selective read: one site's equips.
    const sites = Math.max(1, Math.floor(c.entities / PER_SITE));
    const selective = `equip and siteRef==@s${String(Math.floor(sites / 2))}`;
    const selPg = await time(c.rounds * 10, () => store.read({ filter: selective }));
    const selMemory = await time(c.rounds * 10, () => memory.read({ filter: selective }));
    const selN = (await store.read({ filter: selective })).length;
    row(
      `read \`${selective}\` (${String(selN)} of ${String(count)})`,
      '<= 5 ms',
      ms(selPg),
      ms(selMemory),
      '-',
      `${fmt(selPg.median / selMemory.median, 1)}x memory; load ${load()}`,
    );
    // The same read through a second process's mirror, once filled: one version round trip, then the indexes.
    const mirrored = await openPostgresStore({ url, schema, poolSize: 4, scanCacheEntities: c.entities + PER_SITE });
    const fillStart = performance.now();
    await mirrored.warmScanCache();
    const fillMs = performance.now() - fillStart;
    const selMirror = await time(c.rounds * 10, () => mirrored.read({ filter: selective }));
    row(
      `the same read through the mirror (filled in ${fmt(fillMs / 1000, 1)} s)`,
      '<= 5 ms',
      ms(selMirror),
      ms(selMemory),
      '-',
      `${fmt(selMirror.median / selMemory.median, 1)}x memory; load ${load()}`,
    );
    await mirrored.close();
    await memory.close();

    if (process.env.PG_BIG === '1' || process.env.PG_BIG_SCHEMA !== undefined) {
      const big = await bigHistory({
        url,
        ...(process.env.PG_BIG_SCHEMA === undefined ? {} : { schema: process.env.PG_BIG_SCHEMA }),
        keep: process.env.PG_BIG_KEEP === '1',
        points: 1000,
        perPoint: 100_000,
        stepMs: 60_000,
        t0: c.t0,
        rounds: c.rounds * 10,
        warmRounds: c.rounds * 10,
        log: (line) => {
          console.log(line);
        },
      });
      const generated =
        big.generateMs === undefined ? 'reused' : `generated in ${fmt(big.generateMs / 1000, 0)} s by SQL`;
      row(
        `hisRead 1 point, 1 day (${String(big.dayRows)} samples) among ${String(big.samples)} (${generated}, ${fmt(
          big.bytes / 1e9,
          1,
        )} GB)`,
        '<= 10 ms',
        `warm ${ms(stats(big.warmMs))}; cold ${ms(stats(big.readMs))}`,
        '-',
        `bare SQL warm ${ms(stats(big.warmCeilingMs))}; cold ${ms(stats(big.ceilingMs))}`,
        `warm: the same day again; cold: a new day each round; load ${load()}`,
      );
    }
  } finally {
    await store.close();
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  }
  console.log(
    '\n| workload | target | PostgreSQL (median, best) | memory | ceiling | note |\n| --- | --- | --- | --- | --- | --- |',
  );
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}
