// Filters compiled to SQL answer exactly as the in-memory evaluator: every conformance filter, and random filters of
// every literal kind over random entities (Lists, Dicts, astral and private-use strings, NaN, zones, `->` paths),
// on SQLite and on PostgreSQL (its dialect: JSONB tag presence, `$n` parameters).

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CmpOp,
  Dict,
  Filter,
  type FilterLiteral,
  type FilterNode,
  filterAnd,
  filterCmp,
  filterHas,
  filterIsSymbol,
  filterMissing,
  filterOr,
  HDate,
  HDateTime,
  HTime,
  MARKER,
  NA,
  Num,
  parseFilter,
  Ref,
  Sym,
  type TagVal,
  Uri,
} from '../../../src/core/index.js';
import type { StorageAdapter } from '../../../src/storage/index.js';
import { createMemoryStore } from '../../../src/storage/memory/index.js';
import { openPostgresStore, type PostgresStore } from '../../../src/storage/postgres/index.js';
import { clientConfig, loadPgDriver } from '../../../src/storage/postgres/pg-driver.js';
import { MAX_SQL_AND_TERMS } from '../../../src/storage/sql/filter-sql.js';
import { compileFilterSql } from '../../../src/storage/sql/index.js';
import { openSqliteStore, SQLITE_DIALECT, type SqliteStore } from '../../../src/storage/sqlite/index.js';
import { haysonToVal } from '../../support/hayson-compare.js';
import { TEST_PG_URL, testSchemas } from '../../support/postgres.js';
import { loadSharedJson, sharedAvailable } from '../../support/shared.js';
import { makeTempDir } from '../../support/temp-dir.js';

interface FilterVectors {
  readonly entities: readonly Parameters<typeof haysonToVal>[0][];
  readonly cases: readonly { readonly filter: string; readonly ids: readonly string[] }[];
}

const dir = makeTempDir('hs-filter-sql-');
let files = 0;
// The scan cache off: these tests are about the SQL the compiler makes (scan-cache.test.ts covers the cache).
const open = (): Promise<SqliteStore> =>
  openSqliteStore({ path: dir.file(`f${String(++files)}.db`), synchronous: 'normal', scanCacheEntities: 0 });
afterAll(() => {
  dir.remove();
});

const ids = (ds: readonly Dict[]): string[] => ds.map((d) => d.id?.id ?? '?');

describe.skipIf(!sharedAvailable('conformance/filter.json'))('filter.json through SQL', () => {
  const vectors = loadSharedJson<FilterVectors>('conformance/filter.json');
  // Haxall rejects a Ref display string in a filter, so the core parser does too (see filter-conformance.test.ts).
  const cases = vectors.cases.filter((c) => !c.filter.includes('@site1 "'));
  let sqlite: SqliteStore;
  let memory: StorageAdapter;

  beforeAll(async () => {
    sqlite = await open();
    memory = createMemoryStore();
    const diffs = vectors.entities.map((e) => ({ op: 'add' as const, tags: haysonToVal(e) as Dict }));
    await sqlite.commit(diffs);
    await memory.commit(diffs);
  });
  afterAll(async () => {
    await sqlite.close();
  });

  it.each(cases.map((c) => [c.filter, c] as const))('%s', async (filter, c) => {
    const got = ids(await sqlite.read({ filter }));
    expect([...got].sort()).toEqual([...c.ids].sort());
    expect(got).toEqual(ids(await memory.read({ filter })));
  });

  it('answers most conformance filters by SQL alone', () => {
    const s = sqlite.readStats();
    // The conformance entities hold a Dict (`nested`), so `->` filters are rechecked in process; the rest are exact.
    expect(s.exact).toBeGreaterThan(cases.length / 2);
    expect(s.exact + s.rechecked).toBe(cases.length);
  });
});

describe('the compiler', () => {
  it('binds every literal as a parameter, never in the SQL text', () => {
    const f = Filter.fromAst(
      filterAnd(filterCmp('==', 'dis', "x' OR 1=1 --"), filterCmp('<', ['siteRef', 'area'], new Num(5, 'ft²'))),
    );
    const sql = compileFilterSql(f.ast, SQLITE_DIALECT);
    expect(sql.where).not.toContain('OR 1=1');
    expect(sql.where).not.toContain('ft²');
    expect(sql.params).toContain('ft²');
    expect(sql.recheck).toBe('nested');
  });

  it('says when a path must be rechecked in process', () => {
    expect(compileFilterSql(filterHas('point'), SQLITE_DIALECT).recheck).toBe('never');
    expect(compileFilterSql(filterHas(['siteRef', 'dis']), SQLITE_DIALECT).recheck).toBe('nested');
    expect(compileFilterSql(filterCmp('==', ['mod', 'tz'], 'UTC'), SQLITE_DIALECT).recheck).toBe('always');
  });

  it('gives SQL at most MAX_SQL_AND_TERMS terms of an `and`, the narrowest, and rechecks the rest in process', () => {
    const terms = (n: number): string =>
      Array.from({ length: n }, (_, i) => `x != ${String(i)}`)
        .concat('site', 'id == @a')
        .join(' and ');
    // Exactly MAX_SQL_AND_TERMS terms: all in SQL, nothing to recheck.
    const kept = compileFilterSql(parseFilter(terms(MAX_SQL_AND_TERMS - 2)).ast, SQLITE_DIALECT);
    expect(kept.recheck).toBe('never');
    // 1,002 terms: `site` and `id == @a` (which narrow) and the first `!=` terms, as above, then the recheck.
    const long = compileFilterSql(parseFilter(terms(1000)).ast, SQLITE_DIALECT);
    expect(long.recheck).toBe('always');
    expect(long.where).toBe(kept.where);
    expect(long.params).toEqual(kept.params);
  });
});

describe('long filters', () => {
  // A client reading many entities by one filter: `id==@p0 or id==@p1 or ...`, well within the parser's limits.
  const many = (n: number, term: (i: number) => string): string =>
    Array.from({ length: n }, (_, i) => term(i)).join(' or ');
  const all = (n: number, term: (i: number) => string): string =>
    Array.from({ length: n }, (_, i) => term(i)).join(' and ');
  const FILTERS = [
    many(1100, (i) => `id==@p${String(i * 2)}`),
    `point and (${many(1100, (i) => `n==${String(i + 20)}`)})`,
    // An `and` that passes nearly everything term after term; the equality that narrows it comes last.
    `${all(1000, (i) => `id != @q${String(i)}`)} and n >= 3 and (n == 5 or n == 7)`,
    all(1000, (i) => `n != ${String(i + 40)}`),
  ];
  const schemas = testSchemas('long');
  afterAll(async () => {
    await schemas.dropAll();
  });

  // The filters answer on `store` (read in SQL) as on the memory store, over the same entities.
  async function expectAsMemory(store: StorageAdapter): Promise<void> {
    const memory = createMemoryStore();
    const diffs = Array.from({ length: 30 }, (_, i) => ({
      op: 'add' as const,
      tags: Dict.of({ id: new Ref(`p${String(i)}`), point: MARKER, n: new Num(i) }),
    }));
    await store.commit(diffs);
    await memory.commit(diffs);
    for (const filter of FILTERS) {
      const expected = ids(await memory.read({ filter }));
      expect(expected.length).toBeGreaterThan(0);
      expect(ids(await store.read({ filter })), filter.slice(0, 40)).toEqual(expected);
    }
  }

  it('answer on SQLite as on the memory store, however many operands an `or` has', async () => {
    const sqlite = await open();
    try {
      await expectAsMemory(sqlite);
    } finally {
      await sqlite.close();
    }
  });

  // With JIT on, PostgreSQL compiled such a statement for minutes (200 operands: about 10 s), deaf to cancels.
  it('answer on PostgreSQL as on the memory store, in a connection with JIT off', async () => {
    const pg = await openPostgresStore({ url: TEST_PG_URL, schema: schemas.next(), poolSize: 2, scanCacheEntities: 0 });
    try {
      await expectAsMemory(pg);
    } finally {
      await pg.close();
    }
    const driver = await loadPgDriver();
    const client = new driver.pg.Client(clientConfig(driver, { url: TEST_PG_URL }, 'public'));
    await client.connect();
    try {
      expect((await client.query<{ jit: string }>('SHOW jit')).rows[0]?.jit).toBe('off');
    } finally {
      await client.end();
    }
  });
});

// Random entities over a small vocabulary, with values of every kind a filter can meet.
const IDS = ['a', 'b', 'c', 'd', 'e', 'f'];
const NAMES = ['x', 'y', 'r', 'dis'];
const STRS = ['', 'a', 'B', 'ab', '\u{1F600}', '\uFFFF', '\uE000', 'é'];
const UNITS = [undefined, '°F', 'kW'];
const ZONES = ['UTC', 'New_York'];
const T0 = Date.UTC(2024, 0, 1);

const arbRef = fc.constantFrom(...IDS, 'zz').map((id) => new Ref(id));
const arbNum = fc.oneof(
  fc.tuple(fc.integer({ min: -2, max: 3 }), fc.constantFrom(...UNITS)).map(([n, u]) => new Num(n, u)),
  fc.constantFrom(new Num(Number.NaN), new Num(Number.POSITIVE_INFINITY, 'kW'), new Num(-0), new Num(1.5)),
);
const arbDateTime = fc
  .tuple(fc.integer({ min: 0, max: 2 }), fc.constantFrom(0, 500), fc.constantFrom(...ZONES))
  .map(([h, ns, z]) => HDateTime.fromEpochMs(T0 + h * 3_600_000, z, ns));
const arbScalar: fc.Arbitrary<TagVal> = fc.oneof(
  fc.constant(MARKER),
  fc.constant(NA),
  fc.boolean(),
  fc.constantFrom(...STRS),
  arbNum,
  arbRef,
  fc.constantFrom(...STRS).map((s) => new Uri(s)),
  fc.constantFrom('a', 'b-c', 'x:y').map((s) => new Sym(s)),
  fc.integer({ min: 0, max: 3 }).map((d) => new HDate(2024, 1, 1 + d)),
  fc.integer({ min: 0, max: 3 }).map((h) => new HTime(h, 0, 0, h === 1 ? 5 : 0)),
  arbDateTime,
);
const arbValue: fc.Arbitrary<TagVal> = fc.oneof(
  { weight: 6, arbitrary: arbScalar },
  { weight: 2, arbitrary: fc.array(fc.oneof(arbRef, arbScalar), { maxLength: 3 }).map((l) => Object.freeze(l)) },
  {
    weight: 1,
    arbitrary: fc
      .record({ r: arbRef, x: arbScalar }, { requiredKeys: [] })
      .map((r) => Dict.of(r as Record<string, TagVal>)),
  },
);
const arbEntity = (id: string): fc.Arbitrary<Dict> =>
  fc
    .dictionary(fc.constantFrom(...NAMES, 'b', 'c'), arbValue, { maxKeys: 5 })
    .map((tags) => Dict.of({ ...tags, id: new Ref(id) }));
const arbEntities = fc.shuffledSubarray(IDS, { minLength: 1 }).chain((ids) => fc.tuple(...ids.map(arbEntity)));

const arbPath = fc.oneof(
  fc.constantFrom(...NAMES, 'b', 'id').map((n) => [n]),
  fc.tuple(fc.constantFrom('r', 'x', 'y'), fc.constantFrom(...NAMES, 'date', 'tz')),
  fc.tuple(fc.constantFrom('r', 'x'), fc.constantFrom('r', 'x'), fc.constantFrom(...NAMES)),
);
const arbLiteral: fc.Arbitrary<FilterLiteral> = fc.oneof(
  fc.constantFrom(...STRS),
  fc.boolean(),
  fc.tuple(fc.integer({ min: -2, max: 3 }), fc.constantFrom(...UNITS)).map(([n, u]) => new Num(n, u)),
  arbRef,
  fc.constantFrom('', 'a', '\u{1F600}').map((s) => new Uri(s)),
  fc.constantFrom('a', 'b-c').map((s) => new Sym(s)),
  fc.integer({ min: 0, max: 3 }).map((d) => new HDate(2024, 1, 1 + d)),
  fc.integer({ min: 0, max: 3 }).map((h) => new HTime(h, 0, 0, 0)),
  arbDateTime,
);
const arbOp = fc.constantFrom<CmpOp>('==', '!=', '<', '<=', '>', '>=');
const arbTerm: fc.Arbitrary<FilterNode> = fc.oneof(
  arbPath.map((p) => filterHas(p)),
  arbPath.map((p) => filterMissing(p)),
  fc.tuple(arbOp, arbPath, arbLiteral).map(([op, p, lit]) => filterCmp(op, p, lit)),
  fc.constantFrom('b-c', 'x-y', 'a:b').map((s) => filterIsSymbol(s)),
);
const arbFilter: fc.Arbitrary<FilterNode> = fc.letrec<{ f: FilterNode }>((tie) => ({
  f: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    arbTerm,
    fc.tuple(tie('f'), tie('f')).map(([a, b]) => filterAnd(a, b)),
    fc.tuple(tie('f'), tie('f')).map(([a, b]) => filterOr(a, b)),
  ),
})).f;

describe('random filters over random entities', () => {
  let sqlite: SqliteStore;
  beforeAll(async () => {
    sqlite = await open();
  });
  afterAll(async () => {
    await sqlite.close();
  });

  it('answer in SQL exactly as the memory backend', async () => {
    await fc.assert(
      fc.asyncProperty(arbEntities, fc.array(arbFilter, { minLength: 1, maxLength: 8 }), async (entities, asts) => {
        const memory = createMemoryStore();
        const all = await sqlite.read({ filter: 'id' });
        await sqlite.commit(all.map((d) => ({ op: 'remove', id: d.id?.id ?? '' })));
        const diffs = entities.map((tags) => ({ op: 'add' as const, tags }));
        await sqlite.commit(diffs);
        await memory.commit(diffs);
        for (const ast of asts) {
          const filter = Filter.fromAst(ast).toString();
          const expected = ids(await memory.read({ filter }));
          expect(ids(await sqlite.read({ filter })), filter).toEqual(expected);
          const limit = Math.ceil(expected.length / 2);
          expect(ids(await sqlite.read({ filter, limit })), `${filter} limit ${String(limit)}`).toEqual(
            expected.slice(0, limit),
          );
        }
      }),
      { numRuns: 100 },
    );
  }, 120_000);
});

describe('random filters over random entities on PostgreSQL', () => {
  const schemas = testSchemas('filters');
  let pg: PostgresStore;
  beforeAll(async () => {
    pg = await openPostgresStore({ url: TEST_PG_URL, schema: schemas.next(), poolSize: 2 });
  });
  afterAll(async () => {
    await pg.close();
    await schemas.dropAll();
  });

  it('answer in SQL exactly as the memory backend', async () => {
    await fc.assert(
      fc.asyncProperty(arbEntities, fc.array(arbFilter, { minLength: 1, maxLength: 8 }), async (entities, asts) => {
        const memory = createMemoryStore();
        const all = await pg.read({ filter: 'id' });
        await pg.commit(all.map((d) => ({ op: 'remove', id: d.id?.id ?? '' })));
        const diffs = entities.map((tags) => ({ op: 'add' as const, tags }));
        await pg.commit(diffs);
        await memory.commit(diffs);
        // Entities come back exactly, whatever JSONB can hold (NUL, lone surrogates).
        const all2 = entities.map((d) => d.id?.id ?? '');
        expect((await pg.readByIds(all2)).map(tagsText)).toEqual((await memory.readByIds(all2)).map(tagsText));
        for (const ast of asts) {
          const filter = Filter.fromAst(ast).toString();
          const expected = ids(await memory.read({ filter }));
          expect(ids(await pg.read({ filter })), filter).toEqual(expected);
          const limit = Math.ceil(expected.length / 2);
          expect(ids(await pg.read({ filter, limit })), `${filter} limit ${String(limit)}`).toEqual(
            expected.slice(0, limit),
          );
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});

// Tags in name order as text, without `mod` (each store stamps its own); JSONB keeps keys in its own order.
function tagsText(d: Dict | undefined): string {
  if (d === undefined) return 'none';
  return [...d.entries()]
    .filter(([name]) => name !== 'mod')
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, v]) => `${name}:${Dict.of({ v }).toString()}`)
    .join(' ');
}
