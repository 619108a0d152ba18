// Benchmark: `haystack copy` between backends (SQLite -> PostgreSQL, SQLite -> Redis, PostgreSQL -> SQLite) on the
// demo building of `haystack serve` and on a generated store of many points. Run: npx tsx bench/store-copy.ts
//
// Scale by environment: DEMO_DAYS (2: the demo store the review measured), POINTS (2,000) x SAMPLES (1,000) for the
// generated store, ROUNDS (3), REDIS=off leaves Redis out, SETS (demo,generated) the stores to copy. PostgreSQL schemas and Redis prefixes are private and
// dropped at the end. Each copy prints its median and best round and the samples per second of the median.
// Nothing here asserts anything.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { populateDemo } from '../src/app/demo/demo-building.js';
import { copyStore, type OpenedStore, openStore, STORE_BACKENDS } from '../src/app/index.js';
import { Dict, MARKER, Num, Ref } from '../src/core/index.js';
import type { CommitDiff, HisItem } from '../src/storage/adapter.js';
import { TEST_PG_URL, testSchemas } from '../test/support/postgres.js';
import { redisPrefixes } from '../test/support/redis.js';

const DEMO_DAYS = Number(process.env.DEMO_DAYS ?? 2);
const POINTS = Number(process.env.POINTS ?? 2000);
const SAMPLES = Number(process.env.SAMPLES ?? 1000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const WITH_REDIS = process.env.REDIS !== 'off';
const SETS = (process.env.SETS ?? 'demo,generated').split(',');
const T0 = Date.UTC(2024, 0, 1);

const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const dir = mkdtempSync(path.join(base, 'hs-bench-copy-'));
const schemas = testSchemas('benchcopy');
const prefixes = redisPrefixes();

function open(text: string): Promise<OpenedStore> {
  return openStore(text, STORE_BACKENDS, { cwd: dir, scanCacheEntities: 0 });
}

async function fillDemo(text: string): Promise<void> {
  const s = await open(text);
  try {
    const r = await populateDemo(s.store, { days: DEMO_DAYS });
    process.stdout.write(`demo: ${r.entities} entities, ${r.points} points, ${r.samples} samples\n`);
  } finally {
    await s.close();
  }
}

async function fillGenerated(text: string): Promise<void> {
  const s = await open(text);
  try {
    const diffs: CommitDiff[] = [];
    for (let p = 0; p < POINTS; p++) {
      const tags = Dict.of({ id: new Ref(`p${String(p)}`), point: MARKER, his: MARKER, kind: 'Number', tz: 'UTC' });
      diffs.push({ op: 'add', tags });
    }
    for (let i = 0; i < diffs.length; i += 1000) await s.store.commit(diffs.slice(i, i + 1000));
    for (let p = 0; p < POINTS; p++) {
      const items: HisItem[] = [];
      for (let i = 0; i < SAMPLES; i++) items.push({ ts: T0 + i * 60_000, val: new Num(p + i / 8, 'kW') });
      await s.store.hisWrite(`p${String(p)}`, items);
    }
    process.stdout.write(`generated: ${POINTS} points x ${SAMPLES} samples\n`);
  } finally {
    await s.close();
  }
}

function emptyTarget(kind: 'postgres' | 'redis' | 'sqlite', n: number): string {
  if (kind === 'postgres') return `${TEST_PG_URL}?schema=${schemas.next()}`;
  if (kind === 'redis') return `redis://127.0.0.1:6379/0?prefix=${prefixes.next()}`;
  return `sqlite:${path.join(dir, `target-${String(n)}.db`)}`;
}

let targets = 0;
async function timeCopy(label: string, from: string, kind: 'postgres' | 'redis' | 'sqlite'): Promise<string> {
  const times: number[] = [];
  let samples = 0;
  let last = '';
  let stages = '';
  let copiedLine = '';
  for (let r = 0; r < ROUNDS; r++) {
    const to = emptyTarget(kind, ++targets);
    const a = await open(from);
    const b = await open(to);
    try {
      const t = performance.now();
      const stageStart = new Map<string, number>();
      const counts = await copyStore(a, b, {
        progress: (stage) => {
          if (!stageStart.has(stage)) stageStart.set(stage, performance.now());
        },
      });
      const end = performance.now();
      const marks = [...stageStart.entries()];
      stages = marks.map(([s, at], i) => `${s} ${(((marks[i + 1]?.[1] ?? end) - at) / 1000).toFixed(2)}`).join(', ');
      times.push(performance.now() - t);
      samples = counts.samples;
      copiedLine = `${String(counts.entities)} entities, ${String(counts.points)} points, ${String(counts.levels)} levels`;
    } finally {
      await a.close();
      await b.close();
    }
    last = to;
  }
  times.sort((x, y) => x - y);
  const median = times[Math.floor(times.length / 2)] ?? Number.NaN;
  const best = times[0] ?? Number.NaN;
  process.stdout.write(
    `${label.padEnd(28)} median ${(median / 1000).toFixed(2)} s, best ${(best / 1000).toFixed(2)} s, ` +
      `${Math.round(samples / (median / 1000)).toLocaleString('en')} samples/s (${copiedLine}; last round from each stage's first progress: ${stages})\n`,
  );
  return last;
}

try {
  for (const [name, fill] of [
    ['demo', fillDemo],
    ['generated', fillGenerated],
  ] as const) {
    if (!SETS.includes(name)) continue;
    const source = `sqlite:${path.join(dir, `${name}.db`)}`;
    await fill(source);
    const pg = await timeCopy(`${name} SQLite -> PostgreSQL`, source, 'postgres');
    if (WITH_REDIS) await timeCopy(`${name} SQLite -> Redis`, source, 'redis');
    await timeCopy(`${name} PostgreSQL -> SQLite`, pg, 'sqlite');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  await schemas.dropAll();
  if (WITH_REDIS) await prefixes.cleanup();
}
