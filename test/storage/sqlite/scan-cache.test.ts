// The scan cache: filters no index narrows are answered in process over decoded entities, exactly as SQL answers
// them, and stay current when another connection (another process) writes, removes or prunes tombstones.

import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { Dict, MARKER, Num, Ref } from '../../../src/core/index.js';
import { openSqliteStore, type SqliteStore } from '../../../src/storage/sqlite/index.js';
import { arbMirrorSteps, expectSameAnswers, ids } from '../../support/mirror-steps.js';
import { makeTempDir } from '../../support/temp-dir.js';

const dir = makeTempDir('hs-scan-cache-');
let n = 0;
const nextFile = (): string => dir.file(`c${String(++n)}.db`);
afterAll(() => {
  dir.remove();
});

function point(i: number, temp: number): Dict {
  return Dict.of({ id: new Ref(`p${String(i).padStart(4, '0')}`), point: MARKER, temp: new Num(temp, '°F') });
}

// A cached store and an uncached one (SQL only) over one file: each has its own connection, as processes do.
async function pair(
  scanCacheEntities = 1000,
  scanCacheChunk = 1000,
): Promise<{ cached: SqliteStore; sql: SqliteStore }> {
  const path = nextFile();
  const cached = await openSqliteStore({ path, synchronous: 'normal', scanCacheEntities, scanCacheChunk });
  const sql = await openSqliteStore({ path, synchronous: 'normal', scanCacheEntities: 0 });
  return { cached, sql };
}

const SCAN = 'temp >= 70°F';

// A background fill reads one chunk per turn of the event loop: yield turns until `done` holds (bounded, no clock).
async function turnsUntil(done: () => boolean): Promise<void> {
  for (let turns = 0; !done(); turns++) {
    if (turns > 100_000) throw new Error('the scan cache never got there');
    await new Promise<void>((resolve) => {
      setImmediate(resolve);
    });
  }
}

describe('the SQLite scan cache', () => {
  it('answers full scans in process with the same entities, in id order, as SQL', async () => {
    const { cached, sql } = await pair();
    await sql.commit(Array.from({ length: 40 }, (_, i) => ({ op: 'add' as const, tags: point(39 - i, 60 + i) })));
    await sql.commit([{ op: 'add', tags: Dict.of({ id: new Ref('s'), site: MARKER, dis: 'S' }) }]);
    for (const filter of [SCAN, 'temp < 65°F or site', 'not site', 'point and temp != 61°F']) {
      expect(ids(await cached.read({ filter }))).toEqual(ids(await sql.read({ filter })));
      expect(ids(await cached.read({ filter, limit: 3 }))).toEqual(ids(await sql.read({ filter, limit: 3 })));
    }
    expect(cached.readStats().cached).toBe(8);
    expect(sql.readStats().cached).toBe(0);
    expect(cached.scanCacheStats()).toMatchObject({ entities: 41, loads: 1 });
    await cached.close();
    await sql.close();
  });

  it('answers index-driven reads from the cache too, with the same entities as SQL', async () => {
    const { cached, sql } = await pair();
    await sql.commit(Array.from({ length: 40 }, (_, i) => ({ op: 'add' as const, tags: point(i, 60 + i) })));
    const site = (i: number, area: number) =>
      Dict.of({ id: new Ref(`s${String(i)}`), site: MARKER, area: new Num(area, 'ft²') });
    await sql.commit([0, 1, 2].map((i) => ({ op: 'add' as const, tags: site(i, 1000 + i * 500) })));
    await sql.commit([{ op: 'add', tags: Dict.of({ id: new Ref('e'), equip: MARKER, siteRef: new Ref('s1') }) }]);
    expect(await cached.read({ filter: SCAN })).toHaveLength(30);
    const before = cached.readStats();
    for (const filter of ['site and area > 1200ft²', 'equip and siteRef==@s1', 'siteRef==@s1 and siteRef->area']) {
      expect(ids(await cached.read({ filter }))).toEqual(ids(await sql.read({ filter })));
      expect(ids(await cached.read({ filter, limit: 1 }))).toEqual(ids(await sql.read({ filter, limit: 1 })));
    }
    expect(cached.readStats().driven - before.driven).toBe(6);
    expect(cached.readStats().cached - before.cached).toBe(6);
    // A change through the other connection is seen by the next driven read.
    await sql.commit([{ op: 'update', id: 's0', changes: Dict.of({ area: new Num(9000, 'ft²') }) }]);
    expect(ids(await cached.read({ filter: 'site and area > 1200ft²' }))).toEqual(['s0', 's1', 's2']);
    await cached.close();
    await sql.close();
  });

  it('follows ->paths through cached entities', async () => {
    const { cached, sql } = await pair();
    await sql.commit([
      { op: 'add', tags: Dict.of({ id: new Ref('s'), site: MARKER, dis: 'Alpha' }) },
      { op: 'add', tags: Dict.of({ id: new Ref('e'), equip: MARKER, siteRef: new Ref('s') }) },
      { op: 'add', tags: Dict.of({ id: new Ref('q'), equip: MARKER, siteRef: new Ref('gone') }) },
    ]);
    const filter = 'siteRef->dis == "Alpha" or not siteRef->dis';
    expect(ids(await cached.read({ filter }))).toEqual(ids(await sql.read({ filter })));
    expect(cached.readStats().cached).toBe(1);
    await cached.close();
    await sql.close();
  });

  it('sees adds, updates and removals made through another connection', async () => {
    const { cached, sql } = await pair();
    await sql.commit([0, 1, 2, 3].map((i) => ({ op: 'add' as const, tags: point(i, 70 + i) })));
    expect(ids(await cached.read({ filter: SCAN }))).toEqual(['p0000', 'p0001', 'p0002', 'p0003']);
    const [p1] = await sql.readByIds(['p0001']);
    await sql.commit([
      { op: 'update', id: 'p0001', changes: Dict.of({ temp: new Num(50, '°F') }) },
      { op: 'remove', id: 'p0002' },
      { op: 'add', tags: point(9, 99) },
    ]);
    expect(p1).toBeDefined();
    expect(ids(await cached.read({ filter: SCAN }))).toEqual(['p0000', 'p0003', 'p0009']);
    // A point write changes the entity's curVal under a new version too.
    await sql.commit([{ op: 'update', id: 'p0000', changes: Dict.of({ writable: MARKER }) }]);
    await sql.pointWrite({ id: 'p0000', level: 8, val: new Num(1), who: 't' });
    const [p0] = await cached.read({ filter: 'curVal == 1 or site' });
    expect(p0?.id?.id).toBe('p0000');
    // Its own writes too.
    await cached.commit([{ op: 'remove', id: 'p0003' }]);
    expect(ids(await cached.read({ filter: SCAN }))).toEqual(['p0000', 'p0009']);
    expect(cached.scanCacheStats()).toMatchObject({ loads: 1, catchUps: 3 });
    await cached.close();
    await sql.close();
  });

  it('reloads when the tombstones of removals it has not seen were pruned', async () => {
    const { cached, sql } = await pair(5000, 2000);
    const many = Array.from({ length: 1100 }, (_, i) => point(i, 80));
    await sql.commit(many.map((tags) => ({ op: 'add' as const, tags })));
    expect(await cached.read({ filter: SCAN })).toHaveLength(1100);
    expect(cached.readStats().cached).toBe(1);
    // Enough removals to prune tombstones (no watch holds them back): the cache cannot see them by tombstone. The
    // filter has no required tag, so no index can drive it however few entities are left: the cache answers.
    await sql.commit(many.slice(1).map((d) => ({ op: 'remove' as const, id: d.id?.id ?? '' })));
    expect(ids(await cached.read({ filter: `${SCAN} or site` }))).toEqual(['p0000']);
    expect(cached.scanCacheStats()).toMatchObject({ entities: 1, loads: 2 });
    await cached.close();
    await sql.close();
  });

  it('scans in SQL while the store holds more entities than the cache may, and uses it again below that', async () => {
    const { cached, sql } = await pair(3);
    await sql.commit([0, 1, 2, 3].map((i) => ({ op: 'add' as const, tags: point(i, 75) })));
    expect(await cached.read({ filter: SCAN })).toHaveLength(4);
    expect(cached.readStats()).toMatchObject({ cached: 0, exact: 1 });
    expect(cached.scanCacheStats().entities).toBe(0);
    await sql.commit([{ op: 'remove', id: 'p0003' }]);
    expect(await cached.read({ filter: SCAN })).toHaveLength(3);
    expect(cached.readStats().cached).toBe(1);
    // Growing past the bound again drops it.
    await sql.commit([{ op: 'add', tags: point(7, 75) }]);
    expect(await cached.read({ filter: SCAN })).toHaveLength(4);
    expect(cached.scanCacheStats().entities).toBe(0);
    await cached.close();
    await sql.close();
  });

  it('fills a large store in the background, answering from SQL meanwhile and seeing writes made during the fill', async () => {
    const { cached, sql } = await pair(5000, 100);
    const many = Array.from({ length: 950 }, (_, i) => point(i, 60 + (i % 20)));
    await sql.commit(many.map((tags) => ({ op: 'add' as const, tags })));
    const before = ids(await sql.read({ filter: SCAN }));
    // The first full scan starts the fill and is answered in SQL, as is one made while it runs.
    expect(ids(await cached.read({ filter: SCAN }))).toEqual(before);
    expect(cached.scanCacheStats()).toMatchObject({ filling: true, entities: 0, loads: 0 });
    await turnsUntil(() => cached.scanCacheStats().chunks >= 3);
    expect(cached.scanCacheStats().filling).toBe(true);
    expect(ids(await cached.read({ filter: SCAN }))).toEqual(before);
    expect(ids(await cached.read({ filter: SCAN, limit: 5 }))).toEqual(before.slice(0, 5));
    expect(cached.readStats().cached).toBe(0);
    // Writes while it fills, behind its cursor (already read) and ahead of it, through its own connection and another.
    await cached.commit([
      { op: 'update', id: 'p0010', changes: Dict.of({ temp: new Num(50, '°F') }) },
      { op: 'remove', id: 'p0011' },
      { op: 'add', tags: Dict.of({ id: new Ref('p0000x'), point: MARKER, temp: new Num(99, '°F') }) },
    ]);
    await sql.commit([
      { op: 'update', id: 'p0900', changes: Dict.of({ temp: new Num(98, '°F') }) },
      { op: 'remove', id: 'p0919' },
    ]);
    expect(cached.scanCacheStats().filling).toBe(true);
    const during = ids(await sql.read({ filter: SCAN }));
    expect(ids(await cached.read({ filter: SCAN }))).toEqual(during);
    await turnsUntil(() => !cached.scanCacheStats().filling);
    expect(cached.scanCacheStats()).toMatchObject({ entities: 949, loads: 1 });
    expect(cached.scanCacheStats().chunks).toBeGreaterThanOrEqual(10);
    const after = await cached.read({ filter: SCAN });
    expect(cached.readStats().cached).toBe(1);
    expect(ids(after)).toEqual(during);
    expect(ids(after)).toContain('p0000x');
    expect(ids(after)).toContain('p0900');
    expect(ids(after)).not.toContain('p0010');
    expect(ids(after)).not.toContain('p0011');
    expect(ids(after)).not.toContain('p0919');
    for (const filter of ['not site', 'temp < 65°F']) {
      expect(ids(await cached.read({ filter }))).toEqual(ids(await sql.read({ filter })));
    }
    await cached.close();
    await sql.close();
  });

  it('warms up before the first scan: at once within one chunk, else in the background', async () => {
    const { cached, sql } = await pair(5000, 100);
    await sql.commit(Array.from({ length: 50 }, (_, i) => ({ op: 'add' as const, tags: point(i, 75) })));
    cached.warmScanCache();
    expect(cached.scanCacheStats()).toMatchObject({ entities: 50, loads: 1, filling: false });
    const other = await openSqliteStore({ path: cached.path, scanCacheChunk: 10 });
    other.warmScanCache();
    expect(other.scanCacheStats()).toMatchObject({ entities: 0, filling: true });
    // A second call while it fills changes nothing.
    other.warmScanCache();
    await turnsUntil(() => !other.scanCacheStats().filling);
    expect(other.scanCacheStats()).toMatchObject({ entities: 50, loads: 1 });
    expect(await other.read({ filter: SCAN })).toHaveLength(50);
    expect(other.readStats()).toMatchObject({ cached: 1, exact: 0 });
    await other.close();
    await cached.close();
    await sql.close();
  });

  it('stops a background fill when the store closes', async () => {
    const { cached, sql } = await pair(5000, 10);
    await sql.commit(Array.from({ length: 100 }, (_, i) => ({ op: 'add' as const, tags: point(i, 75) })));
    expect(await cached.read({ filter: SCAN })).toHaveLength(100);
    expect(cached.scanCacheStats().filling).toBe(true);
    await cached.close();
    expect(cached.scanCacheStats().filling).toBe(false);
    const chunks = cached.scanCacheStats().chunks;
    await turnsUntil(() => true);
    await new Promise<void>((resolve) => {
      setImmediate(resolve);
    });
    expect(cached.scanCacheStats()).toMatchObject({ chunks, loads: 0 });
    await sql.close();
  });

  it('rejects a bad bound or chunk', async () => {
    await expect(openSqliteStore({ path: nextFile(), scanCacheEntities: -1 })).rejects.toMatchObject({
      code: 'HS_ERR_OPTION_RANGE',
    });
    await expect(openSqliteStore({ path: nextFile(), scanCacheChunk: 0 })).rejects.toMatchObject({
      code: 'HS_ERR_OPTION_RANGE',
    });
  });
});

describe('the SQLite scan cache, indexed', () => {
  it('answers reads through its tag and Ref indexes as SQL does, as either connection changes entities', async () => {
    await fc.assert(
      fc.asyncProperty(arbMirrorSteps, async (steps) => {
        const { cached, sql } = await pair();
        try {
          // Loaded first, so that every later change reaches it by catch-up (or its own writes).
          cached.warmScanCache();
          await expectSameAnswers(cached, sql, steps);
          expect(sql.readStats().cached).toBe(0);
          expect(cached.readStats()).toMatchObject({ exact: 0, rechecked: 0 });
        } finally {
          await cached.close();
          await sql.close();
        }
      }),
      { numRuns: 25 },
    );
  });
});
