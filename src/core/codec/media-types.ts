// The codec registry: each format by name, media type and file extension, and HTTP content negotiation over them.

import { ParseError } from '../errors.js';
import { Dict } from '../grid/dict.js';
import { Grid } from '../grid/grid.js';
import { kindOf, type Val } from '../kinds/kind.js';
import { encodeCsv } from './csv/index.js';
import { decodeJson, decodeJsonGridSteps, encodeJson } from './json/index.js';
import type { DecodeLimits } from './limits.js';
import type { DecodeSteps } from './steps.js';
import { decodeTrio, decodeTrioSteps, encodeTrio } from './trio/index.js';
import { decodeZinc, decodeZincGrid, encodeZinc } from './zinc/index.js';

/** Name of a format: `zinc`, `json` (v4, Hayson), `json3`, `trio`, `csv`. */
export type FormatName = 'zinc' | 'json' | 'json3' | 'trio' | 'csv';

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

/** A parsed media type: lower-case type and subtype, parameters by lower-case name. */
export interface MediaType {
  /** e.g. `text`, `application`, `*`. */
  readonly type: string;
  /** e.g. `zinc`, `vnd.haystack+json`, `*`. */
  readonly subtype: string;
  /** Parameters (`charset`, `version`, `q`, ...), names lower-cased, quotes removed. */
  readonly params: ReadonlyMap<string, string>;
}

// RFC 9110: token = 1*tchar
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Parse `type/subtype; name=value; ...` (RFC 9110 media-type); undefined when malformed. */
export function parseMediaType(text: string): MediaType | undefined {
  const parts = text.split(';');
  const full = (parts[0] ?? '').trim().toLowerCase();
  const slash = full.indexOf('/');
  if (slash <= 0) return undefined;
  const type = full.slice(0, slash);
  const subtype = full.slice(slash + 1);
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) return undefined;
  const params = new Map<string, string>();
  for (let i = 1; i < parts.length; i++) {
    const p = (parts[i] ?? '').trim();
    if (p === '') continue;
    const eq = p.indexOf('=');
    if (eq <= 0) return undefined;
    let value = p.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    params.set(p.slice(0, eq).trim().toLowerCase(), value);
  }
  return { type, subtype, params };
}

// The media types each codec answers to; `version` narrows application/vnd.haystack+json (HttpApi: version=4 or
// none is v4, version=3 is v3).
interface Served {
  readonly type: string;
  readonly subtype: string;
  readonly version?: string;
}

const SERVED = new Map<FormatName, readonly Served[]>([
  ['zinc', [{ type: 'text', subtype: 'zinc' }]],
  [
    'json',
    [
      { type: 'application', subtype: 'json', version: '4' },
      { type: 'application', subtype: 'vnd.haystack+json', version: '4' },
    ],
  ],
  [
    'json3',
    [
      { type: 'application', subtype: 'vnd.haystack+json', version: '3' },
      { type: 'application', subtype: 'json', version: '3' },
    ],
  ],
  ['trio', [{ type: 'text', subtype: 'trio' }]],
  ['csv', [{ type: 'text', subtype: 'csv' }]],
]);

// How specifically `m` names codec `c`: -1 no match, 0 `*/*`, 1 `type/*`, 2 `type/subtype`, 3 with its version.
function specificity(c: Codec, m: MediaType): number {
  if (m.type === '*') return m.subtype === '*' ? 0 : -1;
  let best = -1;
  for (const s of SERVED.get(c.name) ?? []) {
    if (m.type !== s.type) continue;
    if (m.subtype === '*') best = Math.max(best, 1);
    else if (m.subtype === s.subtype) {
      const v = m.params.get('version');
      // Without a version, JSON means v4; v3 must be asked for by name.
      if (v === undefined) {
        if (s.version !== '3') best = Math.max(best, 2);
      } else if (s.version === undefined || v === s.version) best = Math.max(best, 3);
    }
  }
  return best;
}

/**
 * The codec for an HTTP `Accept` header (RFC 9110 proactive negotiation): each codec takes the
 * q-value of the most specific range that matches it; the highest q wins, then the more specific
 * match, then the range listed first, then Zinc, JSON, JSON v3, Trio, CSV in that order. An absent
 * or empty header, or `*\/*`, means Zinc (HttpApi). Undefined when nothing is acceptable (406).
 */
export function codecForAccept(accept: string | null | undefined): Codec | undefined {
  if (accept === undefined || accept === null || accept.trim() === '') return CODECS[0];
  const ranges: { m: MediaType; q: number }[] = [];
  for (const part of accept.split(',')) {
    if (part.trim() === '') continue;
    const m = parseMediaType(part);
    if (m === undefined) continue;
    const qs = m.params.get('q');
    const q = qs === undefined ? 1 : /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(qs) ? Number(qs) : Number.NaN;
    if (!Number.isNaN(q)) ranges.push({ m, q });
  }
  let best: Codec | undefined;
  let bestQ = 0;
  let bestSpec = -1;
  let bestIndex = 0;
  for (const c of CODECS) {
    let spec = -1;
    let q = 0;
    let index = 0;
    ranges.forEach((r, i) => {
      const s = specificity(c, r.m);
      if (s > spec) {
        spec = s;
        q = r.q;
        index = i;
      }
    });
    if (spec < 0 || q <= 0) continue;
    if (
      best === undefined ||
      q > bestQ ||
      (q === bestQ && (spec > bestSpec || (spec === bestSpec && index < bestIndex)))
    ) {
      best = c;
      bestQ = q;
      bestSpec = spec;
      bestIndex = index;
    }
  }
  return best;
}

/**
 * The codec for a request's `Content-Type` (`text/zinc; charset=utf-8`,
 * `application/vnd.haystack+json; version=3`, ...). Undefined for an unknown or wildcard type, or a
 * charset other than UTF-8 (HttpApi: all text is UTF-8), which a server answers with 415.
 */
export function codecForContentType(contentType: string | null | undefined): Codec | undefined {
  if (contentType === undefined || contentType === null) return undefined;
  const m = parseMediaType(contentType);
  if (m === undefined || m.type === '*' || m.subtype === '*') return undefined;
  const charset = m.params.get('charset')?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return undefined;
  let best: Codec | undefined;
  let bestSpec = 1;
  for (const c of CODECS) {
    const s = specificity(c, m);
    if (s > bestSpec) {
      best = c;
      bestSpec = s;
    }
  }
  return best;
}
