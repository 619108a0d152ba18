// The shared Alpha and Bravo datasets decode from Zinc with every row, and survive a Zinc round trip.

import { describe, expect, it } from 'vitest';
import { decodeZinc, encodeZinc } from '../../../src/core/codec/zinc/index.js';
import { Grid, Ref } from '../../../src/core/index.js';
import { diffVals } from '../../support/hayson-compare.js';
import { loadSharedText, sharedAvailable } from '../../support/shared.js';

const DATASETS = [
  { name: 'alpha', rows: 2032, cols: 100, site: 'Alpha' },
  { name: 'bravo', rows: 1077, cols: 93, site: 'Bravo' },
] as const;

describe.each(DATASETS)('$name.zinc', ({ name, rows, cols, site }) => {
  const file = `datasets/${name}/${name}.zinc`;
  const have = sharedAvailable(file);

  it.skipIf(!have)(`decodes ${rows} rows and ${cols} columns`, () => {
    const g = decodeZinc(loadSharedText(file));
    expect(g).toBeInstanceOf(Grid);
    const grid = g as Grid;
    expect(grid.size).toBe(rows);
    expect(grid.cols).toHaveLength(cols);
    const siteRow = grid.rows.find((r) => r.has('site'));
    expect(siteRow?.get('dis')).toBe(site);
    expect(siteRow?.get('id')).toBeInstanceOf(Ref);
  });

  it.skipIf(!have)('re-encodes to Zinc that decodes to the same grid', () => {
    const grid = decodeZinc(loadSharedText(file)) as Grid;
    const again = decodeZinc(encodeZinc(grid)) as Grid;
    expect(again.equals(grid)).toBe(true);
    expect(diffVals(again, grid)).toBeUndefined();
  });
});
