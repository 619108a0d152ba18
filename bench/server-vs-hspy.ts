// Benchmark: our server against haystack-py's FastAPI server, op by op, on the same data and machine (PRODUCT.md
// section 5: >= 10x on every op). Run: npx tsx bench/server-vs-hspy.ts [seconds] [--no-auth] [--zinc] [--op NAME]
// (--op: only the ops whose name starts with NAME, e.g. `--op hisRead`, to re-measure one after a change)
//
// Data: both load Alpha (../shared/datasets/alpha/alpha.zinc, read in place, each with its own Zinc decoder) plus
// one Number point holding a day of 5-minute history for hisRead. haystack-py runs its [server] extra (FastAPI under
// uvicorn with uvloop and httptools, one process) from the venv the interop tests build and cache
// (test/support/python.ts), through test/interop/python/hspy_bench_server.py: hspy_server.py serves a fixed
// three-entity building, the bench needs Alpha, the his point and a no-auth mode. Ours runs from the build (dist/,
// brought up to date first, as bench/server.ts) in a child process, one process like uvicorn's.
//
// Fairness: the same requests (GET with Zinc-encoded query parameters, the form haystack-py's server takes for
// read-only ops), the same Accept (JSON v4 by default, haystack-py's default and its orjson path; --zinc for Zinc),
// the same connections, a 1 s warm-up each and alternating rounds per op. Auth: by default both require SCRAM login
// and every request carries a bearer token obtained once per server before timing (each request pays the token
// check, as in production); --no-auth serves both without authentication. Our response cache is off (its default);
// haystack-py always caches the encoded about/ops/formats answers (GET read, nav and hisRead are not cached), so
// those three ops compare our encoding with its dictionary lookup. haystack-py ignores the hisRead range: the point
// holds exactly the day asked for, so both send the same 288 rows. Before timing, each request must answer 200 with
// a grid that is not an error grid on both servers, with the same number of rows where both serve the same data
// (reads, nav, hisRead); row counts and sizes are printed.
// autocannon drives both from this process on the same machine, so a fast server shares the CPU with its load: the
// ratios are lower bounds on a machine with cores to spare. The platform ceiling is measured in the same rounds: a
// bare node:http server (another child) answering each op's path with the bytes ours sent for it, so ours/bare is
// what our pipeline costs beyond writing the answer.

import { type ChildProcess, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { loginWithScram } from '../src/client/index.js';
import { decodeJson, decodeZincGrid, Grid } from '../src/core/index.js';
import { haystackPyPython, pythonAvailable, startPythonServer } from '../test/support/python.js';
import { sharedPath } from '../test/support/shared.js';
import { autocannon, startChild } from './support/bench-child.js';
import { MIX_CONNECTIONS, type Recorded, recordMix, startBare } from './support/read-mix.js';
import { stats } from './support/timing.js';

/** PRODUCT.md section 5: our requests per second at least 10 times haystack-py's, on every op. */
const TARGET_RATIO = 10;
/** Rounds of each server per op, alternating: medians beside best rounds. */
const ROUNDS = 3;
const WARM_UP_SECONDS = 1;
const ALPHA = sharedPath('datasets/alpha/alpha.zinc');
/** The his point both servers add to Alpha, and its history: one day at 5-minute steps, the i-th worth i % 100 °F. */
const HIS = {
  id: 'bench-his',
  site: 'a-0000',
  tz: 'Denver',
  ianaTz: 'America/Denver',
  day: '2024-01-02',
  // Midnight of that day in Denver (UTC-7 in January).
  startMs: Date.UTC(2024, 0, 2, 7),
  samples: 288,
  stepMin: 5,
} as const;

const q = encodeURIComponent;
/**
 * The ops timed, each one GET request; `same`: both servers must answer it with the same number of rows (about, ops
 * and formats describe each server). `defs`, `libs` and `filetypes` are left out: haystack-py serves no namespace.
 * The nav level is an equip with points only (CH-1): for a site or an AHU with sub-equips the two servers list
 * different children (ours the level's top equips, haystack-py every equip or only the points), so the work differs.
 */
const OPS: readonly { readonly name: string; readonly path: string; readonly same: boolean }[] = [
  { name: 'about', path: '/api/about', same: false },
  { name: 'ops', path: '/api/ops', same: false },
  { name: 'formats', path: '/api/formats', same: false },
  { name: 'read site', path: `/api/read?filter=${q('site')}`, same: true },
  { name: 'read ahu of site', path: `/api/read?filter=${q('ahu and siteRef==@a-0000')}`, same: true },
  { name: 'read id', path: `/api/read?id=${q('@a-0010')}`, same: true },
  { name: 'nav root', path: '/api/nav', same: true },
  { name: 'nav equip', path: `/api/nav?navId=${q('@a-0766')}`, same: true },
  { name: 'hisRead 1 day', path: `/api/hisRead?id=${q(`@${HIS.id}`)}&range=${q(`"${HIS.day}"`)}`, same: true },
];

interface Login {
  readonly username: string;
  readonly password: string;
}

type ServerModule = typeof import('../src/server/index.js');
type MemoryModule = typeof import('../src/storage/memory/index.js');
type CoreModule = typeof import('../src/core/index.js');

async function startOurs(login: Login | null): Promise<number> {
  // The build's modules (a computed specifier: dist/ need not exist to type-check); the data decoded and the values
  // made by the same build, as its kinds are its own classes.
  const from = (p: string): string => new URL(`../dist/${p}`, import.meta.url).href;
  const { bootstrapAdmin, createSecurity, createServer } = (await import(from('server/index.js'))) as ServerModule;
  const { createMemoryStore, createMemoryUserStore } = (await import(from('storage/memory/index.js'))) as MemoryModule;
  const { decodeZincGrid: decode, Dict, MARKER, Num, Ref } = (await import(from('core/index.js'))) as CoreModule;
  const store = createMemoryStore();
  const point = Dict.of({
    id: new Ref(HIS.id),
    dis: 'Bench His Point',
    point: MARKER,
    his: MARKER,
    kind: 'Number',
    unit: '°F',
    tz: HIS.tz,
    siteRef: new Ref(HIS.site),
  });
  const rows = decode(readFileSync(ALPHA, 'utf8')).rows;
  await store.commit([...rows, point].map((tags) => ({ op: 'add' as const, tags })));
  const stepMs = HIS.stepMin * 60_000;
  await store.hisWrite(
    HIS.id,
    Array.from({ length: HIS.samples }, (_, i) => ({ ts: HIS.startMs + i * stepMs, val: new Num(i % 100, '°F') })),
  );
  let auth: Partial<Parameters<ServerModule['createServer']>[0]> = { noAuth: true };
  if (login !== null) {
    // 4096 PBKDF2 iterations, as haystack-py's side: the one login is not what is measured.
    const users = createMemoryUserStore();
    await bootstrapAdmin({ users, ...login, iterations: 4096 });
    auth = createSecurity({ users, serverSecret: randomBytes(32), iterations: 4096 }).serverOptions;
  }
  const server = createServer({ store, tz: HIS.tz, responseCache: false, ...auth });
  return (await server.listen(0, '127.0.0.1')).port;
}

/** What a child process serves: ours (with a login, or null for none), or the bare server's recorded answers. */
type ChildInit = { readonly login: Login | null } | { readonly bare: [string, Recorded][] };

// A child process is told what to serve in its first message and answers with its port.
if (process.send !== undefined) {
  process.once('message', (init: ChildInit) => {
    void ('bare' in init ? startBare(init.bare) : startOurs(init.login)).then((port) => process.send?.(port));
  });
} else {
  await main();
}

interface Side {
  readonly name: string;
  readonly port: number;
  readonly headers: Readonly<Record<string, string>>;
}

/** The bearer header of a fresh SCRAM login at `port`. */
async function bearer(port: number, login: Login): Promise<Record<string, string>> {
  const token = await loginWithScram({
    url: `http://127.0.0.1:${String(port)}/api/about`,
    credentials: login,
    fetch,
    fetchInit: {},
    headers: {},
    signal: undefined,
  });
  if (token === undefined) throw new Error(`bench: the server at port ${String(port)} asked for no login`);
  return { authorization: `BEARER authToken=${token}` };
}

/** GET `path` once: the grid's row count and the body's size; throws unless 200 with a grid that is not an error. */
async function check(side: Side, path: string, zinc: boolean): Promise<{ rows: number; bytes: number }> {
  const res = await fetch(`http://127.0.0.1:${String(side.port)}${path}`, { headers: side.headers });
  const text = await res.text();
  const fail = (why: string): Error => new Error(`bench: ${side.name} ${path}: ${why}: ${text.slice(0, 300)}`);
  if (res.status !== 200) throw fail(`HTTP ${String(res.status)}`);
  const grid = zinc ? decodeZincGrid(text) : decodeJson(text);
  if (!(grid instanceof Grid)) throw fail('not a grid');
  if (grid.isError) throw fail('an error grid');
  if (grid.rows.length === 0) throw fail('no rows');
  return { rows: grid.rows.length, bytes: Buffer.byteLength(text) };
}

/** Drive one GET at `side` for `seconds`: average req/s (throws on errors or non-2xx answers). */
async function load(side: Side, path: string, seconds: number): Promise<number> {
  const result = await autocannon({
    url: `http://127.0.0.1:${String(side.port)}`,
    connections: MIX_CONNECTIONS,
    duration: seconds,
    requests: [{ method: 'GET', path }],
    headers: side.headers,
  });
  if (result.errors > 0 || result.non2xx > 0) {
    throw new Error(`bench: ${side.name} ${path}: errors ${String(result.errors)}, non-2xx ${String(result.non2xx)}`);
  }
  return result.requests.average;
}

function loads(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opAt = args.indexOf('--op');
  const only = opAt < 0 ? undefined : args.splice(opAt, 2)[1];
  const ops = OPS.filter((op) => only === undefined || op.name.startsWith(only));
  if (ops.length === 0) throw new Error(`bench: no op named ${String(only)}: ${OPS.map((o) => o.name).join(', ')}`);
  const seconds = Number(args.find((a) => !a.startsWith('--')) ?? 5);
  const withAuth = !process.argv.includes('--no-auth');
  const zinc = process.argv.includes('--zinc');
  if (!pythonAvailable()) return;
  const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
  execFileSync(process.execPath, [tsc, '-p', fileURLToPath(new URL('../tsconfig.build.json', import.meta.url))], {
    stdio: 'inherit',
  });
  const python = await haystackPyPython();
  const login: Login | null = withAuth ? { username: 'bench', password: randomBytes(12).toString('hex') } : null;
  let ours: { port: number; child: ChildProcess } | undefined;
  let bare: { port: number; child: ChildProcess } | undefined;
  const hspy = await startPythonServer(python, 'hspy_bench_server.py', [
    ALPHA,
    HIS.id,
    HIS.ianaTz,
    HIS.tz,
    HIS.site,
    HIS.day,
    String(HIS.samples),
    String(HIS.stepMin),
    ...(login === null ? [] : [login.username, login.password]),
  ]);
  try {
    ours = await startChild(fileURLToPath(import.meta.url), { login });
    const accept = { accept: zinc ? 'text/zinc' : 'application/json' };
    const side = async (name: string, port: number): Promise<Side> => ({
      name,
      port,
      headers: { ...accept, ...(login === null ? {} : await bearer(port, login)) },
    });
    const sides = [await side('ours', ours.port), await side('hs-py', hspy.port)] as const;
    const answers = await recordMix(
      `http://127.0.0.1:${String(ours.port)}`,
      ops.map((op) => op.path),
      sides[0].headers,
    );
    bare = await startChild(fileURLToPath(import.meta.url), { bare: answers });
    const bareSide: Side = { name: 'bare', port: bare.port, headers: sides[0].headers };
    console.log(
      `server vs haystack-py: Alpha + 1 his point, ${MIX_CONNECTIONS} connections, ${zinc ? 'Zinc' : 'JSON v4'}, ` +
        `${withAuth ? 'SCRAM login once, bearer token on every request' : 'no auth'}, ${String(seconds)} s rounds x ` +
        `${String(ROUNDS)} alternating after ${String(WARM_UP_SECONDS)} s warm-up; ours from dist/, response cache off`,
    );
    for (const op of ops) {
      const [a, b] = [await check(sides[0], op.path, zinc), await check(sides[1], op.path, zinc)];
      console.log(
        `check ${op.name}: ours ${String(a.rows)} rows ${String(a.bytes)} B, ` +
          `hs-py ${String(b.rows)} rows ${String(b.bytes)} B`,
      );
      if (op.same && a.rows !== b.rows) throw new Error(`bench: ${op.name}: the servers answer different rows`);
    }
    console.log(`load average before: ${loads()}`);
    const results: { name: string; ours: number[]; hspy: number[]; bare: number[] }[] = [];
    const list = (xs: readonly number[]): string => xs.map((n) => n.toFixed(0)).join(', ');
    for (const op of ops) {
      await load(sides[0], op.path, WARM_UP_SECONDS);
      await load(sides[1], op.path, WARM_UP_SECONDS);
      await load(bareSide, op.path, WARM_UP_SECONDS);
      const r = { name: op.name, ours: [] as number[], hspy: [] as number[], bare: [] as number[] };
      for (let round = 0; round < ROUNDS; round++) {
        r.ours.push(await load(sides[0], op.path, seconds));
        r.hspy.push(await load(sides[1], op.path, seconds));
        r.bare.push(await load(bareSide, op.path, seconds));
      }
      console.log(`${op.name}: ours ${list(r.ours)}; hs-py ${list(r.hspy)}; bare ${list(r.bare)} req/s`);
      results.push(r);
    }
    console.log(
      '\nop                  ours median / best    hs-py median / best   ratio median (best)                       ' +
        'bare median   ours/bare',
    );
    let below = 0;
    for (const r of results) {
      const m = { ours: stats(r.ours).median, hspy: stats(r.hspy).median };
      const best = { ours: Math.max(...r.ours), hspy: Math.max(...r.hspy) };
      const ratio = m.ours / m.hspy;
      if (ratio < TARGET_RATIO) below++;
      console.log(
        `${r.name.padEnd(18)}  ${m.ours.toFixed(0).padStart(8)} / ${best.ours.toFixed(0).padStart(6)}     ` +
          `${m.hspy.toFixed(0).padStart(7)} / ${best.hspy.toFixed(0).padStart(6)}     ` +
          `${ratio.toFixed(1).padStart(6)}x (${(best.ours / best.hspy).toFixed(1)}x)  ` +
          `${(ratio >= TARGET_RATIO ? 'OK' : 'BELOW').padEnd(5)} (target >= ${String(TARGET_RATIO)}x)  ` +
          `${stats(r.bare).median.toFixed(0).padStart(8)}   ${(m.ours / stats(r.bare).median).toFixed(2).padStart(6)}`,
      );
    }
    console.log(`${String(ops.length - below)} of ${String(ops.length)} ops at or above the target`);
    console.log(`load average after: ${loads()}`);
  } finally {
    ours?.child.kill();
    bare?.child.kill();
    await hspy.stop();
  }
}
