// The PostgreSQL store's per-process mirror of its entities: it answers as SQL does while any process changes the
// schema, sees another process's commit in the very next read, shares one version question among concurrent reads,
// refills when the change log no longer covers it, and leaves a schema larger than its bound to SQL.

import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Dict, MARKER, Num, Ref } from '../../../src/core/index.js';
import { openPostgresStore, type PostgresStore } from '../../../src/storage/postgres/index.js';
import { arbMirrorSteps, expectSameAnswers, ids } from '../../support/mirror-steps.js';
import { adminQuery, reusableSchemas, TEST_PG_URL } from '../../support/postgres.js';

const schemas = reusableSchemas('mirror');
afterAll(() => schemas.dropAll());

function point(i: number, temp: number): Dict {
  return Dict.of({ id: new Ref(`p${String(i).padStart(4, '0')}`), point: MARKER, temp: new Num(temp, '°F') });
}

const SCAN = 'temp >= 70°F';

interface Pair {
  readonly mirrored: PostgresStore;
  readonly sql: PostgresStore;
  readonly schema: string;
  close(): Promise<void>;
}

// Two stores over one schema, as two processes: one with the mirror, one reading in SQL only.
async function pair(options: { entities?: number; chunk?: number; clock?: () => number } = {}): Promise<Pair> {
  const schema = await schemas.take();
  const mirrored = await openPostgresStore({
    url: TEST_PG_URL,
    schema,
    poolSize: 3,
    scanCacheEntities: options.entities ?? 1000,
    scanCacheChunk: options.chunk ?? 1000,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
  const sql = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 3, scanCacheEntities: 0 });
  return {
    mirrored,
    sql,
    schema,
    close: async () => {
      await mirrored.close();
      await sql.close();
      schemas.give(schema);
    },
  };
}

describe('the PostgreSQL mirror', () => {
  it('answers reads, reads by id and counts as SQL does while either process changes entities', async () => {
    await fc.assert(
      fc.asyncProperty(arbMirrorSteps, async (steps) => {
        const p = await pair();
        try {
          await p.mirrored.warmScanCache();
          await expectSameAnswers(p.mirrored, p.sql, steps);
          expect(p.sql.readStats().cached).toBe(0);
          expect(p.mirrored.readStats()).toMatchObject({ exact: 0, rechecked: 0 });
          expect(p.mirrored.readStats().cached).toBeGreaterThan(0);
        } finally {
          await p.close();
        }
      }),
      { numRuns: 25 },
    );
    // 25 pairs of schemas made and dropped: about 5 s alone, 30 s once seen on a loaded 2-core machine.
  }, 90_000);

  it('sees a commit of another process in the next read, and shares one version question among reads at once', async () => {
    const p = await pair();
    await p.sql.commit(Array.from({ length: 20 }, (_, i) => ({ op: 'add' as const, tags: point(i, 60 + i) })));
    await p.mirrored.warmScanCache();
    expect(p.mirrored.scanCacheStats()).toMatchObject({ entities: 20, loads: 1, filling: false });
    await p.sql.commit([{ op: 'update', id: 'p0000', changes: Dict.of({ temp: new Num(99, '°F') }) }]);
    expect(ids(await p.mirrored.read({ filter: SCAN }))).toEqual([
      'p0000',
      ...ids(await p.sql.read({ filter: SCAN })).slice(1),
    ]);
    expect(p.mirrored.scanCacheStats().catchUps).toBe(1);
    const heads = p.mirrored.scanCacheStats().heads;
    const answers = await Promise.all(Array.from({ length: 50 }, () => p.mirrored.read({ filter: SCAN })));
    for (const a of answers) expect(ids(a)).toEqual(ids(answers[0] ?? []));
    // One question on the wire, one waiting for it: at most a few for fifty reads.
    expect(p.mirrored.scanCacheStats().heads - heads).toBeLessThanOrEqual(3);
    expect(p.mirrored.readStats().cached).toBe(51);
    await p.close();
  });

  it('ends a due timed override before answering, through the mirror', async () => {
    let now = 1_700_000_000_000;
    const p = await pair({ clock: () => now });
    await p.sql.commit([{ op: 'add', tags: Dict.of({ id: new Ref('w'), point: MARKER, writable: MARKER }) }]);
    await p.mirrored.warmScanCache();
    await p.mirrored.pointWrite({ id: 'w', level: 8, val: new Num(5), who: 't', durationMs: 60_000 });
    expect(ids(await p.mirrored.read({ filter: 'curVal == 5' }))).toEqual(['w']);
    now += 60_000;
    expect(await p.mirrored.read({ filter: 'curVal == 5' })).toEqual([]);
    const [w] = await p.mirrored.readByIds(['w']);
    expect(w?.has('curVal')).toBe(false);
    expect(p.mirrored.readStats()).toMatchObject({ cached: 3, exact: 0 });
    await p.close();
  });

  it('refills when the change log no longer covers its version, or a change logged no ids', async () => {
    const p = await pair();
    await p.sql.commit([0, 1, 2].map((i) => ({ op: 'add' as const, tags: point(i, 80) })));
    await p.mirrored.warmScanCache();
    // The log pruned past the mirror's version: a removal it cannot learn of by id.
    await p.sql.commit([{ op: 'remove', id: 'p0001' }]);
    await adminQuery(`DELETE FROM "${p.schema}".entity_change`);
    expect(ids(await p.mirrored.read({ filter: SCAN }))).toEqual(['p0000', 'p0002']);
    await p.mirrored.warmScanCache();
    expect(p.mirrored.scanCacheStats()).toMatchObject({ loads: 2, entities: 2 });
    // A bulk change logs no ids (as one of more than 10,000 entities does).
    await p.sql.commit([{ op: 'add', tags: point(7, 90) }]);
    await adminQuery(`UPDATE "${p.schema}".entity_change SET ids = '{}'`);
    expect(ids(await p.mirrored.read({ filter: SCAN }))).toEqual(['p0000', 'p0002', 'p0007']);
    await p.mirrored.warmScanCache();
    expect(p.mirrored.scanCacheStats()).toMatchObject({ loads: 3, entities: 3 });
    const cached = p.mirrored.readStats().cached;
    expect(ids(await p.mirrored.read({ filter: SCAN }))).toEqual(['p0000', 'p0002', 'p0007']);
    expect(p.mirrored.readStats().cached).toBe(cached + 1);
    await p.close();
  });

  it('fills again when its schema is dropped and made anew, then written past its version', async () => {
    const p = await pair();
    await p.sql.commit([0, 1].map((i) => ({ op: 'add' as const, tags: point(i, 80) })));
    await p.mirrored.warmScanCache();
    const version = p.mirrored.scanCacheStats().version;
    await p.sql.close();
    await adminQuery(`DROP SCHEMA "${p.schema}" CASCADE`);
    const made = await openPostgresStore({ url: TEST_PG_URL, schema: p.schema, poolSize: 1, scanCacheEntities: 0 });
    try {
      for (let i = 0; i <= version; i++) await made.commit([{ op: 'add', tags: point(100 + i, 90) }]);
      const expected = ids(await made.read({ filter: SCAN }));
      expect(expected).toHaveLength(version + 1);
      // Its versions are past the mirror's: only the schema's epoch says it is another store.
      expect(ids(await p.mirrored.read({ filter: SCAN }))).toEqual(expected);
      await p.mirrored.warmScanCache();
      expect(p.mirrored.scanCacheStats().loads).toBe(2);
      expect(ids(await p.mirrored.read({ filter: SCAN }))).toEqual(expected);
    } finally {
      await made.close();
      await p.mirrored.close();
    }
  });

  it('fills in chunks, answering in SQL meanwhile, and takes in writes made during the fill', async () => {
    const p = await pair({ chunk: 10 });
    await p.sql.commit(Array.from({ length: 95 }, (_, i) => ({ op: 'add' as const, tags: point(i, 60 + (i % 20)) })));
    const filling = p.mirrored.warmScanCache();
    expect(p.mirrored.scanCacheStats().filling).toBe(true);
    expect(ids(await p.mirrored.read({ filter: SCAN }))).toEqual(ids(await p.sql.read({ filter: SCAN })));
    await p.sql.commit([
      { op: 'remove', id: 'p0010' },
      { op: 'update', id: 'p0090', changes: Dict.of({ temp: new Num(10, '°F') }) },
      { op: 'add', tags: point(500, 75) },
    ]);
    await filling;
    expect(p.mirrored.scanCacheStats()).toMatchObject({ filling: false, loads: 1 });
    const expected = ids(await p.sql.read({ filter: SCAN }));
    expect(ids(await p.mirrored.read({ filter: SCAN }))).toEqual(expected);
    expect(expected).toContain('p0500');
    expect(expected).not.toContain('p0010');
    expect(p.mirrored.scanCacheStats().entities).toBe(95);
    await p.close();
  });

  it('leaves a schema larger than its bound to SQL, and counts again a minute later', async () => {
    let now = 1_700_000_000_000;
    const p = await pair({ entities: 3, clock: () => now });
    await p.sql.commit([0, 1, 2, 3].map((i) => ({ op: 'add' as const, tags: point(i, 75) })));
    await p.mirrored.warmScanCache();
    expect(await p.mirrored.read({ filter: SCAN })).toHaveLength(4);
    expect(p.mirrored.readStats().cached).toBe(0);
    expect(p.mirrored.scanCacheStats()).toMatchObject({ entities: 0, loads: 0 });
    await p.sql.commit([{ op: 'remove', id: 'p0003' }]);
    await p.mirrored.warmScanCache();
    expect(p.mirrored.scanCacheStats().loads).toBe(0);
    now += 60_000;
    await p.mirrored.warmScanCache();
    expect(p.mirrored.scanCacheStats()).toMatchObject({ entities: 3, loads: 1 });
    expect(await p.mirrored.read({ filter: SCAN })).toHaveLength(3);
    expect(p.mirrored.readStats().cached).toBe(1);
    // Growing past the bound drops it: SQL answers again.
    await p.sql.commit([{ op: 'add', tags: point(8, 75) }]);
    expect(await p.mirrored.read({ filter: SCAN })).toHaveLength(4);
    expect(p.mirrored.scanCacheStats().entities).toBe(0);
    expect(p.mirrored.readStats().cached).toBe(1);
    await p.close();
  });

  it('stops filling when the store closes, and rejects a bad bound or chunk', async () => {
    const p = await pair({ chunk: 5 });
    await p.sql.commit(Array.from({ length: 50 }, (_, i) => ({ op: 'add' as const, tags: point(i, 75) })));
    const filling = p.mirrored.warmScanCache();
    await p.close();
    await filling.catch(() => undefined);
    expect(p.mirrored.scanCacheStats()).toMatchObject({ loads: 0, entities: 0 });
    await expect(p.mirrored.warmScanCache()).rejects.toThrow(/closed/);
    for (const bad of [{ scanCacheEntities: -1 }, { scanCacheChunk: 0 }, { scanCacheEntities: 1.5 }]) {
      await expect(openPostgresStore({ url: TEST_PG_URL, ...bad })).rejects.toMatchObject({
        code: 'HS_ERR_OPTION_RANGE',
      });
    }
  });
});
