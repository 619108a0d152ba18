// The Trio codec of the registry (media-types.ts).

import { type Codec, valToGrid } from '../codec.js';
import { decodeTrio, decodeTrioSteps, encodeTrio } from './index.js';

/** Trio: `text/trio`, `.trio`; grids only, without grid or column meta. */
export const TRIO_CODEC: Codec = Object.freeze<Codec>({
  name: 'trio',
  dis: 'Trio',
  mediaType: 'text/trio',
  contentType: 'text/trio; charset=utf-8',
  extensions: Object.freeze(['trio']),
  carriesMeta: false,
  decode: (t, limits) => decodeTrio(t, limits),
  decodeGrid: (t, limits) => decodeTrio(t, limits),
  decodeGridSteps: (t, limits, slice, maxRow) => decodeTrioSteps(t, limits, slice, maxRow),
  encode: (v) => encodeTrio(valToGrid(v)),
  encodeGrid: (g) => encodeTrio(g),
});
