// encodeZincGridMemo writes the bytes encodeZincGrid's text has, whether an entity's cells are kept or not.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeZincGrid, encodeZincGrid } from '../../../src/core/codec/zinc/index.js';
import { encodeZincGridMemo, ZincCellMemo } from '../../../src/core/codec/zinc/zinc-cell-memo.js';
import { Dict } from '../../../src/core/grid/dict.js';
import { Grid } from '../../../src/core/grid/grid.js';
import { MARKER } from '../../../src/core/kinds/marker.js';
import { Num } from '../../../src/core/kinds/number.js';
import { Ref } from '../../../src/core/kinds/ref.js';
import { arbDict, arbGrid } from '../../support/arbitraries.js';
import { loadSharedText, sharedAvailable } from '../../support/shared.js';

// Twice: the first time cells are encoded and kept, the second time they are copied.
function expectSameBytes(grid: Grid, memo: ZincCellMemo): void {
  const text = encodeZincGrid(grid);
  const want = Buffer.from(text, 'utf8');
  for (let i = 0; i < 2; i++) {
    const got = Buffer.from(encodeZincGridMemo(grid, memo));
    // Compared as text first for a readable difference, then byte for byte.
    if (!got.equals(want)) expect(got.toString('utf8')).toBe(text);
    expect(got.equals(want)).toBe(true);
  }
}

const entity = (id: string, tags: Record<string, unknown>): Dict => Dict.of({ id: new Ref(id), ...tags });

describe('encodeZincGridMemo', () => {
  it('writes the same bytes as encodeZincGrid for random grids', () => {
    const memo = new ZincCellMemo(64);
    fc.assert(
      fc.property(arbGrid(), (grid) => {
        expectSameBytes(grid, memo);
      }),
      { numRuns: 200 },
    );
  });

  it('writes the same bytes for random entities, sparse and in any column order', () => {
    const memo = new ZincCellMemo(64);
    fc.assert(
      fc.property(fc.array(arbDict(), { maxLength: 8 }), fc.boolean(), (dicts, reversed) => {
        const rows = dicts.map((d, i) => d.set('id', new Ref(`e-${String(i)}`)));
        const grid = Grid.make({ cols: ['id'], rows, addMissingCols: true });
        expectSameBytes(grid, memo);
        // The same entities under other columns: kept cells land in other places.
        const cols = reversed ? [...grid.colNames].reverse() : [...grid.colNames, 'extra'];
        expectSameBytes(Grid.make({ cols, rows }), memo);
      }),
      { numRuns: 200 },
    );
  });

  it('writes null rows as commas, and N in a one-column grid', () => {
    const memo = new ZincCellMemo(8);
    const a = entity('a', {});
    expectSameBytes(Grid.make({ cols: ['id'], rows: [a, Dict.EMPTY, a] }), memo);
    expectSameBytes(Grid.make({ cols: ['x', 'y', 'id'], rows: [Dict.EMPTY, a] }), memo);
    expectSameBytes(Grid.make({ cols: [], rows: [] }), memo);
  });

  it('rejects a row tag that has no column, as encodeZincGrid does', () => {
    const memo = new ZincCellMemo(8);
    const row = entity('a', { site: MARKER });
    const grid = Grid.fromTrustedParts(Dict.EMPTY, [{ name: 'id', meta: Dict.EMPTY }], [row]);
    expect(() => encodeZincGrid(grid)).toThrow(/site has no column/);
    expect(() => encodeZincGridMemo(grid, memo)).toThrow(/site has no column/);
  });

  it('shows a changed entity: a changed entity is a new Dict', () => {
    const memo = new ZincCellMemo(8);
    const before = entity('p', { curVal: new Num(1, '°F') });
    const after = before.set('curVal', new Num(2, '°F'));
    const text = (d: Dict): string =>
      new TextDecoder().decode(encodeZincGridMemo(Grid.make({ cols: ['id', 'curVal'], rows: [d] }), memo));
    expect(text(before)).toContain('1°F');
    expect(text(after)).toContain('2°F');
    expect(text(before)).toContain('1°F');
  });

  it('keeps writing the right bytes past its bound (entries let go are encoded again)', () => {
    const memo = new ZincCellMemo(3);
    const rows = Array.from({ length: 20 }, (_, i) =>
      entity(`r${String(i)}`, { n: new Num(i), dis: `Row ${String(i)}` }),
    );
    const grid = Grid.make({ cols: ['id'], rows, addMissingCols: true });
    for (let i = 0; i < 3; i++) expectSameBytes(grid, memo);
    expectSameBytes(Grid.make({ cols: ['id', 'n', 'dis'], rows: rows.slice(5, 9) }), memo);
  });

  it('writes large entities right, kept in arrays of their own or not kept at all', () => {
    const memo = new ZincCellMemo(100);
    const rows = [20_000, 70_000].map((n, i) => entity(`big${String(i)}`, { dis: 'x°'.repeat(n / 2), site: MARKER }));
    expectSameBytes(Grid.make({ cols: ['id'], rows, addMissingCols: true }), memo);
  });

  for (const name of ['alpha', 'bravo']) {
    const file = `datasets/${name}/${name}.zinc`;
    it.skipIf(!sharedAvailable(file))(`writes ${name}.zinc as encodeZincGrid does`, () => {
      expectSameBytes(decodeZincGrid(loadSharedText(file)), new ZincCellMemo(10_000));
    });
  }
});
