// A grid written in pieces (head, runs of rows, tail) is byte for byte the text its codec writes for the whole grid,
// in every format that writes in pieces, on the shared datasets and at the edges (no rows, one row, empty runs).

import { describe, expect, it } from 'vitest';
import type { GridPieces } from '../../../src/core/codec/codec.js';
import { CODECS } from '../../../src/core/codec/media-types.js';
import { decodeZinc } from '../../../src/core/codec/zinc/index.js';
import { Dict } from '../../../src/core/grid/dict.js';
import { Grid } from '../../../src/core/grid/grid.js';
import { HDateTime } from '../../../src/core/kinds/date-time.js';
import { Num } from '../../../src/core/kinds/number.js';
import { Ref } from '../../../src/core/kinds/ref.js';
import { TimeZone } from '../../../src/core/tz/time-zone.js';
import { loadSharedText, sharedAvailable } from '../../support/shared.js';

const STREAMED = CODECS.filter((c) => c.pieces !== undefined);

// The grid's rows in runs of `per` (an empty run before each), as a chunked response hands them to the writer.
function inPieces(pieces: GridPieces, grid: Grid, per: number): string {
  let out = pieces.head(grid.meta, grid.cols);
  const rows = [...grid];
  let first = true;
  for (let i = 0; i < rows.length; i += per) {
    out += pieces.rows(Grid.fromTrustedParts(Dict.EMPTY, grid.cols, []), first);
    out += pieces.rows(Grid.fromTrustedParts(Dict.EMPTY, grid.cols, rows.slice(i, i + per)), first);
    first = false;
  }
  return out + pieces.tail;
}

function history(n: number): Grid {
  const tz = TimeZone.get('New_York');
  const cols = [
    { name: 'ts', meta: Dict.EMPTY },
    { name: 'v0', meta: Dict.of({ id: new Ref('a', 'Point A') }) },
    { name: 'v1', meta: Dict.of({ id: new Ref('b') }) },
  ];
  const rows = Array.from({ length: n }, (_, i) =>
    Dict.of({
      ts: HDateTime.fromEpochMs(Date.UTC(2024, 2, 10, 6) + i * 900_000, tz),
      ...(i % 3 === 0 ? {} : { v0: new Num(i / 4, 'kW') }),
      ...(i % 2 === 0 ? { v1: i % 5 === 0 ? `s,"${String(i)}"` : new Num(i) } : {}),
    }),
  );
  return Grid.fromTrustedParts(Dict.of({ hisStart: rows[0]?.get('ts') ?? null }), cols, rows);
}

describe('grids written in pieces', () => {
  it('every codec but Trio writes in pieces', () => {
    expect(STREAMED.map((c) => c.name).sort()).toEqual(['csv', 'json', 'json3', 'zinc']);
  });

  describe.each(STREAMED.map((c) => [c.name, c] as const))('%s', (_name, codec) => {
    const pieces = codec.pieces as GridPieces;

    it.each([0, 1, 2, 1000, 10_001])('a history of %i rows, in runs of 1, 3 and 1000 rows', (n) => {
      const grid = history(n);
      const whole = codec.encodeGrid(grid);
      for (const per of [1, 3, 1000]) expect(inPieces(pieces, grid, per)).toBe(whole);
    });

    it.each(['alpha', 'bravo'].filter((n) => sharedAvailable(`datasets/${n}/${n}.zinc`)))(
      'dataset %s, in runs of 1, 17 and all rows',
      (name) => {
        const grid = decodeZinc(loadSharedText(`datasets/${name}/${name}.zinc`)) as Grid;
        const whole = codec.encodeGrid(grid);
        for (const per of [1, 17, grid.size]) expect(inPieces(pieces, grid, per)).toBe(whole);
      },
    );
  });
});
