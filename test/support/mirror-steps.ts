// A property shared by the stores that keep a per-process copy of their entities (SQLite's scan cache, the
// PostgreSQL and Redis mirrors): two stores over the same data, one with the copy and one without, changed at random
// through either, answer every read alike after each step.

import fc from 'fast-check';
import { expect } from 'vitest';
import { Dict, MARKER, REMOVE, Ref } from '../../src/core/index.js';
import type { StorageAdapter } from '../../src/storage/adapter.js';

/** The ids of entities, in order. */
export const ids = (ds: readonly Dict[]): string[] => ds.map((d) => d.id?.id ?? '?');

// Entities of a small building whose tags and Refs change: reads the indexes answer alone (tags, missing tags, Ref
// equalities, `or`s of them), reads they narrow, and one they cannot.
const TAGS = ['site', 'equip', 'ahu', 'point', 'temp'] as const;
const REFS = ['r0', 'r1', 'r2'] as const;

/** Filters the indexes answer alone, narrow, or cannot narrow, with a `->` path. */
export const INDEXED_FILTERS: readonly string[] = [
  'site',
  'equip and siteRef==@r0',
  'ahu and siteRef==@r1 and not point',
  'siteRef==@r2 and not equipRef',
  'point and equipRef==@r0',
  'equip or siteRef==@r1',
  'point and temp and equipRef==@r1',
  'siteRef==@r0 and siteRef->site',
  'not site',
];

/** One entity's state: which tags it has and its Refs (undefined: none); `null` removes it. */
type EntityState = {
  readonly tags: readonly boolean[];
  readonly siteRef: string | undefined;
  readonly equipRef: string | undefined;
} | null;

/** One step: entity number (of 12), its new state, and whether the store with the copy makes the change. */
export type MirrorStep = readonly [number, EntityState, boolean];

const arbRef = fc.option(fc.constantFrom(...REFS), { nil: undefined });
const arbState: fc.Arbitrary<EntityState> = fc.option(
  fc.record({
    tags: fc.array(fc.boolean(), { minLength: TAGS.length, maxLength: TAGS.length }),
    siteRef: arbRef,
    equipRef: arbRef,
  }),
  { nil: null, freq: 5 },
);

/** Steps: an entity (of 12 ids) set to a state through the other store or the copying store's own. */
export const arbMirrorSteps: fc.Arbitrary<MirrorStep[]> = fc.array(fc.tuple(fc.nat(11), arbState, fc.boolean()), {
  minLength: 1,
  maxLength: 40,
});

function tagsOf(id: string, st: NonNullable<EntityState>, exists: boolean): Dict {
  const init: Record<string, unknown> = exists ? {} : { id: new Ref(id) };
  TAGS.forEach((t, i) => {
    init[t] = st.tags[i] === true ? MARKER : exists ? REMOVE : undefined;
  });
  init.siteRef = st.siteRef === undefined ? (exists ? REMOVE : undefined) : new Ref(st.siteRef);
  init.equipRef = st.equipRef === undefined ? (exists ? REMOVE : undefined) : new Ref(st.equipRef);
  return Dict.of(init);
}

/**
 * Apply `steps` through `copying` or `plain` (two stores over the same data) and, after each, expect the same answers
 * from both: every filter of {@link INDEXED_FILTERS} with and without a limit, reads by id (one unknown) and the count.
 */
export async function expectSameAnswers(
  copying: StorageAdapter,
  plain: StorageAdapter,
  steps: readonly MirrorStep[],
): Promise<void> {
  const live = new Set<string>();
  for (const [n, st, own] of steps) {
    const id = `e${String(n).padStart(2, '0')}`;
    const store = own ? copying : plain;
    if (st === null) {
      if (live.delete(id)) await store.commit([{ op: 'remove', id }]);
    } else if (live.has(id)) {
      await store.commit([{ op: 'update', id, changes: tagsOf(id, st, true) }]);
    } else {
      await store.commit([{ op: 'add', tags: tagsOf(id, st, false) }]);
      live.add(id);
    }
    for (const filter of INDEXED_FILTERS) {
      expect(ids(await copying.read({ filter })), filter).toEqual(ids(await plain.read({ filter })));
      expect(ids(await copying.read({ filter, limit: 2 })), filter).toEqual(
        ids(await plain.read({ filter, limit: 2 })),
      );
    }
    const byId = [...live, 'e99'];
    expect(await copying.readByIds(byId)).toEqual(await plain.readByIds(byId));
    expect(await copying.count()).toBe(await plain.count());
  }
}

/**
 * `store` with reads, reads by id and counts that first wait for its mirror to be loaded (a fill is started by the
 * first read, or again after a gap), so that the mirror, not the store's own queries, answers them.
 */
export function readThroughMirror<S extends StorageAdapter & { warmScanCache(): Promise<void> }>(store: S): S {
  return {
    ...store,
    read: async (query) => {
      await store.warmScanCache();
      return store.read(query);
    },
    readByIds: async (ids) => {
      await store.warmScanCache();
      return store.readByIds(ids);
    },
    count: async () => {
      await store.warmScanCache();
      return store.count();
    },
  };
}
