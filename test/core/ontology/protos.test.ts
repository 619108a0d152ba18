// The Protos chapter on instances of the standard libs: a child proto is a declared child with the flattened terms,
// and nothing of the parent's containment (siteRef, equipRef, spaceRef), unlike Haxall's MPrototyper.

import { beforeAll, describe, expect, it } from 'vitest';
import { Dict, type TagVal } from '../../../src/core/grid/dict.js';
import { MARKER } from '../../../src/core/kinds/marker.js';
import { Ref } from '../../../src/core/kinds/ref.js';
import type { Namespace } from '../../../src/core/ontology/index.js';
import { sharedAvailable } from '../../support/shared.js';
import { standardNamespace } from './support.js';

const entity = (id: string, markers: string, refs: Record<string, string> = {}): Dict => {
  const tags: Record<string, TagVal> = { id: new Ref(id) };
  for (const m of markers.split(' ')) tags[m] = MARKER;
  for (const [k, v] of Object.entries(refs)) tags[k] = new Ref(v);
  return Dict.of(tags);
};
const sorted = (d: Dict): string => [...d.keys()].sort().join(' ');

describe.skipIf(!sharedAvailable('defs'))('protos of instances (Protos chapter)', () => {
  let ns: Namespace;
  beforeAll(async () => {
    ns = await standardNamespace();
  });

  it('a hot water pipe inside a boiler: its children with hot-water flattened, and no refs', () => {
    const pipe = entity('pipe', 'hot water pipe equip', { equipRef: 'boiler', siteRef: 'site' });
    expect(ns.childrenFlattened(pipe).map(sorted)).toEqual([
      'equip hot motor pump water',
      'actuator equip hot valve water',
      'flow hot point sensor water',
      'flow hot point sp water',
      'hot point pressure sensor water',
      'hot point pressure sp water',
      'hot point sensor temp water',
      'hot point sp temp water',
      'equip hot water',
      'hot point water',
    ]);
  });

  it('flattened terms come first, then the declared child tags, each a marker', () => {
    const [first] = ns.childrenFlattened(entity('p', 'leaving naturalGas pipe equip'));
    expect([...(first ?? Dict.EMPTY)]).toEqual([
      ['naturalGas', MARKER],
      ['leaving', MARKER],
      ['pump', MARKER],
      ['motor', MARKER],
      ['equip', MARKER],
    ]);
  });

  it.each([
    ['an ahu in a space of a site', entity('ahu', 'ahu equip', { siteRef: 's', spaceRef: 'sp' })],
    ['a site', entity('site', 'site')],
    ['a floor', entity('floor', 'floor space', { siteRef: 's' })],
    ['a chiller inside a plant', entity('ch', 'chiller equip', { equipRef: 'plant', siteRef: 's' })],
  ])('%s: no child proto gets a containment ref, neither the parent id nor its own refs', (_what, parent) => {
    const protos = ns.childrenFlattened(parent);
    expect(protos.length).toBeGreaterThan(0);
    // Haxall adds siteRef/equipRef/spaceRef (the parent's, or the parent's id where it is the container); the
    // Protos chapter defines a proto as the declared child plus the flattened terms only.
    for (const p of protos) {
      expect(
        [...p].filter(([, v]) => v !== MARKER),
        sorted(p),
      ).toEqual([]);
      for (const ref of ns.relationshipTags('containedBy')) expect(p.has(ref.name), sorted(p)).toBe(false);
    }
  });

  it('a site has space and equip children; a point has none', () => {
    expect(ns.childrenFlattened(entity('site', 'site')).map(sorted)).toEqual(['space', 'equip']);
    expect(ns.childrenFlattened(entity('t', 'temp sensor point', { equipRef: 'e', siteRef: 's' }))).toEqual([]);
  });
});
