// The memory store's entity table: ids to ordinals and back, ordinals reused, id order kept or made again.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dict } from '../../../src/core/grid/dict.js';
import { EntityTable } from '../../../src/storage/indexed/entity-table.js';

describe('EntityTable', () => {
  it('finds entities by id and ordinal, and gives a removed ordinal again', () => {
    const t = new EntityTable();
    const a = dict({ n: 1 });
    const oa = t.add('a', a, 1);
    const ob = t.add('b', dict({ n: 2 }), 1);
    expect(t.get('a')).toBe(a);
    expect(t.ordinalOf('b')).toBe(ob);
    expect(t.ordinalOf('c')).toBe(-1);
    t.update(oa, dict({ n: 3 }), 2);
    expect(t.versionAt(oa)).toBe(2);
    expect(t.get('a')?.get('n')).toEqual(dict({ n: 3 }).get('n'));
    t.remove(oa);
    expect(t.get('a')).toBeUndefined();
    expect(t.dictAt(oa)).toBeUndefined();
    expect(t.size).toBe(1);
    expect(t.add('c', dict({ n: 4 }), 3)).toBe(oa);
  });

  it('lists ordinals in id order under any adds and removes', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.stringMatching(/^[a-d]{1,3}$/)), { maxLength: 60 }), (ops) => {
        const t = new EntityTable();
        const model = new Set<string>();
        for (const [add, id] of ops) {
          if (add && !model.has(id)) {
            t.add(id, dict({ id }), 1);
            model.add(id);
          } else if (!add && model.has(id)) {
            t.remove(t.ordinalOf(id));
            model.delete(id);
          }
          const ids = t.sorted().map((o) => t.dictAt(o)?.get('id'));
          expect(ids).toEqual([...model].sort());
        }
      }),
    );
  });
});
