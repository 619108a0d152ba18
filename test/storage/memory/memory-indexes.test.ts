// The memory store evaluates a filter only on the candidates its tag and Ref indexes leave, not on every entity.

import { describe, expect, it } from 'vitest';
import { Dict, MARKER, Num, REMOVE, Ref } from '../../../src/core/index.js';
import { createMemoryStore, type MemoryStore } from '../../../src/storage/memory/index.js';

// 1,000 entities: 2 sites, 20 AHUs, 978 points spread over the AHUs.
async function building(): Promise<MemoryStore> {
  const store = createMemoryStore({ clock: () => Date.UTC(2024, 0, 1) });
  const recs: Record<string, unknown>[] = [
    { id: new Ref('s1'), site: MARKER, dis: 'Alpha' },
    { id: new Ref('s2'), site: MARKER, dis: 'Beta' },
  ];
  for (let i = 0; i < 20; i++) {
    recs.push({ id: new Ref(`ahu${i}`), equip: MARKER, ahu: MARKER, siteRef: new Ref(i < 10 ? 's1' : 's2') });
  }
  for (let i = 0; i < 978; i++) {
    recs.push({
      id: new Ref(`pt${i}`),
      point: MARKER,
      his: MARKER,
      equipRef: new Ref(`ahu${i % 20}`),
      siteRef: new Ref(i % 20 < 10 ? 's1' : 's2'),
      curVal: new Num(i),
    });
  }
  await store.commit(recs.map((r) => ({ op: 'add', tags: Dict.of(r) })));
  return store;
}

async function evaluationsOf(store: MemoryStore, filter: string): Promise<{ matched: number; evaluated: number }> {
  const before = store.stats().filterEvaluations;
  const matched = (await store.read({ filter })).length;
  return { matched, evaluated: store.stats().filterEvaluations - before };
}

describe('memory store indexes', () => {
  it('evaluates a selective tag filter only on entities that have the rarest required tag', async () => {
    const store = await building();
    expect(await evaluationsOf(store, 'ahu')).toEqual({ matched: 20, evaluated: 20 });
    expect(await evaluationsOf(store, 'ahu and siteRef->dis == "Beta"')).toEqual({ matched: 10, evaluated: 20 });
    expect(await evaluationsOf(store, 'site and dis == "Alpha"')).toEqual({ matched: 1, evaluated: 2 });
    expect(await evaluationsOf(store, 'nothingHasThis and point')).toEqual({ matched: 0, evaluated: 0 });
  });

  it('uses the Ref index for equalities such as equipRef == @id', async () => {
    const store = await building();
    const r = await evaluationsOf(store, 'point and equipRef == @ahu3');
    expect(r.matched).toBe(49);
    expect(r.evaluated).toBe(49);
  });

  it('finds id == @x by the id alone, and nothing for an unknown id', async () => {
    const store = await building();
    expect(await evaluationsOf(store, 'id == @pt7')).toEqual({ matched: 1, evaluated: 1 });
    expect(await evaluationsOf(store, 'point and id == @ahu3')).toEqual({ matched: 0, evaluated: 1 });
    expect(await evaluationsOf(store, 'id == @nope')).toEqual({ matched: 0, evaluated: 0 });
  });

  it('falls back to evaluating every entity when nothing is required (not, or with an unindexed branch)', async () => {
    const store = await building();
    expect(await evaluationsOf(store, 'not point')).toEqual({ matched: 22, evaluated: 1000 });
    expect((await evaluationsOf(store, 'site or not point')).evaluated).toBe(1000);
  });

  it('evaluates an or of indexed branches on the union of their candidates', async () => {
    const store = await building();
    expect(await evaluationsOf(store, 'site or ahu')).toEqual({ matched: 22, evaluated: 22 });
    expect(await evaluationsOf(store, 'site or (ahu and siteRef == @s2)')).toEqual({ matched: 12, evaluated: 22 });
    const ids = (await store.read({ filter: 'equipRef == @ahu1 or equipRef == @ahu2' })).map((d) => d.id?.id);
    expect(ids).toHaveLength(98);
    expect(ids).toEqual([...ids].sort());
  });

  it('keeps the indexes in step with updates and removes', async () => {
    const store = await building();
    await store.commit([
      { op: 'update', id: 'pt0', changes: Dict.of({ ahu: MARKER }) },
      { op: 'update', id: 'ahu0', changes: Dict.of({ ahu: REMOVE }) },
      { op: 'remove', id: 'ahu1' },
      { op: 'update', id: 'pt1', changes: Dict.of({ equipRef: new Ref('ahu3') }) },
    ]);
    expect(await evaluationsOf(store, 'ahu')).toEqual({ matched: 19, evaluated: 19 });
    expect(await evaluationsOf(store, 'equipRef == @ahu3')).toEqual({ matched: 50, evaluated: 50 });
    expect(await evaluationsOf(store, 'equipRef == @ahu1')).toEqual({ matched: 48, evaluated: 48 });
  });

  it('cuts a selective filter to its limit after ordering its matches by id', async () => {
    const store = await building();
    const all = (await store.read({ filter: 'point and equipRef == @ahu3' })).map((d) => d.id?.id);
    expect(all).toEqual([...all].sort());
    const first = (await store.read({ filter: 'point and equipRef == @ahu3', limit: 5 })).map((d) => d.id?.id);
    expect(first).toEqual(all.slice(0, 5));
    expect(await store.read({ filter: 'ahu and equipRef == @ahu3', limit: 5 })).toEqual([]);
  });

  it('stops evaluating once the limit is reached when walking in id order', async () => {
    const store = await building();
    const before = store.stats().filterEvaluations;
    expect(await store.read({ filter: 'point', limit: 5 })).toHaveLength(5);
    expect(store.stats().filterEvaluations - before).toBeLessThan(50);
  });
});
