// The grid formats the server speaks, from the codec registry: Accept picks the response's, Content-Type the request's.

import { encodeHaysonGridMemo, type HaysonRowMemo } from '../../core/codec/json/hayson-row-memo.js';
import {
  CODECS,
  type Codec,
  codecByName,
  parseMediaType,
  type ResponseType,
  codecForContentType as registryCodecForContentType,
  responseTypeForAccept,
} from '../../core/codec/media-types.js';
import type { ByteSink } from '../../core/codec/zinc/byte-sink.js';
import { encodeZincGridMemo, type ZincCellMemo } from '../../core/codec/zinc/zinc-cell-memo.js';
import { clipInput } from '../../core/echo-input.js';
import { HaystackError } from '../../core/errors.js';
import type { Grid } from '../../core/grid/grid.js';
import type { ServerFormat } from '../op.js';
import type { ResponseEncoding } from '../pipeline/dispatch-op.js';

/** A wire format with its codec (the registry's). */
export type WireCodec = Codec;

/** Zinc, the default of the HTTP API and the format of errors that other formats cannot carry. */
export const ZINC_CODEC: WireCodec = codecByName('zinc') as Codec;

/** JSON v4 (Hayson), the format most clients other than Haystack's own ask for. */
export const JSON_CODEC: WireCodec = codecByName('json') as Codec;

/** JSON v3, read from a body labelled plain `application/json` when its shape says v3. */
export const JSON3_CODEC = codecByName('json3') as WireCodec & Required<Pick<Codec, 'decodeGrid'>>;

/**
 * How a server's pipeline encodes a response in each codec: the codec itself, except Zinc and JSON v4 given their
 * memos, which then write whole grids as bytes with what they encoded of entities met before copied from the memo.
 */
export function responseEncodings(
  memo: ZincCellMemo | undefined,
  jsonMemo?: HaysonRowMemo,
): (codec: WireCodec) => ResponseEncoding {
  const zinc = memo === undefined ? ZINC_CODEC : zincMemoEncoding(memo);
  const json = jsonMemo === undefined ? JSON_CODEC : jsonMemoEncoding(jsonMemo);
  return (codec) => (codec === ZINC_CODEC ? zinc : codec === JSON_CODEC ? json : codec);
}

/**
 * JSON v4 written as bytes with `memo`: into a fresh array, or into `into` when given (then `transient`: the bytes
 * are valid until `into` is written again).
 */
export function jsonMemoEncoding(memo: HaysonRowMemo, into?: ByteSink): ResponseEncoding {
  return bytesEncoding(JSON_CODEC, (grid) => encodeHaysonGridMemo(grid, memo, into), into !== undefined);
}

/**
 * Zinc written as bytes with `memo`: into a fresh array, or into `into` when given (then `transient`: the bytes are
 * valid until `into` is written again).
 */
export function zincMemoEncoding(memo: ZincCellMemo, into?: ByteSink): ResponseEncoding {
  return bytesEncoding(ZINC_CODEC, (grid) => encodeZincGridMemo(grid, memo, into), into !== undefined);
}

// `codec` with whole response grids written by `encodeBytes` (into a lent buffer when `transient`).
function bytesEncoding(
  codec: WireCodec,
  encodeBytes: (grid: Grid) => Uint8Array,
  transient: boolean,
): ResponseEncoding {
  return Object.freeze<ResponseEncoding>({
    contentType: codec.contentType,
    encodeGrid: codec.encodeGrid,
    ...(codec.pieces === undefined ? {} : { pieces: codec.pieces }),
    encodeBytes,
    ...(transient ? { transient: true } : {}),
  });
}

/** Every format the server speaks, as the `formats` op reports them (JSON v3 apart from v4). */
export const SERVER_FORMATS: readonly ServerFormat[] = Object.freeze(
  CODECS.map((c) =>
    Object.freeze({
      name: c.name,
      mime: c.mediaType,
      dis: c.dis,
      fileExt: c.extensions[0] ?? c.name,
      receive: c.decodeGrid !== undefined,
      send: true,
    }),
  ),
);

/** One format per filetype (JSON v3 is the `json` filetype too), for the server's own lib. */
export const SERVER_FILETYPES: readonly ServerFormat[] = Object.freeze(
  SERVER_FORMATS.filter((f, i) => SERVER_FORMATS.findIndex((g) => g.fileExt === f.fileExt) === i),
);

// Accept headers met, with their response type: clients send the same few on every request. Bounded: cleared when
// full, and long headers are parsed each time.
const BY_ACCEPT = new Map<string, ResponseType>();
const MAX_ACCEPTS = 256;
const MAX_ACCEPT_KEPT = 256;

const ZINC_RESPONSE: ResponseType = Object.freeze({ codec: ZINC_CODEC, contentType: ZINC_CODEC.contentType });

/**
 * The codec and Content-Type of a response by the Accept header (HttpApi: Zinc when absent; the media type asked
 * for, such as `application/vnd.haystack+json`, when one was named); 406 when nothing is acceptable.
 */
export function negotiateResponse(accept: string | undefined): ResponseType {
  if (accept === undefined) return ZINC_RESPONSE;
  let t = BY_ACCEPT.get(accept);
  if (t !== undefined) return t;
  t = responseTypeForAccept(accept);
  if (t === undefined)
    throw new HaystackError('HS_ERR_NOT_ACCEPTABLE', `No supported format in Accept: ${clipInput(accept)}`);
  if (accept.length > MAX_ACCEPT_KEPT) return t;
  if (BY_ACCEPT.size >= MAX_ACCEPTS) BY_ACCEPT.clear();
  BY_ACCEPT.set(accept, t);
  return t;
}

/**
 * The codec that reads a request body of this Content-Type (`text/plain` in UTF-8 is Zinc); 415 when unsupported or
 * write-only (CSV).
 */
export function codecForContentType(contentType: string): WireCodec & Required<Pick<Codec, 'decodeGrid'>> {
  const c = registryCodecForContentType(contentType) ?? plainTextZinc(contentType);
  if (c?.decodeGrid === undefined) {
    throw new HaystackError('HS_ERR_UNSUPPORTED_MEDIA', `Unsupported Content-Type ${clipInput(contentType)}`);
  }
  return c as WireCodec & Required<Pick<Codec, 'decodeGrid'>>;
}

// haystack-java's HClient posts its Zinc as `text/plain; charset=utf-8`, and Zinc is the HttpApi's default format.
function plainTextZinc(contentType: string): WireCodec | undefined {
  const m = parseMediaType(contentType);
  if (m?.type !== 'text' || m.subtype !== 'plain') return undefined;
  const charset = m.params.get('charset')?.toLowerCase();
  return charset === undefined || charset === 'utf-8' || charset === 'utf8' ? ZINC_CODEC : undefined;
}
