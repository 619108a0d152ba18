// Hayson answers written with the row memo are byte for byte encodeJson's text, whether rows are met for the first
// time or again, and the memo keeps entities and repeated rows, within its bound.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeHaysonGridMemo, HaysonRowMemo } from '../../../src/core/codec/json/hayson-row-memo.js';
import { HisColumnsBuilder } from '../../../src/core/codec/zinc/index.js';
import { Dict, encodeJson, Grid, MARKER, Num, Ref, TimeZone } from '../../../src/core/index.js';
import { arbDict } from '../../support/arbitraries.js';

const utf8 = new TextDecoder();

describe('encodeHaysonGridMemo', () => {
  it('writes the text of encodeJson for any rows, asked again and again, with and without ids', () => {
    fc.assert(
      fc.property(fc.array(arbDict(), { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 10 }), (dicts, picks) => {
        // Half of them entities: rows with an id are kept at once, others once met again.
        const rows = dicts.map((d, i) => (i % 2 === 0 ? d.set('id', new Ref(`e${String(i)}`)) : d));
        const picked = rows.length === 0 ? [] : picks.map((p) => rows[p % rows.length] as Dict);
        const grid = Grid.make({ cols: [], rows: picked, addMissingCols: true });
        const memo = new HaysonRowMemo(3);
        for (let round = 0; round < 3; round++)
          expect(utf8.decode(encodeHaysonGridMemo(grid, memo))).toBe(encodeJson(grid));
      }),
      { numRuns: 300 },
    );
  });

  it('writes a columnar history and an empty grid as encodeJson does', () => {
    const b = new HisColumnsBuilder(TimeZone.get('New_York'));
    for (let i = 0; i < 5; i++) b.addNum(Date.UTC(2024, 2, 10, 6, 58 + i), 0, i / 4, 'kW');
    const his = Grid.fromTrustedParts(
      Dict.of({ id: new Ref('p') }),
      Grid.make({ cols: ['ts', 'val'] }).cols,
      b.build(),
    );
    const memo = new HaysonRowMemo(8);
    expect(utf8.decode(encodeHaysonGridMemo(his, memo))).toBe(encodeJson(his));
    const empty = Grid.make({ cols: ['id'] });
    expect(utf8.decode(encodeHaysonGridMemo(empty, memo))).toBe(encodeJson(empty));
  });
});

describe('HaysonRowMemo', () => {
  const entity = (i: number): Dict => Dict.of({ id: new Ref(`e${String(i)}`), dis: `E ${String(i)}`, point: MARKER });

  it('keeps an entity at once, and a row without an id from its second time', () => {
    const memo = new HaysonRowMemo(8);
    const e = entity(1);
    expect(memo.row(e)).toBe(memo.row(e));
    const op = Dict.of({ name: 'read', doc: 'Read', n: new Num(1) });
    const first = memo.row(op);
    const second = memo.row(op);
    expect(second).not.toBe(first);
    expect(memo.row(op)).toBe(second);
  });

  it('lets go of rows not used for two turns of its bound', () => {
    const memo = new HaysonRowMemo(2);
    const es = Array.from({ length: 6 }, (_, i) => entity(i));
    const first = es.map((e) => memo.row(e));
    // e0 and e1 went out with the turns after them; the last two are in the young generation.
    expect(memo.row(es[0] as Dict)).not.toBe(first[0]);
    expect(memo.row(es[5] as Dict)).toBe(first[5]);
  });
});
