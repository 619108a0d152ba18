// The PostgreSQL store's batch history read through one cursor: the points' samples joined on ts, chunk by chunk,
// are what joining their whole reads gives, whatever the chunk size (a timestamp's samples may straddle two
// fetches), in both query forms (a merge of one scan per point, and the join used for many points).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LimitError, UnknownRecError } from '../../../src/core/errors.js';
import { Dict } from '../../../src/core/grid/dict.js';
import { equals } from '../../../src/core/kinds/equality.js';
import type { Val } from '../../../src/core/kinds/kind.js';
import { MARKER } from '../../../src/core/kinds/marker.js';
import { Num } from '../../../src/core/kinds/number.js';
import { Ref } from '../../../src/core/kinds/ref.js';
import type { HisBatchChunk, TimeRange } from '../../../src/storage/adapter.js';
import { openPostgresStore, type PostgresStore } from '../../../src/storage/postgres/index.js';
import { TEST_PG_URL, testSchemas } from '../../support/postgres.js';

const schemas = testSchemas('hisbatch');
const T0 = Date.UTC(2024, 0, 1);
const ALL: TimeRange = { start: T0, end: T0 + 86_400_000 };
// More than the points one merged scan each serves (pg-his-cursor.ts): the join form.
const MANY = 70;
let store: PostgresStore;

// The expected join, from each point's whole read: distinct timestamps in order, a column per point.
async function joined(
  ids: readonly string[],
  range: TimeRange,
): Promise<{ ts: number[]; vals: (Val | undefined)[][] }> {
  const reads = await Promise.all(ids.map((id) => store.hisRead(id, range)));
  const ts = [...new Set(reads.flatMap((r) => r.map((s) => s.ts)))].sort((a, b) => a - b);
  const at = new Map(ts.map((t, i) => [t, i]));
  const vals = reads.map((r) => {
    const col = new Array<Val | undefined>(ts.length).fill(undefined);
    for (const s of r) col[at.get(s.ts) as number] = s.val;
    return col;
  });
  return { ts, vals };
}

async function gather(
  chunks: AsyncIterable<HisBatchChunk>,
): Promise<{ ts: number[]; vals: (Val | undefined)[][]; sizes: number[] }> {
  const ts: number[] = [];
  let vals: (Val | undefined)[][] | undefined;
  const sizes: number[] = [];
  for await (const c of chunks) {
    sizes.push(c.ts.length);
    ts.push(...c.ts);
    vals ??= c.vals.map(() => []);
    c.vals.forEach((col, k) => {
      expect(col).toHaveLength(c.ts.length);
      vals?.[k]?.push(...col);
    });
  }
  return { ts, vals: vals ?? [], sizes };
}

function sameJoin(actual: { ts: number[]; vals: (Val | undefined)[][] }, expected: typeof actual): void {
  expect(actual.ts).toEqual(expected.ts);
  expect(actual.vals).toHaveLength(expected.vals.length);
  expected.vals.forEach((col, k) => {
    const got = actual.vals[k] ?? [];
    col.forEach((v, i) => {
      const g = got[i];
      if (v === undefined || g === undefined) expect(g).toBe(v);
      else expect(equals(g, v), `column ${String(k)} row ${String(i)}`).toBe(true);
    });
  });
}

beforeAll(async () => {
  store = await openPostgresStore({ url: TEST_PG_URL, schema: schemas.next(), poolSize: 1 });
  const ids = ['a', 'b', 'c', ...Array.from({ length: MANY }, (_, i) => `m${String(i)}`)];
  await store.commit(ids.map((id) => ({ op: 'add', tags: Dict.of({ id: new Ref(id), point: MARKER, his: MARKER }) })));
  // a every minute, b every 90 s (every other one on a's minutes), c at a few of a's minutes: rows of one, two or
  // three samples, so chunk boundaries fall inside a timestamp's samples.
  await store.hisWrite(
    'a',
    Array.from({ length: 600 }, (_, i) => ({ ts: T0 + i * 60_000, val: new Num(i, 'kW') })),
  );
  await store.hisWrite(
    'b',
    Array.from({ length: 400 }, (_, i) => ({ ts: T0 + i * 90_000, val: `s${String(i)}` })),
  );
  await store.hisWrite(
    'c',
    Array.from({ length: 50 }, (_, i) => ({ ts: T0 + i * 7 * 60_000, val: i % 2 === 0 })),
  );
  for (let i = 0; i < MANY; i++) {
    await store.hisWrite(`m${String(i)}`, [
      { ts: T0 + i * 1000, val: new Num(i) },
      { ts: T0 + 3_600_000, val: MARKER },
    ]);
  }
});

afterAll(async () => {
  await store.close();
  await schemas.dropAll();
});

describe('PostgreSQL batch history read', () => {
  it.each([1, 2, 3, 7, 100, 10_000])('joins on ts in chunks of %i samples', async (chunkRows) => {
    const ids = ['a', 'b', 'c'];
    const got = await gather(store.hisReadBatchChunks(ids, ALL, { chunkRows }));
    sameJoin(got, await joined(ids, ALL));
    // Each chunk holds at most chunkRows samples, so at most that many rows.
    for (const n of got.sizes) expect(n).toBeLessThanOrEqual(chunkRows);
  });

  it('reads a sub-range, columns in the order asked, a point without samples as an empty column', async () => {
    const range = { start: T0 + 30 * 60_000, end: T0 + 90 * 60_000 };
    const ids = ['c', 'a', 'm3'];
    sameJoin(await gather(store.hisReadBatchChunks(ids, range, { chunkRows: 4 })), await joined(ids, range));
    const none = await gather(store.hisReadBatchChunks(['a', 'b'], { start: 0, end: T0 }));
    expect(none.ts).toEqual([]);
  });

  it(`joins ${String(MANY)} points (the join form) as it merges a few`, async () => {
    const ids = ['a', ...Array.from({ length: MANY }, (_, i) => `m${String(i)}`)];
    sameJoin(await gather(store.hisReadBatchChunks(ids, ALL, { chunkRows: 9 })), await joined(ids, ALL));
  });

  it('fails before the first chunk for an unknown point or an answer beyond maxCells', async () => {
    await expect(gather(store.hisReadBatchChunks(['a', 'nope'], ALL))).rejects.toBeInstanceOf(UnknownRecError);
    // a and b: 600 + 400 samples on 800 distinct timestamps, so 1,600 cells.
    const over = gather(store.hisReadBatchChunks(['a', 'b'], ALL, { maxCells: 1599 }));
    await expect(over).rejects.toBeInstanceOf(LimitError);
    await expect(over).rejects.toMatchObject({ limit: 'maxRows' });
    expect((await gather(store.hisReadBatchChunks(['a', 'b'], ALL, { maxCells: 1600 }))).ts).toHaveLength(800);
  });

  it('releases its connection when the reader stops early (the pool holds one)', async () => {
    for (let i = 0; i < 3; i++) {
      for await (const chunk of store.hisReadBatchChunks(['a', 'b'], ALL, { chunkRows: 10 })) {
        expect(chunk.ts.length).toBeGreaterThan(0);
        break;
      }
    }
    expect(await store.hisCount('a')).toBe(600);
  });
});
