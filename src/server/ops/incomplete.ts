// The `incomplete` grid meta of an answer cut short by a row limit (HttpApi, Incomplete Data).

import { Dict } from '../../core/grid/dict.js';
import { Grid } from '../../core/grid/grid.js';
import { Num } from '../../core/kinds/number.js';

/**
 * `grid` with `incomplete` in its meta, for an answer stopped at `limit` rows while more matched. HttpApi: "the value
 * of 'incomplete' must be a Dict" with `dis` (why, for the user) and `limit` (the threshold reached).
 */
export function withLimitIncomplete(grid: Grid, limit: number): Grid {
  const incomplete = Dict.of({
    dis: `More than ${String(limit)} rows matched; only ${String(limit)} are answered`,
    limit: new Num(limit),
  });
  return Grid.fromTrustedParts(grid.meta.merge({ incomplete }), grid.cols, grid.rowSource);
}
