// The CSV codec of the registry (media-types.ts): write-only.

import { type Codec, type GridPieces, valToGrid } from '../codec.js';
import { encodeCsvHeader, encodeCsvRows } from './csv-writer.js';
import { encodeCsv } from './index.js';

/** CSV: `text/csv`, `.csv`; write-only, grids only, without meta. */
export const CSV_CODEC: Codec = Object.freeze<Codec>({
  name: 'csv',
  dis: 'CSV',
  mediaType: 'text/csv',
  contentType: 'text/csv; charset=utf-8',
  extensions: Object.freeze(['csv']),
  carriesMeta: false,
  encode: (v) => encodeCsv(valToGrid(v)),
  encodeGrid: (g) => encodeCsv(g),
  pieces: Object.freeze<GridPieces>({
    head: (_meta, cols) => encodeCsvHeader(cols),
    rows: (g) => encodeCsvRows(g),
    tail: '',
  }),
});
