// Storage contract, entities: reads by id, commits of adds, updates and removes, `mod` and optimistic concurrency.

import { describe, expect, it } from 'vitest';
import { Dict } from '../../core/grid/dict.js';
import { HDateTime } from '../../core/kinds/date-time.js';
import { MARKER, REMOVE } from '../../core/kinds/marker.js';
import { Num } from '../../core/kinds/number.js';
import { isRefId, Ref } from '../../core/kinds/ref.js';
import type { Harness } from './harness.js';
import { addEntities, idOf, modOf } from './helpers.js';

/** Register the entity and commit tests. */
export function describeEntityContract(h: Harness): void {
  describe('entities and commits', () => {
    it('reads by id in request order, with undefined for unknown ids', async () => {
      const { store } = await h.open();
      await addEntities(store, [
        { id: new Ref('a'), dis: 'A', site: MARKER },
        { id: new Ref('b'), dis: 'B', equip: MARKER },
      ]);
      const got = await store.readByIds(['b', 'nope', 'a', 'b']);
      expect(got.map((d) => d?.get('dis'))).toEqual(['B', undefined, 'A', 'B']);
      expect(got[1]).toBeUndefined();
      expect(await store.readByIds([])).toEqual([]);
      expect(await store.count()).toBe(2);
    });

    it('adds entities with the given id, the tags given and a mod stamped from the clock', async () => {
      const { store, clock } = await h.open();
      const [e] = await store.commit([
        { op: 'add', tags: Dict.of({ id: new Ref('x'), dis: 'X', area: new Num(1200, 'ft²'), gone: REMOVE }) },
      ]);
      expect(idOf(e)).toBe('x');
      expect(e?.get('dis')).toBe('X');
      expect(e?.get('area')).toEqual(new Num(1200, 'ft²'));
      expect(e?.has('gone')).toBe(false);
      expect(modOf(e).epochMs).toBe(clock.now());
      const [read] = await store.readByIds(['x']);
      expect(read?.equals(e)).toBe(true);
    });

    it('reads entities back with their tags in the order the commit returned them', async () => {
      const { store } = await h.open();
      // Names in no sorted order (JSONB, for one, sorts keys shorter first): the store must keep the entity's.
      const [added] = await addEntities(store, [
        { id: new Ref('o'), dis: 'O', site: MARKER, area: new Num(3), zeta: 'z', a: 'a', constructor: MARKER },
      ]);
      const [updated] = await store.commit([{ op: 'update', id: 'o', changes: Dict.of({ b: 'b', dis: 'O2' }) }]);
      const names = updated?.names ?? [];
      expect(added?.names.slice(0, 7)).toEqual(['id', 'dis', 'site', 'area', 'zeta', 'a', 'constructor']);
      expect((await store.readByIds(['o']))[0]?.names).toEqual(names);
      expect((await store.read({ filter: 'site' }))[0]?.names).toEqual(names);
    });

    it('makes a fresh, valid id for an entity added without one', async () => {
      const { store } = await h.open();
      const added = await store.commit([
        { op: 'add', tags: Dict.of({ dis: 'one' }) },
        { op: 'add', tags: Dict.of({ dis: 'two' }) },
      ]);
      const ids = added.map(idOf);
      expect(ids).toHaveLength(2);
      expect(new Set(ids).size).toBe(2);
      for (const id of ids) expect(isRefId(id)).toBe(true);
      const read = await store.readByIds(ids);
      expect(read.map((d) => d?.get('dis'))).toEqual(['one', 'two']);
    });

    it('rejects an add whose id exists, applying nothing of the commit', async () => {
      const { store } = await h.open();
      await addEntities(store, [{ id: new Ref('a'), dis: 'A' }]);
      await expect(
        store.commit([
          { op: 'add', tags: Dict.of({ id: new Ref('fresh'), dis: 'F' }) },
          { op: 'add', tags: Dict.of({ id: new Ref('a'), dis: 'again' }) },
        ]),
      ).rejects.toMatchObject({ code: 'HS_ERR_CONFLICT' });
      await expect(
        store.commit([
          { op: 'add', tags: Dict.of({ id: new Ref('twice') }) },
          { op: 'add', tags: Dict.of({ id: new Ref('twice') }) },
        ]),
      ).rejects.toMatchObject({ code: 'HS_ERR_CONFLICT' });
      expect(await store.readByIds(['fresh', 'twice', 'a'])).toMatchObject([undefined, undefined, expect.anything()]);
      expect((await store.readByIds(['a']))[0]?.get('dis')).toBe('A');
      expect(await store.count()).toBe(1);
    });

    it('updates tags, deletes tags given Remove, ignores id and mod in changes, and bumps mod', async () => {
      const { store, clock } = await h.open();
      const [before] = await addEntities(store, [{ id: new Ref('p'), dis: 'P', curVal: new Num(1), old: MARKER }]);
      // Same instant as the add: the new mod must still differ, or a later conflict could go unnoticed.
      const [after] = await store.commit([
        {
          op: 'update',
          id: 'p',
          changes: Dict.of({
            curVal: new Num(2),
            old: REMOVE,
            added: 'yes',
            id: new Ref('other'),
            mod: HDateTime.fromEpochMs(0),
          }),
        },
      ]);
      expect(idOf(after)).toBe('p');
      expect(after?.get('curVal')).toEqual(new Num(2));
      expect(after?.has('old')).toBe(false);
      expect(after?.get('added')).toBe('yes');
      expect(after?.get('dis')).toBe('P');
      expect(modOf(after).epochMs).toBeGreaterThan(modOf(before).epochMs);
      clock.advance(60_000);
      const [later] = await store.commit([{ op: 'update', id: 'p', changes: Dict.of({ n: new Num(3) }) }]);
      expect(modOf(later).epochMs).toBe(clock.now());
      expect(await store.readByIds(['other'])).toEqual([undefined]);
    });

    it('accepts an update or remove carrying the current mod, in any time zone', async () => {
      const { store, clock } = await h.open();
      const [e] = await addEntities(store, [{ id: new Ref('p'), dis: 'P' }]);
      clock.advance(1000);
      const [u] = await store.commit([
        { op: 'update', id: 'p', mod: modOf(e).toTimeZone('New_York'), changes: Dict.of({ dis: 'P2' }) },
      ]);
      expect(u?.get('dis')).toBe('P2');
      await store.commit([{ op: 'remove', id: 'p', mod: modOf(u) }]);
      expect(await store.readByIds(['p'])).toEqual([undefined]);
    });

    it('refuses a stale mod with HS_ERR_CONFLICT and applies nothing of the commit', async () => {
      const { store, clock } = await h.open();
      const [a0, b0] = await addEntities(store, [
        { id: new Ref('a'), n: new Num(1) },
        { id: new Ref('b'), n: new Num(1) },
      ]);
      clock.advance(1000);
      await store.commit([{ op: 'update', id: 'b', changes: Dict.of({ n: new Num(2) }) }]);
      const [b1] = await store.readByIds(['b']);
      clock.advance(1000);
      for (const stale of [
        { op: 'update', id: 'b', mod: modOf(b0), changes: Dict.of({ n: new Num(99) }) },
        { op: 'remove', id: 'b', mod: modOf(b0) },
      ] as const) {
        await expect(
          store.commit([
            { op: 'update', id: 'a', mod: modOf(a0), changes: Dict.of({ n: new Num(50) }) },
            { op: 'add', tags: Dict.of({ id: new Ref('c') }) },
            stale,
          ]),
        ).rejects.toMatchObject({ code: 'HS_ERR_CONFLICT' });
      }
      const [a, b, c] = await store.readByIds(['a', 'b', 'c']);
      expect(a?.equals(a0)).toBe(true);
      expect(b?.equals(b1)).toBe(true);
      expect(c).toBeUndefined();
    });

    it('refuses an update or remove of an unknown id with UnknownRecError and applies nothing', async () => {
      const { store } = await h.open();
      await addEntities(store, [{ id: new Ref('a'), n: new Num(1) }]);
      for (const bad of [
        { op: 'update', id: 'ghost', changes: Dict.of({ n: new Num(2) }) },
        { op: 'remove', id: 'ghost' },
      ] as const) {
        await expect(
          store.commit([{ op: 'update', id: 'a', changes: Dict.of({ n: new Num(7) }) }, bad]),
        ).rejects.toMatchObject({ code: 'HS_ERR_UNKNOWN_REC', id: 'ghost' });
      }
      expect((await store.readByIds(['a']))[0]?.get('n')).toEqual(new Num(1));
    });

    it('removes entities, returning the others of the commit in diff order', async () => {
      const { store } = await h.open();
      await addEntities(store, [{ id: new Ref('a') }, { id: new Ref('b') }, { id: new Ref('c') }]);
      const out = await store.commit([
        { op: 'update', id: 'c', changes: Dict.of({ k: 'c' }) },
        { op: 'remove', id: 'b' },
        { op: 'add', tags: Dict.of({ id: new Ref('d'), k: 'd' }) },
        { op: 'update', id: 'a', changes: Dict.of({ k: 'a' }) },
      ]);
      expect(out.map(idOf)).toEqual(['c', 'd', 'a']);
      expect(await store.readByIds(['a', 'b', 'c', 'd'])).toMatchObject([
        expect.anything(),
        undefined,
        expect.anything(),
        expect.anything(),
      ]);
      expect(await store.count()).toBe(3);
      await expect(store.commit([{ op: 'remove', id: 'b' }])).rejects.toMatchObject({ code: 'HS_ERR_UNKNOWN_REC' });
    });

    it('applies diffs in order within one commit (add then update, update then remove)', async () => {
      const { store } = await h.open();
      await addEntities(store, [{ id: new Ref('old') }]);
      const out = await store.commit([
        { op: 'add', tags: Dict.of({ id: new Ref('n'), v: new Num(1) }) },
        { op: 'update', id: 'n', changes: Dict.of({ v: new Num(2) }) },
        { op: 'update', id: 'old', changes: Dict.of({ v: new Num(3) }) },
        { op: 'remove', id: 'old' },
      ]);
      expect(out.map((d) => d.get('v'))).toEqual([new Num(2), new Num(2)]);
      const [n, old] = await store.readByIds(['n', 'old']);
      expect(n?.get('v')).toEqual(new Num(2));
      expect(old).toBeUndefined();
    });

    it('keeps tag names such as constructor and __proto__ as ordinary tags', async () => {
      const { store } = await h.open();
      await addEntities(store, [{ id: new Ref('t'), constructor: MARKER, toString: 'str' }]);
      const [t] = await store.readByIds(['t']);
      expect(t?.get('constructor')).toBe(MARKER);
      expect(t?.get('toString')).toBe('str');
      expect(await store.readByIds(['constructor', '__proto__', 'toString'])).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
    });
  });
}
