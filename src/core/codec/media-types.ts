// The codec registry: each format by name, media type and file extension, and HTTP content negotiation over them
// (the negotiation by format name is in negotiate.ts).

export { type FormatName, type MediaType, parseMediaType } from './negotiate.js';

import { ParseError } from '../errors.js';
import { Dict } from '../grid/dict.js';
import { Grid } from '../grid/grid.js';
import { kindOf, type Val } from '../kinds/kind.js';
import { encodeCsv } from './csv/index.js';
import { decodeJson, decodeJsonGridSteps, encodeJson } from './json/index.js';
import type { DecodeLimits } from './limits.js';
import { type FormatName, formatForAccept, formatForContentType } from './negotiate.js';
import type { DecodeSteps } from './steps.js';
import { decodeTrio, decodeTrioSteps, encodeTrio } from './trio/index.js';
import { decodeZinc, decodeZincGrid, encodeZinc } from './zinc/index.js';

/** One format: how it is named on the wire and on disk, and its reader and writer. */
export interface Codec {
  /** Short name, as `haystack convert --from/--to` takes it. */
  readonly name: FormatName;
  /** Display name. */
  readonly dis: string;
  /** The media type this format is sent as (without parameters other than a JSON version). */
  readonly mediaType: string;
  /** The Content-Type header value for a response or request body in this format. */
  readonly contentType: string;
  /** File extensions, without the dot (the first is the one to write). */
  readonly extensions: readonly string[];
  /** False for the formats that drop grid meta and column meta (Trio, CSV). */
  readonly carriesMeta: boolean;
  /** Decode text into a value (a Grid for Trio); absent for write-only formats (CSV). */
  readonly decode?: (text: string, limits?: Partial<DecodeLimits>) => Val;
  /** Decode text that must be a grid (ParseError otherwise); absent for write-only formats. */
  readonly decodeGrid?: (text: string, limits?: Partial<DecodeLimits>) => Grid;
  /**
   * Decode a grid in steps that pause after each `sliceChars` of text (see {@link DecodeSteps}), for a caller
   * that must not hold its thread for the whole text; absent where the format has no stepped reader.
   */
  readonly decodeGridSteps?: (text: string, limits: Partial<DecodeLimits>, sliceChars: number) => DecodeSteps<Grid>;
  /** Encode any value; grid-only formats (Trio, CSV) take a Dict as one row, a List of Dicts as rows, and anything else as a one-cell grid of column `val`. */
  readonly encode: (val: Val) => string;
  /** Encode a grid. */
  readonly encodeGrid: (grid: Grid) => string;
}

/**
 * A value as a grid, for formats that only hold grids: a Grid as is, a Dict as its one row, a List
 * of Dicts as rows, anything else as a one-row grid with one column `val` (as Haxall's Etc.toGrid).
 */
export function valToGrid(val: Val): Grid {
  if (val instanceof Grid) return val;
  if (val instanceof Dict) return Grid.fromDicts([val]);
  if (Array.isArray(val) && val.length > 0 && (val as readonly Val[]).every((v) => v instanceof Dict)) {
    return Grid.fromDicts(val as readonly Dict[]);
  }
  return Grid.make({ cols: ['val'], rows: val === null ? [] : [{ val }] });
}

function gridOf(format: string, decode: (text: string, limits?: Partial<DecodeLimits>) => Val) {
  return (text: string, limits?: Partial<DecodeLimits>): Grid => {
    const v = decode(text, limits);
    if (v instanceof Grid) return v;
    throw new ParseError(format, 1, 1, `expected a grid but found a ${kindOf(v)}`);
  };
}

const json4Decode = (t: string, limits?: Partial<DecodeLimits>): Val =>
  decodeJson(t, limits === undefined ? undefined : { limits });
const json3Decode = (t: string, limits?: Partial<DecodeLimits>): Val =>
  decodeJson(t, limits === undefined ? { version: 3 } : { version: 3, limits });

/** Every format, in order of preference when a client accepts several equally (Zinc first: the HTTP API's default). */
export const CODECS: readonly Codec[] = Object.freeze([
  Object.freeze<Codec>({
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
  }),
  Object.freeze<Codec>({
    name: 'json',
    dis: 'JSON',
    mediaType: 'application/json',
    contentType: 'application/json; charset=utf-8',
    extensions: Object.freeze(['json']),
    carriesMeta: true,
    decode: json4Decode,
    decodeGrid: gridOf('json', json4Decode),
    decodeGridSteps: (t, limits, slice) => decodeJsonGridSteps(t, limits, slice),
    encode: (v) => encodeJson(v),
    encodeGrid: (g) => encodeJson(g),
  }),
  Object.freeze<Codec>({
    name: 'json3',
    dis: 'JSON v3',
    mediaType: 'application/vnd.haystack+json;version=3',
    contentType: 'application/vnd.haystack+json; version=3; charset=utf-8',
    extensions: Object.freeze(['json']),
    carriesMeta: true,
    decode: json3Decode,
    decodeGrid: gridOf('json', json3Decode),
    encode: (v) => encodeJson(v, { version: 3 }),
    encodeGrid: (g) => encodeJson(g, { version: 3 }),
  }),
  Object.freeze<Codec>({
    name: 'trio',
    dis: 'Trio',
    mediaType: 'text/trio',
    contentType: 'text/trio; charset=utf-8',
    extensions: Object.freeze(['trio']),
    carriesMeta: false,
    decode: (t, limits) => decodeTrio(t, limits),
    decodeGrid: (t, limits) => decodeTrio(t, limits),
    decodeGridSteps: (t, limits, slice) => decodeTrioSteps(t, limits, slice),
    encode: (v) => encodeTrio(valToGrid(v)),
    encodeGrid: (g) => encodeTrio(g),
  }),
  Object.freeze<Codec>({
    name: 'csv',
    dis: 'CSV',
    mediaType: 'text/csv',
    contentType: 'text/csv; charset=utf-8',
    extensions: Object.freeze(['csv']),
    carriesMeta: false,
    encode: (v) => encodeCsv(valToGrid(v)),
    encodeGrid: (g) => encodeCsv(g),
  }),
]);

/** The codec with this name (`zinc`, `json`, `json3`, `trio`, `csv`), or undefined. */
export function codecByName(name: string): Codec | undefined {
  return CODECS.find((c) => c.name === name);
}

/** The codec for a file name or extension (`data.zinc`, `.trio`, `csv`; `.json` is v4), or undefined. */
export function codecForExtension(fileOrExt: string): Codec | undefined {
  const dot = fileOrExt.lastIndexOf('.');
  const slash = Math.max(fileOrExt.lastIndexOf('/'), fileOrExt.lastIndexOf('\\'));
  const ext = (dot > slash ? fileOrExt.slice(dot + 1) : fileOrExt).toLowerCase();
  return CODECS.find((c) => c.extensions.includes(ext));
}

/**
 * The codec for an HTTP `Accept` header (RFC 9110 proactive negotiation): each codec takes the
 * q-value of the most specific range that matches it; the highest q wins, then the more specific
 * match, then the range listed first, then Zinc, JSON, JSON v3, Trio, CSV in that order. An absent
 * or empty header, or `*\/*`, means Zinc (HttpApi). Undefined when nothing is acceptable (406).
 */
export function codecForAccept(accept: string | null | undefined): Codec | undefined {
  const name = formatForAccept(accept);
  return name === undefined ? undefined : codecByName(name);
}

/**
 * The codec for a request's `Content-Type` (`text/zinc; charset=utf-8`,
 * `application/vnd.haystack+json; version=3`, ...). Undefined for an unknown or wildcard type, or a
 * charset other than UTF-8 (HttpApi: all text is UTF-8), which a server answers with 415.
 */
export function codecForContentType(contentType: string | null | undefined): Codec | undefined {
  const name = formatForContentType(contentType);
  return name === undefined ? undefined : codecByName(name);
}
