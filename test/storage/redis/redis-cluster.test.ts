// The Redis store on a real three-node Redis Cluster (private redis-servers joined by `redis-cli --cluster create`):
// stores whose hash-tag slots live on different nodes, reached through one node, with redirects followed; change
// notifications (entities, users and sessions) between two adapters over cluster pub/sub; and `haystack serve --store redis://...?cluster=true`.

import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dict } from '../../../src/core/grid/dict.js';
import { MARKER } from '../../../src/core/kinds/marker.js';
import { Num } from '../../../src/core/kinds/number.js';
import { Ref } from '../../../src/core/kinds/ref.js';
import type { StoreChange } from '../../../src/storage/change-notifier.js';
import { openRedisStore, type RedisStore } from '../../../src/storage/redis/index.js';
import { READ_FIXTURE } from '../../../src/storage/testing/contract-read.js';
import { addEntities, idsOf } from '../../../src/storage/testing/helpers.js';
import { changeRecorder } from '../../support/change-recorder.js';
import { type PrivateRedisCluster, startPrivateRedisCluster } from '../../support/redis.js';
import { expectRestartKeepsWrites } from '../../support/serve-restart.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { makeAndHear, seedUser, TOLD_CHANGES } from '../../support/user-notice.js';

let cluster: PrivateRedisCluster;
const stores: RedisStore[] = [];
const dir = makeTempDir('hs-redis-cluster-');
beforeAll(async () => {
  cluster = await startPrivateRedisCluster(3);
}, 60_000);
afterAll(async () => {
  for (const s of stores) await s.close();
  await cluster.stop();
  dir.remove();
});

async function open(prefix: string): Promise<RedisStore> {
  const store = await openRedisStore({ url: cluster.urls[0] as string, prefix, cluster: true });
  stores.push(store);
  return store;
}

// The port of the node that serves the slot of `{prefix}`.
async function ownerOf(prefix: string): Promise<number> {
  const probe = new Redis(cluster.urls[0] as string);
  try {
    const slot = Number(await probe.call('CLUSTER', 'KEYSLOT', `{${prefix}}:meta`));
    const ranges = (await probe.call('CLUSTER', 'SLOTS')) as [number, number, [string, number]][];
    const range = ranges.find(([lo, hi]) => slot >= lo && slot <= hi);
    return range?.[2][1] ?? -1;
  } finally {
    probe.disconnect();
  }
}

describe('redis store on a three-node Redis Cluster', () => {
  it('serves stores whose slots live on other nodes than the one it was given', async () => {
    const prefixes = ['north', 'south', 'east', 'west', 'plant', 'annex'];
    const owners = new Set(await Promise.all(prefixes.map(ownerOf)));
    // The six prefixes hash to slots on at least two nodes, so some are reached only through redirects.
    expect(owners.size).toBeGreaterThan(1);
    for (const prefix of prefixes) {
      const store = await open(prefix);
      await addEntities(store, READ_FIXTURE);
      expect(idsOf(await store.read({ filter: 'point and siteRef->dis == "Alpha"' })), prefix).toEqual(['p1', 'p2']);
      await store.hisWrite('p1', [
        { ts: 1_000, val: new Num(1) },
        { ts: 2_000, val: new Num(2) },
      ]);
      expect((await store.hisRead('p1', { start: 0, end: 10_000 })).map((h) => h.val)).toEqual([
        new Num(1),
        new Num(2),
      ]);
      const arr = await store.pointWrite({ id: 'p4', level: 8, val: new Num(70), who: prefix });
      expect([arr.effectiveLevel, arr.effective]).toEqual([8, new Num(70)]);
      const w = await store.watchOpen('w', 60_000);
      await store.watchAdd(w.id, ['p1']);
      await store.commit([{ op: 'update', id: 'p1', changes: Dict.of({ note: prefix }) }]);
      expect((await store.watchPoll(w.id, false)).changed.map((d) => d.get('note'))).toEqual([prefix]);
      await store.users.putSession({ id: `s-${prefix}`, username: 'u', created: 1, lastUsed: 1, expires: 2 });
      expect(await store.users.purgeExpiredSessions(3)).toBe(1);
    }
  });

  it('tells a second adapter of a change over cluster pub/sub', async () => {
    const one = await open('shared');
    const two = await open('shared');
    const seen: StoreChange[] = [];
    let heard!: () => void;
    const entitiesHeard = new Promise<void>((resolve) => {
      heard = resolve;
    });
    // Resolves once the subscription is confirmed: the next write is announced to it, whichever node serves it.
    await two.subscribeChanges((change) => {
      seen.push(change);
      if (change.kind === 'entities') heard();
    });
    await one.commit([{ op: 'add', tags: Dict.of({ id: new Ref('x1'), site: MARKER }) }]);
    await entitiesHeard;
    const change = seen.find((c) => c.kind === 'entities');
    expect(change?.kind === 'entities' ? change.ids : undefined).toEqual(['x1']);
  });

  it('tells a second adapter of user and session changes, published by the scripts that make them', async () => {
    // Stores served by different nodes: classic PUBLISH (unlike SPUBLISH) reaches subscribers on every node.
    const prefixes = ['users-a', 'users-b', 'users-c'];
    expect(new Set(await Promise.all(prefixes.map(ownerOf))).size).toBeGreaterThan(1);
    for (const prefix of prefixes) {
      const writer = await open(prefix);
      const listening = await open(prefix);
      const rec = changeRecorder();
      await listening.subscribeChanges(rec.listener);
      for (const change of TOLD_CHANGES) {
        const username = `vera-${change.name}`;
        await seedUser(writer.users, username);
        const out = await makeAndHear({ change, username, through: writer.users, writer, listening, rec });
        expect(out, `${prefix} ${change.name}`).toEqual({ failed: false, made: true, told: 1 });
      }
    }
  });

  it('mirrors a store in process, caught up from its change log through whichever node serves it', async () => {
    const prefixes = ['mirror-a', 'mirror-b', 'mirror-c', 'mirror-d'];
    expect(new Set(await Promise.all(prefixes.map(ownerOf))).size).toBeGreaterThan(1);
    for (const prefix of prefixes) {
      const mirrored = await open(prefix);
      const writer = await openRedisStore({
        url: cluster.urls[0] as string,
        prefix,
        cluster: true,
        scanCacheEntities: 0,
      });
      stores.push(writer);
      await addEntities(writer, READ_FIXTURE);
      await mirrored.warmScanCache();
      await writer.commit([{ op: 'update', id: 'p1', changes: Dict.of({ note: prefix }) }]);
      await writer.commit([{ op: 'remove', id: 'p2' }]);
      const filter = 'point and siteRef->dis == "Alpha"';
      expect(idsOf(await mirrored.read({ filter })), prefix).toEqual(['p1']);
      expect((await mirrored.readByIds(['p1']))[0]?.get('note')).toBe(prefix);
      expect(await mirrored.count()).toBe(await writer.count());
      expect(mirrored.readStats().cached, prefix).toBe(3);
      expect(mirrored.scanCacheStats(), prefix).toMatchObject({ loads: 1, catchUps: 1 });
    }
  });

  it('runs haystack serve --store redis://...?cluster=true, keeping writes across a restart', async () => {
    await expectRestartKeepsWrites(
      ['--port', '0', '--demo-days', '1', '--store', `${cluster.urls[0] as string}?cluster=true&prefix=serve`],
      dir.path,
      /store redis cluster .*: \d+ entities, demo building/,
    );
  }, 120_000);
});
