// The PostgreSQL store's chunked history reads cost one statement for a range of one chunk (a day of a point), and
// still stream longer ranges through a cursor, with the same limits, order and errors. Statements are counted as the
// driver sends them on this store's connections (told apart by their application_name).

import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LimitError, StoreUnavailableError, UnknownRecError } from '../../../src/core/errors.js';
import { Dict } from '../../../src/core/grid/dict.js';
import { MARKER } from '../../../src/core/kinds/marker.js';
import { Num } from '../../../src/core/kinds/number.js';
import { Ref } from '../../../src/core/kinds/ref.js';
import type { HisBatchChunk, HisItem, TimeRange } from '../../../src/storage/adapter.js';
import { openPostgresStore, type PostgresStore } from '../../../src/storage/postgres/index.js';
import { HIS_HEAD_ROWS } from '../../../src/storage/postgres/pg-his-cursor.js';
import { adminQuery, TEST_PG_URL, testSchemas } from '../../support/postgres.js';

const schemas = testSchemas('hissmall');
let schema: string;
const APP = `hs-his-small-${randomBytes(4).toString('hex')}`;
const T0 = Date.UTC(2024, 0, 1);
const STEP = 300_000;
const DAY: TimeRange = { start: T0, end: T0 + 86_400_000 };
const BIG = 10_000;
let store: PostgresStore;

// Every statement a connection of this store sends while `work` runs (another process's would not be counted).
const sent: string[] = [];
let counting = false;
const query = pg.Client.prototype.query;
function statementsOf<T>(work: () => Promise<T>): Promise<{ result: T; statements: readonly string[] }> {
  sent.length = 0;
  counting = true;
  return work().then(
    (result) => {
      counting = false;
      return { result, statements: [...sent] };
    },
    (err: unknown) => {
      counting = false;
      throw err;
    },
  );
}

async function all<C>(chunks: AsyncIterable<C>): Promise<C[]> {
  const out: C[] = [];
  for await (const c of chunks) out.push(c);
  return out;
}

const tsOf = (chunks: readonly (readonly HisItem[])[]): number[] => chunks.flat().map((s) => s.ts);

beforeAll(async () => {
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const app = (this as unknown as { connectionParameters?: { application_name?: string } }).connectionParameters;
    if (counting && app?.application_name === APP) {
      const q = args[0];
      sent.push(typeof q === 'string' ? q : String((q as { text?: unknown }).text));
    }
    return (query as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof query;
  store = await openPostgresStore({
    url: TEST_PG_URL,
    schema: (schema = schemas.next()),
    poolSize: 2,
    applicationName: APP,
    listenCheckMs: 3_600_000,
  });
  await store.commit(
    ['p', 'q', 'big'].map((id) => ({ op: 'add', tags: Dict.of({ id: new Ref(id), point: MARKER, his: MARKER }) })),
  );
  // p and q: a sample every 5 minutes for a day (288), q's at p's odd ones; big: more than one plain query reads.
  await store.hisWrite(
    'p',
    Array.from({ length: 288 }, (_, i) => ({ ts: T0 + i * STEP, val: new Num(i, 'kW') })),
  );
  await store.hisWrite(
    'q',
    Array.from({ length: 144 }, (_, i) => ({ ts: T0 + (2 * i + 1) * STEP, val: new Num(i) })),
  );
  await store.hisWrite(
    'big',
    Array.from({ length: HIS_HEAD_ROWS + 5 }, (_, i) => ({ ts: T0 + i * 1000, val: new Num(i) })),
  );
});

afterAll(async () => {
  pg.Client.prototype.query = query;
  await store.close();
  await schemas.dropAll();
});

describe('hisReadChunks', () => {
  it('reads a day of a point in one statement, as one chunk, in order', async () => {
    const { result, statements } = await statementsOf(() =>
      all(store.hisReadChunks('p', DAY, { chunkRows: BIG, maxRows: 1_000_000 })),
    );
    expect(statements).toHaveLength(1);
    expect(result).toHaveLength(1);
    expect(tsOf(result)).toEqual((await store.hisRead('p', DAY)).map((s) => s.ts));
    expect(result[0]?.[287]?.val).toEqual(new Num(287, 'kW'));
  });

  it('streams a range longer than a chunk through a cursor, every sample once, in order', async () => {
    const { result, statements } = await statementsOf(() => all(store.hisReadChunks('p', DAY, { chunkRows: 100 })));
    expect(result.map((c) => c.length)).toEqual([100, 100, 88]);
    expect(tsOf(result)).toEqual((await store.hisRead('p', DAY)).map((s) => s.ts));
    expect(statements.some((s) => s.startsWith('DECLARE'))).toBe(true);
  });

  it('reads up to HIS_HEAD_ROWS samples without a cursor, and one more with one', async () => {
    const upTo = (n: number): TimeRange => ({ start: T0, end: T0 + n * 1000 });
    const one = await statementsOf(() => all(store.hisReadChunks('big', upTo(HIS_HEAD_ROWS), { chunkRows: BIG })));
    expect(one.result.map((c) => c.length)).toEqual([HIS_HEAD_ROWS]);
    expect(one.statements).toHaveLength(1);
    const more = await statementsOf(() => all(store.hisReadChunks('big', upTo(HIS_HEAD_ROWS + 1), { chunkRows: BIG })));
    expect(more.result.map((c) => c.length)).toEqual([HIS_HEAD_ROWS + 1]);
    expect(tsOf(more.result)).toEqual(Array.from({ length: HIS_HEAD_ROWS + 1 }, (_, i) => T0 + i * 1000));
    expect(more.statements.some((s) => s.startsWith('DECLARE'))).toBe(true);
    // A chunk of exactly the rows read first is one statement too; a sample more is a second chunk.
    const exact = await statementsOf(() => all(store.hisReadChunks('big', upTo(100), { chunkRows: 100 })));
    expect(exact.result.map((c) => c.length)).toEqual([100]);
    expect(exact.statements).toHaveLength(1);
    const over = await statementsOf(() => all(store.hisReadChunks('big', upTo(101), { chunkRows: 100 })));
    expect(over.result.map((c) => c.length)).toEqual([100, 1]);
  });

  it.each([
    ['within one chunk', 287, BIG],
    ['past one chunk', 287, 100],
  ])('refuses a range of more samples than maxRows %s, before any chunk', async (_, maxRows, chunkRows) => {
    const it = store.hisReadChunks('p', DAY, { chunkRows, maxRows })[Symbol.asyncIterator]();
    const err = await it.next().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(LimitError);
    expect((err as LimitError).limit).toBe('maxRows');
    await expect(all(store.hisReadChunks('p', DAY, { chunkRows, maxRows: 288 }))).resolves.toHaveLength(
      chunkRows >= 288 ? 1 : 3,
    );
  });

  it('tells an unknown point from an empty range', async () => {
    await expect(all(store.hisReadChunks('nope', DAY))).rejects.toBeInstanceOf(UnknownRecError);
    const empty = await statementsOf(() => all(store.hisReadChunks('p', { start: 0, end: T0 })));
    expect(empty.result).toEqual([]);
    expect(empty.statements).toHaveLength(2);
  });
});

describe('hisRead and hisReadPage', () => {
  it('read a point in one statement, its lookup inside it', async () => {
    const whole = await statementsOf(() => store.hisRead('p', DAY));
    expect(whole.result.map((s) => s.ts)).toEqual(Array.from({ length: 288 }, (_, i) => T0 + i * STEP));
    expect(whole.statements).toHaveLength(1);
    const page = await statementsOf(() => store.hisReadPage('p', DAY, 10));
    expect(page.result).toEqual(whole.result.slice(0, 10));
    expect(page.statements).toHaveLength(1);
    await expect(store.hisRead('nope', DAY)).rejects.toBeInstanceOf(UnknownRecError);
    await expect(store.hisReadPage('nope', DAY, 10)).rejects.toBeInstanceOf(UnknownRecError);
  });
});

describe('hisReadBatchChunks', () => {
  const rows = (chunks: readonly HisBatchChunk[]): number => chunks.reduce((n, c) => n + c.ts.length, 0);

  it('reads a day of two points joined on ts in two statements: the lookup and the samples', async () => {
    const { result, statements } = await statementsOf(() =>
      all(store.hisReadBatchChunks(['p', 'q'], DAY, { chunkRows: BIG, maxCells: 1_000_000 })),
    );
    expect(statements).toHaveLength(2);
    expect(result).toHaveLength(1);
    const [c] = result as [HisBatchChunk];
    expect(c.ts).toEqual((await store.hisRead('p', DAY)).map((s) => s.ts));
    expect(c.vals[1]?.[0]).toBeUndefined();
    expect(c.vals[1]?.[1]).toEqual(new Num(0));
  });

  it('streams a batch longer than a chunk through a cursor', async () => {
    const { result, statements } = await statementsOf(() =>
      all(store.hisReadBatchChunks(['p', 'q'], DAY, { chunkRows: 100 })),
    );
    expect(rows(result)).toBe(288);
    expect(result.length).toBeGreaterThan(1);
    expect(statements.some((s) => s.startsWith('DECLARE'))).toBe(true);
  });

  it.each([BIG, 100])('refuses more cells than maxCells (chunks of %i)', async (chunkRows) => {
    // 288 rows x 2 points: 576 cells.
    await expect(all(store.hisReadBatchChunks(['p', 'q'], DAY, { chunkRows, maxCells: 575 }))).rejects.toBeInstanceOf(
      LimitError,
    );
    await expect(all(store.hisReadBatchChunks(['p', 'q'], DAY, { chunkRows, maxCells: 576 }))).resolves.not.toEqual([]);
  });

  it('fails for an unknown point before any chunk', async () => {
    await expect(all(store.hisReadBatchChunks(['p', 'nope'], DAY))).rejects.toBeInstanceOf(UnknownRecError);
  });
});

describe('a connection lost during the one-statement read', () => {
  it.each([
    ['hisReadChunks', (s: PostgresStore) => all(s.hisReadChunks('p', DAY))],
    ['hisReadBatchChunks', (s: PostgresStore) => all(s.hisReadBatchChunks(['p', 'q'], DAY))],
  ])('fails %s as unavailable, and the pool has its one connection back', async (_, read) => {
    const app = `hs-his-small-lost-${randomBytes(4).toString('hex')}`;
    const own = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 1, applicationName: app });
    // The read waits on a lock held here, so the connection is ended while the statement runs.
    const blocker = new pg.Client({ connectionString: TEST_PG_URL });
    await blocker.connect();
    try {
      await blocker.query(`BEGIN; LOCK TABLE "${schema}".his IN ACCESS EXCLUSIVE MODE`);
      const failed = read(own).then(
        () => undefined,
        (err: unknown) => err,
      );
      let waiting: { pid: number } | undefined;
      while (waiting === undefined) {
        [waiting] = await adminQuery<{ pid: number }>(
          "SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
          [app],
        );
      }
      await adminQuery('SELECT pg_terminate_backend($1)', [waiting.pid]);
      expect(await failed).toBeInstanceOf(StoreUnavailableError);
      await blocker.query('COMMIT');
      const again = await read(own);
      expect(again.length).toBe(1);
    } finally {
      await blocker.end();
      await own.close();
    }
  });
});
