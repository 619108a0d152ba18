// entityGrid lays out the columns of entity rows as Grid.make does (`id` first, then names as they first come),
// whether the path of row shapes was met before or not.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeZincGrid } from '../../src/core/codec/zinc/index.js';
import { Dict, DictShape } from '../../src/core/grid/dict.js';
import { Grid } from '../../src/core/grid/grid.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { entityGrid } from '../../src/server/ops/entity-grid.js';
import { arbDict } from '../support/arbitraries.js';

const byMake = (rows: readonly Dict[]): Grid => Grid.make({ cols: ['id'], rows, addMissingCols: true });

describe('entityGrid', () => {
  it('lays out columns as Grid.make does, for any rows, asked again and again', () => {
    fc.assert(
      fc.property(fc.array(arbDict(), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 12 }), (dicts, picks) => {
        const entities = dicts.map((d, i) => d.set('id', new Ref(`e${String(i)}`)));
        // Rows picked with repeats, so that shapes come back after others.
        const rows = entities.length === 0 ? [] : picks.map((p) => entities[p % entities.length] as Dict);
        for (let i = 0; i < 2; i++) {
          const got = entityGrid(rows);
          expect(got.colNames).toEqual(byMake(rows).colNames);
          expect(encodeZincGrid(got)).toBe(encodeZincGrid(byMake(rows)));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('lays out a row missing some of its shape names by its own names, and no rows as id alone', () => {
    const shape = DictShape.of(['id', 'dis', 'site', 'area']);
    const partial = Dict.fromShape(shape, [new Ref('p'), 'P', undefined, undefined]);
    const full = Dict.of({ id: new Ref('f'), equip: MARKER });
    for (const rows of [
      [partial, full],
      [full, partial],
    ]) {
      expect(entityGrid(rows).colNames).toEqual(byMake(rows).colNames);
    }
    expect(entityGrid([]).colNames).toEqual(['id']);
    expect(entityGrid([Dict.EMPTY, full]).colNames).toEqual(['id', 'equip']);
  });
});
