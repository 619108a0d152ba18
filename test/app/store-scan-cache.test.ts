// The scan cache (each process's decoded copy of a store's entities) as the app asks for it: a store opened for a
// one-shot command (`scanCacheEntities: 0`: import, export, local users) fills none, on every backend that has one,
// and one opened for `serve` fills one; `serve --scan-cache N` reaches the store of each serving process, and a
// cluster's primary, which only prepares the store, fills none. Real SQLite file, PostgreSQL schema, Redis prefix.

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type AppConfig,
  type AppOutput,
  type OpenedStore,
  openStore,
  prepareApp,
  STORE_BACKENDS,
  type StoreBackend,
  startApp,
} from '../../src/app/index.js';
import { Dict, MARKER, Ref } from '../../src/core/index.js';
import { TEST_PG_URL } from '../support/postgres.js';
import { SHARED_REDIS_URL } from '../support/redis.js';
import { serveExit } from '../support/serve-cli.js';
import { storeScratch } from '../support/store-scratch.js';

const { dir, schemas, prefixes, redisUp } = await storeScratch('scancache');

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
    const loadsAfterRead = async (entities: number | undefined): Promise<number> => {
      const opened = await openStore(where, STORE_BACKENDS, {
        cwd: dir.path,
        ...(entities === undefined ? {} : { scanCacheEntities: entities }),
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
    expect(await loadsAfterRead(0)).toBe(0);
    expect(await loadsAfterRead(undefined)).toBe(1);
  });
});

const quiet: AppOutput = { notice: () => undefined, log: () => undefined, warn: () => undefined };

/** The SQLite backend under another scheme, keeping every store it opens, and what it was asked, to look into. */
function recordingSqlite(): {
  backend: StoreBackend;
  opened: (OpenedStore & { store: ScanCached })[];
  asked: (number | undefined)[];
} {
  const sqlite = STORE_BACKENDS.find((b) => b.scheme === 'sqlite') as StoreBackend;
  const opened: (OpenedStore & { store: ScanCached })[] = [];
  const asked: (number | undefined)[] = [];
  const backend: StoreBackend = {
    scheme: 'rec',
    usage: 'rec:PATH',
    async open(spec, context) {
      asked.push(context.scanCacheEntities);
      const o = await sqlite.open({ ...spec, scheme: 'sqlite' }, context);
      opened.push(o as OpenedStore & { store: ScanCached });
      return o;
    },
  };
  return { backend, opened, asked };
}

describe('serve and the scan cache', () => {
  const config = (backend: StoreBackend, file: string, extra: Partial<AppConfig> = {}): AppConfig => ({
    host: '127.0.0.1',
    port: 0,
    store: `rec:${file}`,
    backends: [backend],
    seed: { kind: 'file', file: 'sites.zinc' },
    security: {
      host: '127.0.0.1',
      auth: true,
      idleTtlMs: 60_000,
      maxLifetimeMs: 60_000,
      env: { HS_SUPERUSER_USERNAME: 'admin', HS_SUPERUSER_PASSWORD: 'admin-pass-1234' },
    },
    cwd: dir.path,
    quiet: true,
    ...extra,
  });

  it('a serving process fills its copy unless --scan-cache 0; a cluster primary fills none', async () => {
    writeFileSync(path.join(dir.path, 'sites.zinc'), 'ver:"3.0"\nid,dis,site\n@a,"A",M\n@b,"B",M\n');
    const { backend, opened, asked } = recordingSqlite();
    await prepareApp(config(backend, 'serve.db'), quiet);
    expect(opened[0]?.store.scanCacheStats().loads).toBe(0);
    for (const [extra, loads] of [
      [{}, 1],
      [{ scanCacheEntities: 0 }, 0],
    ] as const) {
      const app = await startApp(config(backend, 'serve.db', extra), quiet);
      try {
        const store = opened.at(-1)?.store as ScanCached;
        // The server warms the copy once it listens; a read of a store this small then fills it at once.
        await store.warmScanCache();
        expect(store.scanCacheStats().loads).toBe(loads);
        // What /metrics reports (haystack_scan_cache_*), from the store the app opened.
        expect(opened.at(-1)?.scanCache?.()).toMatchObject({ loads, entities: loads === 0 ? 0 : 2 });
      } finally {
        await app.close();
      }
    }
    // The primary asked for none (on PostgreSQL or Redis its first read would have started a fill), workers as told.
    expect(asked).toEqual([0, undefined, 0]);
  });

  it('--scan-cache takes a whole number of entities', async () => {
    const bad = await serveExit(['--scan-cache', 'lots', '--port', '0']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--scan-cache must be a whole number, not lots/);
  });
});
