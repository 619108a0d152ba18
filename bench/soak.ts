// Soak: `npx tsx bench/soak.ts [--minutes M] [--connections N]` runs `startApp` (memory store, demo building, demo
// simulator on) in a child process and drives it for M minutes (default 5) at N connections (default 100) with a
// mixed workload of reads and writes over loopback; every 10 s it prints requests, errors, p50/p99 latency and the
// server's RSS and heap, then a summary (RSS after warm-up against the end: a leak shows as a steady climb).
//
// Bounded: each connection has one request in flight (closed loop), latencies are kept per interval only.

import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};

interface Memory {
  readonly rss: number;
  readonly heapUsed: number;
}

if (process.argv.includes('--server')) await serve();
else await drive();

// The child: the app as `haystack serve --no-auth --store memory` starts it, answering RSS queries over IPC.
async function serve(): Promise<void> {
  const { startApp } = await import('../src/app/index.js');
  const app = await startApp(
    {
      host: '127.0.0.1',
      port: 0,
      store: 'memory',
      seed: { kind: 'demo', days: 2 },
      security: { host: '127.0.0.1', auth: false, idleTtlMs: 60_000, maxLifetimeMs: 3_600_000, env: {} },
      quiet: true,
      cwd: process.cwd(),
    },
    { notice: () => undefined, log: () => undefined, warn: (l) => process.stderr.write(`${l}\n`) },
  );
  process.on('message', (m) => {
    if (m === 'memory') {
      const { rss, heapUsed } = process.memoryUsage();
      process.send?.({ rss, heapUsed } satisfies Memory);
    } else if (m === 'stop') {
      void app.close().then(() => process.exit(0));
    }
  });
  process.send?.(app.address.port);
}

async function drive(): Promise<void> {
  const minutes = Number(arg('minutes') ?? 5);
  const connections = Number(arg('connections') ?? 100);
  const child = fork(fileURLToPath(import.meta.url), ['--server'], { execArgv: ['--import', 'tsx'] });
  const port = await new Promise<number>((resolve) =>
    child.once('message', (p) => {
      resolve(p as number);
    }),
  );
  const memory = (): Promise<Memory> =>
    new Promise((resolve) => {
      child.once('message', (m) => {
        resolve(m as Memory);
      });
      child.send('memory');
    });
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections, pipelining: 1 });
  const get = async (path: string): Promise<string> => {
    const res = await pool.request({ method: 'GET', path });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`${path}: HTTP ${res.statusCode}`);
    return text;
  };
  const post = async (path: string, body: string): Promise<string> => {
    const res = await pool.request({ method: 'POST', path, body, headers: { 'content-type': 'text/zinc' } });
    const text = await res.body.text();
    const header = text.slice(0, text.indexOf('\n'));
    if (res.statusCode !== 200 || /\berr\b/.test(header)) throw new Error(`${path}: HTTP ${res.statusCode} ${header}`);
    return text;
  };
  // The points to read and write: the demo's numeric his points, with their time zones.
  const pointsZinc = await get(
    `/api/read?filter=${encodeURIComponent('point and his and kind=="Number" and writable')}&limit=50`,
  );
  const points = [...pointsZinc.matchAll(/^@([^\s,]+)/gm)].map((m) => m[1] ?? '');
  const reads = [
    '/api/about',
    '/api/read?filter=site',
    `/api/read?filter=${encodeURIComponent('equip and ahu')}`,
    `/api/read?filter=${encodeURIComponent('point and temp and zone')}&limit=20`,
    '/api/nav',
  ];
  console.log(
    `soak: ${minutes} min, ${connections} connections, ${points.length} writable points, load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  let latencies: number[] = [];
  let errors = 0;
  let total = 0;
  const errorSamples: string[] = [];
  const all: number[] = [];
  const end = performance.now() + minutes * 60_000;
  let n = 0;
  const one = async (): Promise<void> => {
    const i = n++;
    const r = i % 10;
    const point = points[i % Math.max(1, points.length)] ?? '';
    if (r < 6) await get(reads[i % reads.length] ?? '/api/about');
    else if (r === 6)
      await get(`/api/hisRead?id=${encodeURIComponent(`@${point}`)}&range=${encodeURIComponent('"today"')}`);
    else if (r === 7) {
      await post('/api/pointWrite', `ver:"3.0"\nid,level,val,who\n@${point},16,${String(60 + (i % 20))},"soak"\n`);
    } else if (r === 8) {
      // A watch opened, polled and closed: watches must not pile up over a long run.
      const sub = await post('/api/watchSub', `ver:"3.0" watchDis:"soak" lease:10000ms\nid\n@${point}\n`);
      const watchId = /watchId:"([^"]+)"/.exec(sub)?.[1] ?? '';
      await post('/api/watchPoll', `ver:"3.0" watchId:"${watchId}"\nempty\n`);
      await post('/api/watchUnsub', `ver:"3.0" watchId:"${watchId}" close\nempty\n`);
    } else await get(`/api/read?id=${encodeURIComponent(`@${point}`)}`);
  };
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const t = performance.now();
      try {
        await one();
      } catch (err) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(err instanceof Error ? err.message : String(err));
      }
      latencies.push(performance.now() - t);
      total++;
    }
  };
  const pct = (xs: number[], p: number): number => {
    if (xs.length === 0) return 0;
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0;
  };
  const started = performance.now();
  const rows: { t: number; rss: number }[] = [];
  const report = setInterval(() => {
    const lat = latencies;
    latencies = [];
    // A bounded sample of every interval for the overall percentiles.
    for (let k = 0; k < lat.length; k += Math.max(1, Math.floor(lat.length / 2000))) all.push(lat[k] ?? 0);
    void memory().then((m) => {
      const t = (performance.now() - started) / 1000;
      rows.push({ t, rss: m.rss });
      console.log(
        `${t.toFixed(0).padStart(5)} s  ${String(lat.length).padStart(7)} req  ${(lat.length / 10).toFixed(0).padStart(6)} req/s  ` +
          `errors ${errors}  p50 ${pct(lat, 0.5).toFixed(1)} ms  p99 ${pct(lat, 0.99).toFixed(1)} ms  ` +
          `rss ${(m.rss / 2 ** 20).toFixed(0)} MB  heap ${(m.heapUsed / 2 ** 20).toFixed(0)} MB  load ${(loadavg()[0] ?? 0).toFixed(1)}`,
      );
    });
  }, 10_000);
  await Promise.all(Array.from({ length: connections }, worker));
  clearInterval(report);
  const final = await memory();
  const warm = rows.find((r) => r.t >= Math.min(60, (minutes * 60) / 3));
  console.log(
    `soak done: ${total} requests, ${errors} errors, p50 ${pct(all, 0.5).toFixed(1)} ms, p99 ${pct(all, 0.99).toFixed(1)} ms, ` +
      `rss after warm-up ${((warm?.rss ?? 0) / 2 ** 20).toFixed(0)} MB -> end ${(final.rss / 2 ** 20).toFixed(0)} MB, ` +
      `load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
  );
  for (const e of errorSamples) console.log(`  error: ${e}`);
  await pool.close();
  child.send('stop');
}
