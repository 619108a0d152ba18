// Redis restarting under a bounded write load: calls during the outage answer 503 error grids, service resumes by
// itself once Redis is back, and every acknowledged write is there afterwards. Runs against a private redis-server
// (AOF, appendfsync always) on an OS-chosen port, killed with SIGKILL and started again; never the shared one.
// Another adapter's change notifications report a reset once their connection is back, then changes again.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dict } from '../../../src/core/grid/dict.js';
import { MARKER } from '../../../src/core/kinds/marker.js';
import type { HaystackServer } from '../../../src/server/index.js';
import type { StoreChange } from '../../../src/storage/change-notifier.js';
import { openRedisStore, type RedisStore } from '../../../src/storage/redis/index.js';
import { OutageLoad, serveLoadPoints } from '../../support/outage-load.js';
import { type PrivateRedis, startPrivateRedis } from '../../support/redis.js';

const WRITERS = 3;

let redis: PrivateRedis;
let store: RedisStore;
let server: HaystackServer;
let base: string;

beforeAll(async () => {
  redis = await startPrivateRedis({ aof: true });
  store = await openRedisStore({ url: redis.url, prefix: 'outage' });
  ({ server, base } = await serveLoadPoints(store, WRITERS));
});

afterAll(async () => {
  await server.close();
  await store.close();
  await redis.stop();
});

describe('redis restarting under load', () => {
  it('answers 503 during the outage, resumes by itself, and loses no acknowledged write', async () => {
    const load = new OutageLoad(base, WRITERS);
    // A second process's view: change notifications, which must say `reset` after their connection came back.
    const watcher = await openRedisStore({ url: redis.url, prefix: 'outage' });
    const changes: StoreChange[] = [];
    await watcher.subscribeChanges((c) => {
      changes.push(c);
      load.note();
    });
    load.start();
    try {
      await load.throughOutage(
        'Redis',
        () => redis.crash(),
        () => redis.restart(),
      );
      await load.until(() => changes.some((c) => c.kind === 'reset'));
      const after = changes.length;
      await store.commit([{ op: 'update', id: 'p0', changes: Dict.of({ touched: MARKER }) }]);
      await load.until(() => changes.slice(after).some((c) => c.kind === 'entities' && c.ids.includes('p0')));
    } finally {
      await load.stop();
      await watcher.close();
    }
    expect(load.unexpected).toEqual([]);
    expect(load.unavailable.length).toBeGreaterThan(0);
    // Every acknowledged sample is in the store after the crash (AOF, appendfsync always).
    const all = { start: 0, end: Number.MAX_SAFE_INTEGER };
    expect(await load.lostWrites((id) => store.hisRead(id, all))).toEqual([]);
  });
});
