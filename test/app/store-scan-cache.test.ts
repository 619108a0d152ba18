// A store opened for a one-shot command (`scanCache: false`: import, export, local users) keeps no per-process
// copy of its entities: its reads, and an explicit warm-up, fill nothing, on every backend that has such a copy;
// a store opened for `serve` (the default) fills one. Real SQLite file, PostgreSQL schema and Redis prefix.

import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, STORE_BACKENDS } from '../../src/app/index.js';
import { Dict, MARKER, Ref } from '../../src/core/index.js';
import { TEST_PG_URL, testSchemas } from '../support/postgres.js';
import { redisPrefixes, redisReachable, SHARED_REDIS_URL } from '../support/redis.js';
import { makeTempDir } from '../support/temp-dir.js';

const redisUp = await redisReachable();
if (!redisUp && process.env.CI !== undefined) throw new Error(`Redis is not reachable at ${SHARED_REDIS_URL}`);
const dir = makeTempDir('hs-scan-cache-');
const schemas = testSchemas('scancache');
const prefixes = redisPrefixes();
afterAll(async () => {
  dir.remove();
  await schemas.dropAll();
  if (redisUp) await prefixes.cleanup();
});

/** What the three stores with a scan cache have beside the adapter. */
interface ScanCached {
  scanCacheStats(): { readonly loads: number; readonly filling: boolean };
  warmScanCache(): Promise<void> | void;
}

const CASES: readonly { name: string; text: () => string; skip: boolean }[] = [
  { name: 'sqlite', text: () => `sqlite:${path.join(dir.path, 'a.db')}`, skip: false },
  { name: 'postgres', text: () => `${TEST_PG_URL}?schema=${schemas.next()}`, skip: false },
  { name: 'redis', text: () => `${SHARED_REDIS_URL}?prefix=${prefixes.next()}`, skip: !redisUp },
];

describe.each(CASES)('$name store opened for a one-shot command', ({ text, skip }) => {
  it.skipIf(skip)('fills no scan cache; the same store opened for serve fills one', async () => {
    const where = text();
    const loadsAfterRead = async (scanCache: boolean | undefined): Promise<number> => {
      const opened = await openStore(where, STORE_BACKENDS, {
        cwd: dir.path,
        ...(scanCache === undefined ? {} : { scanCache }),
      });
      try {
        const store = opened.store as typeof opened.store & ScanCached;
        const site = Dict.of({ id: new Ref(`s-${String(Date.now())}`), site: MARKER, dis: 'North' });
        await store.commit([{ op: 'add', tags: site }]);
        expect((await store.read({ filter: 'site' })).length).toBeGreaterThan(0);
        await store.warmScanCache();
        expect(store.scanCacheStats().filling).toBe(false);
        return store.scanCacheStats().loads;
      } finally {
        await opened.close();
      }
    };
    expect(await loadsAfterRead(false)).toBe(0);
    expect(await loadsAfterRead(undefined)).toBe(1);
  });
});
