// The codec registry: each format by name, media type and file extension, and HTTP content negotiation over them
// (the negotiation by format name is in negotiate.ts; each codec lives beside its reader and writer).

export { type Codec, type GridPieces, valToGrid } from './codec.js';
export { type FormatName, type MediaType, parseMediaType } from './negotiate.js';

import type { Codec } from './codec.js';
import { CSV_CODEC } from './csv/csv-codec.js';
import { JSON_CODEC, JSON3_CODEC } from './json/json-codec.js';
import { formatForContentType, type MediaType, parseMediaType, specificity } from './negotiate.js';
import { TRIO_CODEC } from './trio/trio-codec.js';
import { ZINC_CODEC } from './zinc/zinc-codec.js';

/** Every format, in order of preference when a client accepts several equally (Zinc first: the HTTP API's default). */
export const CODECS: readonly Codec[] = Object.freeze([ZINC_CODEC, JSON_CODEC, JSON3_CODEC, TRIO_CODEC, CSV_CODEC]);

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

/** What a response is sent in: its codec, and the Content-Type to label it with. */
export interface ResponseType {
  /** The codec that writes the response. */
  readonly codec: Codec;
  /** The Content-Type header: the media type the client asked for (`application/vnd.haystack+json`, ...) when it
   * named one, else the codec's own. */
  readonly contentType: string;
}

/**
 * The codec for an HTTP `Accept` header (RFC 9110 proactive negotiation): each codec takes the
 * q-value of the most specific range that matches it; the highest q wins, then the more specific
 * match, then the range listed first, then Zinc, JSON, JSON v3, Trio, CSV in that order. An absent
 * or empty header, or `*\/*`, means Zinc (HttpApi). Undefined when nothing is acceptable (406).
 */
export function codecForAccept(accept: string | null | undefined): Codec | undefined {
  return responseTypeForAccept(accept)?.codec;
}

/**
 * The response type for an HTTP `Accept` header, chosen as {@link codecForAccept} does, labelled with the media type
 * of the range that chose it when that range names one (as Haxall answers): a client asking for
 * `application/vnd.haystack+json;version=4` is answered in that type, one asking for `*\/*` in the codec's own.
 * Haxall's `application/vnd.haystack+zinc` (and `+trio`, `+csv`) spellings and versions written `3.0` are read too.
 */
export function responseTypeForAccept(accept: string | null | undefined): ResponseType | undefined {
  if (accept === undefined || accept === null || accept.trim() === '') return DEFAULT_RESPONSE;
  const ranges: { m: MediaType; asked: MediaType; q: number }[] = [];
  for (const part of accept.split(',')) {
    if (part.trim() === '') continue;
    const asked = parseMediaType(part) ?? bareWildcard(part);
    if (asked === undefined) continue;
    const qs = asked.params.get('q');
    // RFC 9110 allows `0.` and up to three decimals, but Java's HttpURLConnection sends `q=.2` by default, and
    // a range we skip for its q could leave nothing acceptable (406): any decimal from 0 to 1 is taken.
    const q = qs === undefined ? 1 : /^(?:\d+(?:\.\d*)?|\.\d+)$/.test(qs) ? Number(qs) : Number.NaN;
    if (q >= 0 && q <= 1) ranges.push({ m: plainSpelling(asked), asked, q });
  }
  let best: Codec | undefined;
  let bestAsked: MediaType | undefined;
  let bestQ = 0;
  let bestSpec = -1;
  let bestIndex = 0;
  for (const c of CODECS) {
    let spec = -1;
    let q = 0;
    let index = 0;
    ranges.forEach((r, i) => {
      const s = specificity(c.name, r.m);
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
      bestAsked = ranges[index]?.asked;
      bestQ = q;
      bestSpec = spec;
      bestIndex = index;
    }
  }
  return best === undefined ? undefined : { codec: best, contentType: answerType(best, bestAsked) };
}

const DEFAULT_RESPONSE: ResponseType = Object.freeze({ codec: ZINC_CODEC, contentType: ZINC_CODEC.contentType });

// The Content-Type of an answer in `codec` to the range `asked`: that range's own type when it names one, with the
// JSON version it asked for (HttpApi: all text is UTF-8, so the charset is always said); the codec's for a wildcard.
function answerType(codec: Codec, asked: MediaType | undefined): string {
  if (asked === undefined || asked.type === '*' || asked.subtype === '*') return codec.contentType;
  const version = codec.name === 'json' || codec.name === 'json3' ? asked.params.get('version') : undefined;
  return `${asked.type}/${asked.subtype}${version === undefined ? '' : `; version=${version}`}; charset=utf-8`;
}

// Spellings of our media types that other implementations use, as the type they name: Haxall's Filetype.byMime
// reads `application/vnd.haystack+<filetype>` as that filetype, and a version may be written as a grid's `ver` is
// (`3.0`). Kept apart from negotiate.ts, which the client bundles: the client never receives these.
function plainSpelling(m: MediaType): MediaType {
  const vnd = m.type === 'application' && m.subtype.startsWith(VND) ? m.subtype.slice(VND.length) : '';
  const text = vnd === 'zinc' || vnd === 'trio' || vnd === 'csv';
  const v = m.params.get('version');
  const whole = v !== undefined && /^\d+\.0+$/.test(v) ? v.slice(0, v.indexOf('.')) : undefined;
  if (!text && whole === undefined) return m;
  return {
    type: text ? 'text' : m.type,
    subtype: text ? vnd : m.subtype,
    params: whole === undefined ? m.params : new Map(m.params).set('version', whole),
  };
}

const VND = 'vnd.haystack+';

// A lone `*` (with parameters), which Java's HttpURLConnection sends by default, read as `*\/*`.
function bareWildcard(part: string): MediaType | undefined {
  const semi = part.indexOf(';');
  if ((semi < 0 ? part : part.slice(0, semi)).trim() !== '*') return undefined;
  return parseMediaType(`*/*${semi < 0 ? '' : part.slice(semi)}`);
}

/**
 * The codec for a request's `Content-Type` (`text/zinc; charset=utf-8`,
 * `application/vnd.haystack+json; version=3`, ...). Undefined for an unknown or wildcard type, or a
 * charset other than UTF-8 (HttpApi: all text is UTF-8), which a server answers with 415.
 */
export function codecForContentType(contentType: string | null | undefined): Codec | undefined {
  const m = contentType === undefined || contentType === null ? undefined : parseMediaType(contentType);
  const plain = m === undefined ? undefined : plainSpelling(m);
  const name = formatForContentType(plain === m ? contentType : spelled(plain as MediaType));
  return name === undefined ? undefined : codecByName(name);
}

// A media type as header text again, for the plain spelling of a Content-Type.
function spelled(m: MediaType): string {
  let text = `${m.type}/${m.subtype}`;
  for (const [name, value] of m.params) text += `; ${name}=${value}`;
  return text;
}
