// Storage contract, priority arrays: 17 levels, the effective value, release, timed overrides, mirrored point tags.

import { describe, expect, it } from 'vitest';
import { MARKER } from '../../core/kinds/marker.js';
import { Num } from '../../core/kinds/number.js';
import { Ref } from '../../core/kinds/ref.js';
import type { PointWriteRequest, PriorityArray, StorageAdapter } from '../adapter.js';
import type { Harness } from './harness.js';
import { addEntities, modOf } from './helpers.js';

const F = (v: number): Num => new Num(v, '°F');

async function withWritable(store: StorageAdapter): Promise<void> {
  await addEntities(store, [
    { id: new Ref('sp'), point: MARKER, writable: MARKER, sp: MARKER, kind: 'Number', unit: '°F' },
    { id: new Ref('other'), point: MARKER, writable: MARKER, kind: 'Bool' },
  ]);
}

async function pointTags(store: StorageAdapter, id: string): Promise<Record<string, unknown>> {
  const [d] = await store.readByIds([id]);
  return { writeVal: d?.get('writeVal'), writeLevel: d?.get('writeLevel'), curVal: d?.get('curVal') };
}

function levelVals(arr: PriorityArray): unknown[] {
  return arr.levels.map((l) => l.val);
}

// The store's pointWriteBatch; a store without it skips the test.
function batchOf(store: StorageAdapter, skip: () => void): NonNullable<StorageAdapter['pointWriteBatch']> {
  if (store.pointWriteBatch === undefined) skip();
  return (reqs) => (store.pointWriteBatch as NonNullable<StorageAdapter['pointWriteBatch']>)(reqs);
}

/** Register the priority array tests. */
export function describePriorityContract(h: Harness): void {
  describe('priority arrays', () => {
    it('lists the timed overrides still to end, one per timed level, for a process that never saw them', async (ctx) => {
      const { store, clock } = await h.open();
      if (store.overrideEnds === undefined) ctx.skip();
      const ends = async () => {
        const all = await (store.overrideEnds as NonNullable<StorageAdapter['overrideEnds']>)();
        return [...all].sort((a, b) => a.at - b.at);
      };
      await withWritable(store);
      expect(await ends()).toEqual([]);
      const t = clock.now();
      await store.pointWrite({ id: 'sp', level: 9, val: F(72), who: 'a', durationMs: 120_000 });
      await store.pointWrite({ id: 'sp', level: 8, val: F(75), who: 'a', durationMs: 60_000 });
      await store.pointWrite({ id: 'sp', level: 10, val: F(70), who: 'a' });
      await store.pointWrite({ id: 'other', level: 8, val: true, who: 'a', durationMs: 30_000 });
      expect(await ends()).toEqual([
        { id: 'other', at: t + 30_000 },
        { id: 'sp', at: t + 60_000 },
        { id: 'sp', at: t + 120_000 },
      ]);
      // Ended ones are left out, as are released ones.
      clock.advance(30_000);
      await store.pointWrite({ id: 'sp', level: 8, val: null, who: 'a' });
      expect(await ends()).toEqual([{ id: 'sp', at: t + 120_000 }]);
    });

    it('starts with 17 empty levels and no effective value', async () => {
      const { store } = await h.open();
      await withWritable(store);
      const arr = await store.readPriorityArray('sp');
      expect(arr.levels.map((l) => l.level)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
      expect(levelVals(arr)).toEqual(Array.from({ length: 17 }, () => null));
      expect(arr.effective).toBeNull();
      expect(arr.effectiveLevel).toBeUndefined();
    });

    it('makes the highest-priority non-empty level effective and mirrors it on the point', async () => {
      const { store } = await h.open();
      await withWritable(store);
      const w17 = await store.pointWrite({ id: 'sp', level: 17, val: F(70), who: 'default' });
      expect(w17.effective).toEqual(F(70));
      expect(w17.effectiveLevel).toBe(17);
      const w8 = await store.pointWrite({ id: 'sp', level: 8, val: F(65), who: 'operator' });
      expect(w8.effective).toEqual(F(65));
      expect(w8.effectiveLevel).toBe(8);
      expect(w8.levels[7]).toMatchObject({ level: 8, val: F(65), who: 'operator' });
      expect(w8.levels[16]).toMatchObject({ level: 17, val: F(70), who: 'default' });
      // A lower priority (higher number) does not override level 8.
      const w10 = await store.pointWrite({ id: 'sp', level: 10, val: F(80), who: 'schedule' });
      expect(w10.effectiveLevel).toBe(8);
      expect(await pointTags(store, 'sp')).toEqual({ writeVal: F(65), writeLevel: new Num(8), curVal: F(65) });
      const read = await store.readPriorityArray('sp');
      expect(levelVals(read)).toEqual(levelVals(w10));
      expect(read.effective).toEqual(F(65));
      // The other point is untouched.
      expect(levelVals(await store.readPriorityArray('other')).every((v) => v === null)).toBe(true);
    });

    it('releases a level written with null, falling back to the next one, and clears the point when all are empty', async () => {
      const { store } = await h.open();
      await withWritable(store);
      await store.pointWrite({ id: 'other', level: 16, val: false, who: 'a' });
      await store.pointWrite({ id: 'other', level: 1, val: true, who: 'b' });
      const released = await store.pointWrite({ id: 'other', level: 1, val: null, who: 'b' });
      expect(released.effective).toBe(false);
      expect(released.effectiveLevel).toBe(16);
      expect(released.levels[0]).toMatchObject({ level: 1, val: null });
      expect(await pointTags(store, 'other')).toEqual({ writeVal: false, writeLevel: new Num(16), curVal: false });
      const empty = await store.pointWrite({ id: 'other', level: 16, val: null, who: 'a' });
      expect(empty.effective).toBeNull();
      expect(await pointTags(store, 'other')).toEqual({ writeVal: null, writeLevel: null, curVal: null });
    });

    it('bumps the point mod on every write', async () => {
      const { store } = await h.open();
      await withWritable(store);
      const [before] = await store.readByIds(['sp']);
      await store.pointWrite({ id: 'sp', level: 17, val: F(70), who: 'x' });
      const [after] = await store.readByIds(['sp']);
      expect(modOf(after).epochMs).toBeGreaterThan(modOf(before).epochMs);
    });

    it('ends a timed override when its duration has passed on the store clock', async () => {
      const { store, clock } = await h.open();
      await withWritable(store);
      await store.pointWrite({ id: 'sp', level: 17, val: F(70), who: 'default' });
      const start = clock.now();
      const timed = await store.pointWrite({
        id: 'sp',
        level: 8,
        val: F(60),
        who: 'override',
        durationMs: 30 * 60_000,
      });
      expect(timed.effectiveLevel).toBe(8);
      expect(timed.levels[7]?.expires).toBe(start + 30 * 60_000);
      clock.advance(30 * 60_000 - 1);
      expect((await store.readPriorityArray('sp')).effectiveLevel).toBe(8);
      expect((await pointTags(store, 'sp')).writeVal).toEqual(F(60));
      clock.advance(1);
      const after = await store.readPriorityArray('sp');
      expect(after.effectiveLevel).toBe(17);
      expect(after.effective).toEqual(F(70));
      expect(after.levels[7]).toMatchObject({ val: null, expires: undefined });
      expect(await pointTags(store, 'sp')).toEqual({ writeVal: F(70), writeLevel: new Num(17), curVal: F(70) });
    });

    it('updates the point when an override ends even if nobody reads the array', async () => {
      const { store, clock } = await h.open();
      await withWritable(store);
      await store.pointWrite({ id: 'other', level: 8, val: true, who: 'o', durationMs: 1000 });
      clock.advance(5000);
      expect(await pointTags(store, 'other')).toEqual({ writeVal: null, writeLevel: null, curVal: null });
    });

    it('refuses levels outside 1-17, bad durations and unknown points', async () => {
      const { store } = await h.open();
      await withWritable(store);
      for (const level of [0, 18, 1.5, Number.NaN]) {
        await expect(store.pointWrite({ id: 'sp', level, val: F(1), who: 'x' })).rejects.toMatchObject({
          code: 'HS_ERR_INVALID_VALUE',
        });
      }
      await expect(store.pointWrite({ id: 'sp', level: 8, val: F(1), who: 'x', durationMs: -5 })).rejects.toMatchObject(
        { code: 'HS_ERR_INVALID_VALUE' },
      );
      await expect(store.pointWrite({ id: 'ghost', level: 8, val: F(1), who: 'x' })).rejects.toMatchObject({
        code: 'HS_ERR_UNKNOWN_REC',
      });
      await expect(store.readPriorityArray('ghost')).rejects.toMatchObject({ code: 'HS_ERR_UNKNOWN_REC' });
      expect((await store.readPriorityArray('sp')).effective).toBeNull();
    });

    it("reads several points' arrays at once as one by one would (readPriorityArrays, where offered)", async (ctx) => {
      const { store, clock } = await h.open();
      if (store.readPriorityArrays === undefined) ctx.skip();
      const read = (ids: readonly string[]) =>
        (store.readPriorityArrays as NonNullable<StorageAdapter['readPriorityArrays']>)(ids);
      await withWritable(store);
      await addEntities(store, [{ id: new Ref('plain'), equip: MARKER }]);
      await store.pointWrite({ id: 'sp', level: 8, val: F(65), who: 'operator', durationMs: 60_000 });
      await store.pointWrite({ id: 'sp', level: 16, val: F(50), who: 'bms' });
      await store.pointWrite({ id: 'other', level: 10, val: true, who: 'schedule' });
      const ids = ['other', 'sp', 'plain', 'sp'];
      const oneByOne = async () => Promise.all(ids.map((id) => store.readPriorityArray(id)));
      expect(await read(ids)).toEqual(await oneByOne());
      expect((await read(['sp']))[0]?.effectiveLevel).toBe(8);
      expect(await read([])).toEqual([]);
      // A timed override that ended is empty in a batch read too.
      clock.advance(60_000);
      const [sp] = await read(['sp']);
      expect(sp?.effectiveLevel).toBe(16);
      expect(sp?.levels[7]?.val).toBeNull();
      expect(await read(ids)).toEqual(await oneByOne());
      await expect(read(['sp', 'ghost'])).rejects.toMatchObject({ code: 'HS_ERR_UNKNOWN_REC' });
    });

    it('writes a batch of levels as level-by-level writes would (pointWriteBatch, where offered)', async (ctx) => {
      const { store } = await h.open();
      const batch = batchOf(store, () => ctx.skip());
      // The same writes one by one, into a second store at the same instant, are what the batch must match.
      const { store: oneByOne } = await h.open();
      await withWritable(store);
      await withWritable(oneByOne);
      const [spBefore] = await store.readByIds(['sp']);
      const before = { id: 'sp', level: 16, val: F(50), who: 'before' } as const;
      await store.pointWrite(before);
      await oneByOne.pointWrite(before);
      const reqs: PointWriteRequest[] = [
        { id: 'sp', level: 17, val: F(70), who: 'default' },
        { id: 'other', level: 10, val: true, who: 'schedule' },
        { id: 'sp', level: 8, val: F(65), who: 'operator', durationMs: 60_000 },
        { id: 'sp', level: 9, val: F(60), who: 'operator', durationMs: 120_000 },
        // Released within the batch, and one level written twice: the last write stands.
        { id: 'sp', level: 16, val: null, who: 'before' },
        { id: 'other', level: 10, val: false, who: 'schedule' },
      ];
      const want: PriorityArray[] = [];
      for (const req of reqs) want.push(await oneByOne.pointWrite(req));
      const got = await batch(reqs);
      expect(got).toEqual(want);
      for (const id of ['sp', 'other']) {
        expect(await store.readPriorityArray(id)).toEqual(await oneByOne.readPriorityArray(id));
        expect(await pointTags(store, id)).toEqual(await pointTags(oneByOne, id));
      }
      expect(await pointTags(store, 'sp')).toEqual({ writeVal: F(65), writeLevel: new Num(8), curVal: F(65) });
      const [spAfter] = await store.readByIds(['sp']);
      expect(modOf(spAfter).epochMs).toBeGreaterThan(modOf(spBefore).epochMs);
      expect(await batch([])).toEqual([]);
    });

    it('keeps the end of each timed override a batch writes', async (ctx) => {
      const { store, clock } = await h.open();
      const batch = batchOf(store, () => ctx.skip());
      await withWritable(store);
      const t = clock.now();
      await batch([
        { id: 'sp', level: 17, val: F(70), who: 'default' },
        { id: 'sp', level: 8, val: F(60), who: 'o', durationMs: 60_000 },
        { id: 'sp', level: 9, val: F(62), who: 'o', durationMs: 120_000 },
        { id: 'other', level: 8, val: true, who: 'o', durationMs: 30_000 },
      ]);
      if (store.overrideEnds !== undefined) {
        const ends = [...(await store.overrideEnds())].sort((a, b) => a.at - b.at);
        expect(ends).toEqual([
          { id: 'other', at: t + 30_000 },
          { id: 'sp', at: t + 60_000 },
          { id: 'sp', at: t + 120_000 },
        ]);
      }
      clock.advance(60_000);
      expect(await pointTags(store, 'sp')).toEqual({ writeVal: F(62), writeLevel: new Num(9), curVal: F(62) });
      expect(await pointTags(store, 'other')).toEqual({ writeVal: null, writeLevel: null, curVal: null });
      clock.advance(60_000);
      expect((await store.readPriorityArray('sp')).effectiveLevel).toBe(17);
    });

    it('checks a whole batch before writing any of it (pointWriteBatch)', async (ctx) => {
      const { store } = await h.open();
      const batch = batchOf(store, () => ctx.skip());
      await withWritable(store);
      await store.pointWrite({ id: 'sp', level: 17, val: F(70), who: 'default' });
      const held = async (): Promise<unknown> => [
        await store.readPriorityArray('sp'),
        await store.readPriorityArray('other'),
        await store.readByIds(['sp', 'other']),
      ];
      const was = await held();
      const good = { id: 'sp', level: 8, val: F(1), who: 'x' } as const;
      // A bad level, a bad duration or an unknown point anywhere in the batch: nothing of it is written.
      for (const bad of [
        { id: 'other', level: 18, val: true, who: 'x' },
        { id: 'other', level: 8, val: true, who: 'x', durationMs: 0 },
        { id: 'ghost', level: 8, val: true, who: 'x' },
      ]) {
        await expect(batch([good, { id: 'other', level: 9, val: true, who: 'x' }, bad])).rejects.toMatchObject({
          code: bad.id === 'ghost' ? 'HS_ERR_UNKNOWN_REC' : 'HS_ERR_INVALID_VALUE',
        });
        await expect(batch([bad, good])).rejects.toMatchObject({
          code: bad.id === 'ghost' ? 'HS_ERR_UNKNOWN_REC' : 'HS_ERR_INVALID_VALUE',
        });
      }
      expect(await held()).toEqual(was);
    });

    it('forgets the array of a removed point', async () => {
      const { store } = await h.open();
      await withWritable(store);
      await store.pointWrite({ id: 'sp', level: 8, val: F(1), who: 'x' });
      await store.commit([{ op: 'remove', id: 'sp' }]);
      await addEntities(store, [{ id: new Ref('sp'), point: MARKER, writable: MARKER }]);
      expect((await store.readPriorityArray('sp')).effective).toBeNull();
    });
  });
}
