// Grid and GridBuilder: immutable meta/columns/rows, column validation, helpers (column, map, filter), iteration.

import { describe, expect, it } from 'vitest';
import { ValueError } from '../../../src/core/errors.js';
import { Dict, dict } from '../../../src/core/grid/dict.js';
import { Grid, GridBuilder, type GridCol, type RowSource } from '../../../src/core/grid/grid.js';
import { compare, equals, hash } from '../../../src/core/kinds/equality.js';
import { kindOf } from '../../../src/core/kinds/kind.js';
import { MARKER } from '../../../src/core/kinds/marker.js';
import { num } from '../../../src/core/kinds/number.js';
import { expectInvalid } from '../../support/errors.js';

function sample(): Grid {
  return new GridBuilder()
    .meta({ ver: '3.0', view: 'x' })
    .addCol('id', { dis: 'Id' })
    .addCol('area', { unit: 'ft²' })
    .addRow(['a', num(100, 'ft²')])
    .addRow(['b'])
    .addRow(['c', num(300, 'ft²')])
    .build();
}

describe('GridBuilder', () => {
  it('builds meta, columns with meta, and rows in order', () => {
    const g = sample();
    expect(g.kind).toBe('grid');
    expect(kindOf(g)).toBe('grid');
    expect(g.meta.get('view')).toBe('x');
    expect(g.colNames).toEqual(['id', 'area']);
    expect(g.col('area')?.meta.get('unit')).toBe('ft²');
    expect(g.size).toBe(3);
    expect(g.row(1).has('area')).toBe(false);
    expect(g.row(2).get('area')).toEqual(num(300, 'ft²'));
  });

  it('rejects duplicate and invalid column names', () => {
    expectInvalid(() => new GridBuilder().addCol('a').addCol('a'));
    for (const bad of ['', 'A', '1x', 'a-b', '__proto__']) expectInvalid(() => new GridBuilder().addCol(bad));
    expectInvalid(() => new GridBuilder().addCols(['a', 'b', 'a']));
  });

  it('rejects a row with more cells than columns, and treats missing cells as null', () => {
    expectInvalid(() => new GridBuilder().addCol('a').addRow(['x', 'y']));
    const g = new GridBuilder().addCols(['a', 'b']).addRow(['x']).addRow([null, undefined]).build();
    expect(g.row(0).names).toEqual(['a']);
    expect(g.row(1).isEmpty).toBe(true);
  });

  it('adds missing columns when rows come as dicts', () => {
    const g = new GridBuilder()
      .addCol('a')
      .addDict({ a: 1, b: 2 })
      .addDicts([{ c: MARKER }, dict({ a: 3 })])
      .build();
    expect(g.colNames).toEqual(['a', 'b', 'c']);
    expect(g.size).toBe(3);
  });

  it('produces grids that later builder use does not change', () => {
    const b = new GridBuilder().addCol('a').addRow(['x']);
    const g1 = b.build();
    b.addRow(['y']).addCol('b').meta({ m: MARKER });
    const g2 = b.build();
    expect(g1.size).toBe(1);
    expect(g1.colNames).toEqual(['a']);
    expect(g1.meta.isEmpty).toBe(true);
    expect(g2.size).toBe(2);
    expect(b.size).toBe(2);
  });

  it('merges meta calls', () => {
    const g = new GridBuilder().meta({ a: 1 }).meta({ b: 2, a: null }).build();
    expect(g.meta.names).toEqual(['b']);
  });
});

describe('Grid.make', () => {
  it('builds from meta, columns and rows', () => {
    const g = Grid.make({
      meta: { dis: 'G' },
      cols: ['a', { name: 'b', meta: { unit: 'kW' } }],
      rows: [{ a: 1 }, dict({ b: 2 })],
    });
    expect(g.meta.get('dis')).toBe('G');
    expect(g.cols.map((c) => c.name)).toEqual(['a', 'b']);
    expect(g.col('b')?.meta.get('unit')).toBe('kW');
    expect(g.col('a')?.meta.isEmpty).toBe(true);
    expect(g.size).toBe(2);
  });

  it('rejects a row tag without a column, unless asked to add it', () => {
    expectInvalid(() => Grid.make({ cols: ['a'], rows: [{ a: 1, b: 2 }] }));
    const g = Grid.make({ cols: ['a'], rows: [{ a: 1, b: 2 }], addMissingCols: true });
    expect(g.colNames).toEqual(['a', 'b']);
  });

  it('rejects duplicate and invalid columns', () => {
    expectInvalid(() => Grid.make({ cols: ['a', 'a'] }));
    expectInvalid(() => Grid.make({ cols: ['a', { name: 'a' }] }));
    expectInvalid(() => Grid.make({ cols: ['Bad'] }));
    expectInvalid(() => Grid.make({ cols: [{ name: 'a', meta: { 'bad name': 1 } }] }));
    expectInvalid(() => Grid.make({ cols: ['a'], rows: [{ Bad: 1 }] }));
  });
});

describe('Grid.fromDicts', () => {
  it('makes a column per tag in order of first appearance, null cells left out', () => {
    const g = Grid.fromDicts([{ id: 'a', x: 1 }, { y: MARKER, id: 'b' }, {}], { dis: 'rows' });
    expect(g.colNames).toEqual(['id', 'x', 'y']);
    expect(g.size).toBe(3);
    expect(g.row(2).isEmpty).toBe(true);
    expect(g.meta.get('dis')).toBe('rows');
    expect(Grid.fromDicts([]).colNames).toEqual([]);
    expect(Grid.fromDicts([{ a: null }]).colNames).toEqual([]);
  });
});

describe('Grid immutability', () => {
  it('freezes columns and rows, also of grids made from trusted parts and by filter or map', () => {
    const trusted = Grid.fromTrustedParts(dict({ a: 1 }), [{ name: 'a', meta: Dict.EMPTY }], [dict({ a: 1 })]);
    for (const g of [
      sample(),
      Grid.make({ cols: ['a'], rows: [{ a: 1 }] }),
      trusted,
      sample().filter(() => true),
      sample().map((r) => r),
    ]) {
      expect(Object.isFrozen(g.cols)).toBe(true);
      expect(Object.isFrozen(g.rows)).toBe(true);
      expect(Object.isFrozen(g.cols[0] as GridCol)).toBe(true);
      expect(() => (g.rows as Dict[]).push(Dict.EMPTY)).toThrow(TypeError);
      expect(() => (g.cols as GridCol[]).push({ name: 'x', meta: Dict.EMPTY })).toThrow(TypeError);
    }
  });

  it('column() gives a fresh array each time', () => {
    const g = sample();
    const c = g.column('id');
    c.push('z');
    expect(g.column('id')).toEqual(['a', 'b', 'c']);
  });
});

describe('Grid access and helpers', () => {
  it('gets rows by index and throws ValueError outside 0..size-1', () => {
    const g = sample();
    expect(g.row(0).get('id')).toBe('a');
    for (const i of [-1, 3, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => g.row(i)).toThrow(ValueError);
    expect(() => Grid.EMPTY.row(0)).toThrow(ValueError);
    expect(g.first?.get('id')).toBe('a');
    expect(Grid.EMPTY.first).toBeUndefined();
    expect(Grid.EMPTY.isEmpty).toBe(true);
  });

  it('iterates rows in order', () => {
    expect([...sample()].map((r) => r.get('id'))).toEqual(['a', 'b', 'c']);
    expect(sample().rows.map((r) => r.get('id'))).toEqual(['a', 'b', 'c']);
  });

  it('looks up columns and their values', () => {
    const g = sample();
    expect(g.hasCol('id')).toBe(true);
    expect(g.hasCol('nope')).toBe(false);
    expect(g.col('nope')).toBeUndefined();
    expect(g.hasCol('constructor')).toBe(false);
    expect(g.column('area')).toEqual([num(100, 'ft²'), null, num(300, 'ft²')]);
    expect(g.column('nope')).toEqual([null, null, null]);
  });

  it('map keeps meta and used columns (with their meta), drops unused ones, adds new ones', () => {
    const g = sample();
    const m = g.map((r, i) => ({ id: r.get('id'), idx: i }));
    expect(m.meta.equals(g.meta)).toBe(true);
    expect(m.colNames).toEqual(['id', 'idx']);
    expect(m.col('id')?.meta.get('dis')).toBe('Id');
    expect(m.column('idx')).toEqual([num(0), num(1), num(2)]);
    expect(g.colNames).toEqual(['id', 'area']);
    expect(g.map((r) => r).equals(g)).toBe(true);
  });

  it('filter keeps meta and columns and passes indexes', () => {
    const g = sample();
    const f = g.filter((r, i) => r.has('area') && i > 0);
    expect(f.size).toBe(1);
    expect(f.row(0).get('id')).toBe('c');
    expect(f.colNames).toEqual(g.colNames);
    expect(f.meta).toBe(g.meta);
    expect(g.size).toBe(3);
  });

  it('knows error grids', () => {
    expect(Grid.make({ meta: { err: MARKER, dis: 'boom' }, cols: ['empty'] }).isError).toBe(true);
    expect(sample().isError).toBe(false);
  });

  it('reads rows from a columnar row source only when asked', () => {
    let made = 0;
    const source: RowSource = {
      size: 1000,
      row(i: number): Dict {
        made++;
        return dict({ ts: num(i), v: num(i * 2) });
      },
    };
    const g = Grid.fromTrustedParts(
      Dict.EMPTY,
      Object.freeze([
        { name: 'ts', meta: Dict.EMPTY },
        { name: 'v', meta: Dict.EMPTY },
      ]),
      source,
    );
    expect(g.size).toBe(1000);
    expect(made).toBe(0);
    expect(g.row(999).get('v')).toEqual(num(1998));
    expect(made).toBe(1);
    expect(g.rowSource).toBe(source);
    expect(g.rows.length).toBe(1000);
  });

  it('writes a debug form', () => {
    expect(String(sample())).toBe('Grid(2 cols, 3 rows)');
  });
});

describe('Grid equality, order and hash', () => {
  it('equals by meta, columns (names, meta, order) and rows (order)', () => {
    expect(sample().equals(sample())).toBe(true);
    expect(hash(sample())).toBe(hash(sample()));
    expect(compare(sample(), sample())).toBe(0);
    const g = sample();
    expect(g.equals(g.filter(() => true))).toBe(true);
    expect(g.equals(g.filter((_, i) => i !== 1))).toBe(false);
    expect(g.equals(Grid.make({ meta: g.meta, cols: [...g.cols].reverse(), rows: g.rows }))).toBe(false);
    expect(g.equals(Grid.make({ meta: { ver: '3.0' }, cols: g.cols, rows: g.rows }))).toBe(false);
    expect(g.equals(Grid.make({ meta: g.meta, cols: ['id', 'area'], rows: g.rows }))).toBe(false);
    expect(g.equals(Grid.make({ meta: g.meta, cols: g.cols, rows: [...g.rows].reverse() }))).toBe(false);
    expect(equals(g, Grid.EMPTY)).toBe(false);
  });

  it('equals a grid with the same content from another source', () => {
    const g = sample();
    const copy = Grid.fromTrustedParts(g.meta, g.cols, { size: g.size, row: (i: number) => g.row(i) });
    expect(copy.equals(g)).toBe(true);
    expect(hash(copy)).toBe(hash(g));
  });
});
