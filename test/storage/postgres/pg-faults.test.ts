// A PostgreSQL store under a write load while its connections are killed (pg_terminate_backend): calls fail with
// HS_ERR_UNAVAILABLE (503) or succeed, the pool reconnects by itself, and every acknowledged write is there after.

import { afterAll, describe, expect, it } from 'vitest';
import { Dict, MARKER, Num, Ref } from '../../../src/core/index.js';
import { openPostgresStore } from '../../../src/storage/postgres/index.js';
import { adminQuery, TEST_PG_URL, testSchemas } from '../../support/postgres.js';

const schemas = testSchemas('faults');
afterAll(() => schemas.dropAll());

const WRITERS = 4;
const WRITES_EACH = 40;
const T0 = Date.UTC(2025, 0, 1);

describe('a PostgreSQL store whose connections are terminated during writes', () => {
  it('answers unavailable or commits, reconnects by itself, and loses no acknowledged write', async () => {
    const schema = schemas.next();
    // A name of its own, so that only this store's connections are killed on the shared server.
    const applicationName = `hs-faults-${schema}`;
    const store = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: WRITERS, applicationName });
    try {
      await store.commit(
        Array.from({ length: WRITERS }, (_, w) => ({
          op: 'add' as const,
          tags: Dict.of({ id: new Ref(`p${String(w)}`), point: MARKER, his: MARKER }),
        })),
      );
      const acked = new Map<string, number[]>();
      const codes = new Set<string>();
      let kills = 0;
      // Each writer writes one sample and one entity per step, in turn; a failure is recorded, never retried.
      const writer = async (w: number): Promise<void> => {
        const id = `p${String(w)}`;
        const mine: number[] = [];
        acked.set(id, mine);
        for (let i = 0; i < WRITES_EACH; i++) {
          const ts = T0 + i * 60_000;
          try {
            await store.hisWrite(id, [{ ts, val: new Num(i) }]);
            mine.push(ts);
          } catch (err) {
            codes.add((err as { code?: string }).code ?? 'none');
          }
          try {
            await store.commit([
              { op: 'add', tags: Dict.of({ id: new Ref(`e${String(w)}-${String(i)}`), n: new Num(i) }) },
            ]);
            mine.push(-1 - i);
          } catch (err) {
            codes.add((err as { code?: string }).code ?? 'none');
          }
          // Every tenth step of the first writer, kill every connection of this store's pool.
          if (w === 0 && i % 10 === 5) {
            const r = await adminQuery<{ readonly n: number }>(
              'SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = $1',
              [applicationName],
            );
            kills += r[0]?.n ?? 0;
          }
        }
      };
      await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));
      expect(kills).toBeGreaterThan(0);
      // Only the unavailable code, never a storage error or a crash.
      expect([...codes].filter((c) => c !== 'HS_ERR_UNAVAILABLE')).toEqual([]);

      // The pool reconnected by itself: the same store reads everything back.
      for (const [id, written] of acked) {
        const samples = new Set((await store.hisRead(id, { start: T0, end: T0 + 1e9 })).map((h) => h.ts));
        for (const ts of written.filter((x) => x >= 0))
          expect(samples.has(ts), `${id} sample ${String(ts)}`).toBe(true);
        const entities = written.filter((x) => x < 0).map((x) => `e${id.slice(1)}-${String(-1 - x)}`);
        const found = await store.readByIds(entities);
        expect(found.filter((d) => d === undefined)).toEqual([]);
      }
      const total = [...acked.values()].reduce((n, a) => n + a.length, 0);
      expect(total).toBeGreaterThan(WRITERS * WRITES_EACH);
    } finally {
      await store.close();
    }
  }, 120_000);
});
