// Benchmark: `haystack serve --store sqlite:FILE` start-up on a large store (issue 14: <= 3 s on 1M entities), from
// spawning the process to its first answered `about`; then the slowest of 50 `about`s while the scan cache fills in
// the background (serve starts the fill once listening), and a full-scan `read` (in SQL if the fill is not done). Run (after `npm run build`):
// nice -n 10 npx tsx bench/serve-startup.ts [--file PATH]
//
// ENTITIES (1,000,000) and ROUNDS (3) by environment. Without --file the store is generated in a scratch folder on
// /dev/shm (else tmpdir) and removed at the end; with --file an existing file is reused (generated there when
// absent and kept), so repeated runs skip the generation. The server is the built CLI (`dist/cli/main.js`) with no
// authentication, as a user starts it; the machine's load average is printed beside the figures.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openSqliteStore } from '../src/storage/sqlite/index.js';
import { listeningUrl } from './support/bench-child.js';
import { entityBatches } from './support/building-entities.js';

const ENTITIES = Number(process.env.ENTITIES ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SCAN = 'curVal >= 78°F';
const cli = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));

const { values } = parseArgs({ options: { file: { type: 'string' } } });
const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const dir = mkdtempSync(path.join(base, 'hs-bench-startup-'));
const file = values.file ?? path.join(dir, 'startup.db');

const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');

async function generate(): Promise<void> {
  const t = performance.now();
  const store = await openSqliteStore({ path: file, synchronous: 'normal', scanCacheEntities: 0 });
  for (const batch of entityBatches(ENTITIES, 10_000)) await store.commit(batch);
  const n = await store.count();
  await store.close();
  console.log(`generated ${String(n)} entities into ${file} in ${((performance.now() - t) / 1000).toFixed(0)} s`);
}

interface Round {
  readonly listening: number;
  readonly about: number;
  readonly scan: number;
  readonly scanRows: number;
  readonly aboutDuringFill: number;
}

// node:http rather than fetch: a full scan answered in SQL on a loaded machine can outlast fetch's header timeout.
function get(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { accept: 'text/csv' } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, text });
        });
      })
      .on('error', reject);
  });
}

async function round(): Promise<Round> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [cli, 'serve', '--store', `sqlite:${file}`, '--port', '0', '--no-auth'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      resolve();
    }),
  );
  try {
    const url = await listeningUrl(child);
    const listening = performance.now() - t0;
    const about = await get(`${url}about`);
    if (about.status !== 200) throw new Error(`about answered ${String(about.status)}`);
    const answered = performance.now() - t0;
    // The scan cache now fills a chunk per event-loop turn: a request waits for at most the chunk in progress.
    let worst = 0;
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await get(`${url}about`);
      worst = Math.max(worst, performance.now() - t);
    }
    const t = performance.now();
    const scan = await get(`${url}read?filter=${encodeURIComponent(SCAN)}`);
    if (scan.status !== 200) throw new Error(`read answered ${String(scan.status)}: ${scan.text.slice(0, 200)}`);
    const scanMs = performance.now() - t;
    return {
      listening,
      about: answered,
      scan: scanMs,
      scanRows: scan.text.split('\n').filter((l) => l !== '').length - 1,
      aboutDuringFill: worst,
    };
  } finally {
    child.kill('SIGINT');
    await exited;
  }
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const best = (xs: readonly number[]): number => Math.min(...xs);
const fmt = (xs: readonly number[]): string => `${median(xs).toFixed(0)} ms (best ${best(xs).toFixed(0)})`;

try {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build first`);
  if (!existsSync(file)) await generate();
  const rounds: Round[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const r = await round();
    rounds.push(r);
    console.log(
      `round ${String(i + 1)}: ${JSON.stringify(r, (_, v: unknown) => (typeof v === 'number' ? Math.round(v) : v))}`,
    );
  }
  console.log(`load average ${load()}`);
  console.log('| measure | target | median (best) |\n| --- | --- | --- |');
  console.log(`| spawn to "listening" | - | ${fmt(rounds.map((r) => r.listening))} |`);
  console.log(`| spawn to first answered about | <= 3 s | ${fmt(rounds.map((r) => r.about))} |`);
  console.log(
    `| full-scan read \`${SCAN}\` after them (${String(rounds[0]?.scanRows ?? 0)} rows) | - | ${fmt(rounds.map((r) => r.scan))} |`,
  );
  console.log(
    `| slowest of 50 abouts right after start-up (fill running) | - | ${fmt(rounds.map((r) => r.aboutDuringFill))} |`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
