// Our ontology against an independent one: haystack-core's HNamespace and HNormalizer over the same def libs.

import { readdirSync } from 'node:fs';
import {
  type HDict,
  HFilter,
  type HGrid,
  type HLib,
  HNamespace,
  HNormalizer,
  type HRef,
  TrioReader,
  ZincReader,
} from 'haystack-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeZinc } from '../../../src/core/codec/zinc/index.js';
import { decodeZincGrid } from '../../../src/core/codec/zinc/zinc-reader.js';
import type { Dict } from '../../../src/core/grid/dict.js';
import type { Grid } from '../../../src/core/grid/grid.js';
import { Filter, parseFilter, refResolver } from '../../../src/core/index.js';
import type { Ref } from '../../../src/core/kinds/ref.js';
import type { Def, Namespace } from '../../../src/core/ontology/index.js';
import { loadSharedText, sharedAvailable, sharedPath } from '../../support/shared.js';
import { standardNamespace } from './support.js';

const names = (defs: readonly Def[]): string[] => defs.map((d) => d.name).sort();
const theirNames = (defs: readonly HDict[]): string[] => defs.map((d) => d.defName).sort();

/**
 * haystack-core's namespace recomputes its name map, subtype map and conjunct map on every call; they depend only
 * on the (immutable) grid, so they are kept per instance to make thousands of queries quick.
 */
function memoized(ns: HNamespace): HNamespace {
  for (const name of ['defs', 'subTypes', '$conjunctsKeyMap']) {
    const get = Object.getOwnPropertyDescriptor(HNamespace.prototype, name)?.get;
    if (get === undefined) throw new Error(`haystack-core has no getter ${name}`);
    const value: unknown = get.call(ns);
    Object.defineProperty(ns, name, { value });
  }
  return ns;
}

// The rows of a data set, ours and haystack-core's, in the same order.
interface DataSet {
  readonly ours: Grid;
  readonly theirs: HGrid;
}

// One dict of each tag-name set: reflection depends on the names only.
function byTagNames(set: DataSet): [Dict, HDict][] {
  const seen = new Set<string>();
  const out: [Dict, HDict][] = [];
  set.ours.rows.forEach((d, i) => {
    const key = [...d.keys()].sort().join(',');
    if (seen.has(key)) return;
    seen.add(key);
    out.push([d, set.theirs.get(i) as HDict]);
  });
  return out;
}

describe.skipIf(!sharedAvailable('defs') || !sharedAvailable('datasets'))('ontology against haystack-core', () => {
  let ns: Namespace;
  let hns: HNamespace;
  const sets: Record<string, DataSet> = {};
  beforeAll(async () => {
    ns = await standardNamespace();
    // haystack-core reads our compiled defs grid (what the `defs` op serves) from Zinc.
    hns = memoized(new HNamespace(ZincReader.readValue(encodeZinc(ns.toGrid())) as HGrid));
    for (const n of ['alpha', 'bravo']) {
      const text = loadSharedText(`datasets/${n}/${n}.zinc`);
      sets[n] = { ours: decodeZincGrid(text), theirs: ZincReader.readValue(text) as HGrid };
    }
  });

  it('the taxonomy: supertypes, inheritance, subtypes and all subtypes of every def', () => {
    expect(hns.grid.length).toBe(ns.size);
    for (const d of ns.defs()) {
      expect(names(ns.supertypes(d.name)), d.name).toEqual(theirNames(hns.superTypesOf(d.name)));
      expect(names(d.inheritance), d.name).toEqual(theirNames(hns.inheritance(d.name)));
      expect(names(ns.subtypes(d.name)), d.name).toEqual(theirNames(hns.subTypesOf(d.name)));
      expect(names(ns.allSubtypes(d.name)), d.name).toEqual(theirNames(hns.allSubTypesOf(d.name)));
    }
    for (const top of ['equip', 'point', 'space', 'phenomenon', 'choice'])
      expect(ns.allSubtypes(top).length, top).toBeGreaterThan(0);
  });

  it('the associations: is, tagOn and the computed tags of every def', () => {
    for (const d of ns.defs()) {
      expect(names(ns.association(d.name, 'is')), d.name).toEqual(theirNames(hns.is(d.name)));
      expect(names(ns.tagOn(d.name)), d.name).toEqual(theirNames(hns.tagOn(d.name)));
      expect(names(ns.tags(d.name)), d.name).toEqual(theirNames(hns.tags(d.name)));
      expect(names(ns.association(d.name, 'tags')), d.name).toEqual(theirNames(hns.tags(d.name)));
    }
  });

  it('the implementation of every tag def: the tag and its mandatory supertypes', () => {
    // haystack-core takes a conjunct's mandatory markers from its terms' supertypes, not the conjunct's own
    // (Reflection: "we walk the supertype tree of the def"), as Haxall does: conjuncts are left out.
    for (const d of ns.defs().filter((x) => x.kind === 'tag')) {
      const theirs = hns.implementation(d.name).map((x) => x.defName);
      expect([...ns.implementation(d.name).keys()].sort(), d.name).toEqual(theirs.sort());
    }
  });

  it('the choices a def takes include every choice tagged on it or a supertype', () => {
    for (const d of ns.defs()) {
      const ours = new Set(ns.choices(d.name).map((c) => c.choice.name));
      for (const c of hns.tags(d.name).filter((t) => hns.fitsChoice(t.defName)))
        expect(ours.has(c.defName), `${d.name} ${c.defName}`).toBe(true);
    }
    for (const c of ns.defs().filter((x) => ns.supertypes(x.name).some((s) => s.name === 'choice')))
      expect(names(ns.subtypes(c.name)), c.name).toEqual(theirNames(hns.choicesFor(c.name)));
  });

  it.each(['alpha', 'bravo'])('%s: every entity reflects to the same defs, fits and entity type', (n) => {
    const set = sets[n] as DataSet;
    const pairs = byTagNames(set);
    expect(pairs.length).toBeGreaterThan(20);
    for (const [d, hd] of pairs) {
      const r = ns.reflect(d);
      const hr = hns.reflect(hd);
      const id = String(d.id);
      expect(names(r.defs), id).toEqual(theirNames(hr.defs));
      // haystack-core names one entity type, the first most specific; ours lists them all.
      const type = hr.type.defName;
      if (type === 'dict') expect(r.entityTypes, id).toEqual([]);
      else expect(names(r.entityTypes), id).toContain(type);
      for (const top of ['site', 'equip', 'point', 'space', 'ahu', 'meter', 'water', 'fluid', 'sensor'])
        expect(r.fits(top), `${id} ${top}`).toBe(hr.fits(top));
    }
  });

  it.each(['alpha', 'bravo'])('%s: children protos of entities typed by tags', (n) => {
    const set = sets[n] as DataSet;
    const key = (d: Iterable<string>): string => [...d].sort().join(' ');
    let compared = 0;
    for (const [d, hd] of byTagNames(set)) {
      // haystack-core takes protos from the dict's tag defs only, not from conjunct entity types (hot-water-plant).
      if (ns.reflect(d).entityTypes.some((t) => t.kind !== 'tag')) continue;
      const ours = ns.childrenFlattened(d).map((p) => key(p.keys()));
      const theirs = hns.protos(hd).map((p) => key(p.keys));
      expect(ours.sort(), String(d.id)).toEqual(theirs.sort());
      compared++;
    }
    expect(compared).toBeGreaterThan(10);
  });

  it.each(['alpha', 'bravo'])('%s: ^symbol filters in the namespace match what haystack-core matches', (n) => {
    // A filter sees the tag names only, as reflection does: one dict of each set of names is enough.
    const set = sets[n] as DataSet;
    const symbols = ['equip', 'point', 'site', 'space', 'ahu', 'vav', 'meter', 'elec-meter', 'water', 'hot-water'];
    for (const sym of [...symbols, 'fluid', 'sensor', 'cmd', 'sp', 'entity', 'phenomenon', 'airHandlingEquip']) {
      const ours = Filter.fromAst(ns.expandSymbols(parseFilter(`^${sym}`).ast));
      const theirs = new HFilter(`^${sym}`);
      for (const [d, hd] of byTagNames(set))
        expect(ours.matches(d), `${String(d.id)} ^${sym}`).toBe(theirs.eval({ dict: hd, namespace: hns }));
    }
  });

  it.each(['alpha', 'bravo'])('%s: containment (containedBy, transitive) as haystack-core resolves it', (n) => {
    const set = sets[n] as DataSet;
    const resolve = refResolver(set.ours.rows);
    const byId = new Map<string, HDict>();
    for (const hd of set.theirs) byId.set((hd.get('id') as HRef).value, hd);
    const theirResolve = (ref: HRef): HDict | undefined => byId.get(ref.value);
    const site = set.ours.rows.find((d) => d.has('site'))?.id as Ref;
    const hsite = [...set.theirs].find((d) => d.has('site'))?.get('id') as HRef;
    let contained = 0;
    set.ours.rows.forEach((d, i) => {
      const hd = set.theirs.get(i) as HDict;
      for (const term of [undefined, 'equip', 'site']) {
        const ours = ns.hasRelationship(d, 'containedBy', { ref: site, resolve, ...(term ? { term } : {}) });
        const query = { subject: hd, relName: 'containedBy', ref: hsite, resolve: theirResolve };
        const theirs = hns.hasRelationship(term === undefined ? query : { ...query, relTerm: term });
        expect(ours, `${String(d.id)} containedBy-${term ?? ''}? ${site.toString()}`).toBe(theirs);
        if (ours) contained++;
      }
    });
    expect(contained).toBeGreaterThan(set.ours.size);
  });
});

describe.skipIf(!sharedAvailable('defs'))('normalization against haystack-core', () => {
  it('compiles ph, phScience, phIoT and phIct from their Trio files to the same effective defs', async () => {
    const root = sharedPath('defs');
    const libs: HLib[] = ['ph', 'phScience', 'phIoT', 'phIct'].map((name) => {
      const dicts = readdirSync(`${root}/${name}`)
        .filter((f) => f.endsWith('.trio'))
        .sort()
        .flatMap((f) => TrioReader.readAllDicts(loadSharedText(`defs/${name}/${f}`)));
      const lib = dicts.find((d) => String(d.get('def')?.toString()).startsWith('lib:')) as HDict;
      return { name, lib, dicts } as unknown as HLib;
    });
    const problems: string[] = [];
    const log = (m: string): void => {
      problems.push(m);
    };
    const hns = await new HNormalizer(() => libs.map((l) => Promise.resolve(l)), {
      warning: log,
      error: log,
      fatal: log,
    }).normalize();
    expect(problems).toEqual([]);
    const ns = await standardNamespace();
    const ours = ZincReader.readValue(encodeZinc(ns.toGrid())) as HGrid;
    const theirs = hns.defs;
    expect(Object.keys(theirs).sort()).toEqual(ns.defs().map((d) => d.name));
    // haystack-core's Trio reader drops the blank lines and indentation of multi-line strings (doc, enum): Strs are
    // compared with their white space folded.
    const fold = (v: unknown): string => {
      const s = String((v as { toZinc?: () => string } | undefined)?.toZinc?.() ?? v);
      return s.replace(/(\\n|\s)+/g, ' ');
    };
    for (const od of ours) {
      const name = od.defName;
      const td = theirs[name] as HDict;
      expect(td.keys.sort(), name).toEqual(od.keys.sort());
      for (const k of od.keys) expect(fold(od.get(k)), `${name}.${k}`).toBe(fold(td.get(k)));
    }
  });
});
