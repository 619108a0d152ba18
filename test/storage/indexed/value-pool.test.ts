// A memory store shares repeated short Strs and plain Refs among its entities, and nothing else changes; so do the
// scan caches of the SQLite, PostgreSQL and Redis stores.

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type Dict, dict, equals, list, MARKER, num, Ref, Sym, Uri, XStr } from '../../../src/core/index.js';
import type { StorageAdapter } from '../../../src/storage/adapter.js';
import { ValuePool } from '../../../src/storage/indexed/value-pool.js';
import { createMemoryStore } from '../../../src/storage/memory/index.js';
import { openPostgresStore } from '../../../src/storage/postgres/index.js';
import { openRedisStore } from '../../../src/storage/redis/index.js';
import { openSqliteStore } from '../../../src/storage/sqlite/index.js';
import { TEST_PG_URL } from '../../support/postgres.js';
import { SHARED_REDIS_URL } from '../../support/redis.js';
import { storeScratch } from '../../support/store-scratch.js';

describe('memory store value sharing', () => {
  it('stores one instance of equal short Strs and Refs without dis', async () => {
    const store = createMemoryStore();
    const make = (i: number) =>
      dict({
        id: new Ref(`p${i}`),
        point: MARKER,
        kind: ['Num', 'ber'].join(''),
        siteRef: new Ref('s'),
        dis: `Point ${i}`,
      });
    const [a, b] = await store.commit([0, 1].map((i) => ({ op: 'add' as const, tags: make(i) })));
    expect(a?.get('siteRef')).toBe(b?.get('siteRef'));
    expect(a?.get('kind')).toBe(b?.get('kind'));
    expect(a?.get('mod')).toBe(b?.get('mod'));
    const [read] = await store.readByIds(['p0']);
    expect(read?.equals(a)).toBe(true);
    expect(read?.get('dis')).toBe('Point 0');
  });

  it('shares equal small nested Dicts of Strs and Markers, and no nested Dict holding other kinds', () => {
    const pool = new ValuePool();
    const a = pool.intern(dict({ description: 'Supply Air Temp Sensor', supply: MARKER }));
    const b = pool.intern(dict({ description: ['Supply Air', 'Temp Sensor'].join(' '), supply: MARKER }));
    expect(b).toBe(a);
    expect(pool.intern(dict({ description: 'Supply Air Temp Sensor' }))).not.toBe(a);
    const withRef = (dis: string) => pool.intern(dict({ ref: new Ref('x', dis) })) as Dict;
    const [r1, r2] = [withRef('One'), withRef('Two')];
    expect((r1.get('ref') as Ref).dis).toBe('One');
    expect((r2.get('ref') as Ref).dis).toBe('Two');
  });

  it('shares a nested Dict only with one of the same tag order', () => {
    const pool = new ValuePool();
    const ab = pool.intern(dict({ a: 'x', b: MARKER })) as Dict;
    const ba = pool.intern(dict({ b: MARKER, a: 'x' })) as Dict;
    expect(ba.equals(ab)).toBe(true);
    expect(ba).not.toBe(ab);
    expect(ba.names).toEqual(['b', 'a']);
    expect(pool.intern(dict({ b: MARKER, a: 'x' }))).toBe(ba);
  });

  it('keeps a Ref display name and long Strs as given', () => {
    const pool = new ValuePool();
    const withDis = new Ref('s', 'Site');
    const kept = pool.intern(withDis);
    expect(kept).toBeInstanceOf(Ref);
    expect((kept as Ref).dis).toBe('Site');
    expect(equals(kept, withDis)).toBe(true);
    expect(pool.intern(new Ref('s'))).not.toBe(kept);
    const long = 'x'.repeat(40);
    expect(pool.intern(long)).toBe(long);
  });

  it('keeps every kind of value equal, nested Dicts and Lists included', () => {
    const pool = new ValuePool();
    const text = `${'-'.repeat(50)}a description longer than thirteen chars${'-'.repeat(50)}`;
    const long = text.slice(50, 50 + 39);
    const vals = [
      long,
      new Ref('a-long-entity-identifier-0001', long),
      num(3, 'cubic_feet_per_minute'),
      new Uri(`http://example.com/${long.replaceAll(' ', '-')}`),
      new Sym('a-long-symbol-name-here'),
      new XStr('Span', long),
      dict({ description: long, supply: MARKER }),
      list(long, new Ref('a'), dict({ x: long })),
    ];
    vals.push(`${long}\ud800 lone surrogate`, `${long} ² café 温度`);
    for (const v of vals) expect(equals(pool.intern(v), v)).toBe(true);
    const d = pool.intern(vals[6] as Dict) as Dict;
    expect([...d.keys()]).toEqual(['description', 'supply']);
  });
});

// The scan caches of the stores that keep entities as JSON (SQLite, PostgreSQL, Redis) keep values as the memory store
// does: a Ref repeated across entities is one instance, and no value is a view into the JSON it was read from.
const { dir, schemas, prefixes, redisUp } = await storeScratch('pool');

const CACHED: readonly { name: string; open: () => Promise<StorageAdapter & ScanCached>; skip: boolean }[] = [
  { name: 'SQLite', open: () => openSqliteStore({ path: path.join(dir.path, 'pool.db') }), skip: false },
  {
    name: 'PostgreSQL',
    open: () => openPostgresStore({ url: TEST_PG_URL, schema: schemas.next() }),
    skip: false,
  },
  {
    name: 'Redis',
    open: () => openRedisStore({ url: SHARED_REDIS_URL, prefix: prefixes.next() }),
    skip: !redisUp,
  },
];

interface ScanCached {
  scanCacheStats(): { readonly loads: number };
  warmScanCache(): Promise<void> | void;
}

describe.each(CACHED)('$name scan cache value sharing', ({ open, skip }) => {
  it.skipIf(skip)(
    'holds one instance of a Ref repeated across entities, every value equal to what was stored',
    async () => {
      const store = await open();
      try {
        const dis = 'Supply Air Temperature Sensor of the North Wing';
        const points = [0, 1, 2].map((i) =>
          dict({ id: new Ref(`p${i}`), point: MARKER, siteRef: new Ref('s'), unit: '°F', dis: `${dis} ${i}` }),
        );
        await store.commit(points.map((tags) => ({ op: 'add' as const, tags })));
        await store.warmScanCache();
        const read = await store.read({ filter: 'point' });
        expect(store.scanCacheStats().loads).toBe(1);
        expect(read.map((d) => d.get('dis'))).toEqual(points.map((p) => p.get('dis')));
        expect(read[1]?.get('siteRef')).toBe(read[0]?.get('siteRef'));
        expect(read[2]?.get('siteRef')).toBe(read[0]?.get('siteRef'));
        // A later commit reaches the cache by a catch-up, pooled the same way.
        await store.commit([{ op: 'add', tags: dict({ id: new Ref('p3'), point: MARKER, siteRef: new Ref('s') }) }]);
        const [late] = await store.read({ filter: 'point and not unit' });
        expect(late?.get('siteRef')).toBe(read[0]?.get('siteRef'));
      } finally {
        await store.close();
      }
    },
  );
});
