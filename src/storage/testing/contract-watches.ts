// Storage contract, watches: registrations with leases, polls of exactly what changed, refresh, sharing between adapters.

import { describe, expect, it } from 'vitest';
import { Dict } from '../../core/grid/dict.js';
import { MARKER } from '../../core/kinds/marker.js';
import { Num } from '../../core/kinds/number.js';
import { Ref } from '../../core/kinds/ref.js';
import type { StorageAdapter, WatchPollResult } from '../adapter.js';
import type { Harness } from './harness.js';
import { addEntities, idsOf } from './helpers.js';

const LEASE = 60_000;

async function withPoints(store: StorageAdapter): Promise<void> {
  await addEntities(
    store,
    ['a', 'b', 'c', 'd'].map((id) => ({ id: new Ref(id), point: MARKER, writable: MARKER, curVal: new Num(0) })),
  );
}

const setCur = (id: string, v: number) => ({ op: 'update', id, changes: Dict.of({ curVal: new Num(v) }) }) as const;

function changedIds(r: WatchPollResult): string[] {
  return idsOf(r.changed);
}

/** Register the watch tests. */
export function describeWatchContract(h: Harness): void {
  describe('watches', () => {
    it('opens a watch, adds and removes ids in order, and lists it', async () => {
      const { store } = await h.open();
      await withPoints(store);
      const w = await store.watchOpen('my watch', LEASE);
      expect(w).toMatchObject({ dis: 'my watch', leaseMs: LEASE, ids: [] });
      expect(typeof w.id).toBe('string');
      expect((await store.watchAdd(w.id, ['c', 'a', 'c', 'ghost'])).ids).toEqual(['c', 'a', 'ghost']);
      expect((await store.watchAdd(w.id, ['a', 'b'])).ids).toEqual(['c', 'a', 'ghost', 'b']);
      expect((await store.watchRemove(w.id, ['ghost', 'nope'])).ids).toEqual(['c', 'a', 'b']);
      const listed = await store.watches();
      expect(listed.map((x) => x.id)).toEqual([w.id]);
      expect(listed[0]).toMatchObject({ dis: 'my watch', ids: ['c', 'a', 'b'] });
      expect(listed[0]?.owner).toBeUndefined();
      const w2 = await store.watchOpen('second', LEASE, 'vera');
      expect(w2.id).not.toBe(w.id);
      expect(w2.owner).toBe('vera');
      expect((await store.watches()).find((x) => x.id === w2.id)?.owner).toBe('vera');
      expect((await store.watches()).map((x) => x.id).sort()).toEqual([w.id, w2.id].sort());
    });

    it('polls exactly the watched entities changed since the previous poll', async () => {
      const { store } = await h.open();
      await withPoints(store);
      const w = await store.watchOpen('w', LEASE);
      await store.watchAdd(w.id, ['a', 'b', 'c']);
      expect(changedIds(await store.watchPoll(w.id, false))).toEqual([]);
      await store.commit([setCur('b', 1), setCur('d', 1)]);
      const first = await store.watchPoll(w.id, false);
      expect(changedIds(first)).toEqual(['b']);
      expect(first.changed[0]?.get('curVal')).toEqual(new Num(1));
      expect(first.removed).toEqual([]);
      expect(changedIds(await store.watchPoll(w.id, false))).toEqual([]);
      await store.commit([setCur('a', 2)]);
      await store.commit([setCur('a', 3), setCur('c', 3)]);
      const second = await store.watchPoll(w.id, false);
      expect(changedIds(second).sort()).toEqual(['a', 'c']);
      expect(second.changed.find((d) => d.id?.id === 'a')?.get('curVal')).toEqual(new Num(3));
    });

    it('reports changes made by point writes and by timed overrides ending', async () => {
      const { store, clock } = await h.open();
      await withPoints(store);
      const w = await store.watchOpen('w', LEASE);
      await store.watchAdd(w.id, ['a', 'b']);
      await store.pointWrite({ id: 'a', level: 8, val: new Num(5), who: 'x', durationMs: 10_000 });
      const p = await store.watchPoll(w.id, false);
      expect(changedIds(p)).toEqual(['a']);
      expect(p.changed[0]?.get('curVal')).toEqual(new Num(5));
      clock.advance(10_000);
      const q = await store.watchPoll(w.id, false);
      expect(changedIds(q)).toEqual(['a']);
      expect(q.changed[0]?.has('writeVal')).toBe(false);
    });

    it('does not report changes made before an id was added', async () => {
      const { store } = await h.open();
      await withPoints(store);
      const w = await store.watchOpen('w', LEASE);
      await store.watchAdd(w.id, ['a']);
      await store.watchPoll(w.id, false);
      await store.commit([setCur('b', 9)]);
      await store.watchAdd(w.id, ['b']);
      expect(changedIds(await store.watchPoll(w.id, false))).toEqual([]);
      await store.commit([setCur('b', 10)]);
      expect(changedIds(await store.watchPoll(w.id, false))).toEqual(['b']);
    });

    it('refreshes with every watched entity that exists, and resets the changes', async () => {
      const { store } = await h.open();
      await withPoints(store);
      const w = await store.watchOpen('w', LEASE);
      await store.watchAdd(w.id, ['c', 'ghost', 'a']);
      await store.commit([setCur('a', 1)]);
      const r = await store.watchPoll(w.id, true);
      expect(changedIds(r)).toEqual(['c', 'a']);
      expect(changedIds(await store.watchPoll(w.id, false))).toEqual([]);
    });

    it('reports removed entities as removed, and an entity created after it was watched as changed', async () => {
      const { store } = await h.open();
      await withPoints(store);
      const w = await store.watchOpen('w', LEASE);
      await store.watchAdd(w.id, ['a', 'b', 'later']);
      await store.commit([{ op: 'remove', id: 'b' }]);
      const p = await store.watchPoll(w.id, false);
      expect(changedIds(p)).toEqual([]);
      expect(p.removed).toEqual(['b']);
      expect((await store.watchPoll(w.id, false)).removed).toEqual([]);
      expect(changedIds(await store.watchPoll(w.id, true))).toEqual(['a']);
      await addEntities(store, [{ id: new Ref('later'), point: MARKER }]);
      expect(changedIds(await store.watchPoll(w.id, false))).toEqual(['later']);
    });

    it('expires a watch whose lease passes without a poll or change, and renews the lease on each', async () => {
      const { store, clock } = await h.open();
      await withPoints(store);
      const w = await store.watchOpen('w', LEASE);
      await store.watchAdd(w.id, ['a']);
      for (let i = 0; i < 5; i++) {
        clock.advance(LEASE - 1000);
        await store.watchPoll(w.id, false);
      }
      clock.advance(LEASE - 1000);
      await store.watchRemove(w.id, ['b']);
      clock.advance(LEASE - 1000);
      expect((await store.watches()).map((x) => x.id)).toEqual([w.id]);
      // Looking a watch up does not renew it.
      expect((await store.watchInfo(w.id))?.ids).toEqual(['a']);
      clock.advance(1001);
      expect(await store.watchInfo(w.id)).toBeUndefined();
      expect(await store.watches()).toEqual([]);
      await expect(store.watchPoll(w.id, false)).rejects.toMatchObject({ code: 'HS_ERR_UNKNOWN_NAME' });
    });

    it('changes a lease, which then governs expiry', async () => {
      const { store, clock } = await h.open();
      const w = await store.watchOpen('w', LEASE);
      expect((await store.watchLease(w.id, 5 * LEASE)).leaseMs).toBe(5 * LEASE);
      clock.advance(4 * LEASE);
      expect((await store.watchPoll(w.id, false)).watch.leaseMs).toBe(5 * LEASE);
      await store.watchLease(w.id, 1000);
      clock.advance(1000);
      await expect(store.watchAdd(w.id, ['a'])).rejects.toMatchObject({ code: 'HS_ERR_UNKNOWN_NAME' });
    });

    it('refuses unknown and closed watches with HS_ERR_UNKNOWN_NAME; closing an unknown watch is fine', async () => {
      const { store } = await h.open();
      const calls = [
        (id: string) => store.watchAdd(id, ['a']),
        (id: string) => store.watchRemove(id, ['a']),
        (id: string) => store.watchLease(id, LEASE),
        (id: string) => store.watchPoll(id, false),
        (id: string) => store.watchPoll(id, true),
      ];
      for (const call of calls) await expect(call('nope')).rejects.toMatchObject({ code: 'HS_ERR_UNKNOWN_NAME' });
      const w = await store.watchOpen('w', LEASE);
      await store.watchClose(w.id);
      await store.watchClose(w.id);
      await store.watchClose('nope');
      for (const call of calls) await expect(call(w.id)).rejects.toMatchObject({ code: 'HS_ERR_UNKNOWN_NAME' });
      expect(await store.watches()).toEqual([]);
      expect(await store.watchInfo(w.id)).toBeUndefined();
      expect(await store.watchInfo('nope')).toBeUndefined();
    });

    it('refuses a lease that is not a positive duration', async () => {
      const { store } = await h.open();
      for (const lease of [0, -1, Number.NaN]) {
        await expect(store.watchOpen('w', lease)).rejects.toMatchObject({ code: 'HS_ERR_INVALID_VALUE' });
      }
    });

    it('opens at most maxOwned watches per owner, however many adapters open them at once', async () => {
      const fixture = await h.open();
      const { store: a } = fixture;
      // Over a shared store, half the opens go through a second adapter (another process).
      const b = h.sibling === undefined ? a : await h.sibling(fixture);
      await a.watchOpen('first', LEASE, 'ann', 3);
      await a.watchOpen('not counted', LEASE);
      await a.watchOpen('not counted', LEASE, 'bob', 3);
      const tries = await Promise.allSettled(
        Array.from({ length: 6 }, (_, i) => (i % 2 === 0 ? a : b).watchOpen(`w${String(i)}`, LEASE, 'ann', 3)),
      );
      expect(tries.filter((t) => t.status === 'fulfilled')).toHaveLength(2);
      for (const t of tries) {
        if (t.status === 'rejected')
          expect(t.reason).toMatchObject({ code: 'HS_ERR_LIMIT', limit: 'maxWatchesPerUser' });
      }
      const anns = (await b.watches()).filter((w) => w.owner === 'ann');
      expect(anns).toHaveLength(3);
      // A watch closed frees its place.
      await a.watchClose(anns[0]?.id ?? '');
      expect((await b.watchOpen('again', LEASE, 'ann', 3)).owner).toBe('ann');
      await expect(a.watchOpen('over', LEASE, 'ann', 3)).rejects.toMatchObject({ limit: 'maxWatchesPerUser' });
    });

    it('keeps watches in the store: a second adapter over it sees the same watches and changes', async (ctx) => {
      if (h.sibling === undefined) {
        ctx.skip();
        return;
      }
      const fixture = await h.open();
      const { store: a, clock } = fixture;
      const b = await h.sibling(fixture);
      await withPoints(a);
      const w = await a.watchOpen('shared', LEASE);
      await b.watchAdd(w.id, ['a', 'b']);
      expect((await a.watches()).map((x) => x.ids)).toEqual([['a', 'b']]);
      await b.commit([setCur('a', 1)]);
      expect(changedIds(await a.watchPoll(w.id, false))).toEqual(['a']);
      // The poll through `a` moved the shared change point: `b` sees nothing new.
      expect(changedIds(await b.watchPoll(w.id, false))).toEqual([]);
      await a.pointWrite({ id: 'b', level: 10, val: new Num(7), who: 'x' });
      expect(changedIds(await b.watchPoll(w.id, false))).toEqual(['b']);
      clock.advance(LEASE - 1);
      await a.watchPoll(w.id, false);
      clock.advance(LEASE - 1);
      expect((await b.watches()).map((x) => x.id)).toEqual([w.id]);
      await b.watchClose(w.id);
      await expect(a.watchPoll(w.id, false)).rejects.toMatchObject({ code: 'HS_ERR_UNKNOWN_NAME' });
    });
  });
}
