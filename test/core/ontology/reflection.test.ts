// Reflection chapter examples, relationships by the Relationships chapter, and reflection of the Alpha and Bravo sets.

import { beforeAll, describe, expect, it } from 'vitest';
import { decodeZincGrid } from '../../../src/core/codec/zinc/zinc-reader.js';
import { Dict } from '../../../src/core/grid/dict.js';
import type { Grid } from '../../../src/core/grid/grid.js';
import { refResolver } from '../../../src/core/index.js';
import { MARKER } from '../../../src/core/kinds/marker.js';
import { Ref } from '../../../src/core/kinds/ref.js';
import { type Def, Namespace } from '../../../src/core/ontology/index.js';
import { loadDefLibs } from '../../../src/server/index.js';
import { loadSharedText, sharedAvailable, sharedPath } from '../../support/shared.js';
import { lib, standardNamespace } from './support.js';

const names = (defs: readonly Def[]): string[] => defs.map((d) => d.name);
const tagsOf = (d: Dict): string[] => [...d.keys()].sort();

describe.skipIf(!sharedAvailable('defs'))('reflection', () => {
  let ns: Namespace;
  beforeAll(async () => {
    ns = await standardNamespace();
  });

  it('reflects the hot water plant example step by step', () => {
    const hwp = Dict.of({
      id: new Ref('hwp'),
      dis: 'Hot Water Plant',
      hot: MARKER,
      water: MARKER,
      plant: MARKER,
      equip: MARKER,
    });
    const r = ns.reflect(hwp);
    // Steps 1 and 2: the tags, then the conjuncts.
    expect(names(r.direct).sort()).toEqual([
      'dis',
      'equip',
      'hot',
      'hot-water',
      'hot-water-plant',
      'id',
      'plant',
      'water',
    ]);
    // Step 3: the inheritance.
    for (const n of ['entity', 'marker', 'ref', 'str', 'scalar', 'val', 'liquid']) expect(r.fits(n), n).toBe(true);
    expect(r.fits('ahu')).toBe(false);
    // Entity types: it is a hot-water-plant, not a hot-water.
    expect(names(r.entityTypes)).toEqual(['hot-water-plant']);
    expect(r.markers().map((m) => m.name)).toEqual(['hot', 'water', 'plant', 'equip']);
    expect(r.markers().every((m) => m.def !== undefined)).toBe(true);
  });

  it('implements defs with their mandatory supertypes: point, rtu, hot-water-plant (Implementation)', () => {
    expect(tagsOf(ns.implementation('point'))).toEqual(['point']);
    expect(tagsOf(ns.implementation('rtu'))).toEqual(['ahu', 'equip', 'rtu']);
    expect(tagsOf(ns.implementation('hot-water-plant'))).toEqual(['equip', 'hot', 'plant', 'water']);
    expect(ns.implementation('filetype:json').isEmpty).toBe(true);
    // And reflection of an implementation fits the def again.
    expect(ns.reflect(ns.implementation('rtu')).fits('rtu')).toBe(true);
  });

  it('fits an ahu to equip, and gives its choices and children protos', () => {
    const ahu = Dict.of({
      id: new Ref('ahu'),
      ahu: MARKER,
      equip: MARKER,
      hotWaterHeating: MARKER,
      siteRef: new Ref('s'),
    });
    const r = ns.reflect(ahu);
    expect(r.fits('ahu') && r.fits('equip') && r.fits('entity')).toBe(true);
    expect(names(r.entityTypes)).toEqual(['ahu']);
    const heating = r.choices().find((c) => c.choice.name === 'heatingProcess');
    expect(names(heating?.selected ?? [])).toEqual(['hotWaterHeating']);
    expect(r.protos().map(tagsOf)).toContainEqual(['discharge', 'duct', 'equip']);
    expect(r.validate()).toEqual([]);
  });

  it('compose defs: terms (a conjunct child too), implemented by both, reflected once the parent is (Defs)', async () => {
    const libs = (await loadDefLibs(sharedPath('defs'))).map((l) => ({ dicts: l.defs, source: l.name }));
    // The Defs chapter's examples: geoPlace.geoCity, and ahu.discharge-duct with a conjunct child.
    const acme = lib(
      'acme',
      ['ph', 'phScience', 'phIoT'],
      'def: ^discharge-duct\nis: ^duct\n---\ndef: ^geoPlace.geoCity\n---\ndef: ^ahu.discharge-duct\ndoc: "Supply air"',
    );
    const cns = Namespace.fromLibs([...libs, acme]);
    const dd = cns.req('ahu.discharge-duct');
    expect(dd.kind).toBe('compose');
    expect(names(dd.supertypes)).toEqual(['discharge-duct']);
    // Implementation rule 1c: both terms, then the mandatory equip of the duct.
    expect(tagsOf(cns.implementation('ahu.discharge-duct'))).toEqual(['ahu', 'discharge', 'duct', 'equip']);
    // Reflection step 3: geoCity is the child and the site, a geoPlace by inheritance, the parent.
    const site = cns.reflect(Dict.of({ id: new Ref('s'), site: MARKER, geoCity: 'Richmond' }));
    expect(site.fits('geoPlace.geoCity')).toBe(true);
    expect(names(site.direct)).toContain('geoPlace.geoCity');
    expect(names(site.entityTypes)).toEqual(['site']);
    expect(cns.reflect(Dict.of({ geoCity: 'Richmond' })).fits('geoPlace.geoCity')).toBe(false);
    // A compose is no entity type of its own: the dict is an ahu and a duct.
    const both = cns.reflect(Dict.of({ ahu: MARKER, equip: MARKER, discharge: MARKER, duct: MARKER }));
    expect(both.fits('ahu.discharge-duct')).toBe(true);
    expect(names(both.entityTypes).sort()).toEqual(['ahu', 'discharge-duct']);
  });

  it('validates: tags with no def, missing mandatory markers, points missing required tags', () => {
    const rtu = ns.reflect(Dict.of({ rtu: MARKER, equip: MARKER, acmeFlag: MARKER }));
    expect(rtu.validate().map((i) => [i.kind, i.tag])).toEqual([
      ['unknownTag', 'acmeFlag'],
      ['missingTag', 'ahu'],
    ]);
    const point = ns.reflect(Dict.of({ point: MARKER, his: MARKER, temp: MARKER, sensor: MARKER, cmd: MARKER }));
    const issues = point.validate().map((i) => [i.kind, i.tag]);
    expect(issues).toEqual(
      expect.arrayContaining([
        ['missingTag', 'siteRef'],
        ['missingTag', 'equipRef'],
        ['missingTag', 'kind'],
        ['missingTag', 'tz'],
        ['missingTag', 'hisMode'],
        ['choiceConflict', 'pointFunction'],
      ]),
    );
    const none = ns.reflect(Dict.of({ point: MARKER, kind: 'Bool', siteRef: new Ref('s'), equipRef: new Ref('e') }));
    expect(none.validate().map((i) => [i.kind, i.tag])).toEqual([['missingTag', 'pointFunction']]);
  });

  it('validates a synthetic point: sim with its mandatory synthetic is one point function (Synthetics)', () => {
    const tags = { point: MARKER, discharge: MARKER, air: MARKER, temp: MARKER, kind: 'Number' };
    const refs = { siteRef: new Ref('s'), equipRef: new Ref('ahu'), pointRef: new Ref('dat') };
    const sim = ns.reflect(Dict.of({ ...tags, ...refs, sim: MARKER, synthetic: MARKER }));
    expect(names(sim.entityTypes)).toEqual(['sim-point']);
    expect(sim.validate()).toEqual([]);
    // Synthetics: a synthetic is not also a sensor, sp or cmd.
    const both = ns.reflect(Dict.of({ ...tags, ...refs, computed: MARKER, synthetic: MARKER, sensor: MARKER }));
    expect(both.validate().map((i) => [i.kind, i.tag, i.message])).toEqual([
      ['choiceConflict', 'pointFunction', 'A point has several of computed, sensor'],
    ]);
  });

  it('validates a weather point by the Weather chapter: weatherStationRef, not siteRef and equipRef', () => {
    // The Weather chapter's example observation point (with curStatus for its misspelt curStation).
    const temp = Dict.of({
      id: new Ref('richmond.temp'),
      dis: 'Temperature for Richmond VA',
      weather: MARKER,
      air: MARKER,
      temp: MARKER,
      sensor: MARKER,
      point: MARKER,
      unit: '°F',
      kind: 'Number',
      tz: 'New_York',
      weatherStationRef: new Ref('richmond'),
      cur: MARKER,
      curStatus: 'ok',
    });
    expect(ns.reflect(temp).validate()).toEqual([]);
    const orphan = ns.reflect(temp.remove('weatherStationRef'));
    expect(orphan.validate().map((i) => [i.kind, i.tag, i.def])).toEqual([
      ['missingTag', 'weatherStationRef', 'weather-point'],
    ]);
  });

  it('matches relationships: transitive containment, and the inverse through the reciprocal', () => {
    const ahu = Dict.of({ id: new Ref('ahu'), ahu: MARKER, equip: MARKER, hotWaterRef: new Ref('hwp') });
    const fan = Dict.of({
      id: new Ref('fan'),
      discharge: MARKER,
      fan: MARKER,
      equip: MARKER,
      equipRef: new Ref('ahu'),
    });
    const status = Dict.of({
      id: new Ref('status'),
      speed: MARKER,
      cmd: MARKER,
      point: MARKER,
      equipRef: new Ref('fan'),
    });
    const hwp = Dict.of({ id: new Ref('hwp'), hot: MARKER, water: MARKER, plant: MARKER, equip: MARKER });
    const resolve = refResolver([ahu, fan, status, hwp]);
    const q = (d: Dict, rel: string, ref?: string, term?: string): boolean =>
      ns.hasRelationship(d, rel, {
        resolve,
        ...(ref === undefined ? {} : { ref: new Ref(ref) }),
        ...(term === undefined ? {} : { term }),
      });
    // containedBy? @ahu matches the fan directly and the point through the fan.
    expect(q(fan, 'containedBy', 'ahu')).toBe(true);
    expect(q(status, 'containedBy', 'ahu')).toBe(true);
    expect(q(hwp, 'containedBy', 'ahu')).toBe(false);
    expect(q(status, 'containedBy', undefined, 'equip')).toBe(true);
    // contains is computed from containedBy: the ahu contains the point.
    expect(q(ahu, 'contains', 'status')).toBe(true);
    expect(q(fan, 'contains', 'ahu')).toBe(false);
    // inputs-hot-water? @hwp, by subtype too; outputs-water? @ahu by the inverse.
    expect(q(ahu, 'inputs', 'hwp', 'hot-water')).toBe(true);
    expect(q(ahu, 'inputs', 'hwp', 'liquid')).toBe(true);
    expect(q(ahu, 'inputs', 'hwp', 'air')).toBe(false);
    expect(q(hwp, 'outputs', 'ahu', 'water')).toBe(true);
    expect(names(ns.relationshipsOf(status).map((r) => r.relationship))).toEqual(['containedBy']);
  });

  describe.skipIf(!sharedAvailable('datasets'))('over the Alpha and Bravo data sets', () => {
    const sets: Record<string, Grid> = {};
    beforeAll(() => {
      for (const n of ['alpha', 'bravo']) sets[n] = decodeZincGrid(loadSharedText(`datasets/${n}/${n}.zinc`));
    });

    it.each(['alpha', 'bravo'])('%s: every entity reflects to the entity type its top-level marker says', (n) => {
      const grid = sets[n] as Grid;
      let sites = 0;
      for (const d of grid.rows) {
        const r = ns.reflect(d);
        for (const top of ['site', 'equip', 'point', 'space']) {
          if (d.has(top))
            expect(
              r.entityTypes.some((t) => t.fits(top)),
              `${String(d.id)} ${top}`,
            ).toBe(true);
        }
        if (r.entityTypes.some((t) => t.name === 'site')) sites++;
        if (d.has('ahu')) expect(r.fits('equip')).toBe(true);
      }
      expect(sites).toBe(1);
    });

    it.each(['alpha', 'bravo'])('%s: validation reports the tags with no def and points missing hisMode', (n) => {
      const grid = sets[n] as Grid;
      const found = new Map<string, number>();
      for (const d of grid.rows) {
        for (const i of ns.reflect(d).validate())
          found.set(`${i.kind}:${i.tag}`, (found.get(`${i.kind}:${i.tag}`) ?? 0) + 1);
      }
      // `custom` is the one non-standard tag of both sets; their historized points lack the hisMode of the Points chapter.
      const customRows = grid.rows.filter((d) => d.has('custom')).length;
      expect(found.get('unknownTag:custom')).toBe(customRows);
      const hisPoints = grid.rows.filter((d) => d.has('point') && d.has('his') && !d.has('hisMode')).length;
      expect(found.get('missingTag:hisMode')).toBe(hisPoints);
      expect([...found.keys()].filter((k) => k.startsWith('unknownTag:'))).toEqual(['unknownTag:custom']);
    });
  });
});
