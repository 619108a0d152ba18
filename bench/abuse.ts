// Abuse replay (issue 11): the heavy requests of items 1, 5, 7 and 10 against a real `haystack serve` on loopback,
// printing the server's peak RSS and the worst latency a well-behaved client's `about` saw meanwhile.
//
// Run: npx tsx bench/abuse.ts [--repo DIR] [--scale F] [--only 1,5,7,10]
//   --repo   checkout whose src/cli/main.ts is served (default: this one), e.g. a worktree of an older commit
//   --scale  multiplies every count (default 1); everything is bounded and talks to 127.0.0.x only
//   --only   the scenarios to replay (default all: 1,5,7,7json,7json3,7trio,10)
//
// Each scenario gets a fresh server process (so its peak RSS, VmHWM from /proc, is its own). The `about` prober
// runs in a worker thread, so the load this process generates never delays its own measurements.
// Targets (issue 11): peak RSS under 1 GB, the prober's worst `about` under 250 ms.

import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HDateTime } from '../src/core/kinds/date-time.js';
import { listeningUrl } from './support/bench-child.js';

const HERE = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const argOf = (name: string, dflt: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : dflt;
};
const REPO = path.resolve(argOf('--repo', HERE));
const SCALE = Number(argOf('--scale', '1'));
const n = (x: number): number => Math.max(1, Math.round(x * SCALE));
const ADMIN = { HS_SUPERUSER_USERNAME: 'admin', HS_SUPERUSER_PASSWORD: 'abuse-bench-password' };

interface Served {
  readonly child: ChildProcess;
  readonly base: string;
}

// Newer checkouts default to a SQLite file: the replay uses memory (as older ones always did), leaving no file behind.
const STORE_FLAG = readFileSync(path.join(REPO, 'src/cli/serve-command.ts'), 'utf8').includes("'--store")
  ? ['--store', 'memory']
  : [];

async function serve(auth: boolean): Promise<Served> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(REPO, 'src/cli/main.ts'),
      'serve',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--demo-days',
      '2',
      ...STORE_FLAG,
      ...(auth ? [] : ['--no-auth']),
    ],
    { cwd: REPO, env: { ...process.env, ...ADMIN }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stderr.resume();
  const base = await listeningUrl(child);
  // Start-up work (the demo history) may still run after the listening line: wait until `about` is quick.
  for (let quick = 0; quick < 5; ) {
    const t0 = performance.now();
    await request(`${base}about`, {});
    quick = performance.now() - t0 < 20 ? quick + 1 : 0;
  }
  return { child, base };
}

/** Peak resident set of a process, in MB (Linux /proc VmHWM). */
function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? Number.NaN : Number(m[1]) / 1024;
}

async function stop(s: Served): Promise<void> {
  const exited = new Promise((resolve) => s.child.once('exit', resolve));
  s.child.kill('SIGTERM');
  const timer = setTimeout(() => s.child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

// The well-behaved client: `about` in a loop from its own thread; reports its worst latency when told to stop.
const PROBER = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
let worst = 0, count = 0, stopping = false;
const headers = workerData.token ? { authorization: 'BEARER authToken=' + workerData.token } : {};
function once() {
  if (stopping) { parentPort.postMessage({ worst, count }); return; }
  const t0 = performance.now();
  const req = http.get(workerData.url, { headers, agent: false }, (res) => {
    res.resume();
    res.on('end', () => { worst = Math.max(worst, performance.now() - t0); count++; setTimeout(once, 20); });
  });
  req.on('error', () => { worst = Math.max(worst, performance.now() - t0); setTimeout(once, 20); });
}
parentPort.on('message', () => { stopping = true; });
once();
`;

async function probe<T>(url: string, token: string | undefined, work: () => Promise<T>): Promise<number> {
  const worker = new Worker(PROBER, { eval: true, workerData: { url, token } });
  const done = new Promise<{ worst: number; count: number }>((resolve) => worker.once('message', resolve));
  try {
    await work();
  } finally {
    worker.postMessage('stop');
  }
  const { worst } = await done;
  await worker.terminate();
  return worst;
}

/** One request: status and body text (errors become status 0). */
function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string },
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve) => {
    const req = http.request(
      url,
      {
        method: init.method ?? 'GET',
        headers: init.headers ?? {},
        agent: false,
        ...(init.localAddress === undefined ? {} : { localAddress: init.localAddress }),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', () => {
          resolve({ status: 0, headers: {}, text: '' });
        });
      },
    );
    req.on('error', () => {
      resolve({ status: 0, headers: {}, text: '' });
    });
    req.end(init.body);
  });
}

const zinc = { 'content-type': 'text/zinc; charset=utf-8' };

/** A historized Number point of the demo building: its id and time zone. */
async function hisPoint(base: string): Promise<{ id: string; tz: string }> {
  const x = await request(`${base}read?filter=${encodeURIComponent('point and his and kind=="Number"')}&limit=1`, {
    headers: { accept: 'application/json' },
  });
  const row = (JSON.parse(x.text) as { rows: { id: { val: string }; tz: string }[] }).rows[0];
  if (row === undefined) throw new Error(`no historized point: ${x.text.slice(0, 200)}`);
  return { id: row.id.val, tz: row.tz };
}

interface Figure {
  readonly item: string;
  readonly what: string;
  readonly rssMb: number;
  readonly worstAboutMs: number;
  readonly answers: string;
}

function tally(statuses: readonly number[]): string {
  const counts = new Map<number, number>();
  for (const s of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
  return [...counts].map(([s, c]) => `${c}x${s}`).join(' ');
}

async function item1(): Promise<Figure> {
  const s = await serve(false);
  try {
    const { id } = await hisPoint(s.base);
    const ids = n(2000);
    const body = `ver:"3.0" range:"2000-01-01,2100-01-01"\nid\n${`@${id}\n`.repeat(ids)}`;
    const statuses: number[] = [];
    const worst = await probe(`${s.base}about`, undefined, async () => {
      for (let i = 0; i < 3; i++)
        statuses.push((await request(`${s.base}hisRead`, { method: 'POST', headers: zinc, body })).status);
    });
    return {
      item: '1',
      what: `batch hisRead naming one point ${ids} times, 3x`,
      rssMb: peakRssMb(s.child.pid as number),
      worstAboutMs: worst,
      answers: tally(statuses),
    };
  } finally {
    await stop(s);
  }
}

async function item5(): Promise<Figure> {
  const s = await serve(true);
  try {
    const attempts = n(5000);
    // A different 6,000-character name each time, so every failure is a new throttle key.
    const longName = (i: number): string =>
      Buffer.from(`${String(i).padStart(8, '0')}${'x'.repeat(5992)}`).toString('base64url');
    const statuses: number[] = [];
    // Unauthenticated, the prober's `about` is answered 401 at once: its latency is the event loop's.
    const worst = await probe(`${s.base}about`, undefined, async () => {
      // From many loopback addresses, as a botnet would: HELLO with a 6,000-character name, then a malformed SCRAM.
      const one = async (i: number): Promise<void> => {
        const localAddress = `127.0.${Math.floor(i / 250) % 250}.${2 + (i % 250)}`;
        const hello = await request(`${s.base}about`, {
          headers: { authorization: `HELLO username=${longName(i)}` },
          localAddress,
        });
        const t = /handshakeToken=([^,\s]+)/.exec(hello.headers['www-authenticate'] ?? '')?.[1];
        if (t === undefined) {
          statuses.push(hello.status);
          return;
        }
        const bad = await request(`${s.base}about`, {
          headers: { authorization: `SCRAM handshakeToken=${t}, data=bm9wZQ` },
          localAddress,
        });
        statuses.push(bad.status);
      };
      for (let i = 0; i < attempts; i += 8) await Promise.all(Array.from({ length: 8 }, (_, k) => one(i + k)));
    });
    return {
      item: '5',
      what: `${attempts} failed logins with 6,000-char names from 250 addresses`,
      rssMb: peakRssMb(s.child.pid as number),
      worstAboutMs: worst,
      answers: tally(statuses),
    };
  } finally {
    await stop(s);
  }
}

async function item7(): Promise<Figure> {
  const s = await serve(false);
  try {
    const mb = n(30);
    // A 30 MB grid of strings: what a client could send to `about`, which takes no arguments.
    const row = `"${'y'.repeat(1000)}"\n`;
    const body = `ver:"3.0"\nx\n${row.repeat(Math.floor((mb * 1024 * 1024) / row.length))}`;
    const statuses: number[] = [];
    const worst = await probe(`${s.base}about`, undefined, async () => {
      const results = await Promise.all(
        Array.from({ length: 4 }, () => request(`${s.base}about`, { method: 'POST', headers: zinc, body })),
      );
      for (const r of results) statuses.push(r.status);
    });
    return {
      item: '7',
      what: `4 concurrent ${mb} MB bodies to about`,
      rssMb: peakRssMb(s.child.pid as number),
      worstAboutMs: worst,
      answers: tally(statuses),
    };
  } finally {
    await stop(s);
  }
}

// Item 7 with bodies an op does read: 4 concurrent 30 MB JSON or Trio grids to `read` (its first row names the
// filter, the rest is padding), which the server decodes whole before the op refuses nothing and answers.
async function bigBodies(format: 'json' | 'json3' | 'trio'): Promise<Figure> {
  const s = await serve(false);
  try {
    const mb = n(30);
    const pad = 'y'.repeat(1000);
    const count = Math.floor((mb * 1024 * 1024) / (pad.length + 12));
    const rows = `,{"pad":"${pad}"}`.repeat(count);
    const body =
      format === 'json'
        ? `{"_kind":"grid","meta":{"ver":"3.0"},"cols":[{"name":"filter"},{"name":"pad"}],"rows":[{"filter":"site"}${rows}]}`
        : format === 'json3'
          ? `{"meta":{"ver":"3.0"},"cols":[{"name":"filter"},{"name":"pad"}],"rows":[{"filter":"site"}${rows}]}`
          : `filter: "site"\n${`---\npad: "${pad}"\n`.repeat(count)}`;
    const contentType = {
      json: 'application/json',
      json3: 'application/vnd.haystack+json;version=3',
      trio: 'text/trio',
    };
    const headers = { 'content-type': contentType[format] };
    const statuses: number[] = [];
    const worst = await probe(`${s.base}about`, undefined, async () => {
      const results = await Promise.all(
        Array.from({ length: 4 }, () => request(`${s.base}read`, { method: 'POST', headers, body })),
      );
      for (const r of results) statuses.push(r.status);
    });
    return {
      item: `7 ${format}`,
      what: `4 concurrent ${mb} MB ${{ json: 'JSON', json3: 'JSON v3', trio: 'Trio' }[format]} bodies to read`,
      rssMb: peakRssMb(s.child.pid as number),
      worstAboutMs: worst,
      answers: tally(statuses),
    };
  } finally {
    await stop(s);
  }
}

const item7json = (): Promise<Figure> => bigBodies('json');
const item7json3 = (): Promise<Figure> => bigBodies('json3');
const item7trio = (): Promise<Figure> => bigBodies('trio');

async function item10(): Promise<Figure> {
  const s = await serve(false);
  try {
    const { id, tz } = await hisPoint(s.base);
    const writes = n(60);
    const perWrite = 100_000;
    const start = Date.UTC(2010, 0, 1);
    const statuses: number[] = [];
    const bodyOf = (w: number): string => {
      const lines: string[] = [`ver:"3.0" id:@${id}`, 'ts,val'];
      for (let i = 0; i < perWrite; i++) {
        lines.push(`${HDateTime.fromEpochMs(start + (w * perWrite + i) * 60_000, tz).toString()},${i % 100}`);
      }
      return `${lines.join('\n')}\n`;
    };
    const worst = await probe(`${s.base}about`, undefined, async () => {
      for (let w = 0; w < writes; w++) {
        const r = await request(`${s.base}hisWrite`, { method: 'POST', headers: zinc, body: bodyOf(w) });
        statuses.push(r.status === 200 && r.text.includes(' err ') ? 299 : r.status);
      }
    });
    return {
      item: '10',
      what: `${writes} hisWrites of ${perWrite} samples to one point (${(writes * perWrite) / 1e6}M)`,
      rssMb: peakRssMb(s.child.pid as number),
      worstAboutMs: worst,
      answers: tally(statuses),
    };
  } finally {
    await stop(s);
  }
}

console.log(`abuse replay of ${REPO} (scale ${SCALE}); targets: peak RSS < 1024 MB, worst about < 250 ms`);
console.log('answers: NxSTATUS (299 = 200 with an error grid)');
// --only 1,5 runs some of the scenarios.
const only = argOf('--only', '1,5,7,7json,7json3,7trio,10').split(',');
const runs = [item1, item5, item7, item7json, item7json3, item7trio, item10].filter((r) =>
  only.includes(r.name.slice(4)),
);
for (const run of runs) {
  try {
    const f = await run();
    const ok = f.rssMb < 1024 && f.worstAboutMs < 250 ? 'ok' : 'MISS';
    console.log(
      `item ${f.item.padEnd(6)} ${f.what}: peak RSS ${f.rssMb.toFixed(0)} MB, worst about ${f.worstAboutMs.toFixed(0)} ms [${ok}]; answers ${f.answers}`,
    );
  } catch (err) {
    console.log(`item ${run.name}: failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
