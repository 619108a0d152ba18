// The wire formats the client speaks, chosen by name or by a response's Content-Type.

import { decodeJson, encodeJson } from '../core/codec/json/index.js';
import { decodeZinc, encodeZinc } from '../core/codec/zinc/index.js';
import type { Grid } from '../core/grid/grid.js';
import type { Val } from '../core/kinds/kind.js';

/** A format name the client can use for requests and responses. */
export type ClientFormat = 'zinc' | 'json' | 'json3';

/** One wire format: its media type, how to recognize it, and its codec. */
export interface WireFormat {
  /** Format name. */
  readonly name: ClientFormat;
  /** Media type sent in Accept and Content-Type. */
  readonly mediaType: string;
  /** True if a response Content-Type is this format. */
  matches(contentType: string | null): boolean;
  /** Encode a request grid. */
  encode(grid: Grid): string;
  /** Decode a response body. */
  decode(text: string): Val;
}

const ZINC: WireFormat = {
  name: 'zinc',
  mediaType: 'text/zinc',
  matches: (ct) => ct === null || ct.toLowerCase().startsWith('text/zinc'),
  encode: (g) => encodeZinc(g),
  decode: (t) => decodeZinc(t),
};

// HttpApi: JSON v3 is `application/vnd.haystack+json;version=3`; `application/json` is v4.
const JSON3: WireFormat = {
  name: 'json3',
  mediaType: 'application/vnd.haystack+json;version=3',
  matches: (ct) => ct !== null && /version\s*=\s*3/.test(ct) && ct.toLowerCase().includes('json'),
  encode: (g) => encodeJson(g, { version: 3 }),
  decode: (t) => decodeJson(t, { version: 3 }),
};

const JSON4: WireFormat = {
  name: 'json',
  mediaType: 'application/json',
  matches: (ct) => (ct?.toLowerCase().includes('json') ?? false) && !JSON3.matches(ct),
  encode: (g) => encodeJson(g, { version: 4 }),
  decode: (t) => decodeJson(t, { version: 4 }),
};

const FORMATS: readonly WireFormat[] = [ZINC, JSON4, JSON3];

/** The format with this name, or the one a Content-Type names (Zinc when unknown or absent). */
export function formatFor(nameOrContentType: string | null): WireFormat {
  const byName = FORMATS.find((f) => f.name === nameOrContentType);
  if (byName !== undefined) return byName;
  return FORMATS.find((f) => f !== ZINC && f.matches(nameOrContentType)) ?? ZINC;
}
