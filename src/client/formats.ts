// The wire formats the client speaks: Zinc, JSON v4 and JSON v3. Zinc (the default) is built in; the others load on
// first use, so that a browser app using Zinc does not carry the JSON and Trio readers (a bundler puts them in a
// chunk of their own).

import type { Codec } from '../core/codec/codec.js';
import { type FormatName, formatForContentType, parseMediaType } from '../core/codec/negotiate.js';
import { decodeZinc } from '../core/codec/zinc/zinc-reader.js';
import { encodeZincGridRows } from '../core/codec/zinc/zinc-value-writer.js';
import { HaystackError, OptionError } from '../core/errors.js';
import type { Val } from '../core/kinds/kind.js';

/** A format name the client can use for requests and responses. */
export type ClientFormat = 'zinc' | 'json' | 'json3';

/** What the client uses of a codec. */
export type ClientCodec = Pick<Codec, 'name' | 'mediaType' | 'contentType' | 'decode' | 'encodeGrid'>;

const CLIENT_FORMATS: readonly string[] = ['zinc', 'json', 'json3'];

const ZINC: ClientCodec = {
  name: 'zinc',
  mediaType: 'text/zinc',
  contentType: 'text/zinc; charset=utf-8',
  decode: (text) => decodeZinc(text),
  // Requests are small grids: the history fast path of encodeZinc would only add to the bundle.
  encodeGrid: (grid) => encodeZincGridRows(grid),
};

/** Throws for a name that is not a client format (JS callers can pass anything). */
export function checkClientFormat(name: ClientFormat): void {
  if (!CLIENT_FORMATS.includes(name)) {
    throw new OptionError('HS_ERR_OPTION_RANGE', 'format', `Client options: unknown format ${JSON.stringify(name)}`);
  }
}

/** The codec of a format: Zinc at once, the others imported on first use (each a chunk of its own in a bundle). */
export async function loadCodec(name: FormatName): Promise<ClientCodec> {
  if (name === 'zinc') return ZINC;
  const more = await import('./more-formats.js');
  switch (name) {
    case 'json':
      return more.JSON_CODEC;
    case 'json3':
      return more.JSON3_CODEC;
    case 'trio':
      return more.TRIO_CODEC;
    case 'csv':
      return more.CSV_CODEC;
  }
}

/**
 * Decode a response body by its Content-Type. HttpApi: Zinc is the default, so a missing or unknown type (some
 * servers send `text/plain`) is read as Zinc; a write-only format is an error. JSON may be v4 or v3 (see
 * {@link decodeJsonResponse}).
 */
export async function decodeResponse(text: string, contentType: string | null): Promise<Val> {
  const name = formatForContentType(contentType) ?? 'zinc';
  if (name === 'json')
    return (await import('./more-formats.js')).decodeJsonResponse(
      text,
      parseMediaType(contentType ?? '')?.params.has('version') === true,
    );
  const codec = await loadCodec(name);
  if (codec.decode === undefined) throw new HaystackError('HS_ERR_PARSE', `Cannot read a ${codec.mediaType} response`);
  return codec.decode(text);
}
