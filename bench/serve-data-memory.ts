// Benchmark: `haystack serve --store memory --data FILE` on Alpha copied COPIES times (default 100: 203,200 entities,
// a 47 MB Zinc file), against issue 13 item 8b (start-up < 2 s, <= 1 KB per entity). Run:
// npx tsx bench/serve-data-memory.ts [copies]
//
// The file is generated at run time from ../shared/datasets/alpha/alpha.zinc (each copy's ids renamed, refs with
// them) into a scratch folder and removed afterwards. Each round starts the app in a fresh child process (startApp,
// the composition `haystack serve` uses) and reports its wall and CPU time to listening (modules already loaded),
// its RSS (whole process), and the JS heap it added (after a full GC, minus the same before) per entity. Beside it, the peer (haystack-core's ZincReader, what a server built on
// it would hold) decodes the same file in a fresh process: its time and retained heap per row. Medians beside best
// rounds; nothing here asserts anything.

import { fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const SHARED = path.resolve(fileURLToPath(new URL('..', import.meta.url)), '../shared/datasets');
const ROUNDS = Number(process.env.ROUNDS ?? 3);

interface Sample {
  readonly wallMs: number;
  readonly cpuMs: number;
  readonly rssBytes: number;
  readonly heapBytes: number;
  readonly entities: number;
}

type Role = { readonly role: 'ours' | 'peer'; readonly file: string };

function fullGc(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  gc();
}

async function child(init: Role): Promise<Sample> {
  // Modules load before the clock starts: the figure is the start-up work, not tsx compiling the sources.
  const { startApp } = await import('../src/app/index.js');
  const { ZincReader } = await import('haystack-core');
  fullGc();
  const heap0 = process.memoryUsage().heapUsed;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let entities: number;
  let close: () => Promise<void>;
  let held: unknown;
  if (init.role === 'ours') {
    const app = await startApp(
      {
        host: '127.0.0.1',
        port: 0,
        store: 'memory',
        seed: { kind: 'file', file: init.file },
        security: { host: '127.0.0.1', auth: false, idleTtlMs: 60_000, maxLifetimeMs: 60_000, env: {} },
        cwd: path.dirname(init.file),
        quiet: true,
      },
      { notice: () => undefined, log: () => undefined, warn: () => undefined },
    );
    entities = await app.server.handler.store.count();
    close = () => app.close();
  } else {
    const grid = ZincReader.readValue(readFileSync(init.file, 'utf8')) as unknown as { length: number };
    held = grid;
    entities = grid.length;
    close = () => Promise.resolve();
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  fullGc();
  const m = process.memoryUsage();
  const sample: Sample = {
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    rssBytes: m.rss,
    heapBytes: m.heapUsed - heap0,
    entities,
  };
  // The peer's grid stays reachable until after the measurement.
  if (held === undefined && init.role === 'peer') throw new Error('no grid');
  await close();
  return sample;
}

function run(init: Role): Promise<Sample> {
  const p = fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'], serialization: 'advanced' });
  p.send(init);
  return new Promise((resolve, reject) => {
    p.once('message', (s: Sample) => {
      p.kill();
      resolve(s);
    });
    p.once('error', reject);
    p.once('exit', (code) => {
      if (code !== 0 && code !== null) reject(new Error(`child exited ${String(code)}`));
    });
  });
}

// Alpha's rows COPIES times, each copy's `@a-` ids (and every Ref to them) renamed `@aNN-`.
function makeFile(dir: string, copies: number): string {
  const lines = readFileSync(path.join(SHARED, 'alpha/alpha.zinc'), 'utf8').split('\n');
  const head = lines.slice(0, 2);
  const rows = lines.slice(2).filter((l) => l.trim() !== '');
  const out = [...head];
  for (let k = 0; k < copies; k++) {
    const prefix = `@a${String(k).padStart(2, '0')}-`;
    for (const r of rows) out.push(r.replaceAll('@a-', prefix));
  }
  const file = path.join(dir, `alpha-x${String(copies)}.zinc`);
  writeFileSync(file, `${out.join('\n')}\n`);
  return file;
}

function summary(name: string, samples: readonly Sample[], bytes: number): string {
  const med = (f: (s: Sample) => number): number => {
    const v = samples.map(f).sort((a, b) => a - b);
    return v[Math.floor(v.length / 2)] ?? Number.NaN;
  };
  const best = (f: (s: Sample) => number): number => Math.min(...samples.map(f));
  const n = samples[0]?.entities ?? 0;
  return (
    `${name}: ${String(n)} entities; start ${med((s) => s.wallMs).toFixed(0)} ms median (best ` +
    `${best((s) => s.wallMs).toFixed(0)}), CPU ${med((s) => s.cpuMs).toFixed(0)} ms; RSS ` +
    `${(med((s) => s.rssBytes) / 1e6).toFixed(0)} MB = ${(med((s) => s.rssBytes) / n).toFixed(0)} B/entity; ` +
    `JS heap added, after GC ${(med((s) => s.heapBytes) / 1e6).toFixed(0)} MB = ${(med((s) => s.heapBytes) / n).toFixed(0)} ` +
    `B/entity (Zinc text ${(bytes / n).toFixed(0)} B/entity)`
  );
}

if (process.send !== undefined) {
  process.once('message', (init: Role) => {
    void child(init).then((s) => process.send?.(s));
  });
} else {
  const copies = Number(process.argv[2] ?? 100);
  const dir = mkdtempSync(path.join(tmpdir(), 'hs-bench-serve-data-'));
  try {
    const file = makeFile(dir, copies);
    const bytes = Buffer.byteLength(readFileSync(file, 'utf8'));
    console.log(`Alpha x${String(copies)}: ${(bytes / 1e6).toFixed(1)} MB of Zinc; rounds ${String(ROUNDS)}`);
    console.log(
      `load average before: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    const ours: Sample[] = [];
    const peer: Sample[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      ours.push(await run({ role: 'ours', file }));
      peer.push(await run({ role: 'peer', file }));
    }
    console.log(summary('ours, serve --store memory --data (target < 2 s, <= 1 KB/entity)', ours, bytes));
    console.log(summary('peer, haystack-core ZincReader.readValue (decode only)', peer, bytes));
    console.log(
      `load average after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
