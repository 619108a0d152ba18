// Def-aware filters (Filters: some constructs need a namespace): `^symbol` widened to the def's subtypes.

import { beforeAll, describe, expect, it } from 'vitest';
import { decodeZincGrid } from '../../../src/core/codec/zinc/zinc-reader.js';
import { Dict } from '../../../src/core/grid/dict.js';
import { Filter, filterEquals, parseFilter } from '../../../src/core/index.js';
import { MARKER } from '../../../src/core/kinds/marker.js';
import type { Namespace } from '../../../src/core/ontology/index.js';
import { loadSharedText, sharedAvailable } from '../../support/shared.js';
import { standardNamespace } from './support.js';

const markers = (...tags: string[]): Dict => Dict.of(Object.fromEntries(tags.map((t) => [t, MARKER])));

describe.skipIf(!sharedAvailable('defs'))('def-aware filters', () => {
  let ns: Namespace;
  beforeAll(async () => {
    ns = await standardNamespace();
  });
  const inNs = (text: string): Filter => Filter.fromAst(ns.expandSymbols(parseFilter(text).ast));

  it('match a subtype of the symbol: ^equip is an ahu, ^liquid is water (Reflection: inheritance)', () => {
    expect(parseFilter('^equip').matches(markers('ahu'))).toBe(false);
    expect(inNs('^equip').matches(markers('ahu'))).toBe(true);
    expect(inNs('^equip').matches(markers('point'))).toBe(false);
    expect(inNs('^liquid').matches(markers('water'))).toBe(true);
    expect(inNs('^liquid').matches(markers('chilled', 'water'))).toBe(true);
    expect(inNs('^liquid').matches(markers('air'))).toBe(false);
    expect(inNs('^airHandlingEquip').matches(markers('rtu'))).toBe(true);
  });

  it('match a conjunct by all its tags, and its subtypes too', () => {
    expect(inNs('^hot-water').matches(markers('hot', 'water'))).toBe(true);
    expect(inNs('^hot-water').matches(markers('hot'))).toBe(false);
    expect(inNs('^water').matches(markers('hot', 'water'))).toBe(true);
    expect(inNs('^meter').matches(markers('elec', 'meter'))).toBe(true);
  });

  it('leave undefined symbols, and filters without symbols, as they were', () => {
    const f = parseFilter('^notADef-either or site and ^point');
    const expanded = ns.expandSymbols(f.ast);
    expect(Filter.fromAst(expanded).matches(markers('notADef', 'either'))).toBe(true);
    const plain = parseFilter('site and siteRef->dis == "x" or not equip').ast;
    expect(ns.expandSymbols(plain)).toBe(plain);
    expect(filterEquals(ns.expandSymbols(parseFilter('^notADef').ast), parseFilter('^notADef').ast)).toBe(true);
    // Feature keys are never implemented (Reflection: implementation rule 1d).
    expect(inNs('^lib:ph').matches(markers('lib', 'ph'))).toBe(false);
  });

  it.skipIf(!sharedAvailable('datasets/alpha/alpha.zinc'))(
    'match exactly the Alpha entities whose reflection fits the symbol',
    () => {
      const rows = decodeZincGrid(loadSharedText('datasets/alpha/alpha.zinc')).rows;
      for (const sym of ['equip', 'point', 'ahu', 'water', 'fluid', 'hot-water', 'sensor', 'entity', 'phenomenon']) {
        const f = inNs(`^${sym}`);
        const got = rows.filter((d) => f.matches(d)).length;
        const want = rows.filter((d) => ns.reflect(d).fits(sym)).length;
        expect(got, sym).toBe(want);
      }
    },
  );
});
