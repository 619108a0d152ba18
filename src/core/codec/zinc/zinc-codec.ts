// The Zinc codec of the registry (media-types.ts).

import type { Codec, GridPieces } from '../codec.js';
import { decodeZinc, decodeZincGrid } from './zinc-reader.js';
import { encodeZinc, encodeZincHeader, encodeZincRows } from './zinc-writer.js';

/** Zinc: `text/zinc`, `.zinc`; the HTTP API's default. */
export const ZINC_CODEC: Codec = Object.freeze<Codec>({
  name: 'zinc',
  dis: 'Zinc',
  mediaType: 'text/zinc',
  contentType: 'text/zinc; charset=utf-8',
  extensions: Object.freeze(['zinc']),
  carriesMeta: true,
  decode: (t, limits) => decodeZinc(t, limits),
  decodeGrid: (t, limits) => decodeZincGrid(t, limits),
  encode: (v) => encodeZinc(v),
  encodeGrid: (g) => encodeZinc(g),
  pieces: Object.freeze<GridPieces>({ head: encodeZincHeader, rows: (g) => encodeZincRows(g, 0, g.size), tail: '' }),
});
