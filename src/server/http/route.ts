// Extra HTTP resources under the base path (e.g. the users API at `/api/users/`), served after authentication.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Authorize, Principal } from '../principal.js';
import type { ErrorReply } from './error-reply.js';

/** One request handed to a route, once the caller is authenticated. */
export interface RouteRequest {
  /** The request (its body not read yet). */
  readonly req: IncomingMessage;
  /** The response to write. */
  readonly res: ServerResponse;
  /** The authenticated caller. */
  readonly principal: Principal;
  /** The request's id (its `X-Request-Id`, as the request's log line names it). */
  readonly requestId?: string;
  /** The rest of the path after `{basePath}{name}`, still percent-encoded: `''`, `/` or `/alice`. */
  readonly subpath: string;
  /** The server's role check: routes call it before doing anything (it throws `PermissionError`). */
  readonly authorize: Authorize;
  /**
   * The server's reply for an error, for a route that answers errors in a format of its own: the request's log line
   * then names the error's code, and an internal error is published for the app's log.
   */
  readonly errorReply: (err: unknown) => ErrorReply;
}

/**
 * A resource that is not an op: any method, any body format, its own responses. The server authenticates
 * the caller exactly as for ops, then hands the request over; the route does its own role check with
 * `authorize`. A route's name shadows an op of the same name.
 */
export interface HttpRoute {
  /** First path segment under the base path, e.g. `users` for `/api/users/...`; an op-name-like identifier. */
  readonly name: string;
  /** Serve the request; a thrown error is answered by the server's error reply (an error grid). */
  serve(request: RouteRequest): Promise<void>;
}

/** The route serving `path` (`{base}{name}` or `{base}{name}/...`) and the rest of the path, if any. */
export function routeFor(
  routes: readonly HttpRoute[],
  path: string,
  base: string,
): { readonly route: HttpRoute; readonly subpath: string } | undefined {
  if (routes.length === 0 || !path.startsWith(base)) return undefined;
  for (const route of routes) {
    const end = base.length + route.name.length;
    if (path.startsWith(route.name, base.length) && (path.length === end || path[end] === '/')) {
      return { route, subpath: path.slice(end) };
    }
  }
  return undefined;
}
