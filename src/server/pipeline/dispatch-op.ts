// dispatchOp: the transport-neutral op pipeline (lookup, side-effect rule, role check, limits, cache, call, error grid).

import type { GridPieces } from '../../core/codec/codec.js';
import type { DecodeLimits } from '../../core/codec/limits.js';
import { echoInput } from '../../core/echo-input.js';
import { HaystackError } from '../../core/errors.js';
import type { Dict } from '../../core/grid/dict.js';
import { Grid } from '../../core/grid/grid.js';
import type { StorageAdapter } from '../../storage/adapter.js';
import { ChangeFeed, followStore, observeStore, type StoreObserver } from '../cache/observed-store.js';
import { ResponseCache } from '../cache/response-cache.js';
import { errorChannel, type OpTraceContext, opChannel, opTraceChannel } from '../events.js';
import { type ErrorReply, errorReply, HttpHeaderError } from '../http/error-reply.js';
import { SERVER_FILETYPES, SERVER_FORMATS } from '../http/wire.js';
import { instrumentStore } from '../instrumented-store.js';
import { requestDecodeLimits } from '../limits.js';
import { loadNamespace } from '../namespace/load-namespace.js';
import type { DefNamespace } from '../namespace/namespace.js';
import type { ChunkedGrid, OpContext, OpDef, OpRegistry, ServerInfo } from '../op.js';
import { createOpRegistry } from '../op-registry.js';
import { STANDARD_OPS } from '../ops/standard-ops.js';
import { PRODUCT_VERSION, type ResolvedServerOptions } from '../options.js';
import type { Principal } from '../principal.js';
import { HookSet, type OpEvent, type OpHookContext, type OpHooks, runHooks } from './op-hooks.js';

/** Reads the request grid of a call within the server's decode limits (an HTTP body, a query string, ...). */
export type RequestReader = (limits: DecodeLimits) => Grid | Promise<Grid>;

/** The encoding of a response (any codec of the registry fits): given, the pipeline encodes and may cache. */
export interface ResponseEncoding {
  /** Media type of the encoded response, part of the cache key. */
  readonly contentType: string;
  /** Encode a response grid as text. */
  encodeGrid(grid: Grid): string;
  /**
   * Where the format can be written in pieces (every codec of the registry but Trio): a chunked response is then
   * streamed as its rows come instead of gathered into one grid.
   */
  readonly pieces?: GridPieces;
  /** Where given, what encodes a whole response grid: straight to UTF-8 bytes, the same as `encodeGrid`'s text. */
  encodeBytes?(grid: Grid): Uint8Array;
  /**
   * True when `encodeBytes` writes into a buffer lent to this one response (valid until the transport has sent
   * it): the response cache then keeps a copy.
   */
  readonly transient?: boolean;
}

/** One op call, as a transport hands it to {@link OpPipeline.dispatchOp}. */
export interface OpCall {
  /** Op name as received (HTTP: the last path segment; WebSocket: the envelope's `op`). */
  readonly op: string;
  /** The caller, authenticated by the transport (HTTP headers, a WebSocket's bearer token). */
  readonly principal: Principal;
  /** Transport name reported to hooks and events: `http`, `ws`, ... */
  readonly transport: string;
  /** Id of the request this call serves (HTTP: `X-Request-Id`), passed on to hooks, events and traces. */
  readonly requestId?: string;
  /** The connection the call came on (WebSocket), for the `haystack:server:op` event: logs tie calls to it. */
  readonly connectionId?: number;
  /** The caller's address, for the `haystack:server:op` event. */
  readonly address?: string | undefined;
  /**
   * The request grid, or a reader the pipeline calls only once the op is found and the caller allowed, so that a
   * refused request's body is never read.
   */
  readonly request: Grid | RequestReader;
  /**
   * False when the request is declared safe (HTTP GET): an op with side effects is then refused with
   * `HS_ERR_METHOD_NOT_ALLOWED` and `Allow: POST`. Default true.
   */
  readonly allowSideEffects?: boolean;
  /** Encode a successful response in the pipeline (so that the response cache can keep the bytes). */
  readonly encoding?: ResponseEncoding;
  /**
   * With `encoding` and the server's `responseCache`: what identifies this exact request besides the op and the
   * content type (HTTP: the GET query string). Only ops with `cacheDeps` are cached. Default: not cacheable.
   */
  readonly cacheKey?: string;
}

/** A call that answered a response grid. */
export interface OpSuccess {
  /** Discriminant. */
  readonly ok: true;
  /** The response grid; undefined only when `cached` (the bytes came from the response cache). */
  readonly grid: Grid | undefined;
  /**
   * The encoded response, when the call gave an `encoding` (with a `transient` one, and not `cached`: a view of the
   * buffer lent to this response, valid until the transport has sent it).
   */
  readonly body: Buffer | undefined;
  /** Media type of `body`. */
  readonly contentType: string | undefined;
  /** True when `body` came from the response cache. */
  readonly cached: boolean;
  /**
   * The encoded response in pieces, when the op answered a chunked grid and the encoding writes in pieces (`body`
   * and `grid` are undefined then). It is iterated once; a failure while iterating (the store went away) rejects,
   * after the first pieces may have been sent.
   */
  readonly stream?: AsyncIterable<Buffer>;
}

/** A call that answered an error grid. */
export interface OpFailure {
  /** Discriminant. */
  readonly ok: false;
  /** Status, error grid, code and headers (HttpApi: status 200 once the request grid was read, in `spec` mode). */
  readonly reply: ErrorReply;
  /** The thrown value. */
  readonly error: unknown;
}

/** The outcome of {@link OpPipeline.dispatchOp}; it never rejects for an op's error. */
export type OpOutcome = OpSuccess | OpFailure;

/** The op pipeline of one server: every transport calls ops through it. */
export interface OpPipeline {
  /**
   * Run one call through every stage: `onRequest` hooks, op lookup (`HS_ERR_UNKNOWN_OP`), the side-effect rule,
   * the role check, the response cache, the request grid (read within `decodeLimits`), `preHandler` hooks, the
   * handler, encoding and caching, `onResponse` hooks and the `haystack:server:op` event. Errors become error
   * grids; the promise rejects only if a transport-given reader or encoder is broken beyond that.
   */
  dispatchOp(call: OpCall): Promise<OpOutcome>;
  /** {@link OpPipeline.dispatchOp} for transports that want grids: the response grid, or the error grid. */
  callOp(call: Omit<OpCall, 'encoding' | 'cacheKey'>): Promise<Grid>;
  /** Add stage hooks (see {@link OpHooks}); returns the function that removes them. */
  addHooks(hooks: OpHooks): () => void;
  /**
   * The reply for an error raised outside a call (authentication, routing), made the same way as op errors; `op` and
   * `requestId` go with an internal error to the error channel.
   */
  errorReply(err: unknown, requestRead: boolean, op?: string, requestId?: string): ErrorReply;
  /** Limits for decoding request grids (transports decoding their own envelopes use them too). */
  readonly decodeLimits: DecodeLimits;
  /** The ops served. */
  readonly ops: OpRegistry;
  /** The store as the ops see it: every write through it is reported to the response cache and to observers. */
  readonly store: StorageAdapter;
  /**
   * Be told of every entity written through `store`, and by other processes to a store that announces them
   * (WebSocket pushes); returns the function that stops it.
   */
  observeChanges(observer: StoreObserver): () => void;
  /** The def namespace served (`defs`, `libs`, ...), loaded on first use; a failed load is retried next time. */
  namespace(): Promise<DefNamespace>;
  /** Resolves once other processes' changes to the store are followed (see `followStore`). */
  readonly following: Promise<void>;
  /** Stop following other processes' changes (the server is closing). */
  stopFollowing(): void;
}

/** Limits of the response cache. */
const CACHE_LIMITS = { maxEntries: 10_000, maxBytes: 64 * 1024 * 1024 };

/** Make the op pipeline of a server with these (resolved) options. */
export function createOpPipeline(opts: ResolvedServerOptions): OpPipeline {
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
  // Writes through the pipeline's store are reported to the response cache and to any other observer (pushes).
  const changes = new ChangeFeed();
  if (cache !== undefined) changes.add(cache.observer);
  // Timed and traced below the change reporting, so every store call the ops make is measured.
  const store = observeStore(instrumentStore(opts.store), changes, opts.clock);
  // Other processes' writes to a shared store reach the same observers.
  const follower = followStore(opts.store, changes);
  const hooks = new HookSet();
  let namespace: Promise<DefNamespace> | undefined;
  const getNamespace = (): Promise<DefNamespace> => {
    namespace ??= loadNamespace(opts.defs, ops.list(), SERVER_FILETYPES, PRODUCT_VERSION);
    // A failed load is retried on the next request rather than cached forever.
    namespace.catch(() => {
      namespace = undefined;
    });
    return namespace;
  };

  const contextFor = (principal: Principal, transport: string): OpContext => ({
    store,
    principal,
    server,
    ops,
    actions: opts.actions,
    formats: SERVER_FORMATS,
    namespace: getNamespace,
    closeSession: async () => {
      await opts.closeSession(principal);
      // This process's connections on the session hear of it now (a store tells other processes, if at all). A
      // WebSocket's own close ends the connections on its session itself, once its answer is out.
      if (principal.sessionId !== undefined && transport !== 'ws') changes.usersChanged([principal.username]);
    },
  });

  const replyFor = (
    err: unknown,
    requestRead: boolean,
    op: string | undefined,
    requestId: string | undefined,
  ): ErrorReply => {
    const reply = errorReply(err, { debug: opts.debug, requestRead, mode: opts.errorStatus });
    // Only failures of ours go to the log: a 501 is a client asking for what is not served (a PUT, even before a
    // login). The error's own status decides, as an error inside an op answers 200.
    const serverFault = err instanceof HaystackError && err.status >= 500 && err.code !== 'HS_ERR_NOT_IMPLEMENTED';
    if (reply.code === 'HS_ERR_INTERNAL' || serverFault) {
      if (errorChannel.hasSubscribers) errorChannel.publish({ op, error: err, requestId });
    }
    return reply;
  };

  // The stages up to the answer; `state` tells the caller how far it got when something throws.
  const run = async (call: OpCall, ctx: OpHookContext, state: { requestRead: boolean }): Promise<OpSuccess> => {
    if (hooks.onRequest.length > 0) await runHooks(hooks.onRequest, ctx);
    const op: OpDef | undefined = ops.get(call.op);
    if (op === undefined) throw new HaystackError('HS_ERR_UNKNOWN_OP', `Unknown op ${echoInput(call.op)}`);
    if (call.allowSideEffects === false && !op.noSideEffects && op.allowGet !== true) {
      throw new HttpHeaderError('HS_ERR_METHOD_NOT_ALLOWED', `Op ${op.name} has side effects: use POST`, {
        allow: 'POST',
      });
    }
    opts.authorize(call.principal, op.requiredRole, op.name);
    const encoding = call.encoding;
    const cacheKey =
      cache !== undefined && encoding !== undefined && call.cacheKey !== undefined && op.cacheDeps !== undefined
        ? `${op.name}\n${encoding.contentType}\n${call.cacheKey}`
        : undefined;
    if (cacheKey !== undefined) {
      let hit = cache?.get(cacheKey);
      // Another process may have changed what the answer shows and not been heard of yet: hear it first.
      const heard = hit === undefined ? undefined : follower.sync();
      if (heard !== undefined) {
        await heard;
        hit = cache?.get(cacheKey);
      }
      if (hit !== undefined) {
        return { ok: true, grid: undefined, body: hit.body, contentType: hit.contentType, cached: true };
      }
    }
    const generation = cache?.generation ?? 0;
    // Awaited only when a promise: a GET's query grid is made at once, and each await costs a turn of the queue.
    let read = typeof call.request === 'function' ? call.request(decodeLimits) : call.request;
    if (isThenable(read)) read = await read;
    const reqGrid = read;
    // A request that needs more than the op's role (a pointWrite that writes) is refused as a denial (403), before
    // the request counts as read (after which errors answer 200 with the error grid).
    const more = op.roleFor?.(reqGrid);
    if (more !== undefined && more !== op.requiredRole) opts.authorize(call.principal, more, op.name);
    state.requestRead = true;
    if (hooks.preHandler.length > 0) await runHooks(hooks.preHandler, ctx, reqGrid);
    const context = contextFor(call.principal, call.transport);
    let answered = opTraceChannel.hasSubscribers
      ? await opTraceChannel.tracePromise(async () => op.handler(reqGrid, context), traceContext(ctx))
      : op.handler(reqGrid, context);
    if (isThenable(answered)) answered = await answered;
    let result: Grid;
    if (answered instanceof Grid) result = answered;
    else if (encoding?.pieces !== undefined) {
      const stream = encodePieces(answered, encoding.pieces);
      return { ok: true, grid: undefined, body: undefined, contentType: encoding.contentType, cached: false, stream };
    } else result = await gatherChunks(answered);
    if (encoding === undefined)
      return { ok: true, grid: result, body: undefined, contentType: undefined, cached: false };
    const body = encodedBody(encoding, result);
    const deps = cacheKey === undefined ? undefined : op.cacheDeps?.(reqGrid, result);
    if (cacheKey !== undefined && deps !== undefined) {
      const kept = encoding.transient === true ? Buffer.from(body) : body;
      cache?.set(cacheKey, { contentType: encoding.contentType, body: kept }, deps, rowIds(result), generation);
    }
    return { ok: true, grid: result, body, contentType: encoding.contentType, cached: false };
  };

  const dispatchOp = async (call: OpCall): Promise<OpOutcome> => {
    const ctx: OpHookContext = {
      op: call.op,
      principal: call.principal,
      transport: call.transport,
      requestId: call.requestId,
      started: performance.now(),
    };
    const state = { requestRead: false };
    let outcome: OpOutcome;
    try {
      outcome = await run(call, ctx, state);
    } catch (err) {
      outcome = { ok: false, reply: replyFor(err, state.requestRead, call.op, call.requestId), error: err };
    }
    if (hooks.onResponse.length > 0 || opChannel.hasSubscribers) finish(ctx, call, outcome);
    return outcome;
  };

  const finish = (ctx: OpHookContext, call: OpCall, outcome: OpOutcome): void => {
    const event: OpEvent = {
      op: ctx.op,
      transport: ctx.transport,
      username: ctx.principal.username,
      requestId: ctx.requestId,
      connectionId: call.connectionId,
      address: call.address,
      errorCode: outcome.ok ? undefined : outcome.reply.code,
      cached: outcome.ok && outcome.cached,
      durationMs: performance.now() - ctx.started,
    };
    for (const hook of hooks.onResponse) {
      try {
        hook(ctx, event);
      } catch (err) {
        if (errorChannel.hasSubscribers) errorChannel.publish({ op: ctx.op, error: err, requestId: ctx.requestId });
      }
    }
    if (opChannel.hasSubscribers) opChannel.publish(event);
  };

  return Object.freeze({
    dispatchOp,
    async callOp(call: Omit<OpCall, 'encoding' | 'cacheKey'>): Promise<Grid> {
      const outcome = await dispatchOp(call);
      // Without an encoding nothing comes from the cache, so a success always carries its grid.
      if (outcome.ok) return outcome.grid as Grid;
      return outcome.reply.grid;
    },
    addHooks: (h: OpHooks) => hooks.add(h),
    errorReply: (err: unknown, requestRead: boolean, op?: string, requestId?: string) =>
      replyFor(err, requestRead, op, requestId),
    decodeLimits,
    ops,
    store,
    observeChanges: (o: StoreObserver) => changes.add(o),
    namespace: getNamespace,
    following: follower.ready,
    stopFollowing: () => {
      follower.stop();
    },
  });
}

// A promise or any thenable (a custom op may return one): what must be awaited; anything else is the value itself.
function isThenable<T>(v: T | PromiseLike<T>): v is PromiseLike<T> {
  return typeof (v as { then?: unknown } | null)?.then === 'function';
}

// A fresh object per call: the tracing channel stores its result or error on it.
function traceContext(ctx: OpHookContext): OpTraceContext {
  return { op: ctx.op, transport: ctx.transport, username: ctx.principal.username, requestId: ctx.requestId };
}

function encodedBody(encoding: ResponseEncoding, grid: Grid): Buffer {
  if (encoding.encodeBytes === undefined) return Buffer.from(encoding.encodeGrid(grid), 'utf8');
  const bytes = encoding.encodeBytes(grid);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** The ids of a response's rows: what a cached response depends on besides its `cacheDeps`. */
function rowIds(grid: Grid): string[] {
  const ids: string[] = [];
  if (!grid.hasCol('id')) return ids;
  for (const row of grid) {
    const id = row.id;
    if (id !== undefined) ids.push(id.id);
  }
  return ids;
}

// A chunked response in pieces of UTF-8, each chunk's rows as the chunk comes; the head goes with the first, so
// that nothing is sent (and an error can still be answered) before the store delivered something.
async function* encodePieces(answer: ChunkedGrid, pieces: GridPieces): AsyncGenerator<Buffer> {
  let head: string | undefined = pieces.head(answer.meta, answer.cols);
  for await (const chunk of answer.chunks) {
    if (chunk.size === 0) continue;
    const rows = pieces.rows(chunk, head !== undefined);
    yield Buffer.from(head === undefined ? rows : head + rows, 'utf8');
    head = undefined;
  }
  const last = (head ?? '') + pieces.tail;
  if (last !== '') yield Buffer.from(last, 'utf8');
}

// A chunked response as one grid, for formats written whole and for transports that want grids.
async function gatherChunks(answer: ChunkedGrid): Promise<Grid> {
  const rows: Dict[] = [];
  for await (const chunk of answer.chunks) for (const row of chunk) rows.push(row);
  return Grid.fromTrustedParts(answer.meta, answer.cols, rows);
}
