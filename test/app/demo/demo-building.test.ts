// The demo building: deterministic for a seed, well-formed Haystack 4 entities, plausible 30-day histories.

import { beforeAll, describe, expect, it } from 'vitest';
import {
  createDemoBuilding,
  demoPresent,
  type PopulateDemoResult,
  populateDemo,
} from '../../../src/app/demo/demo-building.js';
import { type Dict, HDateTime, Num, Ref, TimeZone, type Val } from '../../../src/core/index.js';
import { loadDefsNamespace } from '../../../src/server/index.js';
import { createMemoryStore, type MemoryStore } from '../../../src/storage/memory/index.js';
import { sharedAvailable, sharedPath } from '../../support/shared.js';

// Wednesday 17 July 2024, 18:00 UTC: 14:00 in New York, 12:00 in Denver (both sites occupied).
const NOW = Date.UTC(2024, 6, 17, 18, 0);
const ALL = { start: 0, end: NOW + 1 };
const DAY = 86_400_000;

function nums(items: readonly { val: Val }[]): number[] {
  return items.map((i) => (i.val instanceof Num ? i.val.val : i.val === true ? 1 : 0));
}

describe('demo building', () => {
  let store: MemoryStore;
  let result: PopulateDemoResult;
  let all: readonly Dict[];

  beforeAll(async () => {
    store = createMemoryStore({ clock: () => NOW });
    result = await populateDemo(store, { now: NOW, seed: 42 });
    all = await store.read({ filter: 'id' });
  });

  it('has two sites in different time zones, with weather stations, AHUs, VAVs, a plant and meters', async () => {
    const count = async (filter: string): Promise<number> => (await store.read({ filter })).length;
    expect(await count('site')).toBe(2);
    const sites = await store.read({ filter: 'site' });
    expect(sites.map((s) => s.get('tz')).sort()).toEqual(['Denver', 'New_York']);
    for (const s of sites) {
      expect(s.get('geoCoord')).toBeDefined();
      expect(s.get('area')).toBeInstanceOf(Num);
      expect(s.get('weatherStationRef')).toBeInstanceOf(Ref);
    }
    expect(await count('weatherStation')).toBe(2);
    expect(await count('ahu and equip')).toBe(5);
    expect(await count('vav and equip and airRef->ahu')).toBe(46);
    expect(await count('plant and equip')).toBe(2);
    expect(await count('chiller')).toBe(1);
    expect(await count('boiler')).toBe(2);
    expect(await count('pump')).toBe(3);
    expect(await count('elec and meter')).toBe(6);
    expect(await count('siteMeter')).toBe(2);
    expect(await count('floor')).toBe(5);
    expect(await count('point and weatherStationRef->weatherStation')).toBe(4);
    const points = await count('point');
    expect(points).toBe(result.points);
    expect(points).toBeGreaterThanOrEqual(300);
    expect(await store.count()).toBe(result.entities);
  });

  it('gives every point the Haystack 4 tags: his, kind, tz, unit when numeric, and refs to its site and equip', async () => {
    const points = await store.read({ filter: 'point' });
    for (const p of points) {
      const what = p.dis();
      expect(p.has('his') && p.has('cur'), what).toBe(true);
      expect(['Number', 'Bool'], what).toContain(p.get('kind'));
      expect(() => TimeZone.get(p.get('tz') as string), what).not.toThrow();
      expect(typeof p.get('navName'), what).toBe('string');
      expect(typeof p.get('dis'), what).toBe('string');
      expect(p.has('sensor') || p.has('cmd') || p.has('sp'), what).toBe(true);
      if (p.get('kind') === 'Number') expect(typeof p.get('unit'), what).toBe('string');
      if (p.has('weatherStationRef')) continue;
      expect(p.get('siteRef'), what).toBeInstanceOf(Ref);
      expect(p.get('equipRef'), what).toBeInstanceOf(Ref);
      // A point's tz is its site's.
      const [site] = await store.readByIds([(p.get('siteRef') as Ref).id]);
      expect(site?.get('tz'), what).toBe(p.get('tz'));
    }
  });

  it.skipIf(!sharedAvailable('defs'))(
    'validates against the standard defs (Reflection), but for display tags',
    async () => {
      const ns = await loadDefsNamespace(sharedPath('defs'));
      // navName (display), floorRef (the UI's floor navigation) and the store's mod are SkySpark tags, with no def in
      // the standard libs.
      const extras = new Set(['navName', 'floorRef', 'mod']);
      const findings = all.flatMap((e) =>
        ns
          .reflect(e)
          .validate()
          .filter((i) => !(i.kind === 'unknownTag' && extras.has(i.tag)))
          .map((i) => `${e.dis()}: ${i.message}`),
      );
      expect([...new Set(findings.map((f) => f.slice(f.indexOf(': ') + 2)))]).toEqual([]);
      const types = (id: string): string[] => {
        const e = all.find((x) => x.id?.id === id) as Dict;
        return ns.reflect(e).entityTypes.map((d) => d.name);
      };
      expect(types('wx.boulder.temp')).toEqual(expect.arrayContaining(['weather-point']));
      expect(types('hudson.floor1')).toEqual(['floor']);
    },
  );

  it('has every Ref resolve to an entity', () => {
    const ids = new Set(all.map((e) => e.id?.id));
    for (const e of all) {
      for (const [name, val] of e) {
        if (name !== 'id' && val instanceof Ref) expect(ids.has(val.id), `${e.dis()} ${name}`).toBe(true);
      }
    }
  });

  it('holds current values: a curVal on every point, defaults in the priority arrays of writable points', async () => {
    for (const p of await store.read({ filter: 'point' })) {
      const cur = p.get('curVal');
      expect(cur, p.dis()).not.toBeNull();
      if (p.get('kind') === 'Number') expect((cur as Num).unit).toBe(p.get('unit'));
      else expect(typeof cur).toBe('boolean');
    }
    const writable = await store.read({ filter: 'writable' });
    expect(writable.length).toBeGreaterThan(40);
    for (const w of writable) {
      const arr = await store.readPriorityArray((w.id as Ref).id);
      expect(arr.effectiveLevel).toBe(17);
      expect(w.get('writeVal')).toEqual(arr.effective);
    }
    expect(await demoPresent(store)).toBe(true);
    expect(await demoPresent(createMemoryStore())).toBe(false);
  });

  it('writes 30 days of 15-minute history for every point, up to now', async () => {
    expect(result.samples).toBe(result.points * 30 * 96);
    const items = await store.hisRead('hudson.ahu1.dat', ALL);
    expect(items).toHaveLength(30 * 96);
    expect((items.at(-1)?.ts ?? 0) <= NOW).toBe(true);
    expect(NOW - (items[0]?.ts ?? 0)).toBeLessThan(30 * DAY);
    expect(items.every((it, i) => i === 0 || it.ts - (items[i - 1]?.ts ?? 0) === 15 * 60_000)).toBe(true);
  });

  it('has plausible history ranges by quantity', async () => {
    const range = async (filter: string, lo: number, hi: number): Promise<void> => {
      const pts = await store.read({ filter });
      expect(pts.length, filter).toBeGreaterThan(0);
      for (const p of pts) {
        const vs = nums(await store.hisRead((p.id as Ref).id, ALL));
        expect(Math.min(...vs), `${p.dis()} min`).toBeGreaterThanOrEqual(lo);
        expect(Math.max(...vs), `${p.dis()} max`).toBeLessThanOrEqual(hi);
      }
    };
    // July weather in New York and Boulder.
    await range('outside and air and temp', 45, 105);
    await range('humidity', 10, 100);
    await range('zone and air and temp', 60, 88);
    await range('discharge and air and temp and sensor', 45, 110);
    await range('unit == "%"', 0, 100);
    await range('flow', 0, 1500);
    await range('pressure', 0, 3);
    await range('power', 0, 1000);
    await range('chilled and leaving and temp and sensor', 40, 75);
    await range('hot and leaving and temp and sensor', 80, 190);
  });

  it('follows the occupancy schedule: AHU fans run on weekday afternoons, not at night', async () => {
    const fan = await store.hisRead('hudson.ahu1.fanRun', ALL);
    const at = (iso: string): Val | undefined => fan.find((i) => i.ts === HDateTime.parse(iso).epochMs)?.val;
    expect(at('2024-07-16T14:00:00-04:00 New_York')).toBe(true);
    expect(at('2024-07-16T03:00:00-04:00 New_York')).toBe(false);
    // Sunday.
    expect(at('2024-07-14T14:00:00-04:00 New_York')).toBe(false);
    const zone = nums(await store.hisRead('flatirons.vav1-01.zat', ALL));
    const sp = nums(await store.hisRead('flatirons.vav1-01.zatSp', ALL))[0] ?? 0;
    const daytime = nums(await store.hisRead('flatirons.vav1-01.zat', { start: NOW - 2 * 3_600_000, end: NOW }));
    for (const z of daytime) expect(Math.abs(z - sp)).toBeLessThan(2.5);
    expect(Math.max(...zone) - Math.min(...zone)).toBeGreaterThan(1);
  });

  it('keeps energy totalizers increasing', async () => {
    for (const p of await store.read({ filter: 'energy and unit == "kWh"' })) {
      const vs = nums(await store.hisRead((p.id as Ref).id, ALL));
      for (let i = 1; i < vs.length; i++) expect(vs[i]).toBeGreaterThanOrEqual(vs[i - 1] as number);
      expect((vs.at(-1) ?? 0) - (vs[0] ?? 0)).toBeGreaterThan(0);
      expect((p.get('curVal') as Num).val).toBeGreaterThanOrEqual(vs.at(-1) as number);
    }
  });
});

describe('demo building determinism', () => {
  it('makes the same entities, history and current values for the same seed', async () => {
    const a = createMemoryStore({ clock: () => NOW });
    const b = createMemoryStore({ clock: () => NOW });
    await populateDemo(a, { now: NOW, seed: 7, days: 2 });
    await populateDemo(b, { now: NOW, seed: 7, days: 2 });
    const ea = await a.read({ filter: 'id' });
    const eb = await b.read({ filter: 'id' });
    expect(ea.length).toBe(eb.length);
    ea.forEach((e, i) => {
      expect(e.equals(eb[i]), e.dis()).toBe(true);
    });
    for (const id of ['hudson.vav2-03.zat', 'wx.boulder.temp', 'flatirons.mainMeter.energy', 'hudson.ahu3.fanRun']) {
      expect(await a.hisRead(id, ALL)).toEqual(await b.hisRead(id, ALL));
    }
  });

  it('varies setpoints, box sizes and noise with the seed', () => {
    const one = createDemoBuilding({ seed: 1 });
    const two = createDemoBuilding({ seed: 2 });
    expect(one.entities.length).toBe(two.entities.length);
    const va = new Float64Array(one.slots);
    const vb = new Float64Array(two.slots);
    one.evaluate(NOW, va);
    two.evaluate(NOW, vb);
    expect([...va]).not.toEqual([...vb]);
    const again = new Float64Array(one.slots);
    createDemoBuilding({ seed: 1 }).evaluate(NOW, again);
    expect([...again]).toEqual([...va]);
  });
});
