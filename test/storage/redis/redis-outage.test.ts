// Redis restarting under a bounded write load: calls during the outage answer 503 error grids, service resumes by
// itself once Redis is back, and every acknowledged write is there afterwards. Runs against a private redis-server
// (AOF, appendfsync always) on an OS-chosen port, killed with SIGKILL and started again; never the shared one.
// Another adapter's change notifications report a reset once their connection is back, then changes again.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeZinc } from '../../../src/core/codec/zinc/index.js';
import { Dict } from '../../../src/core/grid/dict.js';
import { Grid } from '../../../src/core/grid/grid.js';
import { HDateTime } from '../../../src/core/kinds/date-time.js';
import { MARKER } from '../../../src/core/kinds/marker.js';
import { Num } from '../../../src/core/kinds/number.js';
import { Ref } from '../../../src/core/kinds/ref.js';
import { createServer, type HaystackServer } from '../../../src/server/index.js';
import type { StoreChange } from '../../../src/storage/change-notifier.js';
import { openRedisStore, type RedisStore } from '../../../src/storage/redis/index.js';
import { gridOf } from '../../server/support/server-fixture.js';
import { type PrivateRedis, startPrivateRedis } from '../../support/redis.js';

const WRITERS = 3;
const T0 = Date.UTC(2024, 0, 1);

let redis: PrivateRedis;
let store: RedisStore;
let server: HaystackServer;
let base: string;

beforeAll(async () => {
  redis = await startPrivateRedis({ aof: true });
  store = await openRedisStore({ url: redis.url, prefix: 'outage' });
  await store.commit(
    Array.from({ length: WRITERS }, (_, i) => ({
      op: 'add' as const,
      tags: Dict.of({ id: new Ref(`p${String(i)}`), point: MARKER, his: MARKER, kind: 'Number', tz: 'UTC' }),
    })),
  );
  server = createServer({ store, noAuth: true });
  base = (await server.listen(0, '127.0.0.1')).url;
});

afterAll(async () => {
  await server.close();
  await store.close();
  await redis.stop();
});

/** What the load saw; `changed` settles whenever a request finishes, so the test waits on progress, not on time. */
class Load {
  readonly acked: Set<number>[] = Array.from({ length: WRITERS }, () => new Set<number>());
  readonly unavailable: string[] = [];
  readonly unexpected: string[] = [];
  readsOk = 0;
  /** When (performance.now) each write was acknowledged, in order. */
  readonly ackedAt: number[] = [];
  #stop = false;
  #wake: (() => void) | undefined;

  total(): number {
    return this.acked.reduce((n, s) => n + s.size, 0);
  }

  async until(cond: () => boolean): Promise<void> {
    while (!cond()) {
      if (this.unexpected.length > 0) throw new Error(`unexpected answers: ${this.unexpected.slice(0, 3).join('; ')}`);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  stop(): void {
    this.#stop = true;
  }

  get stopped(): boolean {
    return this.#stop;
  }

  note(): void {
    this.#wake?.();
  }
}

async function exchange(url: string, body?: string): Promise<{ status: number; text: string; headers: Headers }> {
  const res = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined ? {} : { body, headers: { 'content-type': 'text/zinc; charset=utf-8' } }),
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

// A 503 must be a proper error grid saying the store is unavailable; anything else but success is a failure.
function judge(load: Load, what: string, x: { status: number; text: string; headers: Headers }): boolean {
  if (x.status === 200 && !gridOf(x).isError) return true;
  const g = x.text === '' ? undefined : gridOf(x);
  if (x.status === 503 && g?.meta.get('errCode') === 'HS_ERR_UNAVAILABLE' && x.headers.get('retry-after') === '1') {
    load.unavailable.push(what);
  } else {
    load.unexpected.push(`${what}: ${String(x.status)} ${x.text.slice(0, 200)}`);
  }
  return false;
}

async function writer(load: Load, n: number): Promise<void> {
  const id = new Ref(`p${String(n)}`);
  for (let i = 0; !load.stopped; i++) {
    const ts = T0 + i * 1000;
    const rows = [{ ts: HDateTime.fromEpochMs(ts), val: new Num(i) }];
    const body = encodeZinc(Grid.make({ meta: { id }, cols: ['ts', 'val'], rows }));
    try {
      if (judge(load, `hisWrite p${String(n)}`, await exchange(`${base}hisWrite`, body))) {
        load.acked[n]?.add(ts);
        load.ackedAt.push(performance.now());
      }
      // A client backs off briefly after a 503 (the answer says Retry-After), which keeps the load bounded.
      else await new Promise((resolve) => setTimeout(resolve, 10));
    } catch (err) {
      load.unexpected.push(`hisWrite p${String(n)}: ${String(err)}`);
    }
    load.note();
  }
}

async function reader(load: Load): Promise<void> {
  while (!load.stopped) {
    try {
      if (judge(load, 'read', await exchange(`${base}read?filter=point`))) load.readsOk++;
      else await new Promise((resolve) => setTimeout(resolve, 10));
    } catch (err) {
      load.unexpected.push(`read: ${String(err)}`);
    }
    load.note();
  }
}

describe('redis restarting under load', () => {
  it('answers 503 during the outage, resumes by itself, and loses no acknowledged write', async () => {
    const load = new Load();
    // A second process's view: change notifications, which must say `reset` after their connection came back.
    const watcher = await openRedisStore({ url: redis.url, prefix: 'outage' });
    const changes: StoreChange[] = [];
    await watcher.subscribeChanges((c) => {
      changes.push(c);
      load.note();
    });
    const running = Promise.all([...Array.from({ length: WRITERS }, (_, n) => writer(load, n)), reader(load)]);
    try {
      await load.until(() => load.total() >= 30 && load.readsOk >= 3);
      await redis.crash();
      const crashedAt = performance.now();
      await load.until(() => load.unavailable.length >= 2 * (WRITERS + 1));
      const before = load.total();
      await redis.restart();
      const restartedAt = performance.now();
      const readsBefore = load.readsOk;
      await load.until(() => load.total() >= before + 30 && load.readsOk > readsBefore);
      await load.until(() => changes.some((c) => c.kind === 'reset'));
      const after = changes.length;
      await store.commit([{ op: 'update', id: 'p0', changes: Dict.of({ touched: MARKER }) }]);
      await load.until(() => changes.slice(after).some((c) => c.kind === 'entities' && c.ids.includes('p0')));
      const firstAck = load.ackedAt.find((t) => t > restartedAt) ?? Number.NaN;
      if (process.env.HAYSTACK_FAULT_REPORT !== undefined) {
        console.info(
          `redis outage: down ${String(Math.round(restartedAt - crashedAt))} ms, ${String(load.unavailable.length)} ` +
            `answers 503, first write acknowledged ${String(Math.round(firstAck - restartedAt))} ms after Redis was ` +
            `ready again, ${String(load.total())} acknowledged in all`,
        );
      }
    } finally {
      load.stop();
      await running;
      await watcher.close();
    }
    expect(load.unexpected).toEqual([]);
    expect(load.unavailable.length).toBeGreaterThan(0);
    // Every acknowledged sample is in the store after the crash (AOF, appendfsync always).
    for (let n = 0; n < WRITERS; n++) {
      const stored = new Set(
        (await store.hisRead(`p${String(n)}`, { start: 0, end: Number.MAX_SAFE_INTEGER })).map((s) => s.ts),
      );
      const lost = [...(load.acked[n] ?? [])].filter((ts) => !stored.has(ts));
      expect(lost).toEqual([]);
    }
  });
});
