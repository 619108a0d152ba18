// JSON codec door: decodeJson/encodeJson for Haystack JSON v4 (Hayson, the default) and v3.

import { ParseError } from '../../errors.js';
import type { Dict } from '../../grid/dict.js';
import type { Grid } from '../../grid/grid.js';
import {
  asPlainAsked,
  type PlainDecodeOptions,
  type PlainOption,
  type PlainValue,
  type ValDecodeOptions,
} from '../../grid/plain.js';
import type { Val } from '../../kinds/kind.js';
import { checkOptionNames, choiceOption, type OptionNames } from '../../options.js';
import { type DecodeLimits, limitExceeded, resolveLimits } from '../limits.js';
import type { DecodeSteps } from '../steps.js';
import { readHayson } from './hayson-reader.js';
import { HaysonDictStream, jsonTextBody, readHaysonGridSteps, readHaysonText } from './hayson-text-reader.js';
import { writeHayson } from './hayson-writer.js';
import { JsonShapeError, shapeToParseError, syntaxToParseError } from './json-shape-error.js';
import { readJson3, readJson3GridSteps } from './json3-reader.js';
import { writeJson3 } from './json3-writer.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Which Haystack JSON encoding: 4 is Hayson (`_kind` objects), 3 the type-prefixed strings of Haystack 3. */
export type JsonVersion = 3 | 4;

/** Options of {@link decodeJson}. */
export interface JsonDecodeOptions {
  /** Encoding to read; default 4. */
  readonly version?: JsonVersion;
  /** Limits to enforce; each missing field takes its default from `DEFAULT_LIMITS`. */
  readonly limits?: Partial<DecodeLimits>;
  /** `true` or {@link PlainOptions}: ordinary JS values ({@link toPlain}); default false (Haystack values). */
  readonly plain?: PlainOption;
}

/** Options of {@link encodeJson}. */
export interface JsonEncodeOptions {
  /** Encoding to write; default 4. */
  readonly version?: JsonVersion;
}

const JSON_DECODE_OPTIONS: OptionNames<JsonDecodeOptions> = { version: true, limits: true, plain: true };
const JSON_ENCODE_OPTIONS: OptionNames<JsonEncodeOptions> = { version: true };

/**
 * Decode Haystack JSON. A string is JSON text (a leading byte-order mark is ignored), and so is a
 * Uint8Array of UTF-8: v4 text is read in one pass straight into typed values, v3 text goes through
 * `JSON.parse` (no reviver) and a typed walk. Anything else is taken as already-parsed JSON and walked.
 *
 * Errors: text that is not JSON raises a ParseError at the offending character, saying what was
 * expected. JSON that is not valid Haystack (a bad `_kind`, a ref without `val`, ...) raises a
 * ParseError at that value: from v4 text, the line and column of the offending member; from a walk,
 * a message that ends with the value's JSON path (`at $.rows[3].siteRef`) and, when there is text,
 * the line and column of that value (1:1 when the input was already parsed). Past a limit (text
 * length, nesting depth, rows, columns, string length) a LimitError is raised. Keys that are not
 * tag names (`__proto__`, `_kind`, `Foo`) are skipped, as the Json chapter says.
 */
export function decodeJson(textOrParsed: unknown, options?: JsonDecodeOptions & ValDecodeOptions): Val;
export function decodeJson(textOrParsed: unknown, options: JsonDecodeOptions & PlainDecodeOptions): PlainValue;
export function decodeJson(textOrParsed: unknown, options?: JsonDecodeOptions): Val | PlainValue;
export function decodeJson(textOrParsed: unknown, options?: JsonDecodeOptions): Val | PlainValue {
  // Checked only when given: most calls pass none, and the check is one lookup per option.
  if (options !== undefined) {
    checkOptionNames('JSON decode options', options, JSON_DECODE_OPTIONS);
    choiceOption('JSON decode options', 'version', options.version, [4, 3]);
  }
  const v = decodeJsonVal(textOrParsed, options);
  return options?.plain === undefined ? v : asPlainAsked(v, options.plain);
}

function decodeJsonVal(textOrParsed: unknown, options: JsonDecodeOptions | undefined): Val {
  const limits = resolveLimits(options?.limits);
  const v3 = options?.version === 3;
  let json: unknown = textOrParsed;
  let text: string | undefined;
  if (textOrParsed instanceof Uint8Array) {
    // Bytes (a request body): UTF-8, the only encoding the HttpApi allows.
    if (textOrParsed.length > limits.maxLength) limitExceeded('json', 'maxLength', limits.maxLength);
    try {
      json = UTF8.decode(textOrParsed);
    } catch (e) {
      throw new ParseError('json', 1, 1, 'expected UTF-8 text but found bytes that are not UTF-8', { cause: e });
    }
  }
  if (typeof json === 'string') {
    text = jsonTextBody(json, limits);
    // v4 text: one pass straight into typed values (measured faster than JSON.parse plus a walk).
    if (!v3) return readHaysonText(text, limits);
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw syntaxToParseError(text, e);
    }
  }
  try {
    return v3 ? readJson3(json, limits) : readHayson(json, limits);
  } catch (e) {
    if (e instanceof JsonShapeError) throw shapeToParseError(e, json, text);
    throw e;
  }
}

// The stepped decoders' common door: limits resolved, a byte-order mark dropped, the length checked up front.
function gridSteps(
  read: (text: string, limits: DecodeLimits, sliceChars: number, maxRowChars: number) => DecodeSteps<Grid>,
  text: string,
  limits: Partial<DecodeLimits> | undefined,
  sliceChars: number,
  maxRowChars: number,
): DecodeSteps<Grid> {
  const resolved = resolveLimits(limits);
  return read(jsonTextBody(text, resolved), resolved, sliceChars, maxRowChars);
}

/**
 * Decode Haystack JSON v4 text that must hold a grid, in steps: the decode pauses (yields) after every
 * `sliceChars` characters of rows, so that a caller can let other work run between slices. Limits are enforced
 * as the text is read. Run it to the end with `drainSteps`, or step it with `next()`; the grid is the same as
 * {@link decodeJson} gives for that text, and a value that is not a grid is a ParseError. A row, or the grid's
 * meta or cols, longer than `maxRowChars` is refused (LimitError `maxRowLength`) before it is read whole.
 */
export function decodeJsonGridSteps(
  text: string,
  limits?: Partial<DecodeLimits>,
  sliceChars = Number.POSITIVE_INFINITY,
  maxRowChars = Number.POSITIVE_INFINITY,
): DecodeSteps<Grid> {
  return gridSteps(readHaysonGridSteps, text, limits, sliceChars, maxRowChars);
}

/**
 * Decode Haystack JSON v3 text that must hold a grid, in steps, as {@link decodeJsonGridSteps} does for v4: each
 * row (and each other member of the grid object) is parsed on its own, and the decode pauses after every
 * `sliceChars` characters of rows. The grid is the one `decodeJson(text, { version: 3 })` gives.
 */
export function decodeJson3GridSteps(
  text: string,
  limits?: Partial<DecodeLimits>,
  sliceChars = Number.POSITIVE_INFINITY,
  maxRowChars = Number.POSITIVE_INFINITY,
): DecodeSteps<Grid> {
  return gridSteps(readJson3GridSteps, text, limits, sliceChars, maxRowChars);
}

/**
 * A reader of the dicts in Haystack JSON v4 text that arrives in pieces (`push` each, then `end`): the rows of a
 * grid or the elements of a list of dicts, each as soon as it is complete, holding only the text of the row
 * being read. Malformed text is a ParseError with its line and column in the whole text; limits apply as in
 * {@link decodeJson} (`maxLength` aside: the text is never whole).
 */
export function jsonDictStream(limits?: Partial<DecodeLimits>): {
  push(text: string): Dict[];
  end(): Dict[];
} {
  return new HaysonDictStream(resolveLimits(limits));
}

/** Encode a value as compact Haystack JSON text (v4 Hayson unless `version: 3`). */
export function encodeJson(val: Val, options?: JsonEncodeOptions): string {
  if (options !== undefined) {
    checkOptionNames('JSON encode options', options, JSON_ENCODE_OPTIONS);
    choiceOption('JSON encode options', 'version', options.version, [4, 3]);
  }
  return options?.version === 3 ? writeJson3(val) : writeHayson(val);
}
