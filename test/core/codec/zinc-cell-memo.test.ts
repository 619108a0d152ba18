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
    const noCols = Grid.fromDicts([Dict.EMPTY, Dict.EMPTY]);
    expectSameBytes(noCols, memo);
    expect(Buffer.from(encodeZincGridMemo(noCols, memo)).toString('utf8')).toBe('ver:"3.0"\nempty\nN\nN\n');
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

  it('writes the right line when an entity is answered under changing columns, again and again', () => {
    const memo = new ZincCellMemo(64);
    const a = entity('a', { dis: 'A', site: MARKER, area: new Num(10, 'ft²') });
    const b = entity('b', { dis: 'B', equip: MARKER });
    const layouts = [
      ['id', 'dis', 'site', 'area', 'equip'],
      ['equip', 'area', 'id', 'dis', 'site'],
      ['id', 'dis', 'site', 'area', 'equip', 'extra'],
    ];
    for (let round = 0; round < 3; round++) {
      for (const cols of layouts) expectSameBytes(Grid.make({ cols, rows: [a, b, a] }), memo);
    }
    // A changed entity under a layout its old Dict was written in: the new Dict's line, not the old one.
    const a2 = a.set('dis', 'A2');
    expectSameBytes(Grid.make({ cols: layouts[0] as string[], rows: [a2, b] }), memo);
  });

  it('writes the right line when an entity is answered under two layouts in turn, and then a third', () => {
    const a = entity('a', { dis: 'A', site: MARKER, area: new Num(10, 'ft²') });
    const b = entity('b', { dis: 'B', equip: MARKER });
    const x = ['id', 'dis', 'site', 'area', 'equip'];
    const y = ['equip', 'area', 'id', 'dis', 'site'];
    const z = ['site', 'id', 'dis', 'area', 'equip', 'extra'];
    // A small bound: generations turn often, so lines kept in the old one are moved as well.
    for (const max of [2, 64]) {
      const memo = new ZincCellMemo(max);
      for (const cols of [x, y, x, y, z, y, x, z, z, x, y, x]) {
        expectSameBytes(Grid.make({ cols, rows: [a, b] }), memo);
        expectSameBytes(Grid.make({ cols, rows: [b, a, b] }), memo);
      }
    }
  });

  it('keeps rows without an id once they come again, and shows a changed one', () => {
    const memo = new ZincCellMemo(64);
    const rows = [Dict.of({ name: 'about', doc: 'Facts — about the server' }), Dict.of({ name: 'read', lib: MARKER })];
    const grid = Grid.make({ cols: ['name', 'doc', 'lib'], rows });
    for (let i = 0; i < 3; i++) expectSameBytes(grid, memo);
    const changed = Grid.make({
      cols: ['name', 'doc', 'lib'],
      rows: [rows[0]?.set('doc', 'Other') as Dict, rows[1] as Dict],
    });
    expectSameBytes(changed, memo);
  });

  it('tells apart column layouts whose names joined would read the same', () => {
    const memo = new ZincCellMemo(8);
    const a = entity('a', { x: MARKER });
    const col = (name: string) => ({ name, meta: Dict.EMPTY });
    // Trusted parts are not checked: a name holding a comma must not share the layout of two columns.
    const apart = Grid.fromTrustedParts(Dict.EMPTY, [col('id'), col('x')], [a]);
    const joined = Grid.fromTrustedParts(Dict.EMPTY, [col('id,x')], [a]);
    expectSameBytes(apart, memo);
    // Under the one column, the entity's tags have no column: refused, not written as under the two.
    expect(() => encodeZincGrid(joined)).toThrow(/has no column/);
    expect(() => encodeZincGridMemo(joined, memo)).toThrow(/has no column/);
    expectSameBytes(apart, memo);
  });

  it('writes grid and column meta under a layout first met without them, and the other way round', () => {
    const memo = new ZincCellMemo(8);
    const rows = [entity('a', { dis: 'A' }), entity('b', { dis: 'B', x: MARKER })];
    const bare = Grid.make({ cols: ['id', 'dis', 'x'], rows });
    const withMeta = [
      Grid.make({ meta: { foo: 'bar' }, cols: ['id', 'dis', 'x'], rows }),
      Grid.make({ cols: ['id', { name: 'dis', meta: { width: new Num(3) } }, 'x'], rows }),
      Grid.make({ meta: { ver: '3.0' }, cols: ['id', 'dis', 'x'], rows }),
      Grid.make({ cols: ['id', 'dis', 'x'], rows: [] }),
      Grid.make({ cols: [], rows: [] }),
    ];
    for (const g of withMeta) {
      expectSameBytes(bare, memo);
      expectSameBytes(g, memo);
    }
    expectSameBytes(bare, memo);
  });

  it('writes grids of more row shapes than it plans ahead', () => {
    const memo = new ZincCellMemo(4096);
    const rows = Array.from({ length: 1100 }, (_, i) => entity(`s${String(i)}`, { [`t${String(i)}`]: new Num(i) }));
    const grid = Grid.make({ cols: ['id'], rows, addMissingCols: true });
    for (let i = 0; i < 2; i++) expectSameBytes(grid, memo);
  });

  for (const name of ['alpha', 'bravo']) {
    const file = `datasets/${name}/${name}.zinc`;
    it.skipIf(!sharedAvailable(file))(`writes ${name}.zinc as encodeZincGrid does`, () => {
      expectSameBytes(decodeZincGrid(loadSharedText(file)), new ZincCellMemo(10_000));
    });
  }
});
