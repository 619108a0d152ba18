// queryGrid: a GET query string as the one-row request grid, its columns the parameters in order.

import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/core/codec/limits.js';
import { Grid } from '../../src/core/grid/grid.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { queryGrid } from '../../src/server/http/request-grid.js';

const limits = DEFAULT_LIMITS;

describe('queryGrid', () => {
  it('makes the grid Grid.fromDicts makes of the parameters, under any set of names met before', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['filter=site', { filter: 'site' }],
      ['filter=point&limit=20', { filter: 'point', limit: new Num(20) }],
      ['limit=20&filter=point', { limit: new Num(20), filter: 'point' }],
      ['id=@b-0010', { id: new Ref('b-0010') }],
      ['filter=his', { filter: 'his' }],
      ['navId=@a-0001', { navId: new Ref('a-0001') }],
    ];
    // Many name sets, past what is kept: columns made again are the same.
    const many = Array.from({ length: 100 }, (_, i): [string, Record<string, unknown>] => [
      `t${String(i)}=x&u=${String(i)}`,
      { [`t${String(i)}`]: 'x', u: new Num(i) },
    ]);
    for (const [query, tags] of [...cases, ...many, ...cases]) {
      const got = queryGrid(query, limits);
      const want = Grid.fromDicts([tags]);
      expect(got.colNames).toEqual(want.colNames);
      expect(got.cols.every((c) => c.meta.isEmpty && Object.isFrozen(c))).toBe(true);
      expect(got.size).toBe(1);
      expect(got.first?.equals(want.first ?? null)).toBe(true);
      expect(got.equals(want)).toBe(true);
    }
  });

  it('is the empty grid without parameters, and refuses a name given twice or not a tag name', () => {
    expect(queryGrid('', limits)).toBe(Grid.EMPTY);
    expect(queryGrid('x=N', limits)).toBe(Grid.EMPTY);
    expect(() => queryGrid('a=1&a=2', limits)).toThrow(/twice/);
    expect(() => queryGrid('A-b=1', limits)).toThrow(/not a tag name/);
  });
});
