// nav lists each level from the store's indexes on every request: every change shows, whether made through the
// server, to the store directly, or by a timed override ending (and the store's changeVersion moves with each).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dict } from '../../src/core/grid/dict.js';
import type { Grid } from '../../src/core/grid/grid.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { createMemoryStore } from '../../src/storage/memory/index.js';
import { type Fixture, get, ids, startFixture } from './support/server-fixture.js';

const rowOf = (g: Grid, id: string): Dict | undefined => g.rows.find((r) => (r.get('id') as Ref | null)?.id === id);

describe('nav levels between requests', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ responseCache: false });
  });
  afterAll(async () => {
    await f.close();
  });

  it('lists the same level twice alike, and shows entities added, changed and removed in the store', async () => {
    const first = await get(f, 'nav?navId=@ahu1');
    expect((await get(f, 'nav?navId=@ahu1')).equals(first)).toBe(true);
    // Written to the store directly: the server is not told, the store's changeVersion moves.
    await f.store.commit([
      { op: 'add', tags: Dict.of({ id: new Ref('fan'), dis: 'AHU-1 Fan', point: MARKER, equipRef: new Ref('ahu1') }) },
      { op: 'update', id: 'temp', changes: Dict.of({ dis: 'AHU-1 Discharge Temp' }) },
    ]);
    const after = await get(f, 'nav?navId=@ahu1');
    expect(ids(after)).toContain('fan');
    expect(rowOf(after, 'temp')?.get('dis')).toBe('AHU-1 Discharge Temp');
    await f.store.commit([{ op: 'remove', id: 'fan' }]);
    expect(ids(await get(f, 'nav?navId=@ahu1'))).not.toContain('fan');
    expect(ids(await get(f, 'nav'))).toEqual(ids(await get(f, 'nav')));
  });

  it('orders a level anew when a display name changes, the rows and their number staying the same', async () => {
    await f.store.commit([{ op: 'update', id: 'temp', changes: Dict.of({ dis: 'AHU-1 Temp' }) }]);
    expect(ids(await get(f, 'nav?navId=@ahu1')).slice(-2)).toEqual(['sp', 'temp']);
    await f.store.commit([{ op: 'update', id: 'sp', changes: Dict.of({ dis: 'AHU-1 Zone Setpoint' }) }]);
    expect(ids(await get(f, 'nav?navId=@ahu1')).slice(-2)).toEqual(['temp', 'sp']);
    await f.store.commit([{ op: 'update', id: 'sp', changes: Dict.of({ dis: 'AHU-1 Setpoint' }) }]);
    const root = ids(await get(f, 'nav'));
    await f.store.commit([{ op: 'update', id: 's1', changes: Dict.of({ dis: 'Zulu' }) }]);
    const after = ids(await get(f, 'nav'));
    expect(after.indexOf('s1')).toBeGreaterThan(after.indexOf('s2'));
    expect(root.indexOf('s1')).toBeLessThan(root.indexOf('s2'));
    await f.store.commit([{ op: 'update', id: 's1', changes: Dict.of({ dis: 'Alpha' }) }]);
    expect(ids(await get(f, 'nav'))).toEqual(root);
  });

  it('lists each server its own store, the levels named alike', async () => {
    const other = await startFixture({ responseCache: false });
    try {
      await other.store.commit([{ op: 'update', id: 'temp', changes: Dict.of({ dis: 'AHU-1 A Temp' }) }]);
      await f.store.commit([{ op: 'update', id: 'temp', changes: Dict.of({ dis: 'AHU-1 Temp' }) }]);
      const mine = ids(await get(f, 'nav?navId=@ahu1'));
      const theirs = ids(await get(other, 'nav?navId=@ahu1'));
      expect(theirs.indexOf('temp')).toBeLessThan(theirs.indexOf('sp'));
      expect(mine.indexOf('temp')).toBeGreaterThan(mine.indexOf('sp'));
    } finally {
      await other.close();
    }
  });

  it('shows a timed override while it lasts and its end once the clock passes it', async () => {
    await f.store.pointWrite({ id: 'sp', level: 8, val: new Num(70, '°F'), who: 'test', durationMs: 60_000 });
    expect(rowOf(await get(f, 'nav?navId=@ahu1'), 'sp')?.get('writeVal')).toEqual(new Num(70, '°F'));
    f.clock.advance(61_000);
    expect(rowOf(await get(f, 'nav?navId=@ahu1'), 'sp')?.has('writeVal')).toBe(false);
  });
});

describe('memory store changeVersion', () => {
  it('moves with every change, override ends included, and not with reads', async () => {
    let t = 1_000_000;
    const store = createMemoryStore({ clock: () => t });
    const v0 = await store.changeVersion();
    await store.commit([{ op: 'add', tags: Dict.of({ id: new Ref('p'), point: MARKER, writable: MARKER }) }]);
    const v1 = await store.changeVersion();
    expect(v1).not.toBe(v0);
    await store.read({ filter: 'point' });
    await store.readByIds(['p']);
    expect(await store.changeVersion()).toBe(v1);
    await store.pointWrite({ id: 'p', level: 8, val: new Num(1), who: 't', durationMs: 1000 });
    const v2 = await store.changeVersion();
    expect(v2).not.toBe(v1);
    t += 2000;
    expect(await store.changeVersion()).not.toBe(v2);
    await store.close();
  });

  it('is shared by adapters over the same data', async () => {
    const a = createMemoryStore();
    const b = createMemoryStore({ shareWith: a });
    const before = await b.changeVersion();
    await a.commit([{ op: 'add', tags: Dict.of({ id: new Ref('x'), site: MARKER }) }]);
    expect(await b.changeVersion()).not.toBe(before);
    await a.close();
    await b.close();
  });
});
