// The CSV codec of the registry (media-types.ts): write-only.

import { type Codec, valToGrid } from '../codec.js';
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
});
