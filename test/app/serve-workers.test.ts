// Several server processes on one SQLite file: two apps on their own ports over one store (each request reaches the
// process the test chooses), `haystack serve --workers` refusing the memory store, serving one port from two
// processes, and summing their metrics.

import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { Readable } from 'node:stream';
import { connect as connectTls } from 'node:tls';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type AppConfig, type AppOutput, prepareApp, type RunningApp, startApp } from '../../src/app/index.js';
import { generateDevCertificates } from '../../src/cli/dev-certs.js';
import { HaystackClient, WebSocketClient } from '../../src/client/index.js';
import { Dict } from '../../src/core/grid/dict.js';
import { Grid } from '../../src/core/grid/grid.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { serveExit, spawnServe } from '../support/serve-cli.js';
import { makeTempDir } from '../support/temp-dir.js';

const dir = makeTempDir('hs-workers-');
afterAll(() => {
  dir.remove();
});
const running: RunningApp[] = [];
afterEach(async () => {
  for (const app of running.splice(0)) await app.close();
});

const quiet: AppOutput = { notice: () => undefined, log: () => undefined, warn: () => undefined };
const ENV = {
  HS_SUPERUSER_USERNAME: 'admin',
  HS_SUPERUSER_PASSWORD: 'admin-pass-1234',
  HS_SERVER_SECRET: 'ab'.repeat(32),
};
let n = 0;

const config = (store: string): AppConfig => ({
  host: '127.0.0.1',
  port: 0,
  store,
  seed: { kind: 'none' },
  security: { host: '127.0.0.1', auth: true, idleTtlMs: 600_000, maxLifetimeMs: 600_000, env: ENV },
  cwd: dir.path,
  quiet: true,
});

/** Two processes' apps over one new SQLite file, prepared as `--workers` prepares it, with a writable point `p`. */
async function twoProcesses(): Promise<[RunningApp, RunningApp]> {
  const c = config(`sqlite:store-${String(++n)}.db`);
  await prepareApp(c, quiet);
  const one = await startApp({ ...c, worker: { simulator: true } }, quiet);
  running.push(one);
  const two = await startApp({ ...c, worker: { simulator: false } }, quiet);
  running.push(two);
  await one.server.handler.store.commit([
    { op: 'add', tags: Dict.of({ id: new Ref('p'), point: MARKER, writable: MARKER, kind: 'Number' }) },
  ]);
  return [one, two];
}

/** A client that logs in with a password, and the bearer token it was given. */
function loggingIn(app: RunningApp, password = ENV.HS_SUPERUSER_PASSWORD) {
  let token: string | undefined;
  const capture: typeof fetch = async (input, init) => {
    const res = await fetch(input, init);
    const info = res.headers.get('authentication-info');
    const m = info === null ? null : /authToken=([^,\s]+)/.exec(info);
    if (m?.[1] !== undefined) token = m[1];
    return res;
  };
  const client = new HaystackClient({ url: app.address.url, username: 'admin', password, fetch: capture });
  return { client, token: () => token as string };
}

describe('two server processes over one SQLite store', () => {
  it('share tokens, watches and pushes, and a close ends the session everywhere', async () => {
    const [one, two] = await twoProcesses();
    const a = loggingIn(one);
    await a.client.about();
    const b = new HaystackClient({ url: two.address.url, token: a.token() });
    expect((await b.about()).get('productName')).toBe('haystack-ts');

    // A watch made through one process is polled through the other, and sees a write made there.
    const w = await a.client.watch(['p']);
    await b.pointWrite('p', 8, new Num(1));
    const polled = await b.call('watchPoll', Grid.make({ meta: { watchId: w.id }, cols: [] }));
    expect(polled.rows.find((r) => r.id?.id === 'p')?.get('curVal')).toEqual(new Num(1));

    // A point written through one process is pushed to a WebSocket watch on the other.
    const ws = new WebSocketClient({ url: two.address.url, token: a.token() });
    const pushed = (await ws.watch(['p'])).changes()[Symbol.asyncIterator]();
    await a.client.pointWrite('p', 8, new Num(2));
    let curVal: unknown;
    while (!(curVal instanceof Num && curVal.val === 2)) curVal = (await pushed.next()).value?.[0]?.get('curVal');
    // Not `close`: that would end the session the WebSocket shares with client `a`.
    await ws.disconnect();

    // `close` through one process ends the session at the other too.
    await a.client.close();
    await expect(b.about()).rejects.toMatchObject({ code: 'HS_ERR_AUTH' });
  });

  it('count failed logins through both processes against one throttle', async () => {
    const [one, two] = await twoProcesses();
    for (let i = 0; i < 6; i++) {
      const err = await loggingIn(i % 2 === 0 ? one : two, 'wrong-password')
        .client.about()
        .catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'HS_ERR_AUTH' });
    }
    // Five free failures for the pair, the sixth locked it: a HELLO is refused whichever process it reaches.
    for (const app of [one, two]) {
      const hello = await fetch(`${app.address.url}about`, {
        headers: { authorization: `HELLO username=${Buffer.from('admin').toString('base64url')}` },
      });
      expect(hello.status).toBe(429);
      expect(hello.headers.get('retry-after')).not.toBeNull();
    }
  });
});

describe('haystack serve --workers', () => {
  it('refuses the memory store, and a count out of range, as usage errors', async () => {
    const memory = await serveExit(['--workers', '2', '--store', 'memory', '--no-auth', '--port', '0']);
    expect(memory.code).toBe(2);
    expect(memory.stderr).toMatch(/--workers needs a store that several processes share/);
    const zero = await serveExit(['--workers', '0', '--port', '0']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toMatch(/--workers must be a whole number/);
  });

  it('serves one port from two processes over SQLite, seeding once, and stops them all on SIGINT', async () => {
    writeFileSync(
      dir.file('points.zinc'),
      'ver:"3.0"\nid,dis,point,writable,kind\n@p1,"P1",M,M,"Number"\n@p2,"P2",M,M,"Number"\n',
    );
    const args = ['--workers', '2', '--port', '0', '--data', 'points.zinc', '--quiet', '--store', 'sqlite:cluster.db'];
    const { child, url, stdout } = await spawnServe(args, dir.path, ENV);
    // However the test ends, nothing of the cluster outlives it.
    running.push({ close: () => Promise.resolve(void child.kill('SIGKILL')) } as unknown as RunningApp);
    try {
      expect(stdout()).toMatch(/2 worker processes/);
      const client = new HaystackClient({ url, username: 'admin', password: ENV.HS_SUPERUSER_PASSWORD });
      // The data file was loaded once, by the primary.
      const points = await client.read('point and writable');
      expect(points.rows.map((r) => r.id?.id).sort()).toEqual(['p1', 'p2']);
      const id = 'p1';
      const w = await client.watch([id]);
      // Requests alternate between the workers: each write is polled through whichever one answers.
      for (let v = 1; v <= 4; v++) {
        await client.pointWrite(id, 8, new Num(v));
        const changed = await w.poll();
        expect(changed.find((d) => d.id?.id === id)?.get('curVal')).toEqual(new Num(v));
      }
      await client.close();
    } finally {
      child.kill('SIGINT');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    }
    expect(stdout()).toMatch(/stopped/);
  });

  // Linux: the workers' process ids come from /proc.
  it.skipIf(process.platform !== 'linux')(
    'starts a killed worker again, and stops while it is starting',
    async () => {
      const args = ['--workers', '2', '--port', '0', '--quiet', '--store', 'sqlite:restart.db', '--log-format', 'json'];
      const { child, url, stderr } = await spawnServe(args, dir.path, ENV);
      running.push({ close: () => Promise.resolve(void child.kill('SIGKILL')) } as unknown as RunningApp);
      const pid = child.pid as number;
      const workers = readFileSync(`/proc/${String(pid)}/task/${String(pid)}/children`, 'utf8')
        .trim()
        .split(/\s+/);
      expect(workers).toHaveLength(2);
      process.kill(Number(workers[0]), 'SIGKILL');
      // The primary says so in the log, as a JSON record like every other line there.
      while (!stderr().includes('starting it again')) await once(child.stderr as Readable, 'data');
      const record = JSON.parse(
        stderr()
          .split('\n')
          .find((l) => l.includes('starting it again')) ?? '',
      ) as object;
      expect(record).toMatchObject({ level: 'error', msg: expect.stringMatching(/killed by SIGKILL/) as unknown });
      // The other worker serves meanwhile.
      expect((await fetch(`${url}about`)).status).toBe(401);
      // Asked to stop before the new worker listens: it is stopped too, and the primary ends.
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    },
    30_000,
  );

  it('SIGHUP to the primary has every worker serve the renewed TLS certificate', async () => {
    const [first, renewed] = [await generateDevCertificates(), await generateDevCertificates()];
    writeFileSync(dir.file('cert.pem'), first.server.cert);
    writeFileSync(dir.file('key.pem'), first.server.key);
    const tlsArgs = ['--tls-cert', 'cert.pem', '--tls-key', 'key.pem'];
    writeFileSync(dir.file('tls-point.zinc'), 'ver:"3.0"\nid,point\n@p1,M\n');
    const data = ['--data', 'tls-point.zinc'];
    const args = ['--workers', '2', '--port', '0', '--quiet', '--store', 'sqlite:tls.db', ...data, ...tlsArgs];
    const { child, url, stdout } = await spawnServe(args, dir.path, ENV);
    running.push({ close: () => Promise.resolve(void child.kill('SIGKILL')) } as unknown as RunningApp);
    const port = Number(new URL(url).port);
    // The certificate of a new connection; node:cluster hands connections to the workers in turn, so a few reach both.
    const served = async (): Promise<Set<string>> => {
      const seen = new Set<string>();
      for (let i = 0; i < 4; i++) {
        const socket = connectTls({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: false });
        await once(socket, 'secureConnect');
        seen.add(socket.getPeerX509Certificate()?.fingerprint256 ?? '');
        socket.destroy();
      }
      return seen;
    };
    const print = (pem: string): string => new X509Certificate(pem).fingerprint256;
    try {
      expect(await served()).toEqual(new Set([print(first.server.cert)]));
      writeFileSync(dir.file('cert.pem'), renewed.server.cert);
      writeFileSync(dir.file('key.pem'), renewed.server.key);
      child.kill('SIGHUP');
      while (!/TLS files read again/.test(stdout())) await once(child.stdout as Readable, 'data');
      expect(stdout()).toMatch(
        /TLS files read again: certificate localhost, valid until .*; 2 of 2 workers serve it\n/,
      );
      expect(await served()).toEqual(new Set([print(renewed.server.cert)]));
    } finally {
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    }
  });

  it("sums every worker's metrics at the primary's /metrics and at {api}metrics", async () => {
    writeFileSync(dir.file('one-point.zinc'), 'ver:"3.0"\nid,point\n@p1,M\n');
    const { child, url, stdout, stderr } = await spawnServe(
      [
        '--workers',
        '2',
        '--port',
        '0',
        '--quiet',
        '--store',
        'sqlite:metrics.db',
        '--data',
        'one-point.zinc',
        '--metrics-listen',
        '127.0.0.1:0',
        '--log-level',
        'info',
        '--log-format',
        'json',
      ],
      dir.path,
      ENV,
    );
    running.push({ close: () => Promise.resolve(void child.kill('SIGKILL')) } as unknown as RunningApp);
    try {
      // The primary prints where the metrics are right after where it listens.
      while (!/metrics at \S+\n/.test(stdout())) await once(child.stdout as Readable, 'data');
      const metricsUrl = /metrics at (\S+)/.exec(stdout())?.[1] ?? '';
      expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      const admin = loggingIn({ address: { url } } as RunningApp);
      await admin.client.about();
      // A connection of its own per request: node:cluster hands connections to the workers in turn.
      const CALLS = 8;
      const answered = new Set<string>();
      for (let i = 0; i < CALLS; i++) {
        const res = await oneConnection(`${url}about`, admin.token());
        expect(res.status).toBe(200);
        answered.add(res.worker);
      }
      // Both workers served some of them, and every one is in the sum.
      expect(answered.size).toBe(2);
      // Their log records say which worker wrote them.
      const logged = new Set(
        stderr()
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l) as { msg?: string; op?: string; worker?: number })
          .filter((r) => r.msg === 'request' && r.op === 'about')
          .map((r) => r.worker),
      );
      expect([...logged].sort()).toEqual([1, 2]);
      const scrape = await (await fetch(metricsUrl)).text();
      expect(sample(scrape, 'haystack_op_requests_total{op="about",transport="http",outcome="ok"}')).toBe(CALLS + 1);
      expect(sample(scrape, 'haystack_cluster_workers{state="answered"}')).toBe(2);
      // Process series stay per worker.
      for (const worker of ['1', '2']) {
        expect(sample(scrape, `nodejs_heap_size_used_bytes{worker="${worker}"}`)).toBeGreaterThan(0);
        expect(scrape).toMatch(new RegExp(`nodejs_eventloop_lag_seconds\\{worker="${worker}"\\}`));
      }
      // The admin route, whichever worker it reaches, asks the primary for the same sum.
      const viaApi = await oneConnection(`${url}metrics`, admin.token());
      expect(viaApi.status).toBe(200);
      expect(sample(viaApi.body, 'haystack_op_requests_total{op="about",transport="http",outcome="ok"}')).toBe(
        CALLS + 1,
      );
      expect(sample(viaApi.body, 'haystack_cluster_workers{state="answered"}')).toBe(2);
      await admin.client.close();
    } finally {
      child.kill('SIGINT');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    }
  });
});

/** A GET on a connection of its own (no keep-alive), and the process prefix of its `X-Request-Id`. */
async function oneConnection(url: string, token: string): Promise<{ status: number; body: string; worker: string }> {
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    http
      .get(url, { agent: false, headers: { authorization: `BEARER authToken=${token}`, accept: 'text/zinc' } }, resolve)
      .on('error', reject);
  });
  let body = '';
  res.setEncoding('utf8');
  for await (const chunk of res) body += chunk as string;
  const id = String(res.headers['x-request-id'] ?? '');
  return { status: res.statusCode ?? 0, body, worker: id.slice(0, id.lastIndexOf('-')) };
}

/** The value of one exposition-text sample, e.g. `name{label="v"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
