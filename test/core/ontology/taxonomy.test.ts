// The standard libs as a namespace: the Defs, Namespaces, Subtyping, Associations, Choices and Protos chapters' examples.

import { beforeAll, describe, expect, it } from 'vitest';
import { Dict } from '../../../src/core/grid/dict.js';
import { isList } from '../../../src/core/kinds/kind.js';
import { MARKER } from '../../../src/core/kinds/marker.js';
import { Sym } from '../../../src/core/kinds/symbol.js';
import { type Def, DefError, type Namespace } from '../../../src/core/ontology/index.js';
import { sharedAvailable } from '../../support/shared.js';
import { standardNamespace } from './support.js';

const names = (defs: readonly Def[]): string[] => defs.map((d) => d.name);
const markers = (...tags: string[]): Dict => Dict.of(Object.fromEntries(tags.map((t) => [t, MARKER])));
const tagSet = (d: Dict): string[] => [...d.keys()].sort();

describe.skipIf(!sharedAvailable('defs'))('the standard libs', () => {
  let ns: Namespace;
  beforeAll(async () => {
    ns = await standardNamespace();
  });

  describe('Namespaces', () => {
    it('has the four ph libs, each def tagged with its lib, and no problems', () => {
      expect(ns.libs.map((l) => l.name).sort()).toEqual(['ph', 'phIct', 'phIoT', 'phScience']);
      expect(ns.lib('phIoT')?.depends).toEqual(['ph', 'phScience']);
      expect(ns.req('equip').dict.get('lib')).toEqual(new Sym('lib:phIoT'));
      expect(ns.req('lib:ph').dict.get('lib')).toEqual(new Sym('lib:ph'));
      expect(ns.problems.filter((p) => p.severity === 'error')).toEqual([]);
      expect(ns.size).toBeGreaterThan(700);
    });

    it('resolves symbols, and names an unknown one with a typed error', () => {
      expect(ns.def('ahu')?.lib).toBe('phIoT');
      expect(ns.has('notADef')).toBe(false);
      expect(() => ns.req('notADef')).toThrow(DefError);
      try {
        ns.supertypes('notADef');
      } catch (e) {
        expect((e as DefError).kind).toBe('undefined');
        expect((e as DefError).code).toBe('HS_ERR_DEF');
      }
    });
  });

  describe('Defs: def types', () => {
    it('tells tags, conjuncts and feature keys apart', () => {
      expect(ns.req('equip').kind).toBe('tag');
      const hw = ns.req('hot-water');
      expect(hw.kind).toBe('conjunct');
      expect(hw.tagNames).toEqual(['hot', 'water']);
      const json = ns.req('filetype:json');
      expect(json.kind).toBe('key');
      expect(json.feature).toBe('filetype');
    });

    it('conjuncts have no implied subtyping: hot-water is water, not hot', () => {
      expect(names(ns.supertypes('hot-water'))).toEqual(['water']);
      expect(ns.fits('hot-water', 'hot')).toBe(false);
      expect(names(ns.conjunctsOf('hot'))).toContain('hot-water');
      expect(ns.conjuncts().every((d) => d.name.includes('-'))).toBe(true);
    });

    it('feature keys subtype their feature: lib:phIoT is a lib, filetype:json a filetype (Normalization: taxonify)', () => {
      expect(names(ns.supertypes('lib:phIoT'))).toEqual(['lib']);
      expect(ns.req('filetype:json').dict.get('is')).toEqual([new Sym('filetype')]);
      expect(ns.req('filetype:json').dict.get('mime')).toBe('application/json');
      expect(names(ns.features())).toEqual(expect.arrayContaining(['lib', 'filetype', 'op']));
      expect(names(ns.featureKeys('lib')).sort()).toEqual(['lib:ph', 'lib:phIct', 'lib:phIoT', 'lib:phScience']);
      expect(names(ns.featureKeys('op'))).toContain('op:read');
      expect(names(ns.featureKeys('filetype'))).toEqual(expect.arrayContaining(['filetype:zinc', 'filetype:trio']));
    });
  });

  describe('Subtyping', () => {
    it('water is liquid, and transitively fluid (transitivity)', () => {
      expect(names(ns.supertypes('water'))).toEqual(['liquid']);
      expect(ns.fits('water', 'fluid')).toBe(true);
      expect(ns.fits('fluid', 'water')).toBe(false);
    });

    it('site has two supertypes: entity and geoPlace', () => {
      expect(names(ns.supertypes('site'))).toEqual(['entity', 'geoPlace']);
    });

    it('the inheritance of water is liquid, fluid, substance, phenomenon, marker (Reflection: inheritance)', () => {
      expect(names(ns.allSupertypes('water'))).toEqual(['liquid', 'fluid', 'substance', 'phenomenon', 'marker']);
    });

    it('elec-meter subtypes meter; meter has it among its subtypes', () => {
      expect(ns.fits('elec-meter', 'meter')).toBe(true);
      expect(names(ns.subtypes('meter'))).toContain('elec-meter');
      expect(names(ns.allSubtypes('equip'))).toEqual(expect.arrayContaining(['ahu', 'rtu', 'elec-meter', 'vav']));
      expect(names(ns.allSubtypes('equip'))).not.toContain('point');
    });

    it('root terms marker, val and feature have no supertypes', () => {
      for (const root of ['marker', 'val', 'feature']) expect(ns.supertypes(root)).toEqual([]);
    });

    it('subtypes inherit tags; notInherited ones stay (Normalization: inherit)', () => {
      // rtu inherits ahu's children protos; mandatory (notInherited) is its own only where declared.
      expect(ns.children('rtu').length).toBeGreaterThan(0);
      expect(ns.req('ahu').dict.has('mandatory')).toBe(true);
      expect(ns.req('rtu').dict.has('mandatory')).toBe(false);
      // docTaxonomy is notInherited: equip has it, ahu does not.
      expect(ns.req('equip').dict.has('docTaxonomy')).toBe(true);
      expect(ns.req('ahu').dict.has('docTaxonomy')).toBe(false);
    });
  });

  describe('Associations', () => {
    it('tagOn is normalized to a list; tags is its computed reciprocal (geoCity on geoPlace, yearBuilt on site)', () => {
      expect(ns.req('geoCity').dict.get('tagOn')).toEqual([new Sym('geoPlace')]);
      expect(ns.req('geoCity').dict.get('is')).toEqual([new Sym('str')]);
      expect(names(ns.tagOn('yearBuilt'))).toEqual(['site']);
      expect(names(ns.association('yearBuilt', 'tagOn'))).toEqual(['site']);
      expect(names(ns.association('site', 'tags'))).toContain('yearBuilt');
      // tags(site) also has the tags of site's supertypes: geoCity is on geoPlace.
      expect(names(ns.tags('site'))).toEqual(expect.arrayContaining(['yearBuilt', 'geoCity', 'tz']));
      expect(names(ns.association('tagOn', 'reciprocalOf'))).toEqual(['tags']);
    });

    it('computed associations follow the taxonomy: tags of ahu, quantities of water (as Haxall computes them)', () => {
      // equipRef is tagOn equip, and an ahu is an equip: the reciprocal of tagOn reaches it through inheritance.
      expect(names(ns.association('ahu', 'tags'))).toEqual(expect.arrayContaining(['equipRef', 'siteRef', 'id']));
      for (const d of ns.defs()) expect(names(ns.association(d.name, 'tags')), d.name).toEqual(names(ns.tags(d.name)));
      // temp is quantityOf substance, pressure quantityOf fluid; water is both.
      expect(names(ns.association('water', 'quantities'))).toEqual(
        expect.arrayContaining(['temp', 'pressure', 'flow', 'volume']),
      );
      // air-temp declares quantityOf air; a subtype that only inherits a quantityOf is not listed again.
      expect(names(ns.association('air', 'quantities'))).toContain('air-temp');
      expect(names(ns.association('air', 'quantities'))).not.toContain('co2-concentration');
    });

    it('every association value is a list of symbols', () => {
      for (const d of ns.defs()) {
        for (const tag of ['is', 'tagOn']) {
          const v = d.dict.get(tag);
          if (v !== null) expect(isList(v) && v.every((x) => x instanceof Sym), `${d.name}.${tag}`).toBe(true);
        }
      }
    });
  });

  describe('Choices', () => {
    it('ductSection is an exclusive choice: discharge, return, ... are its options', () => {
      expect(ns.fits('ductSection', 'choice')).toBe(true);
      const c = ns.choices('duct').find((x) => x.choice.name === 'ductSection');
      expect(names(c?.options ?? [])).toEqual(expect.arrayContaining(['discharge', 'return', 'outside', 'mixed']));
    });

    it('ahu takes a heatingProcess choice, made per instance: steamHeating', () => {
      const heating = ns.choices('ahu').find((x) => x.choice.name === 'heatingProcess');
      expect(names(heating?.options ?? [])).toContain('steamHeating');
      const r = ns.reflect(Dict.of({ dis: 'AHU Floor 2', ahu: MARKER, equip: MARKER, steamHeating: MARKER }));
      const made = r.choices().find((x) => x.choice.name === 'heatingProcess');
      expect(names(made?.selected ?? [])).toEqual(['steamHeating']);
    });

    it('points choose a function: pointFunction of sensor, cmd, sp (and synthetic, newer than the Points chapter)', () => {
      expect(names(ns.subtypes('pointFunction'))).toEqual(['cmd', 'sensor', 'sp', 'synthetic']);
      expect(names(ns.choices('point').map((c) => c.choice))).toEqual(
        expect.arrayContaining(['pointFunction', 'pointSubject', 'pointQuantity']),
      );
    });
  });

  describe('Protos', () => {
    it('pipe declares children protos and what to flatten into them', () => {
      const children = ns.children('pipe').map(tagSet);
      expect(children).toContainEqual(['actuator', 'equip', 'valve']);
      expect(children).toContainEqual(['point', 'sensor', 'temp']);
      expect(ns.req('pipe').dict.get('childrenFlatten')).toEqual(
        ['fluid', 'pipeSection', 'plantLoop'].map((s) => new Sym(s)),
      );
    });

    it('a pipe that implements neither fluid nor a section flattens nothing', () => {
      const protos = ns.childrenFlattened(markers('pipe', 'equip')).map(tagSet);
      expect(protos).toContainEqual(['actuator', 'equip', 'valve']);
    });

    it('a hot water pipe flattens hot-water into its children', () => {
      const protos = ns.childrenFlattened(markers('hot', 'water', 'pipe', 'equip')).map(tagSet);
      expect(protos).toContainEqual(['actuator', 'equip', 'hot', 'valve', 'water']);
      expect(protos).toContainEqual(['hot', 'point', 'sensor', 'temp', 'water']);
    });

    it('a leaving naturalGas pipe flattens both its fluid and its pipe section', () => {
      const protos = ns.childrenFlattened(markers('leaving', 'naturalGas', 'pipe', 'equip')).map(tagSet);
      expect(protos).toContainEqual(['actuator', 'equip', 'leaving', 'naturalGas', 'valve']);
      expect(protos).toContainEqual(['flow', 'leaving', 'naturalGas', 'point', 'sensor']);
    });

    it('a discharge fan motor flattens discharge and fan into its points (Motors: fan equips)', () => {
      // fan-motor: childrenFlatten [ductSection, fan]; the parent implements fan itself, so fan is flattened too.
      const protos = ns.childrenFlattened(markers('discharge', 'fan', 'vfd', 'motor', 'equip')).map(tagSet);
      expect(protos).toContainEqual(['cmd', 'discharge', 'fan', 'point', 'run']);
      const pump = ns.childrenFlattened(markers('hot', 'water', 'pump', 'motor', 'equip')).map(tagSet);
      expect(pump).toContainEqual(['cmd', 'hot', 'point', 'pump', 'run', 'water']);
    });
  });

  describe('Relationships', () => {
    it('siteRef, equipRef and spaceRef are containedBy relationships; containedBy is transitive', () => {
      expect(names(ns.relationships())).toEqual(
        expect.arrayContaining(['containedBy', 'contains', 'inputs', 'outputs']),
      );
      expect(names(ns.relationshipTags('containedBy'))).toEqual(
        expect.arrayContaining(['equipRef', 'siteRef', 'spaceRef']),
      );
      expect(ns.req('containedBy').dict.has('transitive')).toBe(true);
      expect(names(ns.association('containedBy', 'reciprocalOf'))).toEqual(['contains']);
    });
  });
});
