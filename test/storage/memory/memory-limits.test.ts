// The memory store's options: limits where input enters, id prefixes, shared state, counters.

import { describe, expect, it } from 'vitest';
import { Dict, MARKER, Num, Ref } from '../../../src/core/index.js';
import { createMemoryStore } from '../../../src/storage/memory/index.js';

const clock = (): number => Date.UTC(2024, 0, 1);
const add = (id: string) => ({ op: 'add', tags: Dict.of({ id: new Ref(id), point: MARKER }) }) as const;

describe('memory store options and limits', () => {
  it('refuses a commit that would exceed maxEntities, applying none of it', async () => {
    const store = createMemoryStore({ clock, limits: { maxEntities: 3 } });
    await store.commit([add('a'), add('b')]);
    await expect(store.commit([add('c'), add('d')])).rejects.toMatchObject({ code: 'HS_ERR_LIMIT' });
    expect(await store.count()).toBe(2);
    // Removing while adding keeps the count within the limit.
    await store.commit([{ op: 'remove', id: 'a' }, add('c'), add('d')]);
    expect(await store.count()).toBe(3);
  });

  it('refuses history writes over maxHisItemsPerWrite, and bad samples', async () => {
    const store = createMemoryStore({ clock, limits: { maxHisItemsPerWrite: 2 } });
    await store.commit([add('p')]);
    const items = [1, 2, 3].map((ts) => ({ ts, val: new Num(ts) }));
    await expect(store.hisWrite('p', items)).rejects.toMatchObject({ code: 'HS_ERR_LIMIT' });
    await expect(store.hisWrite('p', [{ ts: 1.5, val: new Num(1) }])).rejects.toMatchObject({
      code: 'HS_ERR_INVALID_VALUE',
    });
    await expect(store.hisWrite('p', [{ ts: 1, val: null }])).rejects.toMatchObject({ code: 'HS_ERR_INVALID_VALUE' });
    expect(await store.hisWrite('p', items.slice(0, 2))).toBe(2);
  });

  it('caps ids per watch and open watches, and shortens leases to maxLeaseMs', async () => {
    const store = createMemoryStore({ clock, limits: { maxIdsPerWatch: 2, maxWatches: 2, maxLeaseMs: 10_000 } });
    const w = await store.watchOpen('w', 60_000);
    expect(w.leaseMs).toBe(10_000);
    await store.watchAdd(w.id, ['a', 'b', 'a']);
    await expect(store.watchAdd(w.id, ['c'])).rejects.toMatchObject({ code: 'HS_ERR_LIMIT' });
    await store.watchOpen('w2', 1000);
    await expect(store.watchOpen('w3', 1000)).rejects.toMatchObject({ code: 'HS_ERR_LIMIT' });
    expect((await store.watchLease(w.id, 1e9)).leaseMs).toBe(10_000);
  });

  it('counts an expired watch out of the maxWatches limit', async () => {
    let t = 0;
    const store = createMemoryStore({ clock: () => t, limits: { maxWatches: 1 } });
    await store.watchOpen('w', 1000);
    t = 1000;
    expect((await store.watchOpen('w2', 1000)).dis).toBe('w2');
  });

  it('makes ids with the configured prefix and refuses a prefix that is not refChars', async () => {
    const store = createMemoryStore({ clock, idPrefix: 'demo:' });
    const [e] = await store.commit([{ op: 'add', tags: Dict.of({ dis: 'x' }) }]);
    expect(e?.id?.id.startsWith('demo:')).toBe(true);
    expect(() => createMemoryStore({ idPrefix: 'bad prefix' })).toThrow(
      expect.objectContaining({ code: 'HS_ERR_OPTION_RANGE', option: 'idPrefix' }),
    );
    expect(() => createMemoryStore({ limits: { maxEntities: 0 } })).toThrow(
      expect.objectContaining({ code: 'HS_ERR_OPTION_RANGE', option: 'limits.maxEntities' }),
    );
  });

  it('refuses a negative read limit', async () => {
    const store = createMemoryStore({ clock });
    await expect(store.read({ filter: 'point', limit: -1 })).rejects.toMatchObject({ code: 'HS_ERR_INVALID_VALUE' });
  });

  it('gives ids their dis as the Ref display', async () => {
    const store = createMemoryStore({ clock });
    const [e] = await store.commit([{ op: 'add', tags: Dict.of({ id: new Ref('x', 'ignored'), dis: 'Shown' }) }]);
    expect(e?.id?.dis).toBe('Shown');
  });

  it('shares entities and counts a version per change across adapters over one state', async () => {
    const a = createMemoryStore({ clock });
    const b = createMemoryStore({ clock, shareWith: a });
    await a.commit([add('x')]);
    expect((await b.readByIds(['x']))[0]?.get('point')).toBe(MARKER);
    await b.commit([{ op: 'update', id: 'x', changes: Dict.of({ n: new Num(1) }) }]);
    await b.pointWrite({ id: 'x', level: 17, val: new Num(1), who: 'me' });
    expect(a.stats()).toMatchObject({ entities: 1, version: 3 });
    await b.close();
    expect(await a.count()).toBe(1);
  });
});
