// The stored form of an entity is the same whatever the tags come as: a grid's sparse rows, Dicts or Maps.

import { describe, expect, it } from 'vitest';
import { decodeZincGrid } from '../../src/core/codec/zinc/index.js';
import { type Dict, dict, type TagVal } from '../../src/core/grid/dict.js';
import { HDateTime } from '../../src/core/kinds/date-time.js';
import { MARKER, REMOVE } from '../../src/core/kinds/marker.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { storedEntity } from '../../src/storage/entity-tags.js';

const MOD = HDateTime.fromEpochMs(1_700_000_000_000);

function entries(d: Dict): [string, unknown][] {
  return [...d.entries()].map(([k, v]) => [k, v]);
}

describe('storedEntity', () => {
  it('puts id first with the dis as its display, mod last, and drops Remove, id and mod from the tags', () => {
    const g = decodeZincGrid(
      'ver:"3.0"\nsite,id,dis,mod,area,gone\nM,@s,"Site A",2020-01-01T00:00:00Z,12,\nM,@t,,,7,R\n,@u,"U",,,\n',
    );
    const [a, b, c] = g.rows.map((r, i) => storedEntity(`e${String(i)}`, r, MOD)) as [Dict, Dict, Dict];
    expect(entries(a)).toEqual([
      ['id', new Ref('e0', 'Site A')],
      ['site', MARKER],
      ['dis', 'Site A'],
      ['area', g.row(0).get('area')],
      ['mod', MOD],
    ]);
    expect((a.get('id') as Ref).dis).toBe('Site A');
    expect(entries(b).map(([k]) => k)).toEqual(['id', 'site', 'area', 'mod']);
    expect((b.get('id') as Ref).dis).toBeUndefined();
    expect(entries(c).map(([k]) => k)).toEqual(['id', 'dis', 'mod']);
  });

  it('gives rows laid out alike one shape, and the same entity from a row, a Dict or a Map', () => {
    const g = decodeZincGrid('ver:"3.0"\nid,dis,point,kind\n@p1,"One",M,"Number"\n@p2,"Two",M,"Bool"\n');
    const [p1, p2] = g.rows.map((r) => storedEntity((r.id as Ref).id, r, MOD));
    expect(p2?.shape).toBe(p1?.shape);
    const tags: [string, TagVal][] = [
      ['id', new Ref('p1')],
      ['dis', 'One'],
      ['point', MARKER],
      ['kind', 'Number'],
    ];
    for (const other of [
      storedEntity('p1', dict(Object.fromEntries(tags)), MOD),
      storedEntity('p1', new Map(tags), MOD),
    ]) {
      expect(entries(other)).toEqual(entries(p1 as Dict));
      expect(other.shape).toBe(p1?.shape);
    }
  });

  it('interns every value it keeps, the display of the id among them', () => {
    const seen: TagVal[] = [];
    const intern = (v: TagVal): TagVal => {
      seen.push(v);
      return typeof v === 'string' ? `${v}!` : v;
    };
    const row = decodeZincGrid('ver:"3.0"\nid,dis,kind,x\n@p,"P","Number",R\n').row(0);
    const d = storedEntity('p', row, MOD, intern);
    expect(d.get('dis')).toBe('P!');
    expect(d.get('kind')).toBe('Number!');
    expect((d.get('id') as Ref).dis).toBe('P!');
    expect(d.has('x')).toBe(false);
    expect(seen).not.toContain(REMOVE);
  });
});
