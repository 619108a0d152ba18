// The JSON codecs of the registry (media-types.ts): v4 (Hayson) and v3.

import type { Val } from '../../kinds/kind.js';
import { type Codec, type GridPieces, gridOf } from '../codec.js';
import type { DecodeLimits } from '../limits.js';
import { HAYSON_GRID_TAIL, writeHaysonGridHead, writeHaysonGridRows } from './hayson-writer.js';
import { decodeJson, decodeJson3GridSteps, decodeJsonGridSteps, encodeJson } from './index.js';
import { JSON3_GRID_TAIL, writeJson3GridHead, writeJson3GridRows } from './json3-writer.js';

const json4Decode = (t: string, limits?: Partial<DecodeLimits>): Val =>
  decodeJson(t, limits === undefined ? undefined : { limits });
const json3Decode = (t: string, limits?: Partial<DecodeLimits>): Val =>
  decodeJson(t, limits === undefined ? { version: 3 } : { version: 3, limits });

/** Haystack JSON v4 (Hayson): `application/json`, `.json`. */
export const JSON_CODEC: Codec = Object.freeze<Codec>({
  name: 'json',
  dis: 'JSON',
  mediaType: 'application/json',
  contentType: 'application/json; charset=utf-8',
  extensions: Object.freeze(['json']),
  carriesMeta: true,
  decode: json4Decode,
  decodeGrid: gridOf('json', json4Decode),
  decodeGridSteps: (t, limits, slice, maxRow) => decodeJsonGridSteps(t, limits, slice, maxRow),
  encode: (v) => encodeJson(v),
  encodeGrid: (g) => encodeJson(g),
  pieces: Object.freeze<GridPieces>({ head: writeHaysonGridHead, rows: writeHaysonGridRows, tail: HAYSON_GRID_TAIL }),
});

/** Haystack JSON v3: `application/vnd.haystack+json;version=3`. */
export const JSON3_CODEC: Codec = Object.freeze<Codec>({
  name: 'json3',
  dis: 'JSON v3',
  mediaType: 'application/vnd.haystack+json;version=3',
  contentType: 'application/vnd.haystack+json; version=3; charset=utf-8',
  extensions: Object.freeze(['json']),
  carriesMeta: true,
  decode: json3Decode,
  decodeGrid: gridOf('json', json3Decode),
  decodeGridSteps: (t, limits, slice, maxRow) => decodeJson3GridSteps(t, limits, slice, maxRow),
  encode: (v) => encodeJson(v, { version: 3 }),
  encodeGrid: (g) => encodeJson(g, { version: 3 }),
  pieces: Object.freeze<GridPieces>({ head: writeJson3GridHead, rows: writeJson3GridRows, tail: JSON3_GRID_TAIL }),
});
