// The scan cache: filters no index narrows are answered in process over decoded entities, exactly as SQL answers
// them, and stay current when another connection (another process) writes, removes or prunes tombstones.

import { afterAll, describe, expect, it } from 'vitest';
import { Dict, MARKER, Num, Ref } from '../../../src/core/index.js';
import { openSqliteStore, type SqliteStore } from '../../../src/storage/sqlite/index.js';
import { makeTempDir } from '../../support/temp-dir.js';

const dir = makeTempDir('hs-scan-cache-');
let n = 0;
const nextFile = (): string => dir.file(`c${String(++n)}.db`);
afterAll(() => {
  dir.remove();
});

const ids = (ds: readonly Dict[]): string[] => ds.map((d) => d.id?.id ?? '?');

function point(i: number, temp: number): Dict {
  return Dict.of({ id: new Ref(`p${String(i).padStart(4, '0')}`), point: MARKER, temp: new Num(temp, '°F') });
}

// A cached store and an uncached one (SQL only) over one file: each has its own connection, as processes do.
async function pair(scanCacheEntities = 1000): Promise<{ cached: SqliteStore; sql: SqliteStore }> {
  const path = nextFile();
  const cached = await openSqliteStore({ path, synchronous: 'normal', scanCacheEntities });
  const sql = await openSqliteStore({ path, synchronous: 'normal', scanCacheEntities: 0 });
  return { cached, sql };
}

const SCAN = 'temp >= 70°F';

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
    const { cached, sql } = await pair(5000);
    const many = Array.from({ length: 1100 }, (_, i) => point(i, 80));
    await sql.commit(many.map((tags) => ({ op: 'add' as const, tags })));
    expect(await cached.read({ filter: SCAN })).toHaveLength(1100);
    // Enough removals to prune tombstones (no watch holds them back): the cache cannot see them by tombstone.
    await sql.commit(many.slice(1).map((d) => ({ op: 'remove' as const, id: d.id?.id ?? '' })));
    expect(ids(await cached.read({ filter: SCAN }))).toEqual(['p0000']);
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

  it('rejects a bad bound', async () => {
    await expect(openSqliteStore({ path: nextFile(), scanCacheEntities: -1 })).rejects.toMatchObject({
      code: 'HS_ERR_OPTION_RANGE',
    });
  });
});
