// Requests a browser sends for a page of another origin: refused where they would act on ambient credentials.

import type { IncomingHttpHeaders } from 'node:http';

// The port of a Host or an origin, the scheme's default when it names none.
function portOf(port: string, secure: boolean): string {
  return port === '' ? (secure ? '443' : '80') : port;
}

/**
 * True when a browser says it sends the request for a page of another origin: `Sec-Fetch-Site` is `cross-site` or
 * `same-site`, or (browsers without Fetch Metadata) `Origin` is `null`, unreadable, or names another host or port
 * than `Host`. Programs other than browsers send neither header, so they are never cross-origin here.
 *
 * Such a request must not act on credentials the browser adds by itself: none at all (a server without
 * authentication) or a client certificate. Bearer tokens are safe, since a page cannot send an `Authorization`
 * header to another origin without the server's consent (CORS), nor any header on a WebSocket upgrade.
 */
export function isCrossOrigin(headers: IncomingHttpHeaders, secure: boolean): boolean {
  const site = headers['sec-fetch-site'];
  if (site !== undefined) return site === 'cross-site' || site === 'same-site';
  const origin = headers.origin;
  if (origin === undefined) return false;
  let from: URL;
  let to: URL;
  try {
    from = new URL(origin);
    to = new URL(`${secure ? 'https' : 'http'}://${headers.host ?? ''}`);
  } catch {
    return true;
  }
  return from.hostname !== to.hostname || portOf(from.port, from.protocol === 'https:') !== portOf(to.port, secure);
}
