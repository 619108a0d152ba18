// Which calls go as GET and their query string: HttpApi GET requests carry one row of Zinc-encoded scalars.

import { zincScalar } from '../core/codec/zinc/zinc-scalar.js';
import type { Grid } from '../core/grid/grid.js';

/**
 * Ops without side effects that take no grid or one row of scalars: sent as GET, which every server takes for
 * them (haystack-py's server takes only GET for about, ops and formats). Other ops go as POST.
 */
export const GET_OPS: ReadonlySet<string> = new Set([
  'about',
  'ops',
  'formats',
  'read',
  'nav',
  'defs',
  'libs',
  'filetypes',
]);

/**
 * Ops sent as POST first that may also go as GET, tried when a server answers the POST with 405: `close` (Ops
 * chapter: POST; haystack-py's server takes only GET) and `hisRead` (no side effects; POST is what most servers
 * expect for it, but some take only GET for every read-only op).
 */
export const GET_FALLBACK_OPS: ReadonlySet<string> = new Set(['close', 'hisRead']);

/** Longest query string sent with GET; a longer request goes as POST (long URLs break proxies and servers). */
export const MAX_GET_QUERY = 2000;

/**
 * The query string (without `?`) that carries `req` as the HttpApi's GET form: each tag of the one row as a
 * Zinc-encoded value (`read?filter=%22site%22&limit=10`), '' for an empty request. Undefined when the request
 * does not fit: grid or column meta, several rows, a List/Dict/Grid value, or longer than {@link MAX_GET_QUERY}.
 */
export function getQuery(req: Grid): string | undefined {
  if (req.size === 0) return req.meta.isEmpty ? '' : undefined;
  if (req.size > 1 || !req.meta.isEmpty || req.cols.some((c) => !c.meta.isEmpty)) return undefined;
  const params = new URLSearchParams();
  for (const [name, val] of req.row(0).entries()) {
    const text = zincScalar(val);
    if (text === undefined) return undefined;
    params.append(name, text);
  }
  const query = params.toString();
  return query.length > MAX_GET_QUERY ? undefined : query;
}
