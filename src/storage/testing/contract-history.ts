// Storage contract, history: out-of-order writes read back sorted, replace on equal time, half-open ranges.

import { describe, expect, it } from 'vitest';
import { Dict } from '../../core/grid/dict.js';
import { MARKER, NA } from '../../core/kinds/marker.js';
import { Num } from '../../core/kinds/number.js';
import { Ref } from '../../core/kinds/ref.js';
import { TimeZone } from '../../core/tz/time-zone.js';
import type { HisItem, StorageAdapter, TimeRange } from '../adapter.js';
import type { Harness } from './harness.js';
import { addEntities } from './helpers.js';

const T = Date.UTC(2024, 0, 1);
const MIN = 60_000;
const ALL = { start: 0, end: Number.MAX_SAFE_INTEGER };

const kw = (ts: number, v: number): HisItem => ({ ts, val: new Num(v, 'kW') });

const NEW_YORK = TimeZone.get('New_York');

/**
 * A point's samples by `hisRead`, checked against `hisReadColumns` when the store offers it: the same instants and
 * values, with the zone asked for.
 */
async function readHis(store: StorageAdapter, id: string, range: TimeRange): Promise<readonly HisItem[]> {
  const items = await store.hisRead(id, range);
  if (store.hisReadColumns !== undefined) {
    const rows = await store.hisReadColumns(id, range, NEW_YORK);
    expect(rows.tz).toBe(NEW_YORK);
    const asItems = Array.from({ length: rows.size }, (_, i) => ({ ts: rows.ts(i).epochMs, val: rows.val(i) }));
    expect(asItems).toEqual(items);
  }
  return items;
}

async function withPoints(store: StorageAdapter): Promise<void> {
  await addEntities(store, [
    { id: new Ref('p1'), point: MARKER, his: MARKER, kind: 'Number', unit: 'kW', tz: 'UTC' },
    { id: new Ref('p2'), point: MARKER, his: MARKER, kind: 'Number', unit: 'kW', tz: 'UTC' },
  ]);
}

/** Register the history tests. */
export function describeHistoryContract(h: Harness): void {
  describe('history', () => {
    it('counts the samples a point holds, replaced ones once', async () => {
      const { store } = await h.open();
      await withPoints(store);
      expect(await store.hisCount('p1')).toBe(0);
      await store.hisWrite('p1', [kw(T, 1), kw(T + MIN, 2)]);
      await store.hisWrite('p1', [kw(T + MIN, 3), kw(T + 2 * MIN, 4)]);
      expect(await store.hisCount('p1')).toBe(3);
      expect(await store.hisCount('p2')).toBe(0);
      await expect(store.hisCount('nope')).rejects.toMatchObject({ code: 'HS_ERR_UNKNOWN_REC' });
    });

    it('reads back samples written out of order, sorted by time', async () => {
      const { store } = await h.open();
      await withPoints(store);
      expect(await store.hisWrite('p1', [kw(T + 30 * MIN, 3), kw(T, 0), kw(T + 15 * MIN, 1.5)])).toBe(3);
      expect(await store.hisWrite('p1', [kw(T + 45 * MIN, 4.5), kw(T + 5 * MIN, 0.5)])).toBe(2);
      const got = await readHis(store, 'p1', ALL);
      expect(got.map((i) => i.ts)).toEqual([T, T + 5 * MIN, T + 15 * MIN, T + 30 * MIN, T + 45 * MIN]);
      expect(got.map((i) => i.val)).toEqual([0, 0.5, 1.5, 3, 4.5].map((v) => new Num(v, 'kW')));
    });

    it('replaces a sample written again at the same time; within one write the last one wins', async () => {
      const { store } = await h.open();
      await withPoints(store);
      await store.hisWrite('p1', [kw(T, 1), kw(T + MIN, 2), kw(T + 2 * MIN, 3)]);
      await store.hisWrite('p1', [kw(T + MIN, 20)]);
      await store.hisWrite('p1', [kw(T + 2 * MIN, 30), kw(T + 2 * MIN, 31), kw(T - MIN, -1)]);
      const got = await readHis(store, 'p1', ALL);
      expect(got).toEqual([kw(T - MIN, -1), kw(T, 1), kw(T + MIN, 20), kw(T + 2 * MIN, 31)]);
    });

    it('reads half-open ranges: start included, end excluded', async () => {
      const { store } = await h.open();
      await withPoints(store);
      await store.hisWrite(
        'p1',
        Array.from({ length: 10 }, (_, i) => kw(T + i * MIN, i)),
      );
      const ts = async (start: number, end: number): Promise<number[]> =>
        (await readHis(store, 'p1', { start, end })).map((i) => (i.ts - T) / MIN);
      expect(await ts(T + 2 * MIN, T + 5 * MIN)).toEqual([2, 3, 4]);
      expect(await ts(T + 2 * MIN + 1, T + 5 * MIN + 1)).toEqual([3, 4, 5]);
      expect(await ts(T + 3 * MIN, T + 3 * MIN)).toEqual([]);
      expect(await ts(T + 5 * MIN, T + 2 * MIN)).toEqual([]);
      expect(await ts(T - 100 * MIN, T)).toEqual([]);
      expect(await ts(T + 9 * MIN, T + 100 * MIN)).toEqual([9]);
    });

    it('keeps each point to its own history', async () => {
      const { store } = await h.open();
      await withPoints(store);
      await store.hisWrite('p1', [kw(T, 1)]);
      await store.hisWrite('p2', [kw(T, 2), kw(T + MIN, 3)]);
      expect(await readHis(store, 'p1', ALL)).toEqual([kw(T, 1)]);
      expect(await readHis(store, 'p2', ALL)).toEqual([kw(T, 2), kw(T + MIN, 3)]);
    });

    it('stores values of every kind as written, including a kind change in one series', async () => {
      const { store } = await h.open();
      await withPoints(store);
      const items: HisItem[] = [
        kw(T, 1),
        { ts: T + MIN, val: new Num(2) },
        { ts: T + 2 * MIN, val: true },
        { ts: T + 3 * MIN, val: 'text' },
        { ts: T + 4 * MIN, val: new Num(Number.NaN) },
        { ts: T + 5 * MIN, val: new Num(Number.POSITIVE_INFINITY, 'kW') },
        // NA marks a sample in error, in a series of any kind (Kinds chapter).
        { ts: T + 6 * MIN, val: NA },
      ];
      await store.hisWrite('p1', items.slice(0, 1));
      await store.hisWrite('p1', items.slice(1));
      expect(await readHis(store, 'p1', ALL)).toEqual(items);
    });

    it('keeps every double as written: -0, subnormals, the extremes, in merged and appended samples', async () => {
      const { store } = await h.open();
      await withPoints(store);
      // Zinc writes -0 apart from 0, so a store that drops the sign changes what hisRead answers.
      const floats = [-0, 0, 5e-324, -2.5e-310, Number.MAX_VALUE, -Number.MAX_VALUE, 0.1 + 0.2, 2 ** 53 + 2, -1e-300];
      const items = floats.map(
        (v, i): HisItem => ({ ts: T + i * MIN, val: new Num(v, i % 2 === 0 ? 'kW' : undefined) }),
      );
      // Appended to an empty series, then merged over samples already held (stores write the two differently).
      await store.hisWrite('p1', items);
      await store.hisWrite(
        'p2',
        items.map((it) => ({ ts: it.ts, val: new Num(1) })),
      );
      await store.hisWrite('p2', items);
      for (const id of ['p1', 'p2']) {
        const got = await readHis(store, id, ALL);
        expect(
          got.map((it) => (it.val as Num).val),
          id,
        ).toEqual(floats);
        expect(got.map((it) => Object.is((it.val as Num).val, -0))).toEqual(floats.map((v) => Object.is(v, -0)));
        expect(got).toEqual(items);
      }
    });

    it('keeps samples at the ends of the calendar and around 1970, read by ranges of any sign', async () => {
      const { store } = await h.open();
      await withPoints(store);
      // 0001-01-01, the last ms of 1969, the epoch, and the last ms of 9999: Zinc shows them all.
      const times = [-62_135_596_800_000, -1, 0, 253_402_300_799_999];
      await store.hisWrite(
        'p1',
        [...times].reverse().map((ts, i) => kw(ts, i)),
      );
      const ts = async (start: number, end: number): Promise<number[]> =>
        (await readHis(store, 'p1', { start, end })).map((i) => i.ts);
      expect(await ts(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)).toEqual(times);
      expect(await ts(Number.MIN_SAFE_INTEGER, 0)).toEqual(times.slice(0, 2));
      expect(await ts(-1, 1)).toEqual([-1, 0]);
      expect(await ts(times[0] as number, -1)).toEqual(times.slice(0, 1));
      expect(await ts(1, 253_402_300_799_999)).toEqual([]);
      expect(await ts(1, 253_402_300_800_000)).toEqual([253_402_300_799_999]);
      // Replaced in place, wherever they are.
      await store.hisWrite('p1', [kw(-1, 10), kw(253_402_300_799_999, 11)]);
      const all = { start: Number.MIN_SAFE_INTEGER, end: Number.MAX_SAFE_INTEGER };
      expect((await readHis(store, 'p1', all)).map((i) => (i.val as Num).val)).toEqual([3, 10, 1, 11]);
    });

    it('keeps Str samples as written: NUL, lone surrogates, backslashes, tabs and newlines, long ones', async () => {
      const { store } = await h.open();
      await addEntities(store, [{ id: new Ref('s'), point: MARKER, his: MARKER, kind: 'Str', tz: 'UTC' }]);
      const texts = [
        '',
        '\u0000',
        '\\N',
        '\\',
        'a\tb\nc\rd',
        '"',
        "'",
        '\uD800',
        '\uDFFF',
        '\u{1F600}',
        'x'.repeat(5000),
      ];
      const items = texts.map((val, i): HisItem => ({ ts: T + i * MIN, val }));
      // Appended to an empty series, then merged over itself (stores write the two differently).
      await store.hisWrite('s', items);
      expect(await readHis(store, 's', ALL)).toEqual(items);
      await store.hisWrite('s', [...items].reverse());
      expect(await readHis(store, 's', ALL)).toEqual(items);
    });

    it('has an empty history for a point never written', async () => {
      const { store } = await h.open();
      await withPoints(store);
      expect(await readHis(store, 'p2', ALL)).toEqual([]);
      expect(await store.hisWrite('p2', [])).toBe(0);
    });

    it('refuses unknown points with UnknownRecError', async () => {
      const { store } = await h.open();
      await withPoints(store);
      await expect(store.hisRead('ghost', ALL)).rejects.toMatchObject({ code: 'HS_ERR_UNKNOWN_REC' });
      if (store.hisReadColumns !== undefined) {
        await expect(store.hisReadColumns('ghost', ALL, NEW_YORK)).rejects.toMatchObject({
          code: 'HS_ERR_UNKNOWN_REC',
        });
      }
      await expect(store.hisWrite('ghost', [kw(T, 1)])).rejects.toMatchObject({ code: 'HS_ERR_UNKNOWN_REC' });
    });

    it('writes a batch of points all or none (hisWriteBatch, where offered)', async (ctx) => {
      const { store } = await h.open();
      const batch = store.hisWriteBatch?.bind(store);
      if (batch === undefined) {
        ctx.skip();
        return;
      }
      await withPoints(store);
      await addEntities(store, [{ id: new Ref('p3'), point: MARKER, his: MARKER, kind: 'Str', tz: 'UTC' }]);
      await store.hisWrite('p1', [kw(T, 1), kw(T + 2 * MIN, 2)]);
      // Merges into stored samples (p1), appends (p2), several kinds (p3), and counts every sample given.
      const n = await batch([
        { id: 'p1', items: [kw(T + 2 * MIN, 20), kw(T + MIN, 10), kw(T + MIN, 11)] },
        { id: 'p2', items: [kw(T, 5)] },
        {
          id: 'p3',
          items: [
            { ts: T, val: 'on' },
            { ts: T + MIN, val: NA },
          ],
        },
      ]);
      expect(n).toBe(6);
      expect(await readHis(store, 'p1', ALL)).toEqual([kw(T, 1), kw(T + MIN, 11), kw(T + 2 * MIN, 20)]);
      expect(await readHis(store, 'p2', ALL)).toEqual([kw(T, 5)]);
      expect(await store.hisRead('p3', ALL)).toEqual([
        { ts: T, val: 'on' },
        { ts: T + MIN, val: NA },
      ]);
      expect(await batch([])).toBe(0);

      // Refused whole: an unknown point (wherever it sits), a bad sample, a point named twice.
      const bothHistories = async (): Promise<unknown> => [
        await store.hisRead('p1', ALL),
        await store.hisRead('p2', ALL),
      ];
      const held = await bothHistories();
      await expect(
        batch([
          { id: 'p1', items: [kw(T + 9 * MIN, 9)] },
          { id: 'ghost', items: [kw(T, 1)] },
        ]),
      ).rejects.toMatchObject({ code: 'HS_ERR_UNKNOWN_REC' });
      await expect(
        batch([
          { id: 'p2', items: [kw(T + 9 * MIN, 9)] },
          { id: 'p1', items: [{ ts: T + 0.5, val: new Num(1, 'kW') }] },
        ]),
      ).rejects.toMatchObject({ code: 'HS_ERR_INVALID_VALUE' });
      await expect(
        batch([
          { id: 'p1', items: [kw(T + 9 * MIN, 9)] },
          { id: 'p1', items: [kw(T + 8 * MIN, 8)] },
        ]),
      ).rejects.toMatchObject({ code: 'HS_ERR_INVALID_VALUE' });
      expect(await bothHistories()).toEqual(held);
    });

    it('reads a history page by page with hisReadPage', async () => {
      const { store } = await h.open();
      if (store.hisReadPage === undefined) return;
      await withPoints(store);
      const items = Array.from({ length: 7 }, (_, i) => kw(T + i * MIN, i));
      await store.hisWrite('p1', [{ ts: -MIN, val: true }, ...items]);
      const all = { start: Number.MIN_SAFE_INTEGER, end: Number.MAX_SAFE_INTEGER };
      expect(await store.hisReadPage('p1', all, 3)).toEqual([{ ts: -MIN, val: true }, kw(T, 0), kw(T + MIN, 1)]);
      expect(await store.hisReadPage('p1', { start: T + MIN + 1, end: T + 5 * MIN }, 3)).toEqual(items.slice(2, 5));
      expect(await store.hisReadPage('p1', { start: T + 4 * MIN, end: all.end }, 10)).toEqual(items.slice(4));
      expect(await store.hisReadPage('p2', all, 10)).toEqual([]);
      await expect(store.hisReadPage('ghost', all, 10)).rejects.toMatchObject({ code: 'HS_ERR_UNKNOWN_REC' });
      await expect(store.hisReadPage('p1', all, 0)).rejects.toMatchObject({ code: 'HS_ERR_INVALID_VALUE' });
    });

    it('drops the history of a removed entity', async () => {
      const { store } = await h.open();
      await withPoints(store);
      await store.hisWrite('p1', [kw(T, 1)]);
      await store.commit([{ op: 'remove', id: 'p1' }]);
      await expect(store.hisRead('p1', ALL)).rejects.toMatchObject({ code: 'HS_ERR_UNKNOWN_REC' });
      if (store.hisReadColumns !== undefined) {
        await expect(store.hisReadColumns('p1', ALL, NEW_YORK)).rejects.toMatchObject({ code: 'HS_ERR_UNKNOWN_REC' });
      }
      await store.commit([{ op: 'add', tags: Dict.of({ id: new Ref('p1'), point: MARKER, his: MARKER }) }]);
      expect(await readHis(store, 'p1', ALL)).toEqual([]);
    });
  });
}
