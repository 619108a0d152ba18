// createHandler: the HTTP adapter over the op pipeline (route, negotiate, authenticate, then dispatchOp, respond).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { HaysonRowMemo } from '../core/codec/json/hayson-row-memo.js';
import type { DecodeLimits } from '../core/codec/limits.js';
import { ZincCellMemo } from '../core/codec/zinc/zinc-cell-memo.js';
import { type ErrorCode, HaystackError } from '../core/errors.js';
import type { Grid } from '../core/grid/grid.js';
import type { StorageAdapter } from '../storage/adapter.js';
import type { ActionRegistry } from './actions.js';
import { errorChannel, type RequestEvent, requestChannel } from './events.js';
import { BodyGate, budgetFull } from './http/body-gate.js';
import { type BodyLease, BodyPool } from './http/body-pool.js';
import { isCrossOrigin } from './http/cross-origin.js';
import { type ErrorReply, HttpHeaderError } from './http/error-reply.js';
import { DEFAULT_HOME_LINKS, homePageHtml, sendHomePage } from './http/home-page.js';
import { refuseUpgrade } from './http/refuse-upgrade.js';
import { bodyGrid, queryGrid } from './http/request-grid.js';
import { requestIdFor } from './http/request-id.js';
import { routeFor } from './http/route.js';
import { opNameOf, splitTarget } from './http/router.js';
import { loadUiAssets, sendUiFile, UI_ASSET_PREFIX } from './http/ui-assets.js';
import { negotiateResponse, responseEncodings, type WireCodec, ZINC_CODEC } from './http/wire.js';
import type { OpRegistry } from './op.js';
import { type HaystackServerOptions, type ResolvedServerOptions, resolveServerOptions } from './options.js';
import { createOpPipeline, type OpPipeline } from './pipeline/dispatch-op.js';
import { ANONYMOUS_ADMIN, type Principal } from './principal.js';
import { createWebSocketEndpoint } from './ws/ws-endpoint.js';

/** A Node `(req, res)` request listener serving the Haystack HTTP API, plus the hooks an embedding app needs. */
export interface HaystackHandler {
  /** Serve one request (mount it in any `http`/`https` server, or call it from a framework's route). */
  (req: IncomingMessage, res: ServerResponse): void;
  /**
   * Serve an HTTP upgrade: the WebSocket endpoint `{basePath}ws` (404 for other paths; 501 with `webSocket: false`).
   * Mount it on your server's `upgrade` event.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Close every WebSocket connection (1001 going away), e.g. before closing the server. */
  closeWebSockets(): void;
  /**
   * Resolves when no request is being served, including those whose client has gone: close the store only after
   * this, or a request still at work finds it closed.
   */
  idle(): Promise<void>;
  /** The options with defaults filled in. */
  readonly options: ResolvedServerOptions;
  /** The transport-neutral op pipeline this handler adapts to HTTP (other transports call ops through it too). */
  readonly pipeline: OpPipeline;
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

const METHODS_ALLOWED = new Set(['GET', 'HEAD', 'POST']);
const ALLOW = 'GET, HEAD, POST, OPTIONS';
// Distinct Host headers whose verdict is kept (then they start afresh).
const MAX_HOST_VERDICTS = 64;

// RFC 9110 host: a name, an IPv4 address or a bracketed IPv6 address, then an optional port.
function hostName(host: string | undefined): string {
  const h = (host ?? '').toLowerCase();
  return h.startsWith('[') ? h.slice(0, h.indexOf(']') + 1) : h.replace(/:\d*$/, '');
}

function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost') || /^127(?:\.\d{1,3}){3}$/.test(name) || name === '[::1]';
}

// A request that carries a body (declared length, or chunked).
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

function declaredLength(req: IncomingMessage): number | undefined {
  const n = Number(req.headers['content-length']);
  return req.headers['content-length'] === undefined || !Number.isFinite(n) ? undefined : n;
}

/** Make the request listener for `options` (validated now; a bad option throws here, not on the first request). */
export function createHandler(options: HaystackServerOptions): HaystackHandler {
  const opts = resolveServerOptions(options);
  const pipeline = createOpPipeline(opts);
  const ws = opts.webSocket === false ? undefined : createWebSocketEndpoint(opts, pipeline, opts.webSocket);
  const { limits } = opts;
  const gate = new BodyGate(limits.largeBodyBytes, limits.maxConcurrentLargeBodies, limits.largeBodyBudgetBytes);
  const idleMs = limits.bodyIdleTimeoutMs;
  const memo = opts.cellMemoEntities > 0 ? new ZincCellMemo(opts.cellMemoEntities) : undefined;
  const jsonMemo = opts.cellMemoEntities > 0 ? new HaysonRowMemo(opts.cellMemoEntities) : undefined;
  const responseEncoding = responseEncodings(memo, jsonMemo);
  // Zinc and JSON v4 answers are written into buffers lent per response and given back once it is sent.
  const bodies = memo === undefined ? undefined : new BodyPool(memo, jsonMemo);

  // A POST body: small for ops that take no arguments; when large, read under the gate's byte budget and decoded
  // through its slots once arrived. Every body that stops arriving for `idleMs` is a 408.
  const readPost = async (req: IncomingMessage, opName: string, decodeLimits: DecodeLimits): Promise<Grid> => {
    if (pipeline.ops.get(opName)?.noArgs === true) {
      return bodyGrid(req, { ...decodeLimits, maxLength: limits.maxNoArgBodyBytes }, { read: { idleMs } });
    }
    const maxRowChars = limits.maxRequestRowLength;
    if (!gate.isLarge(declaredLength(req))) return bodyGrid(req, decodeLimits, { maxRowChars, read: { idleMs } });
    const hold = gate.hold();
    try {
      return await bodyGrid(req, decodeLimits, {
        maxRowChars,
        read: { idleMs, take: hold.take, refused: budgetFull },
        admit: (decode) => gate.run(decode),
      });
    } finally {
      hold.release();
    }
  };
  // The verdict on each Host header seen (clients send one or two), so a request costs a lookup, not two regexes.
  const hostVerdicts = new Map<string | undefined, boolean>();
  const hostAllowed = (host: string | undefined): boolean => {
    let ok = hostVerdicts.get(host);
    if (ok === undefined) {
      const name = hostName(host);
      ok = isLoopbackName(name) || opts.allowedHosts.includes(name);
      if (hostVerdicts.size >= MAX_HOST_VERDICTS) hostVerdicts.clear();
      if (host === undefined || host.length <= 256) hostVerdicts.set(host, ok);
    }
    return ok;
  };
  const homeHtml =
    opts.homePage === undefined ? undefined : homePageHtml(opts.about.serverName, opts.basePath, opts.homePage);
  const ui =
    opts.ui === undefined
      ? undefined
      : loadUiAssets(opts.ui, {
          basePath: opts.basePath,
          auth: opts.authenticate !== undefined,
          links: opts.homePage ?? DEFAULT_HOME_LINKS,
        });

  const serve = async (req: IncomingMessage, res: ServerResponse, started: number): Promise<void> => {
    let opName: string | undefined;
    let username: string | undefined;
    let codec: WireCodec = ZINC_CODEC;
    // The Content-Type of an answer in `codec`: the media type the client named (HttpApi content negotiation).
    let contentType = ZINC_CODEC.contentType;
    let errorCode: ErrorCode | undefined;
    let authenticated = false;
    let lease: BodyLease | undefined;
    const requestId = requestIdFor(req.headers['x-request-id']);
    const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
    // Written with the status of a successful op answer, set ahead on every other path (setHeader per header cost
    // more than the rest of a small answer's headers).
    const common = commonHeaders(requestId, secure, opts.authenticate !== undefined);
    try {
      // Without authentication only loopback names (and configured ones) are served: no DNS rebinding.
      if (opts.authenticate === undefined && !hostAllowed(req.headers.host)) {
        throw new HaystackError('HS_ERR_PERMISSION', 'Host not allowed on a server without authentication');
      }
      const method = req.method ?? 'GET';
      const getOrHead = method === 'GET' || method === 'HEAD';
      // A page of another origin may make a browser send a form or a simple fetch here, carrying what the browser
      // adds unasked (no login needed at all, a client certificate): it may not change anything that way.
      if (!getOrHead && method !== 'OPTIONS' && req.headers.authorization === undefined) {
        if (isCrossOrigin(req.headers, secure)) throw crossOriginRefused();
      }
      const { path, query } = splitTarget(req.url ?? '/');
      // The page for a person at a browser: public, holds no data, so served before authentication.
      if (ui !== undefined && getOrHead && (path === '/' || path.startsWith(UI_ASSET_PREFIX))) {
        const file = ui.get(path);
        if (file === undefined) throw new HaystackError('HS_ERR_UNKNOWN_OP', `No UI file at ${path}`);
        setCommon(res, common);
        sendUiFile(res, file, req.headers['accept-encoding'], method === 'HEAD');
        return;
      }
      if (path === '/' && homeHtml !== undefined && getOrHead) {
        setCommon(res, common);
        sendHomePage(res, homeHtml, method === 'HEAD');
        return;
      }
      opName = opNameOf(path, opts.basePath);
      if (opName === undefined)
        throw new HaystackError('HS_ERR_UNKNOWN_OP', `No Haystack API at ${path}: the ops are at ${opts.basePath}{op}`);
      const routed = routeFor(opts.routes, path, opts.basePath);
      // RFC 9110: OPTIONS asks what the resource allows; it answers no grid, so Accept does not matter.
      if (routed === undefined && method === 'OPTIONS') {
        setCommon(res, common);
        res.writeHead(204, { allow: ALLOW });
        res.end();
        return;
      }
      ({ codec, contentType } = negotiateResponse(req.headers.accept));
      // HttpApi: 501 when the method is other than GET or POST (routes such as the users API take any).
      if (routed === undefined && !METHODS_ALLOWED.has(method)) {
        throw new HttpHeaderError(
          'HS_ERR_NOT_IMPLEMENTED',
          `Method ${method} is not supported: ops take GET (read-only ops) or POST`,
          { allow: ALLOW },
        );
      }
      let principal: Principal | undefined = ANONYMOUS_ADMIN;
      if (opts.authenticate !== undefined) {
        // The step may answer the request itself.
        setCommon(res, common);
        principal = await opts.authenticate(req, res);
        // The step answered the request itself (a challenge or a handshake step).
        if (principal === undefined) return;
      }
      authenticated = true;
      username = principal.username;
      if (routed !== undefined) {
        opName = routed.route.name;
        setCommon(res, common);
        const route = opName;
        await routed.route.serve({
          req,
          res,
          principal,
          requestId,
          subpath: routed.subpath,
          authorize: opts.authorize,
          errorReply: (err) => {
            const reply = pipeline.errorReply(err, false, route, requestId);
            errorCode = reply.code;
            return reply;
          },
        });
        return;
      }
      const post = method === 'POST';
      lease = bodies?.serves(codec) === true ? bodies.acquire() : undefined;
      const outcome = await pipeline.dispatchOp({
        op: opName,
        principal,
        transport: 'http',
        requestId,
        address: req.socket.remoteAddress,
        request: post ? (dl) => readPost(req, opName as string, dl) : (dl) => queryGrid(query, dl),
        allowSideEffects: post,
        // Every registry codec is an encoding; those with `pieces` stream a chunked answer.
        encoding: lease?.encodingFor(codec) ?? responseEncoding(codec),
        // Only GET responses are cached: their whole request is the query string.
        ...(post ? {} : { cacheKey: query }),
      });
      if (outcome.ok && outcome.stream !== undefined) {
        setCommon(res, common);
        await sendStream(res, contentType, outcome.stream);
        return;
      }
      if (outcome.ok) {
        const body = outcome.body ?? Buffer.alloc(0);
        // The lease goes back once the socket has taken the bytes (`finish`); never on a failed write, which
        // may still hold them: that buffer is left to the GC.
        const sent = lease === undefined || outcome.cached ? undefined : releaseOnFinish(bodies, lease);
        if (sent !== undefined) lease = undefined;
        sendOk(res, common, contentType, body, sent);
        return;
      }
      errorCode = outcome.reply.code;
      setCommon(res, common);
      sendError(res, outcome.reply, codec, contentType);
    } catch (err) {
      const reply = pipeline.errorReply(err, false, opName, requestId);
      errorCode = reply.code;
      // An upload refused before authentication is not read to its end: the connection closes instead.
      if (!authenticated && hasBody(req)) res.setHeader('connection', 'close');
      if (!res.headersSent) setCommon(res, common);
      sendError(res, reply, codec, contentType);
    } finally {
      // Not lent to a response being sent (an error, a stream, a cached answer): free at once.
      if (lease !== undefined) bodies?.release(lease);
      if (requestChannel.hasSubscribers) {
        const event: RequestEvent = {
          method: req.method ?? 'GET',
          op: opName,
          status: res.statusCode,
          errorCode,
          username,
          address: req.socket.remoteAddress,
          durationMs: performance.now() - started,
          requestId,
        };
        requestChannel.publish(event);
      }
    }
  };

  // Requests still at work: a client that hangs up does not stop its op, which may still be using the store.
  let inFlight = 0;
  let idleWaiters: (() => void)[] = [];
  const finished = (): void => {
    if (--inFlight > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const wake of waiters) wake();
  };
  const handler = ((req: IncomingMessage, res: ServerResponse): void => {
    inFlight++;
    // `serve` answers every error itself; this only catches a failure to write that answer. One `then` for both
    // outcomes (a catch and a finally cost a promise and a turn of the queue more per request).
    serve(req, res, performance.now()).then(finished, (err: unknown) => {
      try {
        if (errorChannel.hasSubscribers) errorChannel.publish({ op: undefined, error: err });
        res.destroy();
      } finally {
        finished();
      }
    });
  }) as HaystackHandler;
  return Object.assign(handler, {
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      // Node hands over an upgraded socket without its error listener: a client's reset after a refusal would
      // otherwise be an uncaught ECONNRESET, ending the process.
      socket.on('error', () => undefined);
      if (ws === undefined) refuseUpgrade(socket, '501 Not Implemented');
      // The same Host rule as requests: a page that rebound its name to this machine gets no socket.
      else if (opts.authenticate === undefined && !hostAllowed(req.headers.host))
        refuseUpgrade(socket, '403 Forbidden');
      else ws.handleUpgrade(req, socket, head);
    },
    closeWebSockets(): void {
      ws?.closeAll();
    },
    idle(): Promise<void> {
      if (inFlight === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
      });
    },
    options: opts,
    pipeline,
    ops: pipeline.ops,
    actions: opts.actions,
    store: pipeline.store,
  });
}

function crossOriginRefused(): HaystackError {
  return new HaystackError(
    'HS_ERR_PERMISSION',
    'Cross-origin request refused: send it from the server’s own pages, or with an Authorization header',
  );
}

/**
 * Answer an error reply in the response's format (labelled `contentType`), or Zinc when that format has no grid meta
 * (CSV).
 */
function sendError(res: ServerResponse, reply: ErrorReply, codec: WireCodec, contentType: string): void {
  // A body left unread (refused, stalled) is not drained: the connection closes instead.
  const unread = reply.code === 'HS_ERR_TOO_LARGE' || (hasBody(res.req) && !res.req.complete);
  const headers = unread ? { ...reply.headers, connection: 'close' } : reply.headers;
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const [used, type] = codec.carriesMeta ? [codec, contentType] : [ZINC_CODEC, ZINC_CODEC.contentType];
  sendBytes(res, reply.status, type, Buffer.from(used.encodeGrid(reply.grid), 'utf8'), headers);
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

// A successful answer: every common header and the body's, written with the status in one call.
function sendOk(res: ServerResponse, common: string[], contentType: string, body: Buffer, sent?: () => void): void {
  common.push('content-type', contentType, 'content-length', String(body.length));
  res.writeHead(200, common);
  // `end`'s callback runs on `finish`: the last bytes were handed to the socket, which holds them no longer.
  if (sent === undefined) res.end(body);
  else res.end(body, sent);
}

// The headers every answer carries, as name, value pairs: its request id; no MIME sniffing; HSTS over TLS; nothing
// cached by the client when callers authenticate. A fresh array: the success path appends its own.
function commonHeaders(requestId: string, secure: boolean, noStore: boolean): string[] {
  const h = ['x-request-id', requestId, 'x-content-type-options', 'nosniff'];
  if (secure) h.push('strict-transport-security', 'max-age=31536000');
  if (noStore) h.push('cache-control', 'no-store');
  return h;
}

// Set the common headers ahead of a response written elsewhere (once: a second call finds them set).
function setCommon(res: ServerResponse, common: readonly string[]): void {
  if (res.hasHeader('x-request-id')) return;
  for (let i = 0; i < common.length; i += 2) res.setHeader(common[i] as string, common[i + 1] as string);
}

// The callback giving `lease` back to `pool` once its response is sent.
function releaseOnFinish(pool: BodyPool | undefined, lease: BodyLease): () => void {
  return () => {
    pool?.release(lease);
  };
}

// A response in pieces (chunked transfer encoding), each written once the socket took the one before, so a long
// answer holds one piece at a time. A client that goes away stops the iteration (releasing the store's cursor); a
// failure after the first piece can only cut the response (the catch above destroys it).
async function sendStream(res: ServerResponse, contentType: string, pieces: AsyncIterable<Buffer>): Promise<void> {
  const it = pieces[Symbol.asyncIterator]();
  // The first piece before the status: an error until then still gets its error grid.
  let next = await it.next();
  res.writeHead(200, { 'content-type': contentType });
  try {
    while (next.done !== true) {
      if (res.destroyed) return;
      if (!res.write(next.value)) await drained(res);
      next = await it.next();
    }
    res.end();
  } finally {
    if (next.done !== true) await it.return?.();
  }
}

// Resolves once the response can take more, or is gone.
function drained(res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
