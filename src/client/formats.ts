// The wire formats the client speaks: Zinc, JSON v4 and JSON v3, taken from the core codec registry.

import { type Codec, codecByName, codecForContentType } from '../core/codec/media-types.js';
import { HaystackError } from '../core/errors.js';

/** A format name the client can use for requests and responses. */
export type ClientFormat = 'zinc' | 'json' | 'json3';

const CLIENT_FORMATS: readonly string[] = ['zinc', 'json', 'json3'];

/** The codec of a client format; throws for a name that is not one (JS callers can pass anything). */
export function clientCodec(name: ClientFormat): Codec {
  const codec = CLIENT_FORMATS.includes(name) ? codecByName(name) : undefined;
  if (codec === undefined)
    throw new HaystackError('HS_ERR_BAD_REQUEST', `Unknown client format ${JSON.stringify(name)}`);
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
