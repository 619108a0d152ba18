// A first start whose demo seed fails half-way (a disk that fills, a database that goes away, a kill): the demo is
// written in several commits, so the store keeps what the seed wrote before the failure. The next start finishes
// that seed, rather than keeping the half-written building as if it were the user's data.

import { afterAll, describe, expect, it } from 'vitest';
import { createDemoBuilding } from '../../src/app/demo/demo-building.js';
import { type AppConfig, type AppOutput, type StoreBackend, startApp } from '../../src/app/index.js';
import { SQLITE_BACKEND } from '../../src/app/stores/sqlite-backend.js';
import { StorageError } from '../../src/core/errors.js';
import type { StorageAdapter } from '../../src/storage/adapter.js';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import { makeTempDir } from '../support/temp-dir.js';

const dir = makeTempDir('hs-seed-interrupted-');
afterAll(() => {
  dir.remove();
});

const quiet: AppOutput = { notice: () => undefined, log: () => undefined, warn: () => undefined };

const config = (overrides: Partial<AppConfig>): AppConfig => ({
  host: '127.0.0.1',
  port: 0,
  seed: { kind: 'demo', days: 1 },
  security: { host: '127.0.0.1', auth: false, idleTtlMs: 60_000, maxLifetimeMs: 60_000, env: {} },
  cwd: dir.path,
  ...overrides,
});

/** `faulty:PATH`: the SQLite store at PATH whose `failAt`-th hisWrite fails as a full disk does (failure injection). */
function faultyBackend(failAt: number): StoreBackend {
  return {
    scheme: 'faulty',
    usage: 'faulty:PATH',
    async open(spec, context) {
      const opened = await SQLITE_BACKEND.open({ ...spec, scheme: 'sqlite' }, context);
      let writes = 0;
      const store = new Proxy(opened.store, {
        get(target, key, receiver) {
          const value: unknown = Reflect.get(target, key, receiver);
          if (key !== 'hisWrite' || typeof value !== 'function') return value;
          const hisWrite = value as StorageAdapter['hisWrite'];
          return (id: string, items: Parameters<StorageAdapter['hisWrite']>[1]) =>
            ++writes === failAt
              ? Promise.reject(new StorageError('SQLite store: database or disk is full (SQLITE_FULL)'))
              : hisWrite.call(target, id, items);
        },
      });
      return { ...opened, store };
    },
  };
}

describe('a demo seed that failed half-way', () => {
  it('is finished by the next start: every point has its history and every writable point its default', async () => {
    const building = createDemoBuilding();
    const failAt = Math.floor(building.points.length / 3);
    const failed = await startApp(config({ store: 'faulty:half.db', backends: [faultyBackend(failAt)] }), quiet).catch(
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(StorageError);

    const app = await startApp(config({ store: 'sqlite:half.db' }), quiet);
    try {
      expect(app.summary).toMatch(/demo building/);
      expect(app.summary).not.toMatch(/kept from before/);
    } finally {
      await app.close();
    }

    const store = await openSqliteStore({ path: dir.file('half.db') });
    try {
      const ids = building.entities.map((e) => e.id?.id ?? '');
      expect((await store.readByIds(ids)).every((e) => e !== undefined)).toBe(true);
      const noHistory: string[] = [];
      for (const p of building.points) if ((await store.hisCount(p.id)) === 0) noHistory.push(p.id);
      expect(noHistory).toEqual([]);
      const noDefault: string[] = [];
      for (const p of building.points) {
        if (p.writableDefault === undefined) continue;
        const { levels } = await store.readPriorityArray(p.id);
        if ((levels[16]?.val ?? null) === null) noDefault.push(p.id);
      }
      expect(noDefault).toEqual([]);
      // Nothing of the seed's bookkeeping is left in the building.
      expect((await store.read({ filter: 'demoSeeding' })).length).toBe(0);
    } finally {
      await store.close();
    }
  });
});
