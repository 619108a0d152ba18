// about, ops, formats, read and nav over real HTTP.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Grid } from '../../src/core/grid/grid.js';
import { HDateTime } from '../../src/core/kinds/date-time.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { Uri } from '../../src/core/kinds/uri.js';
import { PRODUCT_VERSION } from '../../src/server/index.js';
import { call, type Fixture, get, gridOf, ids, post, startFixture } from './support/server-fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture({ about: { serverName: 'Test Server' } });
});
afterAll(async () => {
  await f.close();
});

describe('about', () => {
  it('answers one row with versions, zone, and clock times', async () => {
    const g = await get(f, 'about');
    expect(g.size).toBe(1);
    const row = g.row(0);
    expect(row.get('haystackVersion')).toBe('4.0');
    expect(row.get('serverName')).toBe('Test Server');
    expect(row.get('tz')).toBe('New_York');
    expect(row.get('productName')).toBe('haystack-ts');
    expect(row.get('productUri')).toBeInstanceOf(Uri);
    const time = row.get('serverTime') as HDateTime;
    expect(time).toBeInstanceOf(HDateTime);
    expect(time.epochMs).toBe(f.clock.now());
    expect(time.tz.name).toBe('New_York');
  });

  it('answers the clock of each request, and the same boot time, in the same columns', async () => {
    const first = await get(f, 'about');
    f.clock.advance(61_000);
    const second = await get(f, 'about');
    expect(second.colNames).toEqual(first.colNames);
    expect((second.row(0).get('serverTime') as HDateTime).epochMs).toBe(f.clock.now());
    expect(second.row(0).get('serverBootTime')).toEqual(first.row(0).get('serverBootTime'));
    expect((second.row(0).get('serverBootTime') as HDateTime).tz.name).toBe('New_York');
  });

  it("answers every column of the Ops chapter's About, moduleName and moduleVersion naming this library", async () => {
    const g = await get(f, 'about');
    const spec = 'haystackVersion tz serverName serverTime serverBootTime productName productUri productVersion';
    expect(g.colNames.join(' ')).toBe(`${spec} vendorName vendorUri moduleName moduleVersion`);
    // An app that embeds the server names itself as the product; the module is still haystack-ts.
    const embedded = await startFixture({ about: { productName: 'Acme BMS', productVersion: '7.1' } });
    try {
      const row = (await get(embedded, 'about')).row(0);
      expect(row.get('productName')).toBe('Acme BMS');
      expect(row.get('moduleName')).toBe('haystack-ts');
      expect(row.get('moduleVersion')).toBe(PRODUCT_VERSION);
    } finally {
      await embedded.close();
    }
  });

  it('answers POST with an empty request too', async () => {
    const g = await post(f, 'about', Grid.EMPTY);
    expect(g.row(0).get('haystackVersion')).toBe('4.0');
  });
});

describe('ops and formats', () => {
  it('lists every standard op with noSideEffects on the read-only ones', async () => {
    const g = await get(f, 'ops');
    const names = g.rows.map((r) => String(r.get('def')));
    for (const op of ['about', 'read', 'nav', 'watchSub', 'pointWrite', 'hisRead', 'hisWrite', 'invokeAction']) {
      expect(names).toContain(`^op:${op}`);
    }
    const read = g.rows.find((r) => String(r.get('def')) === '^op:read');
    const write = g.rows.find((r) => String(r.get('def')) === '^op:hisWrite');
    expect(read?.has('noSideEffects')).toBe(true);
    expect(write?.has('noSideEffects')).toBe(false);
  });

  it('formats lists the media types with receive and send', async () => {
    const g = await get(f, 'formats');
    const zinc = g.rows.find((r) => r.get('mime') === 'text/zinc');
    expect(zinc?.has('receive')).toBe(true);
    expect(zinc?.has('send')).toBe(true);
    expect(g.rows.some((r) => r.get('mime') === 'application/json')).toBe(true);
  });
});

describe('read', () => {
  it('reads by filter with GET, the id column first', async () => {
    const g = await get(f, 'read?filter=site');
    expect(ids(g).sort()).toEqual(['s1', 's2']);
    expect(g.cols[0]?.name).toBe('id');
  });

  it('takes a Zinc-encoded filter and a limit', async () => {
    const g = await get(f, `read?filter=${encodeURIComponent('"point and siteRef==@s1"')}&limit=2`);
    expect(g.size).toBe(2);
  });

  it('reads by filter with a POSTed grid', async () => {
    const g = await post(f, 'read', Grid.fromDicts([{ filter: 'equip and siteRef==@s1' }]));
    expect(ids(g).sort()).toEqual(['ahu1', 'vav1']);
  });

  it('answers an empty grid when nothing matches', async () => {
    const g = await get(f, 'read?filter=chiller');
    expect(g.size).toBe(0);
  });

  it('reads by ids in request order, unknown ids as rows of nulls', async () => {
    const req = Grid.fromDicts([{ id: new Ref('temp') }, { id: new Ref('nope') }, { id: new Ref('s1') }]);
    const g = await post(f, 'read', req);
    expect(ids(g)).toEqual(['temp', null, 's1']);
    expect(g.row(1).isEmpty).toBe(true);
  });

  it('reads one id by GET', async () => {
    const g = await get(f, 'read?id=@ahu1');
    expect(ids(g)).toEqual(['ahu1']);
  });
});

describe('nav', () => {
  it('starts at the sites (and site-less equips), each with a navId', async () => {
    const g = await get(f, 'nav');
    expect(ids(g)).toEqual(['s1', 's2', 'loose']);
    expect(g.rows.every((r) => r.get('navId') instanceof Ref)).toBe(true);
  });

  it('goes from a site to its top equips and loose points, then to sub-equips and points', async () => {
    const site = await get(f, 'nav?navId=@s1');
    expect(ids(site)).toEqual(['ahu1', 'meter']);
    expect(site.row(0).get('navId')).toBeInstanceOf(Ref);
    expect(site.row(1).has('navId')).toBe(false);
    const ahu = await post(f, 'nav', Grid.fromDicts([{ navId: site.row(0).get('navId') }]));
    expect(ids(ahu)).toEqual(['vav1', 'sp', 'temp']);
    const vav = await get(f, 'nav?navId=@vav1');
    expect(ids(vav)).toEqual(['occ']);
  });

  it('an empty navId is the root, as no navId is (a GET of `nav?navId=` included), as in Haxall', async () => {
    const root = ids(await get(f, 'nav'));
    expect(ids(await get(f, 'nav?navId='))).toEqual(root);
    expect(ids(await post(f, 'nav', Grid.fromDicts([{ navId: '' }])))).toEqual(root);
  });

  it('gives an error grid for an unknown navId', async () => {
    const x = await call(f, 'nav?navId=@nothing');
    const g = gridOf(x);
    expect(g.isError).toBe(true);
    expect(g.meta.get('errCode')).toBe('HS_ERR_UNKNOWN_REC');
  });
});
