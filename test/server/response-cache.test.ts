// The response cache: GET responses are reused until a write changes what they show, and only then.
//
// To see whether a response came from the cache, tests change the raw store behind the server's back (a change
// the cache cannot see): a cached response still shows the old value. Writes the cache must see go through
// `handler.store` or through the ops.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Dict } from '../../src/core/grid/dict.js';
import { Grid } from '../../src/core/grid/grid.js';
import { MARKER, REMOVE } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { ResponseCache } from '../../src/server/cache/response-cache.js';
import type { OpDef } from '../../src/server/index.js';
import type { StorageAdapter } from '../../src/storage/adapter.js';
import { type Fixture, get, ids, post, startFixture } from './support/server-fixture.js';

let computed = 0;
const racy: OpDef = {
  name: 'racy',
  doc: 'Reads sites, then changes one before answering.',
  noSideEffects: true,
  requiredRole: 'viewer',
  handler: async (_req, ctx) => {
    computed++;
    const rows = await ctx.store.read({ filter: 'site' });
    await ctx.store.commit([{ op: 'update', id: 'loose', changes: Dict.of({ n: new Num(computed) }) }]);
    return Grid.fromDicts(rows.map((r) => ({ dis: r.dis() })));
  },
  cacheDeps: () => ({ filters: ['site'] }),
};

let f: Fixture;
let observed: StorageAdapter;
beforeEach(async () => {
  computed = 0;
  f = await startFixture({ responseCache: true, ops: [racy] });
  observed = f.server.handler.store;
});
afterEach(async () => {
  await f.close();
});

/** Change tags behind the cache's back. */
const sneak = (id: string, changes: Record<string, unknown>) =>
  f.store.commit([{ op: 'update', id, changes: Dict.of(changes) }]);
/** Change tags so that the cache sees it. */
const update = (id: string, changes: Record<string, unknown>) =>
  observed.commit([{ op: 'update', id, changes: Dict.of(changes) }]);
const disOf = (g: Grid, id: string) => g.rows.find((r) => r.id?.id === id)?.get('dis');

describe('response cache', () => {
  it('serves a repeated GET from the cache', async () => {
    await get(f, 'read?filter=site');
    await sneak('s1', { dis: 'sneaky' });
    expect(disOf(await get(f, 'read?filter=site'), 's1')).toBe('Alpha');
  });

  it('keeps a response when an entity it does not show changes', async () => {
    await get(f, 'read?filter=site');
    await sneak('s1', { dis: 'sneaky' });
    await update('ahu1', { dis: 'AHU One' });
    expect(disOf(await get(f, 'read?filter=site'), 's1')).toBe('Alpha');
  });

  it('drops a response when an entity it shows changes', async () => {
    await get(f, 'read?filter=site');
    await update('s2', { dis: 'Bravo 2' });
    expect(disOf(await get(f, 'read?filter=site'), 's2')).toBe('Bravo 2');
  });

  it('drops a response when an entity comes to match its filter, or is added', async () => {
    await get(f, 'read?filter=site');
    await update('loose', { site: MARKER });
    expect(ids(await get(f, 'read?filter=site'))).toContain('loose');
    await observed.commit([{ op: 'add', tags: Dict.of({ id: new Ref('s3'), site: MARKER }) }]);
    expect(ids(await get(f, 'read?filter=site'))).toContain('s3');
  });

  it('drops a response when an entity stops matching or is removed', async () => {
    await get(f, 'read?filter=site');
    await update('s2', { site: REMOVE });
    expect(ids(await get(f, 'read?filter=site'))).toEqual(['s1']);
    await get(f, 'read?id=@meter');
    await observed.commit([{ op: 'remove', id: 'meter' }]);
    expect(ids(await get(f, 'read?id=@meter'))).toEqual([null]);
  });

  it('drops a read by an unknown id when that id is added', async () => {
    expect(ids(await get(f, 'read?id=@later'))).toEqual([null]);
    await observed.commit([{ op: 'add', tags: Dict.of({ id: new Ref('later'), dis: 'Later' }) }]);
    expect(ids(await get(f, 'read?id=@later'))).toEqual(['later']);
  });

  it('drops filters that follow refs on a change to the referenced entity', async () => {
    const q = `read?filter=${encodeURIComponent('equip and siteRef->dis=="Alpha"')}`;
    expect(ids(await get(f, q)).sort()).toEqual(['ahu1', 'vav1']);
    await update('s1', { dis: 'Renamed' });
    expect(ids(await get(f, q))).toEqual([]);
  });

  it('sees writes made by ops: pointWrite updates a cached read, and a timed override ends on time', async () => {
    expect((await get(f, 'read?id=@sp')).row(0).has('curVal')).toBe(false);
    await post(f, 'pointWrite', Grid.fromDicts([{ id: new Ref('sp'), level: new Num(17), val: new Num(70, '°F') }]));
    expect((await get(f, 'read?id=@sp')).row(0).get('curVal')).toEqual(new Num(70, '°F'));
    await post(
      f,
      'pointWrite',
      Grid.fromDicts([{ id: new Ref('sp'), level: new Num(8), val: new Num(75, '°F'), duration: new Num(1, 'min') }]),
    );
    expect((await get(f, 'read?id=@sp')).row(0).get('curVal')).toEqual(new Num(75, '°F'));
    f.clock.advance(60_001);
    expect((await get(f, 'read?id=@sp')).row(0).get('curVal')).toEqual(new Num(70, '°F'));
  });

  it('sees every timed override end on time, not only the first one pending', async () => {
    const write = (level: number, val: number, minutes?: number) =>
      post(
        f,
        'pointWrite',
        Grid.fromDicts([
          {
            id: new Ref('sp'),
            level: new Num(level),
            val: new Num(val, '°F'),
            ...(minutes === undefined ? {} : { duration: new Num(minutes, 'min') }),
          },
        ]),
      );
    const curVal = async () => (await get(f, 'read?id=@sp')).row(0).get('curVal');
    await write(17, 70);
    await write(9, 72, 2);
    await write(8, 75, 1);
    expect(await curVal()).toEqual(new Num(75, '°F'));
    f.clock.advance(60_001);
    expect(await curVal()).toEqual(new Num(72, '°F'));
    f.clock.advance(60_000);
    expect(await curVal()).toEqual(new Num(70, '°F'));
  });

  it('caches nothing while more timed overrides are pending than it keeps track of, until the last has ended', () => {
    let now = 0;
    const cache = new ResponseCache({ maxEntries: 10, maxBytes: 1 << 20 }, () => now);
    const response = { contentType: 'text/plain', body: Buffer.from('x') };
    const keep = (key: string) => {
      cache.set(key, response, { ids: ['a'] }, [], cache.generation);
      return cache.get(key) !== undefined;
    };
    expect(keep('before')).toBe(true);
    // One end more than it keeps (10,000): it forgets them all, and caches nothing until the last has passed.
    for (let i = 1; i <= 10_001; i++) cache.observer.expires('p', 1000 + i);
    expect(cache.get('before')).toBeUndefined();
    now = 11_000;
    expect(keep('meanwhile')).toBe(false);
    now = 11_001;
    expect(keep('after')).toBe(true);
    // Ends noted afterwards are kept track of again.
    cache.observer.expires('p', 30_000);
    now = 30_000;
    expect(cache.get('after')).toBeUndefined();
  });

  it('nav levels: a new child shows, an unrelated change keeps the level', async () => {
    await get(f, 'nav?navId=@s1');
    await sneak('meter', { dis: 'sneaky' });
    await update('s2', { dis: 'elsewhere' });
    expect(disOf(await get(f, 'nav?navId=@s1'), 'meter')).toBe('Site meter');
    await observed.commit([
      { op: 'add', tags: Dict.of({ id: new Ref('ahu2'), equip: MARKER, siteRef: new Ref('s1'), dis: 'AHU-2' }) },
    ]);
    expect(ids(await get(f, 'nav?navId=@s1'))).toContain('ahu2');
  });

  it('does not keep a response computed across a change', async () => {
    await get(f, 'racy');
    await get(f, 'racy');
    expect(computed).toBe(2);
  });

  it('keys by format and never caches POST', async () => {
    await get(f, 'read?filter=site');
    await sneak('s1', { dis: 'sneaky' });
    const json = await fetch(`${f.base}read?filter=site`, { headers: { accept: 'application/json' } });
    expect(await json.text()).toContain('sneaky');
    const posted = await post(f, 'read', Grid.fromDicts([{ filter: 'site' }]));
    expect(disOf(posted, 's1')).toBe('sneaky');
  });
});
