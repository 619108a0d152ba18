// The memory store evaluates a filter only on the candidates its tag and Ref indexes leave, not on every entity, and
// answers filters of tags, missing tags and Ref equalities (and `or`s of them) from the indexes alone.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dict, MARKER, Num, parseFilter, REMOVE, Ref } from '../../../src/core/index.js';
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
    expect(await evaluationsOf(store, 'ahu and siteRef->dis == "Beta"')).toEqual({ matched: 10, evaluated: 20 });
    expect(await evaluationsOf(store, 'site and dis == "Alpha"')).toEqual({ matched: 1, evaluated: 2 });
    expect(await evaluationsOf(store, 'nothingHasThis and point and curVal > 3')).toEqual({ matched: 0, evaluated: 0 });
  });

  it('answers tags, missing tags and Ref equalities from the indexes without evaluating', async () => {
    const store = await building();
    expect(await evaluationsOf(store, 'ahu')).toEqual({ matched: 20, evaluated: 0 });
    expect(await evaluationsOf(store, 'point and equipRef == @ahu3')).toEqual({ matched: 49, evaluated: 0 });
    expect(await evaluationsOf(store, 'siteRef == @s1 and not point')).toEqual({ matched: 10, evaluated: 0 });
    expect(await evaluationsOf(store, 'site or (equip and not siteRef)')).toEqual({ matched: 2, evaluated: 0 });
    expect(await evaluationsOf(store, 'id == @pt7')).toEqual({ matched: 1, evaluated: 0 });
  });

  it('uses the Ref index for equalities such as equipRef == @id', async () => {
    const store = await building();
    const r = await evaluationsOf(store, 'point and equipRef == @ahu3 and curVal >= 0');
    expect(r.matched).toBe(49);
    expect(r.evaluated).toBe(49);
  });

  it('finds id == @x by the id alone, and nothing for an unknown id', async () => {
    const store = await building();
    expect(await evaluationsOf(store, 'id == @pt7 and curVal == 7')).toEqual({ matched: 1, evaluated: 1 });
    expect(await evaluationsOf(store, 'point and id == @ahu3 and curVal == 7')).toEqual({ matched: 0, evaluated: 1 });
    expect(await evaluationsOf(store, 'id == @nope and curVal == 7')).toEqual({ matched: 0, evaluated: 0 });
    expect(await evaluationsOf(store, 'id == @nope')).toEqual({ matched: 0, evaluated: 0 });
  });

  it('falls back to evaluating every entity when nothing is required (not, or with an unindexed branch)', async () => {
    const store = await building();
    expect(await evaluationsOf(store, 'not point')).toEqual({ matched: 22, evaluated: 1000 });
    expect((await evaluationsOf(store, 'site or not point')).evaluated).toBe(1000);
  });

  it('evaluates an or of indexed branches on the union of their candidates', async () => {
    const store = await building();
    expect(await evaluationsOf(store, 'site or (ahu and siteRef->dis == "Beta")')).toEqual({
      matched: 12,
      evaluated: 22,
    });
    expect(await evaluationsOf(store, 'dis == "Beta" or (ahu and siteRef == @s2)')).toEqual({
      matched: 11,
      evaluated: 22,
    });
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
    expect(await evaluationsOf(store, 'ahu')).toEqual({ matched: 19, evaluated: 0 });
    expect(await evaluationsOf(store, 'ahu and not curVal')).toEqual({ matched: 18, evaluated: 0 });
    expect(await evaluationsOf(store, 'equipRef == @ahu3 and curVal >= 0')).toEqual({ matched: 50, evaluated: 50 });
    expect(await evaluationsOf(store, 'equipRef == @ahu1 and curVal >= 0')).toEqual({ matched: 48, evaluated: 48 });
    expect(await evaluationsOf(store, 'ahu or equipRef == @ahu1')).toEqual({ matched: 67, evaluated: 0 });
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

// Entities of random tags and Refs (a Ref or a List of Refs), ids in or out of id order, as a commit's adds.
const TAGS = ['site', 'equip', 'point', 'ahu', 'his'] as const;
const REF_TAGS = ['siteRef', 'equipRef'] as const;
const entityArb = fc.record({
  tags: fc.subarray([...TAGS]),
  refs: fc.array(
    fc.record({ name: fc.constantFrom(...REF_TAGS), to: fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 2 }) }),
    { maxLength: 2 },
  ),
});
type EntitySpec = typeof entityArb extends fc.Arbitrary<infer T> ? T : never;

function tagsOf(id: string, e: EntitySpec): Dict {
  const tags: Record<string, unknown> = { id: new Ref(id) };
  for (const t of e.tags) tags[t] = MARKER;
  for (const { name, to } of e.refs) {
    const refs = to.map((n) => new Ref(`r${n}`));
    // One target as a Ref, several (or none) as a List: Filters#refLists makes `tag == @x` match either.
    tags[name] = refs.length === 1 ? refs[0] : refs;
  }
  return Dict.of(tags);
}

// Filters of tags, `not tag` and `tag == @ref`, alone, in conjunctions and in an `or`.
const termArb = fc.oneof(
  fc.constantFrom(...TAGS, ...REF_TAGS),
  fc.constantFrom(...TAGS, ...REF_TAGS).map((t) => `not ${t}`),
  fc.tuple(fc.constantFrom(...REF_TAGS, 'id'), fc.integer({ min: 0, max: 5 })).map(([t, n]) => `${t} == @r${n}`),
);
const conjArb = fc.array(termArb, { minLength: 1, maxLength: 3 });
// With the conjunctions that have a tag or a Ref equality (the indexes' candidates): only those are exact.
const filterArb = fc.array(conjArb, { minLength: 1, maxLength: 3 }).map((cs) => ({
  text: cs.map((c) => `(${c.join(' and ')})`).join(' or '),
  exact: cs.every((c) => c.some((t) => !t.startsWith('not '))),
}));

describe('memory store answers from its indexes what evaluating every entity would', () => {
  it('agrees with evaluation after adds, updates and removes, ids in any order, with and without a limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(entityArb, { minLength: 1, maxLength: 30 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.array(filterArb, { minLength: 1, maxLength: 5 }),
        fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }),
        async (specs, inOrder, removals, filters, limit) => {
          const store = createMemoryStore({ clock: () => Date.UTC(2024, 0, 1) });
          // r0..rN sort as written; reversed adds make ordinal order differ from id order.
          const ids = specs.map((_, i) => `r${String(i).padStart(2, '0')}`);
          const order = inOrder ? ids : [...ids].reverse();
          const byId = new Map(order.map((id) => [id, tagsOf(id, specs[ids.indexOf(id)] as EntitySpec)]));
          await store.commit([...byId.values()].map((tags) => ({ op: 'add', tags })));
          for (const n of removals) {
            const id = ids[n % ids.length] as string;
            if (!byId.has(id)) continue;
            await store.commit([{ op: 'remove', id }]);
            byId.delete(id);
          }
          const updated = ids.find((id) => byId.has(id));
          if (updated !== undefined) {
            const changes = Dict.of({ equip: REMOVE, siteRef: new Ref('r1') });
            const [after] = await store.commit([{ op: 'update', id: updated, changes }]);
            if (after !== undefined) byId.set(updated, after);
          }
          for (const { text: filter, exact } of filters) {
            const f = parseFilter(filter);
            const resolve = (ref: Ref): Dict | undefined => byId.get(ref.id);
            const expected = [...byId.keys()]
              .sort()
              .filter((id) => f.matches(byId.get(id) as Dict, resolve))
              .slice(0, limit);
            const before = store.stats().filterEvaluations;
            const got = await store.read(limit === undefined ? { filter } : { filter, limit });
            expect(
              got.map((d) => d.id?.id),
              filter,
            ).toEqual(expected);
            if (exact) expect(store.stats().filterEvaluations - before, filter).toBe(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
