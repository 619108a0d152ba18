// The wire formats the client speaks: Zinc, JSON v4 and JSON v3, taken from the core codec registry.

import { type Codec, codecByName, codecForContentType, parseMediaType } from '../core/codec/media-types.js';
import { HaystackError, OptionError } from '../core/errors.js';
import { Dict } from '../core/grid/dict.js';
import type { Val } from '../core/kinds/kind.js';

/** A format name the client can use for requests and responses. */
export type ClientFormat = 'zinc' | 'json' | 'json3';

const CLIENT_FORMATS: readonly string[] = ['zinc', 'json', 'json3'];

/** The codec of a client format; throws for a name that is not one (JS callers can pass anything). */
export function clientCodec(name: ClientFormat): Codec {
  const codec = CLIENT_FORMATS.includes(name) ? codecByName(name) : undefined;
  if (codec === undefined) {
    throw new OptionError('HS_ERR_OPTION_RANGE', 'format', `Client options: unknown format ${JSON.stringify(name)}`);
  }
  return codec;
}

/**
 * The codec that reads a response with this Content-Type. HttpApi: Zinc is the default, so a missing or
 * unknown type (some servers send `text/plain`) is read as Zinc; a write-only format is an error.
 */
export function responseCodec(contentType: string | null): Codec {
  const codec = codecForContentType(contentType) ?? clientCodec('zinc');
  if (codec.decode === undefined) throw new HaystackError('HS_ERR_PARSE', `Cannot read a ${codec.mediaType} response`);
  return codec;
}

// A JSON v3 grid read as v4 is a Dict of meta (with `ver`), cols and rows: Hayson grids carry `_kind: "grid"`.
function isJson3Grid(val: Val): boolean {
  if (!(val instanceof Dict)) return false;
  const meta = val.get('meta');
  return meta instanceof Dict && meta.has('ver') && Array.isArray(val.get('cols')) && Array.isArray(val.get('rows'));
}

/**
 * Decode a response body by its Content-Type (see {@link responseCodec}). Servers in the field label JSON v3
 * as plain `application/json` with no `version`; such a body is read as v4 or v3 by its shape (`meta.ver`
 * beside `cols` and `rows`, and no Hayson `_kind`, is v3).
 */
export function decodeResponse(text: string, contentType: string | null): Val {
  const codec = responseCodec(contentType);
  const val = codec.decode?.(text) ?? null;
  if (codec.name !== 'json' || !isJson3Grid(val)) return val;
  if (parseMediaType(contentType ?? '')?.params.has('version') === true) return val;
  return clientCodec('json3').decode?.(text) ?? null;
}
