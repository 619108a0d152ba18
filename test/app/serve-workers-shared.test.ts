// `haystack serve --workers 2` on the stores several processes share over the network (Redis, PostgreSQL): a watch
// made through one worker is polled through the other, writes through either reach both, a `close` through one ends
// the session at the other, and failed logins through both count against one throttle.
//
// Both workers listen on one port, so the test cannot pick a worker by address. It pins each client to one
// keep-alive connection (node:cluster hands a connection to one worker for its whole life; the server keeps an idle
// one 5 s, and the requests here follow each other closely) and tells the workers apart by the process prefix of
// the `X-Request-Id` each answer carries; every answer's worker is checked.

import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HaystackClient, WebSocketClient } from '../../src/client/index.js';
import { Grid } from '../../src/core/grid/grid.js';
import { Num } from '../../src/core/kinds/number.js';
import { adminQuery, TEST_PG_URL, testSchemas } from '../support/postgres.js';
import { redisPrefixes, redisReachable } from '../support/redis.js';
import { type SpawnedServe, spawnServe } from '../support/serve-cli.js';
import { makeTempDir } from '../support/temp-dir.js';

const dir = makeTempDir('hs-workers-shared-');
const prefixes = redisPrefixes();
const schemas = testSchemas('workers');
afterAll(async () => {
  await prefixes.cleanup();
  await schemas.dropAll();
  dir.remove();
});

const ENV = {
  HS_SUPERUSER_USERNAME: 'admin',
  HS_SUPERUSER_PASSWORD: 'admin-pass-1234',
};
writeFileSync(dir.file('points.zinc'), 'ver:"3.0"\nid,dis,point,writable,kind\n@p1,"P1",M,M,"Number"\n');

/** A fetch over one keep-alive connection, and the worker (request-id prefix) that sent each answer. */
interface Pinned {
  readonly fetch: typeof fetch;
  /** The worker of every answer so far, in order. */
  readonly workers: string[];
  readonly agent: Agent;
}

// `<process prefix>-<counter>` (src/server/http/request-id.ts): the prefix names the process that answered.
function workerOf(res: Response): string {
  const id = res.headers.get('x-request-id') ?? '';
  return id.slice(0, id.lastIndexOf('-'));
}

function pinned(): Pinned {
  // One connection, kept open between requests: every request of this client reaches the same worker.
  const agent = new Agent({ connections: 1, pipelining: 1, keepAliveTimeout: 600_000 });
  const workers: string[] = [];
  const f: typeof fetch = async (input, init) => {
    const res = (await undiciFetch(input as string, { ...(init as object), dispatcher: agent })) as unknown as Response;
    workers.push(workerOf(res));
    return res;
  };
  return { fetch: f, workers, agent };
}

/** Two pinned fetches whose connections reached different workers (new connections go to the workers in turn). */
async function onBothWorkers(url: string): Promise<[Pinned, Pinned]> {
  const byWorker = new Map<string, Pinned>();
  for (let i = 0; i < 20 && byWorker.size < 2; i++) {
    const p = pinned();
    const res = await p.fetch(`${url}about`);
    await res.arrayBuffer();
    const w = p.workers[0] as string;
    if (byWorker.has(w)) await p.agent.close();
    else byWorker.set(w, p);
  }
  const both = [...byWorker.values()];
  if (both.length !== 2) throw new Error(`20 connections reached only ${String(both.length)} worker(s)`);
  return both as [Pinned, Pinned];
}

const pgReachable = (): Promise<boolean> =>
  adminQuery('SELECT 1').then(
    () => true,
    () => false,
  );

interface SharedStore {
  readonly name: string;
  readonly reachable: () => Promise<boolean>;
  /** A `--store` text for a new, empty store. */
  readonly store: () => string;
}

const STORES: readonly SharedStore[] = [
  {
    name: 'Redis',
    reachable: () => redisReachable(),
    store: () => `redis://127.0.0.1:6379?prefix=${prefixes.next()}`,
  },
  {
    name: 'PostgreSQL',
    reachable: () => pgReachable(),
    store: () => `${TEST_PG_URL}?schema=${schemas.next()}`,
  },
];

describe.each(STORES)('haystack serve --workers 2 on $name', (s) => {
  let serve: SpawnedServe | undefined;
  let a: Pinned;
  let b: Pinned;
  const pins: Pinned[] = [];
  const url = (): string => (serve as SpawnedServe).url;

  beforeAll(async () => {
    if (!(await s.reachable())) throw new Error(`${s.name} test server not reachable (.ci/run starts it)`);
    const args = ['--workers', '2', '--port', '0', '--data', 'points.zinc', '--quiet', '--store', s.store()];
    serve = await spawnServe(args, dir.path, ENV);
    [a, b] = await onBothWorkers(serve.url);
    pins.push(a, b);
  }, 120_000);

  afterAll(async () => {
    for (const p of pins) await p.agent.close();
    if (serve === undefined) return;
    const { child } = serve;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      await once(child, 'exit');
    }
    expect(child.exitCode).toBe(0);
  });

  it('share watches, writes, pushes and tokens, and a close ends the session everywhere', async () => {
    let token = '';
    const answers: string[] = [];
    const capture: typeof fetch = async (input, init) => {
      const res = await a.fetch(input, init);
      answers.push(`${new URL(input).pathname} ${String(res.status)}`);
      const m = /authToken=([^,\s]+)/.exec(res.headers.get('authentication-info') ?? '');
      if (m?.[1] !== undefined) token = m[1];
      return res;
    };
    const one = new HaystackClient({
      url: url(),
      username: 'admin',
      password: ENV.HS_SUPERUSER_PASSWORD,
      fetch: capture,
    });
    await one.about();
    // The token worker one handed out is accepted by worker two.
    const two = new HaystackClient({ url: url(), token, fetch: b.fetch });
    expect((await two.about()).get('productName')).toBe('haystack-ts');

    // A read answered (and cached) by one worker shows a write made through the other as soon as it is acknowledged.
    const curVal = async () => (await one.read('point')).rows.find((r) => r.id?.id === 'p1')?.get('curVal');
    for (let v = 11; v <= 13; v++) {
      await curVal();
      await two.pointWrite('p1', 8, new Num(v));
      expect(await curVal()).toEqual(new Num(v));
    }

    // A watch made through one worker is polled through the other, and sees writes made through either.
    const w = await one.watch(['p1']);
    await two.pointWrite('p1', 8, new Num(1));
    const polled = await two.call('watchPoll', Grid.make({ meta: { watchId: w.id }, cols: [] }));
    expect(polled.rows.find((r) => r.id?.id === 'p1')?.get('curVal')).toEqual(new Num(1));
    await one.pointWrite('p1', 8, new Num(2));
    const again = await two.call('watchPoll', Grid.make({ meta: { watchId: w.id }, cols: [] }));
    expect(again.rows.find((r) => r.id?.id === 'p1')?.get('curVal')).toEqual(new Num(2));
    await two.pointWrite('p1', 8, new Num(3));
    expect((await w.poll()).find((d) => d.id?.id === 'p1')?.get('curVal')).toEqual(new Num(3));

    // A WebSocket watch, on whichever worker its connection reached, is pushed writes made through both.
    const ws = new WebSocketClient({ url: url(), token });
    try {
      const pushed = (await ws.watch(['p1'])).changes()[Symbol.asyncIterator]();
      const awaitVal = async (want: number): Promise<void> => {
        let v: unknown;
        while (!(v instanceof Num && v.val === want)) v = (await pushed.next()).value?.[0]?.get('curVal');
      };
      await one.pointWrite('p1', 8, new Num(4));
      await awaitVal(4);
      await two.pointWrite('p1', 8, new Num(5));
      await awaitVal(5);
    } finally {
      // Not `close`: that would end the session the WebSocket shares with client one.
      await ws.disconnect();
    }

    // `close` through worker one ends the session at worker two.
    await one.close();
    // Ended at its first try (a 401 would make the client log in again and close that new session instead).
    expect(answers.at(-1)).toBe('/api/close 200');
    await expect(two.about()).rejects.toMatchObject({ code: 'HS_ERR_AUTH' });

    // Every answer came from the worker its client was pinned to, and the two are different processes.
    const [wa, wb] = [new Set(a.workers), new Set(b.workers)];
    expect(wa.size).toBe(1);
    expect(wb.size).toBe(1);
    expect([...wa][0]).not.toBe([...wb][0]);
  });

  it('count failed logins through both workers against one throttle', async () => {
    for (let i = 0; i < 6; i++) {
      const via = i % 2 === 0 ? a : b;
      const wrong = new HaystackClient({ url: url(), username: 'admin', password: 'wrong-password', fetch: via.fetch });
      await expect(wrong.about()).rejects.toMatchObject({ code: 'HS_ERR_AUTH' });
    }
    // Five free failures for the pair, the sixth locked it: a HELLO is refused by both workers.
    for (const via of [a, b]) {
      const hello = await via.fetch(`${url()}about`, {
        headers: { authorization: `HELLO username=${Buffer.from('admin').toString('base64url')}` },
      });
      await hello.arrayBuffer();
      expect(hello.status).toBe(429);
      expect(hello.headers.get('retry-after')).not.toBeNull();
    }
    expect(new Set(a.workers).size).toBe(1);
    expect(new Set(b.workers).size).toBe(1);
    expect(a.workers[0]).not.toBe(b.workers[0]);
  });
});
