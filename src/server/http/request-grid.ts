// The request grid of a call: GET query parameters as one row of Zinc values, or a POST body in its Content-Type.

import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { DecodeLimits } from '../../core/codec/limits.js';
import { parseMediaType } from '../../core/codec/negotiate.js';
import type { DecodeSteps } from '../../core/codec/steps.js';
import { decodeZincValue } from '../../core/codec/zinc/zinc-reader.js';
import { decodeZincStream } from '../../core/codec/zinc/zinc-stream.js';
import { clipInput, echoInput } from '../../core/echo-input.js';
import { HaystackError, ParseError } from '../../core/errors.js';
import type { TagVal } from '../../core/grid/dict.js';
import { Dict } from '../../core/grid/dict.js';
import { Grid, type GridCol } from '../../core/grid/grid.js';
import { isTagName } from '../../core/grid/tag-name.js';
import type { Val } from '../../core/kinds/kind.js';
import { type DecodeEvent, decodeChannel } from '../events.js';
import { type ReadBodyOptions, readBody } from './read-body.js';
import { codecForContentType, JSON3_CODEC, type WireCodec } from './wire.js';

function badArg(message: string): HaystackError {
  return new HaystackError('HS_ERR_BAD_REQUEST', message);
}

// HttpApi, GET Requests: a tag value must be Zinc encoded, otherwise it is taken as a Str.
function queryValue(text: string, limits: DecodeLimits): Val {
  // No Zinc value starts with a lower-case letter (keywords are T, F, N, M, R, NA, NaN, INF), so filters such as
  // `site` or `point and his` are Strs without the cost of a failed parse.
  const c = text.charCodeAt(0);
  if (c >= 97 && c <= 122) return text;
  try {
    return decodeZincValue(text, { limits });
  } catch (err) {
    if (err instanceof HaystackError && err.code === 'HS_ERR_LIMIT') throw err;
    return text;
  }
}

/** The one-row grid of a GET query string (an empty grid when there are no parameters). */
export function queryGrid(query: string, limits: DecodeLimits): Grid {
  if (query === '') return Grid.EMPTY;
  const tags = new Map<string, TagVal>();
  for (const [name, text] of new URLSearchParams(query)) {
    if (!isTagName(name)) throw badArg(`Query parameter ${echoInput(name)} is not a tag name`);
    if (tags.has(name)) throw badArg(`Query parameter ${clipInput(name)} is given twice`);
    const v = queryValue(text, limits);
    if (v !== null) tags.set(name, v);
  }
  if (tags.size === 0) return Grid.EMPTY;
  return Grid.fromTrustedParts(Dict.EMPTY, queryCols(tags), [Dict.fromTrustedMap(tags)]);
}

// The columns of a query's grid by its parameter names (checked tag names, each once), kept: requests come with a
// few sets of names (`filter`, `filter` and `limit`, `id`, `navId`), and making them was a fifth of this grid.
const QUERY_COLS = new Map<string, readonly GridCol[]>();
const MAX_QUERY_COLS = 64;

function queryCols(tags: ReadonlyMap<string, TagVal>): readonly GridCol[] {
  let key = '';
  for (const name of tags.keys()) key += key === '' ? name : `,${name}`;
  let cols = QUERY_COLS.get(key);
  if (cols === undefined) {
    cols = Object.freeze([...tags.keys()].map((name) => Object.freeze({ name, meta: Dict.EMPTY })));
    if (QUERY_COLS.size >= MAX_QUERY_COLS) QUERY_COLS.clear();
    QUERY_COLS.set(key, cols);
  }
  return cols;
}

/** Chars of a large request (body or WebSocket message) decoded between two yields to the event loop. */
export const SLICE = 256 * 1024;

/** The body as text; bytes that are not UTF-8 are a 400, never silently replaced (HttpApi: text is UTF-8). */
function utf8Text(body: Buffer): string {
  // isUtf8 validates without decoding (a fatal TextDecoder is many times slower on large bodies).
  if (!isUtf8(body)) throw new HaystackError('HS_ERR_PARSE', 'Request body is not valid UTF-8');
  return body.toString('utf8');
}

async function* slices(text: string, sliced: () => void): AsyncGenerator<string, void, undefined> {
  for (let i = 0; i < text.length; i += SLICE) {
    yield text.slice(i, i + SLICE);
    sliced();
    await yieldToLoop();
  }
}

/**
 * A large body decoded a slice at a time, yielding to the event loop between slices so that other requests are
 * served meanwhile; the decoders enforce their limits inside the loop, so a body past a limit stops there. A row
 * is decoded in one step: one longer than `maxRowChars` is refused before it is decoded whole.
 */
async function decodeInSlices(
  codec: WireCodec,
  text: string,
  limits: DecodeLimits,
  maxRowChars: number,
): Promise<Grid | undefined> {
  const steps = codec.decodeGridSteps;
  if (codec.name !== 'zinc' && steps === undefined) return undefined;
  if (steps !== undefined) return decodeStepwise(steps(text, limits, SLICE, maxRowChars), codec.name, text.length);
  let count = 0;
  const sliced = (): void => {
    publishDecode(codec.name, text.length, ++count, false);
  };
  try {
    return await decodeZincStream(slices(text, sliced), { limits, maxRowLength: maxRowChars });
  } finally {
    publishDecode(codec.name, text.length, count, true);
  }
}

function publishDecode(format: string, length: number, slices: number, done: boolean): void {
  if (decodeChannel.hasSubscribers) decodeChannel.publish({ format, length, slices, done } satisfies DecodeEvent);
}

/**
 * Run a stepped decode of `length` chars of `format`, yielding to the event loop between its steps so that other
 * requests are served meanwhile, its progress published on `haystack:server:decode`.
 */
export async function decodeStepwise<T>(steps: DecodeSteps<T>, format: string, length: number): Promise<T> {
  let count = 0;
  try {
    for (let r = steps.next(); ; r = steps.next()) {
      if (r.done === true) return r.value;
      publishDecode(format, length, ++count, false);
      await yieldToLoop();
    }
  } finally {
    publishDecode(format, length, count, true);
  }
}

/** How {@link bodyGrid} reads and admits a body, besides the decode limits. */
export interface BodyGridOptions {
  /** Longest row in characters (Trio record, JSON grid meta or cols); a longer one is a 400. Default: no limit. */
  readonly maxRowChars?: number;
  /** How the bytes are read (idle timeout, a shared byte budget). */
  readonly read?: ReadBodyOptions;
  /** Runs the decoding of the body once it has fully arrived (a gate that bounds concurrent decodes). */
  readonly admit?: <T>(decode: () => Promise<T>) => Promise<T>;
}

/**
 * The grid of a POST body, decoded by its Content-Type within the limits; an empty body is an empty grid. A
 * large Zinc, JSON or Trio body is decoded a slice at a time, yielding to the event loop between slices, so that
 * other requests are served while it is read; a row (Trio record, JSON grid meta or cols) longer than
 * `maxRowChars` is refused (400, HS_ERR_LIMIT).
 */
export async function bodyGrid(
  req: IncomingMessage,
  limits: DecodeLimits,
  options: BodyGridOptions = {},
): Promise<Grid> {
  // RFC 9110 8.4: content in a coding the server does not apply is refused (415), unread; read as it stands, a gzip
  // body would fail as text that is not UTF-8, and one mislabelled would be taken for what the label denies.
  const coding = req.headers['content-encoding']?.trim().toLowerCase();
  if (coding !== undefined && coding !== '' && coding !== 'identity') {
    throw new HaystackError('HS_ERR_UNSUPPORTED_MEDIA', `Unsupported Content-Encoding ${clipInput(coding)}`);
  }
  const body = await readBody(req, limits.maxLength, options.read);
  if (body.length === 0) return Grid.EMPTY;
  const contentType = req.headers['content-type'];
  // HttpApi: 400 when the client leaves out a required header such as Content-Type.
  if (contentType === undefined || contentType === '') throw badArg('A request body needs a Content-Type');
  const codec = codecForContentType(contentType);
  const maxRowChars = options.maxRowChars ?? Number.POSITIVE_INFINITY;
  const decode = (): Promise<Grid> => decodeText(codec, contentType, utf8Text(body), limits, maxRowChars);
  return options.admit === undefined ? decode() : options.admit(decode);
}

async function decodeText(
  codec: ReturnType<typeof codecForContentType>,
  contentType: string,
  text: string,
  limits: DecodeLimits,
  maxRowChars: number,
): Promise<Grid> {
  try {
    return await decodeBody(codec, text, limits, maxRowChars);
  } catch (err) {
    // Clients of Haystack 3 post JSON v3 as plain `application/json`; only once v4 fails is the shape looked at.
    if (codec.name !== 'json' || !(err instanceof ParseError) || !isUnlabelledJson3(contentType, text)) throw err;
    return decodeBody(JSON3_CODEC, text, limits, maxRowChars);
  }
}

async function decodeBody(
  codec: ReturnType<typeof codecForContentType>,
  text: string,
  limits: DecodeLimits,
  maxRowChars: number,
): Promise<Grid> {
  // Any body that may hold a row longer than allowed goes through the stepped readers, which check rows.
  if (text.length > Math.min(SLICE, maxRowChars)) {
    const grid = await decodeInSlices(codec, text, limits, maxRowChars);
    if (grid !== undefined) return grid;
  }
  return codec.decodeGrid(text, limits);
}

// JSON with no `version` in its type, shaped as a v3 grid: `meta.ver` beside `cols` and `rows`, no Hayson `_kind`
// (the rule our client reads answers by).
function isUnlabelledJson3(contentType: string, text: string): boolean {
  const type = parseMediaType(contentType);
  if (type === undefined || type.params.has('version')) return false;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v) || '_kind' in v) return false;
  const { meta, cols, rows } = v as Readonly<Record<string, unknown>>;
  return typeof meta === 'object' && meta !== null && 'ver' in meta && Array.isArray(cols) && Array.isArray(rows);
}
