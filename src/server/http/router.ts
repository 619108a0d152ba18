// Mapping a request path to an op name under the server's base path (HttpApi: `{base}/{op}`).

/** A normalized base path: leading and trailing slash (`/api/`). */
export function normalizeBasePath(base: string): string {
  let b = base.startsWith('/') ? base : `/${base}`;
  if (!b.endsWith('/')) b += '/';
  return b;
}

/** The path and query of a request target (`/api/read?filter=site`), without parsing a full URL. */
export function splitTarget(url: string): { readonly path: string; readonly query: string } {
  const q = url.indexOf('?');
  return q < 0 ? { path: url, query: '' } : { path: url.slice(0, q), query: url.slice(q + 1) };
}

/**
 * The op name of `path` under `base` (HttpApi: the base URI is assumed to end with a slash), or undefined when
 * the path is outside the base. Extra slashes before and a trailing slash after the op name are tolerated; an empty
 * name is `''`.
 */
export function opNameOf(path: string, base: string): string | undefined {
  if (!path.startsWith(base)) return path === base.slice(0, -1) ? '' : undefined;
  let name = path.slice(base.length);
  // `/api//about`: a client joined a base URL that ends in a slash with `/about`; the op is still `about`.
  if (name.charCodeAt(0) === 47) name = name.replace(/^\/+/, '');
  if (name.endsWith('/')) name = name.slice(0, -1);
  if (!name.includes('%')) return name;
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}
