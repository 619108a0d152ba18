// The grid formats the server speaks on the wire, chosen by Accept (responses) and Content-Type (requests).

import { decodeJson, encodeJson } from '../../core/codec/json/index.js';
import type { DecodeLimits } from '../../core/codec/limits.js';
import { decodeZinc, encodeZinc } from '../../core/codec/zinc/index.js';
import { HaystackError } from '../../core/errors.js';
import type { Grid } from '../../core/grid/grid.js';
import type { Val } from '../../core/kinds/kind.js';
import type { ServerFormat } from '../op.js';

/** One wire format with its codec. */
export interface WireCodec {
  /** What `formats` and `filetypes` report. */
  readonly format: ServerFormat;
  /** Content-Type of responses in this format. */
  readonly contentType: string;
  /** False for formats that drop grid meta (Trio, CSV): error grids are then sent as Zinc. */
  readonly carriesMeta: boolean;
  /** Encode a response grid. */
  encode(grid: Grid): string;
  /** Decode a request body. */
  decode(text: string, limits: DecodeLimits): Val;
}

const fmt = (name: string, mime: string, dis: string, fileExt: string): ServerFormat =>
  Object.freeze({ name, mime, dis, fileExt, receive: true, send: true });

/** Zinc, the default of the HTTP API. */
export const ZINC_CODEC: WireCodec = {
  format: fmt('zinc', 'text/zinc', 'Zinc', 'zinc'),
  contentType: 'text/zinc; charset=utf-8',
  carriesMeta: true,
  encode: (g) => encodeZinc(g),
  decode: (t, limits) => decodeZinc(t, limits),
};

const JSON4_CODEC: WireCodec = {
  format: fmt('json', 'application/json', 'JSON', 'json'),
  contentType: 'application/json; charset=utf-8',
  carriesMeta: true,
  encode: (g) => encodeJson(g),
  decode: (t, limits) => decodeJson(t, { limits }),
};

const JSON3_CODEC: WireCodec = {
  format: fmt('json', 'application/vnd.haystack+json;version=3', 'JSON v3', 'json'),
  contentType: 'application/vnd.haystack+json; version=3; charset=utf-8',
  carriesMeta: true,
  encode: (g) => encodeJson(g, { version: 3 }),
  decode: (t, limits) => decodeJson(t, { version: 3, limits }),
};

/** The formats reported by `formats` and declared by the server's own lib (one per filetype). */
export const SERVER_FORMATS: readonly ServerFormat[] = Object.freeze([ZINC_CODEC.format, JSON4_CODEC.format]);

// PROVISIONAL until src/core/codec/media-types.ts lands: exact media types, parameters other than version ignored.
function byMediaType(value: string): WireCodec | undefined {
  const [type = '', ...params] = value.split(';').map((s) => s.trim().toLowerCase());
  const version = params.find((p) => p.startsWith('version='))?.slice(8);
  switch (type) {
    case 'text/zinc':
    case '*/*':
    case 'text/*':
      return ZINC_CODEC;
    case 'application/json':
      return JSON4_CODEC;
    case 'application/vnd.haystack+json':
      return version === '3' ? JSON3_CODEC : JSON4_CODEC;
    default:
      return undefined;
  }
}

/** The codec for a response: the first acceptable format of the Accept header (Zinc when absent). 406 when none. */
export function negotiateResponse(accept: string | undefined): WireCodec {
  if (accept === undefined || accept.trim() === '') return ZINC_CODEC;
  for (const part of accept.split(',')) {
    const c = byMediaType(part);
    if (c !== undefined) return c;
  }
  throw new HaystackError('HS_ERR_NOT_ACCEPTABLE', `No supported format in Accept: ${accept}`);
}

/** The codec for a request body of this Content-Type. 415 when unsupported. */
export function codecForContentType(contentType: string): WireCodec {
  const c = byMediaType(contentType);
  if (c === undefined || contentType.trim().startsWith('*')) {
    throw new HaystackError('HS_ERR_UNSUPPORTED_MEDIA', `Unsupported Content-Type ${contentType}`);
  }
  return c;
}
