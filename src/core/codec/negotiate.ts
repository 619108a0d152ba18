// Media types and HTTP content negotiation by format name, apart from the codecs themselves, so that code that
// only needs to name a format (the client) does not pull in every reader and writer.

/** Name of a format: `zinc`, `json` (v4, Hayson), `json3`, `trio`, `csv`. */
export type FormatName = 'zinc' | 'json' | 'json3' | 'trio' | 'csv';

/** Every format name, in order of preference when a client accepts several equally (Zinc first: HttpApi's default). */
export const FORMAT_NAMES: readonly FormatName[] = ['zinc', 'json', 'json3', 'trio', 'csv'];

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

// The media types each format answers to; `version` narrows application/vnd.haystack+json (HttpApi: version=4 or
// none is v4, version=3 is v3).
interface Served {
  readonly type: string;
  readonly subtype: string;
  readonly version?: string;
}

// A function rather than a module-level Map, so that a bundle that never negotiates drops it.
function served(name: FormatName): readonly Served[] {
  switch (name) {
    case 'json':
      return [
        { type: 'application', subtype: 'json', version: '4' },
        { type: 'application', subtype: 'vnd.haystack+json', version: '4' },
      ];
    case 'json3':
      return [
        { type: 'application', subtype: 'vnd.haystack+json', version: '3' },
        { type: 'application', subtype: 'json', version: '3' },
      ];
    default:
      return [{ type: 'text', subtype: name }];
  }
}

/** How specifically `m` names format `name`: -1 no match, 0 `*\/*`, 1 `type/*`, 2 `type/subtype`, 3 with its version. */
export function specificity(name: FormatName, m: MediaType): number {
  if (m.type === '*') return m.subtype === '*' ? 0 : -1;
  let best = -1;
  for (const s of served(name)) {
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
 * The format of a `Content-Type` (`text/zinc; charset=utf-8`, `application/vnd.haystack+json; version=3`, ...).
 * Undefined for an unknown or wildcard type, or a charset other than UTF-8 (HttpApi: all text is UTF-8).
 */
export function formatForContentType(contentType: string | null | undefined): FormatName | undefined {
  if (contentType === undefined || contentType === null) return undefined;
  const m = parseMediaType(contentType);
  if (m === undefined || m.type === '*' || m.subtype === '*') return undefined;
  const charset = m.params.get('charset')?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') return undefined;
  let best: FormatName | undefined;
  let bestSpec = 1;
  for (const name of FORMAT_NAMES) {
    const s = specificity(name, m);
    if (s > bestSpec) {
      best = name;
      bestSpec = s;
    }
  }
  return best;
}
