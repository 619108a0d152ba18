// The server keeps entities' encoded Zinc cells between responses (cellMemoEntities): answers stay the same bytes
// and show every change, with the response cache off.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dict } from '../../src/core/grid/dict.js';
import { Num } from '../../src/core/kinds/number.js';
import type { Ref } from '../../src/core/kinds/ref.js';
import { createHandler } from '../../src/server/index.js';
import { createMemoryStore } from '../../src/storage/memory/index.js';
import { call, type Fixture, get, startFixture } from './support/server-fixture.js';

const QUERIES = ['read?filter=point', 'read?filter=site', 'read?id=@temp', 'nav', 'nav?navId=@s1', 'nav?navId=@ahu1'];

describe('encoded cells kept between responses', () => {
  let kept: Fixture;
  let none: Fixture;
  beforeAll(async () => {
    kept = await startFixture({ responseCache: false });
    none = await startFixture({ responseCache: false, cellMemoEntities: 0 });
  });
  afterAll(async () => {
    await kept.close();
    await none.close();
  });

  it('answers the same bytes as a server that keeps none, again and again', async () => {
    for (let round = 0; round < 3; round++) {
      for (const q of QUERIES) {
        const [a, b] = await Promise.all([call(kept, q), call(none, q)]);
        expect(a.status).toBe(200);
        expect(a.text).toBe(b.text);
      }
    }
  });

  it('shows an entity changed through the store after it was served', async () => {
    const before = await get(kept, 'read?id=@temp');
    expect(before.row(0).has('curVal')).toBe(false);
    // Written to the store directly, not through the server: nothing tells the server, and nothing needs to.
    await kept.store.commit([{ op: 'update', id: 'temp', changes: Dict.of({ curVal: new Num(72, '°F') }) }]);
    for (const q of ['read?id=@temp', 'read?filter=point', 'nav?navId=@ahu1']) {
      const row = (await get(kept, q)).rows.find((r) => (r.get('id') as Ref | null)?.id === 'temp');
      expect(row?.get('curVal')).toEqual(new Num(72, '°F'));
    }
    await kept.store.commit([{ op: 'remove', id: 'temp' }]);
    const gone = await get(kept, 'read?filter=point');
    expect(gone.rows.some((r) => (r.get('id') as Ref | null)?.id === 'temp')).toBe(false);
  });

  it('refuses a cellMemoEntities that is not an integer >= 0', () => {
    const store = createMemoryStore();
    expect(() => createHandler({ store, noAuth: true, cellMemoEntities: -1 })).toThrow(/cellMemoEntities/);
    expect(() => createHandler({ store, noAuth: true, cellMemoEntities: 1.5 })).toThrow(/cellMemoEntities/);
    expect(() => createHandler({ store, noAuth: true, cellMemoEntities: '10' as never })).toThrow(/cellMemoEntities/);
  });
});
