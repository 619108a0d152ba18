// createHandler: the embeddable request pipeline (route, negotiate, authenticate, authorize, read, run op, respond).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { type ErrorCode, HaystackError } from '../core/errors.js';
import type { Grid } from '../core/grid/grid.js';
import type { StorageAdapter } from '../storage/adapter.js';
import type { ActionRegistry } from './actions.js';
import { observeStore } from './cache/observed-store.js';
import { ResponseCache } from './cache/response-cache.js';
import { errorChannel, type RequestEvent, requestChannel } from './events.js';
import { errorReply, HttpHeaderError } from './http/error-reply.js';
import { bodyGrid, queryGrid } from './http/request-grid.js';
import { routeFor } from './http/route.js';
import { opNameOf, splitTarget } from './http/router.js';
import { negotiateResponse, SERVER_FILETYPES, SERVER_FORMATS, type WireCodec, ZINC_CODEC } from './http/wire.js';
import { requestDecodeLimits } from './limits.js';
import { loadNamespace } from './namespace/load-namespace.js';
import type { DefNamespace } from './namespace/namespace.js';
import type { OpContext, OpDef, OpRegistry, ServerInfo } from './op.js';
import { createOpRegistry } from './op-registry.js';
import { STANDARD_OPS } from './ops/standard-ops.js';
import {
  type HaystackServerOptions,
  PRODUCT_VERSION,
  type ResolvedServerOptions,
  resolveServerOptions,
} from './options.js';
import { ANONYMOUS_ADMIN, type Principal } from './principal.js';

/** A Node `(req, res)` request listener serving the Haystack HTTP API, plus the hooks an embedding app needs. */
export interface HaystackHandler {
  /** Serve one request (mount it in any `http`/`https` server, or call it from a framework's route). */
  (req: IncomingMessage, res: ServerResponse): void;
  /** Serve an HTTP upgrade (WebSocket, in a later version); today it refuses with 501. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** The options with defaults filled in. */
  readonly options: ResolvedServerOptions;
  /** The ops served. */
  readonly ops: OpRegistry;
  /** The actions of `invokeAction`; register more at any time. */
  readonly actions: ActionRegistry;
  /**
   * The store as the ops see it. With `responseCache`, every write to the store must go through this one (not
   * the store given in the options), so that cached responses are invalidated.
   */
  readonly store: StorageAdapter;
}

/** Limits of the response cache. */
const CACHE_LIMITS = { maxEntries: 10_000, maxBytes: 64 * 1024 * 1024 };

const METHODS_ALLOWED = new Set(['GET', 'HEAD', 'POST']);

/** Make the request listener for `options` (validated now; a bad option throws here, not on the first request). */
export function createHandler(options: HaystackServerOptions): HaystackHandler {
  const opts = resolveServerOptions(options);
  const ops = createOpRegistry([...STANDARD_OPS, ...opts.ops], opts.authorize);
  const decodeLimits = requestDecodeLimits(opts.limits);
  const server: ServerInfo = Object.freeze({
    about: opts.about,
    tz: opts.tz,
    bootTime: opts.clock(),
    clock: opts.clock,
    limits: opts.limits,
    defaultLeaseMs: opts.defaultLeaseMs,
    maxLeaseMs: opts.maxLeaseMs,
  });
  const cache = opts.responseCache ? new ResponseCache(CACHE_LIMITS, opts.clock) : undefined;
  const store = cache === undefined ? opts.store : observeStore(opts.store, cache.observer, opts.clock);
  let namespace: Promise<DefNamespace> | undefined;
  const getNamespace = (): Promise<DefNamespace> => {
    namespace ??= loadNamespace(opts.defs, ops.list(), SERVER_FILETYPES, PRODUCT_VERSION);
    // A failed load is retried on the next request rather than cached forever.
    namespace.catch(() => {
      namespace = undefined;
    });
    return namespace;
  };

  const contextFor = (principal: Principal): OpContext => ({
    store,
    principal,
    server,
    ops,
    actions: opts.actions,
    formats: SERVER_FORMATS,
    namespace: getNamespace,
    closeSession: () => opts.closeSession(principal),
  });

  const serve = async (req: IncomingMessage, res: ServerResponse, started: number): Promise<void> => {
    let opName: string | undefined;
    let username: string | undefined;
    let requestRead = false;
    let codec: WireCodec = ZINC_CODEC;
    let errorCode: ErrorCode | undefined;
    try {
      const { path, query } = splitTarget(req.url ?? '/');
      opName = opNameOf(path, opts.basePath);
      if (opName === undefined) throw new HaystackError('HS_ERR_UNKNOWN_OP', `No Haystack API at ${path}`);
      codec = negotiateResponse(req.headers.accept);
      const method = req.method ?? 'GET';
      const routed = routeFor(opts.routes, path, opts.basePath);
      // HttpApi: 501 when the method is other than GET or POST (routes such as the users API take any).
      if (routed === undefined && !METHODS_ALLOWED.has(method)) {
        throw new HttpHeaderError('HS_ERR_NOT_IMPLEMENTED', `Method ${method} is not supported`, {
          allow: 'GET, POST',
        });
      }
      let principal: Principal | undefined = ANONYMOUS_ADMIN;
      if (opts.authenticate !== undefined) {
        principal = await opts.authenticate(req, res);
        // The step answered the request itself (a challenge or a handshake step).
        if (principal === undefined) return;
      }
      username = principal.username;
      if (routed !== undefined) {
        opName = routed.route.name;
        await routed.route.serve({ req, res, principal, subpath: routed.subpath, authorize: opts.authorize });
        return;
      }
      const op: OpDef | undefined = ops.get(opName);
      if (op === undefined) throw new HaystackError('HS_ERR_UNKNOWN_OP', `Unknown op ${JSON.stringify(opName)}`);
      if (method !== 'POST' && !op.noSideEffects) {
        throw new HttpHeaderError('HS_ERR_METHOD_NOT_ALLOWED', `Op ${op.name} has side effects: use POST`, {
          allow: 'POST',
        });
      }
      opts.authorize(principal, op.requiredRole, op.name);
      // Only GET responses are cached: their whole request is the query string.
      const cacheKey =
        cache !== undefined && method !== 'POST' && op.cacheDeps !== undefined
          ? `${op.name}\n${codec.contentType}\n${query}`
          : undefined;
      if (cacheKey !== undefined) {
        const hit = cache?.get(cacheKey);
        if (hit !== undefined) {
          sendBytes(res, 200, hit.contentType, hit.body, undefined);
          return;
        }
      }
      const generation = cache?.generation ?? 0;
      const reqGrid = method === 'POST' ? await bodyGrid(req, decodeLimits) : queryGrid(query, decodeLimits);
      requestRead = true;
      const result = await op.handler(reqGrid, contextFor(principal));
      const body = Buffer.from(codec.encodeGrid(result), 'utf8');
      sendBytes(res, 200, codec.contentType, body, undefined);
      const deps = cacheKey === undefined ? undefined : op.cacheDeps?.(reqGrid, result);
      if (cacheKey !== undefined && deps !== undefined) {
        cache?.set(cacheKey, { contentType: codec.contentType, body }, deps, rowIds(result), generation);
      }
    } catch (err) {
      const reply = errorReply(err, { debug: opts.debug, requestRead, mode: opts.errorStatus });
      errorCode = reply.code;
      if (reply.code === 'HS_ERR_INTERNAL' || (err instanceof HaystackError && err.status >= 500)) {
        if (errorChannel.hasSubscribers) errorChannel.publish({ op: opName, error: err });
      }
      const headers = reply.code === 'HS_ERR_TOO_LARGE' ? { ...reply.headers, connection: 'close' } : reply.headers;
      if (!res.headersSent) send(res, reply.status, codec.carriesMeta ? codec : ZINC_CODEC, reply.grid, headers);
      else res.destroy();
    } finally {
      if (requestChannel.hasSubscribers) {
        const event: RequestEvent = {
          method: req.method ?? 'GET',
          op: opName,
          status: res.statusCode,
          errorCode,
          username,
          durationMs: performance.now() - started,
        };
        requestChannel.publish(event);
      }
    }
  };

  const handler = ((req: IncomingMessage, res: ServerResponse): void => {
    // `serve` answers every error itself; this only catches a failure to write that answer.
    serve(req, res, performance.now()).catch((err: unknown) => {
      if (errorChannel.hasSubscribers) errorChannel.publish({ op: undefined, error: err });
      res.destroy();
    });
  }) as HaystackHandler;
  return Object.assign(handler, {
    handleUpgrade(_req: IncomingMessage, socket: Duplex, _head: Buffer): void {
      socket.end('HTTP/1.1 501 Not Implemented\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    },
    options: opts,
    ops,
    actions: opts.actions,
    store,
  });
}

function rowIds(grid: Grid): string[] {
  const ids: string[] = [];
  if (!grid.hasCol('id')) return ids;
  for (const row of grid) {
    const id = row.id;
    if (id !== undefined) ids.push(id.id);
  }
  return ids;
}

function send(
  res: ServerResponse,
  status: number,
  codec: WireCodec,
  grid: Grid,
  extra: Readonly<Record<string, string>> | undefined,
): void {
  sendBytes(res, status, codec.contentType, Buffer.from(codec.encodeGrid(grid), 'utf8'), extra);
}

function sendBytes(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: Buffer,
  extra: Readonly<Record<string, string>> | undefined,
): void {
  const headers: Record<string, string | number> = {
    'content-type': contentType,
    'content-length': body.length,
  };
  if (extra !== undefined) Object.assign(headers, extra);
  res.writeHead(status, headers);
  res.end(body);
}
