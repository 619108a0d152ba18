// TimescaleDB detection on a server without the extension (this project's CI: TimescaleDB is not packaged for
// Debian): `auto` and `off` fall back to monthly partitions, `require` refuses and leaves no schema behind. The
// hypertable branch itself is untested here. A write into a month whose partition retention dropped meanwhile
// lists the partitions again.

import { afterAll, describe, expect, it } from 'vitest';
import { Dict, HDateTime, MARKER, Num, Ref } from '../../../src/core/index.js';
import { openPostgresStore } from '../../../src/storage/postgres/index.js';
import { adminQuery, TEST_PG_URL, testSchemas } from '../../support/postgres.js';

const schemas = testSchemas('tsdb');
afterAll(() => schemas.dropAll());

const available =
  (
    await adminQuery<{ readonly ok: boolean }>(
      "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') AS ok",
    )
  )[0]?.ok === true;

describe.skipIf(available)('PostgreSQL history without TimescaleDB', () => {
  it('uses monthly partitions with timescale auto (the default) and off', async () => {
    for (const timescale of ['auto', 'off'] as const) {
      const schema = schemas.next();
      const store = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 1, timescale });
      try {
        expect(store.historyMode).toBe('partitioned');
        await store.commit([{ op: 'add', tags: Dict.of({ id: new Ref('p'), point: MARKER, his: MARKER }) }]);
        const ts = Date.UTC(2025, 0, 31, 23, 59);
        await store.hisWrite('p', [
          { ts, val: new Num(1) },
          { ts: ts + 120_000, val: new Num(2) },
        ]);
        expect(await store.hisCount('p')).toBe(2);
        // One partition per month the samples fall in.
        const parts = await adminQuery<{ readonly name: string }>(
          `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
           WHERE i.inhparent = $1::regclass ORDER BY 1`,
          [`"${schema}".his`],
        );
        expect(parts.map((p) => p.name)).toEqual(['his_y2025m01', 'his_y2025m02']);
      } finally {
        await store.close();
      }
    }
  });

  it("writes into a month whose partition another process's retention dropped since this one listed them", async () => {
    const schema = schemas.next();
    const store = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 1 });
    try {
      await store.commit([{ op: 'add', tags: Dict.of({ id: new Ref('p'), point: MARKER, his: MARKER }) }]);
      const ts = Date.UTC(2025, 0, 15);
      await store.hisWrite('p', [{ ts, val: new Num(1) }]);
      await adminQuery(`DROP TABLE "${schema}".his_y2025m01`);
      await store.hisWrite('p', [{ ts: ts + 60_000, val: new Num(2) }]);
      expect(await store.hisRead('p', { start: 0, end: Number.MAX_SAFE_INTEGER })).toEqual([
        { ts: ts + 60_000, val: new Num(2) },
      ]);
      // A batch write too, every point in one transaction.
      await store.commit([{ op: 'add', tags: Dict.of({ id: new Ref('q'), point: MARKER, his: MARKER }) }]);
      await adminQuery(`DROP TABLE "${schema}".his_y2025m01`);
      await store.hisWriteBatch([
        { id: 'p', items: [{ ts: ts + 120_000, val: new Num(3) }] },
        { id: 'q', items: [{ ts, val: new Num(4) }] },
      ]);
      expect(await store.hisCount('p')).toBe(1);
      expect(await store.hisCount('q')).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('keeps samples of years 0-99 in partitions of their own, apart from 1900-1999 (DateTimes reach year 0)', async () => {
    const schema = schemas.next();
    const store = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 1 });
    try {
      await store.commit([{ op: 'add', tags: Dict.of({ id: new Ref('p'), point: MARKER, his: MARKER, tz: 'UTC' }) }]);
      const times = [
        '0000-01-01T00:00:00Z',
        '0050-06-15T00:00:00Z',
        '0099-12-31T23:59:00Z',
        '1950-06-15T00:00:00Z',
      ].map((iso) => HDateTime.parse(iso).epochMs);
      for (const ts of times) await store.hisWrite('p', [{ ts, val: new Num(ts) }]);
      const back = await store.hisRead('p', { start: Number.MIN_SAFE_INTEGER, end: Number.MAX_SAFE_INTEGER });
      expect(back.map((it) => it.ts)).toEqual(times);
      const parts = await adminQuery<{ readonly name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = $1::regclass ORDER BY 1`,
        [`"${schema}".his`],
      );
      expect(parts.map((p) => p.name)).toEqual(['his_y0m01', 'his_y1950m06', 'his_y50m06', 'his_y99m12']);
    } finally {
      await store.close();
    }
  });

  it('refuses timescale require with a StorageError, creating nothing', async () => {
    const schema = schemas.next();
    await expect(
      openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 1, timescale: 'require' }),
    ).rejects.toMatchObject({ code: 'HS_ERR_STORAGE', message: expect.stringMatching(/TimescaleDB is not available/) });
    const left = await adminQuery('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    expect(left).toEqual([]);
  });
});
