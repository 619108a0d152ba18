// Every store answers a filter as the reference interpreter does (test/core/filter): random filters over entities
// holding the values where backends part ways if any does: Numbers in several units, -0, NaN, ±INF, denormals; Strs
// whose code-unit order is not a collation's (case, accents, astral, U+FFFF, long ones Redis does not index); one
// instant in several zones; Refs with display names, dangling, cyclic and in Lists; Dicts entered by `->`.

import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CMP_OPS,
  type CmpOp,
  Dict,
  type FilterLiteral,
  type FilterNode,
  filterAnd,
  filterCmp,
  filterHas,
  filterMissing,
  filterOr,
  formatFilter,
  HDate,
  HDateTime,
  HTime,
  list,
  MARKER,
  NA,
  Num,
  Ref,
  refResolver,
  Sym,
  type TagVal,
  Uri,
} from '../../src/core/index.js';
import type { StorageAdapter } from '../../src/storage/adapter.js';
import { createMemoryStore } from '../../src/storage/memory/index.js';
import { openPostgresStore } from '../../src/storage/postgres/index.js';
import { openRedisStore } from '../../src/storage/redis/index.js';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import { referenceMatches } from '../core/filter/reference-interpreter.js';
import { TEST_PG_URL, testSchemas } from '../support/postgres.js';
import { redisPrefixes, redisReachable, SHARED_REDIS_URL } from '../support/redis.js';
import { makeTempDir } from '../support/temp-dir.js';

const redisUp = await redisReachable();
if (!redisUp && process.env.CI !== undefined) throw new Error(`Redis is not reachable at ${SHARED_REDIS_URL}`);
if (!redisUp) console.warn(`SKIPPED: the Redis differential needs Redis at ${SHARED_REDIS_URL}`);

const dir = makeTempDir('hs-filter-diff-');
const schemas = testSchemas('diff');
const prefixes = redisPrefixes();
afterAll(async () => {
  dir.remove();
  await schemas.dropAll();
  if (redisUp) await prefixes.cleanup();
});

const at = (iso: string, tz: string, nanos = 0): HDateTime => HDateTime.fromEpochMs(Date.parse(iso), tz, nanos);
const NUMS = [
  new Num(5),
  new Num(5, '°F'),
  new Num(5, '°C'),
  new Num(-0),
  new Num(0, '°F'),
  new Num(-40, '°C'),
  new Num(-40, '°F'),
  new Num(0.1 + 0.2),
  new Num(0.3),
  new Num(5e-324),
  new Num(2 ** 53 + 2),
  new Num(-1e300),
  new Num(5000, 'W'),
];
const LONG = 'x'.repeat(200);
const STRS = ['abc', 'ABC', 'abd', 'é', 'e\u0301', 'z', 'Z', 'ß', '\u{1F600}', '\uFFFF', '\uFF21', '', ' ', '5', LONG];
const DATES = [new HDate(2021, 1, 1), new HDate(1969, 12, 31), new HDate(9999, 12, 31)];
const TIMES = [new HTime(0, 0), new HTime(8, 0), new HTime(8, 0, 0, 1), new HTime(23, 59, 59, 999_999_999)];
const DATETIMES = [
  at('2021-01-01T00:00:00Z', 'UTC'),
  at('2021-01-01T00:00:00Z', 'New_York'),
  at('2021-01-01T00:00:00Z', 'Tokyo'),
  at('2021-01-01T00:00:00Z', 'Berlin', 1),
  at('2021-01-01T00:00:00.001Z', 'UTC'),
  at('1969-12-31T23:59:59.999Z', 'UTC'),
];
// Ids sort differently by code unit than by a collation (case, punctuation).
const IDS = ['a', 'B', 'b', 'x:1', 'x-2', 'x.3', 'x~4', 'a_b'];
const REFS = [...IDS.map((id) => new Ref(id)), new Ref('gone'), new Ref('a', 'Display of a')];
const OTHERS: TagVal[] = [new Uri('http://a'), new Uri('http://A'), new Sym('a-b'), new Sym('A'), true, false];
const LITERALS: FilterLiteral[] = [
  ...NUMS,
  new Num(4),
  new Num(6, '°F'),
  ...STRS,
  `${LONG}y`,
  ...DATES,
  ...TIMES,
  ...DATETIMES,
  ...IDS.map((id) => new Ref(id)),
  new Ref('gone'),
  ...(OTHERS as FilterLiteral[]),
];
const SCALARS: TagVal[] = [
  ...LITERALS,
  new Num(Number.NaN),
  new Num(Number.POSITIVE_INFINITY),
  new Num(Number.NEGATIVE_INFINITY, '°F'),
  REFS[REFS.length - 1] as Ref,
  MARKER,
  NA,
];
const NAMES = ['n', 's', 'r', 'rs', 'v', 'dis', 'nest'];

const arbScalar = fc.constantFrom(...SCALARS);
const arbValue: fc.Arbitrary<TagVal> = fc.oneof(
  { weight: 8, arbitrary: arbScalar },
  {
    weight: 2,
    arbitrary: fc.array(fc.oneof(fc.constantFrom(...REFS), arbScalar), { maxLength: 3 }).map((xs) => list(...xs)),
  },
  {
    weight: 1,
    arbitrary: fc.dictionary(fc.constantFrom(...NAMES), arbScalar, { maxKeys: 3 }).map((o) => Dict.of(o)),
  },
);
// Every id of IDS, so that Refs among them resolve (a Ref to itself makes a cycle).
const arbWorld: fc.Arbitrary<Dict[]> = fc
  .array(fc.dictionary(fc.constantFrom(...NAMES), arbValue, { maxKeys: 5 }), {
    minLength: IDS.length,
    maxLength: IDS.length,
  })
  .map((rows) => rows.map((tags, i) => Dict.of({ ...tags, id: new Ref(IDS[i] as string) })));

const arbPath = fc.array(fc.constantFrom(...NAMES, 'id', 'date', 'tz'), { minLength: 1, maxLength: 3 });
const arbLeaf: fc.Arbitrary<FilterNode> = fc.oneof(
  { weight: 1, arbitrary: arbPath.map((p) => filterHas(p)) },
  { weight: 1, arbitrary: arbPath.map((p) => filterMissing(p)) },
  {
    weight: 5,
    arbitrary: fc
      .tuple(fc.constantFrom<CmpOp>(...CMP_OPS), arbPath, fc.constantFrom(...LITERALS))
      .map(([op, p, v]) => filterCmp(op, p, v)),
  },
);
const arbFilter: fc.Arbitrary<FilterNode> = fc.oneof(
  { weight: 3, arbitrary: arbLeaf },
  { weight: 1, arbitrary: fc.tuple(arbLeaf, arbLeaf).map(([a, b]) => filterAnd(a, b)) },
  { weight: 1, arbitrary: fc.tuple(arbLeaf, arbLeaf, arbLeaf).map(([a, b, c]) => filterOr(a, filterAnd(b, c))) },
);

type Store = StorageAdapter & { close(): Promise<void> };

// Reads answered by the store's own means (SQL, Redis sets and Lua): the copies that answer like the memory store
// are off.
const BACKENDS: readonly (readonly [string, boolean, () => Promise<Store>])[] = [
  ['memory', true, () => Promise.resolve(createMemoryStore())],
  ['sqlite', true, () => openSqliteStore({ path: dir.file('diff.db'), synchronous: 'normal', scanCacheEntities: 0 })],
  ['postgres', true, () => openPostgresStore({ url: TEST_PG_URL, schema: schemas.next(), scanCacheEntities: 0 })],
  ['redis', redisUp, () => openRedisStore({ url: SHARED_REDIS_URL, prefix: prefixes.next(), scanCacheEntities: 0 })],
];

const byCodeUnit = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

describe('a filter answers on every store as the reference interpreter', () => {
  for (const [name, available, open] of BACKENDS) {
    it.skipIf(!available)(
      name,
      async () => {
        const store = await open();
        let live: string[] = [];
        try {
          await fc.assert(
            fc.asyncProperty(arbWorld, fc.array(arbFilter, { minLength: 10, maxLength: 10 }), async (world, asts) => {
              if (live.length > 0) await store.commit(live.map((id) => ({ op: 'remove' as const, id })));
              await store.commit(world.map((tags) => ({ op: 'add' as const, tags })));
              live = [...IDS];
              const resolve = refResolver(world);
              for (const ast of asts) {
                const filter = formatFilter(ast);
                const expected = world
                  .filter((d) => referenceMatches(ast, d, resolve))
                  .map((d) => d.id?.id ?? '')
                  .sort(byCodeUnit);
                const got = (await store.read({ filter })).map((d) => d.id?.id);
                expect(got, filter).toEqual(expected);
                const limit = Math.ceil(expected.length / 2);
                const limited = (await store.read({ filter, limit })).map((d) => d.id?.id);
                expect(limited, `${filter} limit ${String(limit)}`).toEqual(expected.slice(0, limit));
              }
            }),
            { numRuns: 30 },
          );
        } finally {
          await store.close();
        }
      },
      60_000,
    );
  }
});
