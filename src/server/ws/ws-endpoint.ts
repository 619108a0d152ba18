// The `/api/ws` endpoint: upgrades on our own server (`ws`, noServer), logins, op calls through dispatchOp, pushes.

import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { encodeBase64UrlText } from '../../core/auth/base64.js';
import {
  HAYSON_GRID_TAIL,
  writeHayson,
  writeHaysonGridHead,
  writeHaysonGridRows,
} from '../../core/codec/json/hayson-writer.js';
import { HaystackError, LimitError } from '../../core/errors.js';
import { Grid } from '../../core/grid/grid.js';
import { Ref } from '../../core/kinds/ref.js';
import { MAX_TIMER_MS } from '../../core/timer-ms.js';
import { WS_CLOSE, type WsCloseReason } from '../../core/ws/ws-close-codes.js';
import {
  decodeWsMessage,
  decodeWsMessageSteps,
  encodeWsControl,
  encodeWsPush,
  isWsBadItem,
  isWsRequest,
  WS_SUBPROTOCOL,
  type WsBadItem,
  type WsMessage,
  type WsRequest,
  type WsResponse,
  wsResponseParts,
} from '../../core/ws/ws-envelope.js';
import type { EntityChange } from '../cache/observed-store.js';
import {
  type ConnectionEvent,
  connectionChannel,
  errorChannel,
  messageChannel,
  newConnectionId,
  SERVER_CHANNELS,
} from '../events.js';
import { isCrossOrigin } from '../http/cross-origin.js';
import { refuseUpgrade } from '../http/refuse-upgrade.js';
import { decodeStepwise, SLICE } from '../http/request-grid.js';
import { splitTarget } from '../http/router.js';
import type { ResolvedServerOptions } from '../options.js';
import type { OpOutcome, OpPipeline, ResponseEncoding } from '../pipeline/dispatch-op.js';
import { ANONYMOUS_ADMIN, type Principal } from '../principal.js';
import type { UserChangeEvent } from '../users/users-api.js';
import { authenticateAs, headerSafe, type WsAuthOutcome } from './ws-auth.js';
import { DEFAULT_WEBSOCKET_OPTIONS, type WebSocketOptions } from './ws-options.js';

/** The endpoint as the handler holds it. */
export interface WebSocketEndpoint {
  /** Serve an upgrade request (any path: others than `{basePath}ws` get 404). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Open connections. */
  readonly size: number;
  /** Close every connection (1001 going away) and stop the timers. */
  closeAll(): void;
}

const HAYSON: ResponseEncoding = { contentType: 'application/json', encodeGrid: writeHayson };
// A lone request's answer may be written in pieces (a long hisRead): it goes out as one message in fragments.
const HAYSON_PIECES: ResponseEncoding = {
  ...HAYSON,
  pieces: { head: writeHaysonGridHead, rows: writeHaysonGridRows, tail: HAYSON_GRID_TAIL },
};

// Longest message read before a login: the login messages (a token, HELLO, SCRAM steps) take a few hundred characters.
const MAX_LOGIN_MESSAGE_CHARS = 16 * 1024;
// Bytes a connection may send before its login: a few login messages and their frames, with room to spare.
const MAX_BYTES_BEFORE_LOGIN = 4 * MAX_LOGIN_MESSAGE_CHARS;
// A batch longer than maxBatch is answered member by member up to this many times maxBatch members.
const ANSWERED_BATCH_FACTOR = 10;

/** An answer whose grid comes in pieces, between the envelope's prefix and suffix. */
interface StreamedAnswer {
  readonly prefix: string;
  readonly pieces: AsyncIterable<Buffer>;
  readonly suffix: string;
}

// How a login step that did not log in ends the connection: refused, throttled, or not checkable now (an unreachable
// store: 1013, which clients retry, unless the store failed otherwise).
function refusal(r: WsAuthOutcome): WsCloseReason {
  if (r.kind === 'throttled') return 'THROTTLED';
  if (r.kind !== 'unavailable') return 'AUTH_FAILED';
  return r.error.code === 'HS_ERR_UNAVAILABLE' ? 'UNAVAILABLE' : 'INTERNAL';
}

function idsOf(grid: Grid): string[] {
  const out: string[] = [];
  if (!grid.hasCol('id')) return out;
  for (const row of grid) {
    const id = row.get('id');
    if (id instanceof Ref) out.push(id.id);
  }
  return out;
}

/** Make the endpoint of a server over its op pipeline. */
export function createWebSocketEndpoint(
  opts: ResolvedServerOptions,
  pipeline: OpPipeline,
  partial?: Partial<WebSocketOptions>,
): WebSocketEndpoint {
  const o: WebSocketOptions = { ...DEFAULT_WEBSOCKET_OPTIONS, ...partial };
  const maxAnsweredBatch = o.maxBatch * ANSWERED_BATCH_FACTOR;
  const path = `${opts.basePath}ws`;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: o.maxMessageBytes,
    perMessageDeflate: o.compression ? { threshold: 1024 } : false,
    clientTracking: false,
    // Liberal: a client that names no subprotocol (or others) is served all the same.
    handleProtocols: (protocols) => (protocols.has(WS_SUBPROTOCOL) ? WS_SUBPROTOCOL : false),
  });
  const sessions = new Set<Session>();
  // A watch pushes to the connection that subscribed it last (a reconnecting client takes its watches along).
  const watchOwners = new Map<string, Session>();
  let timers: ReturnType<typeof setInterval>[] = [];
  // Changes made through the users API of this process (other processes' come from the store: usersChanged below).
  const onUserChange = (m: unknown): void => {
    const username = (m as UserChangeEvent).username;
    for (const s of sessions) if (s.principal?.username === username) s.userChanged();
  };

  const startTimers = (): void => {
    if (timers.length > 0) return;
    const every = (ms: number, fn: () => void): void => {
      const t = setInterval(fn, ms);
      t.unref();
      timers.push(t);
    };
    every(o.pingIntervalMs, () => {
      for (const s of sessions) s.heartbeat();
    });
    every(o.sessionCheckMs, () => {
      for (const s of sessions) s.checkSession();
    });
    every(o.pushPollMs, () => {
      for (const s of sessions) s.pollAll();
    });
    diagnostics.subscribe(SERVER_CHANNELS.users, onUserChange);
  };
  const stopTimers = (): void => {
    for (const t of timers) clearInterval(t);
    timers = [];
    diagnostics.unsubscribe(SERVER_CHANNELS.users, onUserChange);
  };

  pipeline.observeChanges({
    wants: () => watchOwners.size > 0,
    changed(changes: readonly EntityChange[]) {
      for (const s of sessions) s.changed(changes);
    },
    reset() {
      // Another process's changes may have been missed, a logout or user change among them: every session is checked
      // again before its next call or push (not at once: a reset often comes while the store fails, and a check that
      // fails then would end every connection), and every pushed watch is polled, which checks its session first.
      for (const s of sessions) {
        s.userChanged();
        s.pollAll();
      }
    },
    usersChanged(usernames: readonly string[]) {
      // Changed by any process (this one's users API too): checked now, so that a session ended closes at once
      // rather than at its next message or the periodic check, and the next call waits for the check.
      const changed = new Set(usernames);
      for (const s of sessions) {
        const name = s.principal?.username;
        if (name === undefined || !changed.has(name)) continue;
        s.userChanged();
        s.checkSession();
      }
    },
    expires(id: string, at: number) {
      // Nobody to push to: a watch subscribed later is polled (pushPollMs), which sees the end as any change.
      if (watchOwners.size === 0) return;
      const wait = (): void => {
        const ms = Math.max(0, at - opts.clock());
        // Node's timers take at most 2^31 - 1 ms (24.8 days; a longer one fires at once, with a process warning):
        // an override of weeks is waited for in steps.
        const t = setTimeout(
          () => {
            if (ms > MAX_TIMER_MS) wait();
            else for (const s of sessions) s.changed([{ id, now: undefined }]);
          },
          Math.min(ms, MAX_TIMER_MS),
        );
        t.unref();
      };
      wait();
    },
  });

  class Session {
    readonly ws: WebSocket;
    readonly upgrade: IncomingMessage;
    principal: Principal | undefined;
    token: string | undefined;
    #chain: Promise<void> = Promise.resolve();
    #inFlight = 0;
    #unsent = 0;
    // While an answer is sent in fragments nothing may come between them: other messages wait here, and other
    // fragmented answers wait for their turn on `#wire`.
    #fragmenting = false;
    readonly #held: { readonly text: string | Buffer; readonly bytes: number }[] = [];
    #wire: Promise<void> = Promise.resolve();
    #alive = true;
    #progress = false;
    #closed = false;
    #authTimer: ReturnType<typeof setTimeout> | undefined;
    #scramStarted = false;
    readonly #connectionId = newConnectionId();
    readonly #opened = performance.now();
    // Pushed watches of this connection: id -> channel and the entity ids they hold.
    readonly watches = new Map<string, { ch: string | undefined; ids: Set<string> }>();
    readonly #dirty = new Set<string>();
    #flushScheduled = false;
    // Watches whose push waits until the client has read its backlog.
    readonly #deferred = new Set<string>();
    // Stops bounding the bytes a peer sends before its login (see boundUntilLogin), while they are bounded.
    #unbound: (() => void) | undefined;

    constructor(ws: WebSocket, upgrade: IncomingMessage, principal: Principal | undefined, token: string | undefined) {
      this.ws = ws;
      this.upgrade = upgrade;
      this.principal = principal;
      this.token = token;
      this.#connection({ phase: 'open' });
      ws.on('message', (data: Buffer, isBinary: boolean) => {
        this.#alive = true;
        if (messageChannel.hasSubscribers) {
          messageChannel.publish({
            direction: 'received',
            transport: 'ws',
            connectionId: this.#connectionId,
            bytes: data.length,
          });
        }
        if (isBinary) {
          this.end('UNSUPPORTED_DATA');
          return;
        }
        const text = data.toString('utf8');
        if (this.#unbound !== undefined) this.#heardBeforeLogin(text);
        this.#chain = this.#chain
          .then(() => this.#onText(text))
          .catch((err: unknown) => {
            if (errorChannel.hasSubscribers) errorChannel.publish({ op: undefined, error: err });
            this.end('INTERNAL');
          });
      });
      ws.on('pong', () => {
        this.#alive = true;
      });
      ws.on('close', () => {
        this.#finish();
      });
      ws.on('error', (error: Error) => {
        this.#connection({ phase: 'error', error });
        this.#finish();
      });
      if (principal === undefined) {
        this.#authTimer = setTimeout(() => {
          this.end('AUTH_TIMEOUT');
        }, o.authTimeoutMs);
        this.#authTimer.unref();
      }
    }

    #connection(event: Pick<ConnectionEvent, 'phase' | 'durationMs' | 'error'>): void {
      if (!connectionChannel.hasSubscribers) return;
      const address = this.upgrade.socket.remoteAddress;
      connectionChannel.publish({ ...event, transport: 'ws', connectionId: this.#connectionId, address });
    }

    #finish(): void {
      if (this.#closed) return;
      this.#closed = true;
      this.#connection({ phase: 'close', durationMs: performance.now() - this.#opened });
      if (this.#authTimer !== undefined) clearTimeout(this.#authTimer);
      sessions.delete(this);
      for (const id of this.watches.keys()) if (watchOwners.get(id) === this) watchOwners.delete(id);
      if (sessions.size === 0) stopTimers();
    }

    end(reason: WsCloseReason, message = ''): void {
      if (this.#closed) return;
      this.ws.close(WS_CLOSE[reason].code, message);
      // The handshake ends when the peer's closing frame is read: paused, the socket would wait out ws's 30 s.
      this.ws.resume();
      this.#finish();
    }

    heartbeat(): void {
      // While this side reads nothing (requests in flight or unread answers at their limits) the peer's pongs wait
      // unread: the peer taking what it is sent is then the sign of life.
      const heard = this.#alive || (this.ws.isPaused && this.#progress);
      this.#progress = false;
      if (!heard) {
        // No pong since the last ping: the peer is gone (or its path is); no close handshake can reach it.
        this.ws.terminate();
        this.#finish();
        return;
      }
      this.#alive = false;
      this.ws.ping();
    }

    #send(text: string | Buffer): void {
      if (this.#closed) return;
      // A backlog past four times the limit before this message: answers to requests read before it grew keep
      // coming and the client does not read them. One long answer to a client that reads is no backlog.
      if (this.#unsent > 4 * o.maxBufferedBytes) {
        this.end('SLOW_CONSUMER');
        return;
      }
      const bytes = typeof text === 'string' ? Buffer.byteLength(text) : text.length;
      // Counted from now: messages held behind a fragmented answer are unread bytes in memory too.
      this.#unsent += bytes;
      if (this.#fragmenting) this.#held.push({ text, bytes });
      else this.#write(text, bytes);
      this.#flow();
    }

    #write(text: string | Buffer, bytes: number): void {
      if (messageChannel.hasSubscribers) {
        messageChannel.publish({ direction: 'sent', transport: 'ws', connectionId: this.#connectionId, bytes });
      }
      this.ws.send(text, { binary: false }, (err) => {
        this.#unsent -= bytes;
        this.#taken(err);
      });
    }

    // A message or fragment the socket took: the peer's side is taking what it is sent.
    #taken(err: Error | null | undefined): void {
      if (!(err instanceof Error)) this.#progress = true;
      this.#flow();
    }

    /**
     * Read the socket only while requests in flight and unread answers are within their limits; once the client
     * has read its backlog, push the watches held back meanwhile.
     */
    #flow(): void {
      if (this.#closed) return;
      const stop = this.#inFlight >= o.maxInFlight || this.#unsent > o.maxBufferedBytes;
      if (stop && !this.ws.isPaused) this.ws.pause();
      else if (!stop && this.ws.isPaused) this.ws.resume();
      if (this.#deferred.size > 0 && this.#unsent <= o.maxBufferedBytes) {
        const ids = [...this.#deferred];
        this.#deferred.clear();
        for (const id of ids) void this.#push(id);
      }
    }

    async #onText(text: string): Promise<void> {
      if (this.#closed) return;
      // Login messages are small: a long one before the login is not decoded, as HTTP reads no body before it.
      if (this.principal === undefined && text.length > MAX_LOGIN_MESSAGE_CHARS) {
        this.end('TOO_BIG');
        return;
      }
      let m: WsMessage;
      try {
        // As a large HTTP body: decoded a slice at a time, so one long message does not hold every other client, and
        // held to the longest row.
        const maxRow = opts.limits.maxRequestRowLength;
        m =
          text.length > Math.min(SLICE, maxRow)
            ? await decodeStepwise(
                decodeWsMessageSteps(text, pipeline.decodeLimits, SLICE, maxRow, maxAnsweredBatch),
                'json',
                text.length,
              )
            : decodeWsMessage(text, pipeline.decodeLimits, maxAnsweredBatch);
      } catch (err) {
        if (this.principal === undefined) this.end('PROTOCOL');
        // An error envelope per member, for as little as two bytes of request each: a batch far over the limit would
        // be a flood to build and send (gigabytes for a few megabytes), so the connection ends instead.
        else if (err instanceof LimitError && err.limit === 'maxBatch') {
          this.end('TOO_BIG', `A batch may hold at most ${String(o.maxBatch)} requests`);
        }
        // Unreadable: no id to answer to, so the error goes without one (haystack-py's clients ignore it).
        else this.#send(`{"grid":${writeHayson(pipeline.errorReply(err, false).grid)}}`);
        return;
      }
      if (this.principal === undefined) {
        if (m.kind === 'bad') this.end('PROTOCOL');
        else await this.#login(m);
        return;
      }
      // A check under way (a user change heard) or due: the call runs with its outcome.
      const verdict = await this.#sessionVerdict();
      if (verdict === false) return;
      if (verdict !== true && (m.kind === 'request' || m.kind === 'batch')) {
        // The session could not be checked (its store is unreachable): its calls fail now, and it is checked again.
        this.#send(m.kind === 'request' ? this.#errorAnswer(m.request, verdict) : this.#batchError(m.items, verdict));
        return;
      }
      switch (m.kind) {
        case 'request':
          this.#startRequest(m.request);
          return;
        case 'batch':
          this.#startBatch(m.items);
          return;
        case 'bad':
          // Its id could be read: the error is answered to it, so the client's call fails now rather than timing out.
          this.#send(this.#errorAnswer(m.item, m.item.error));
          return;
        case 'response':
          // An envelope without an op (`{"id": 1}`): a request that lacks one, since this side asks the client
          // nothing. With an id it is answered, as in a batch, so the client's call fails now rather than timing out.
          if (m.response.id !== undefined) {
            this.#send(this.#errorAnswer(m.response, new HaystackError('HS_ERR_BAD_REQUEST', 'The request has no op')));
          }
          return;
        case 'ping':
          this.#send(encodeWsControl('pong'));
          return;
        default:
          // Auth steps after login, pushes and answers from a client: nothing to do.
          return;
      }
    }

    async #login(m: WsMessage): Promise<void> {
      const authenticate = opts.authenticate;
      if (authenticate === undefined) return;
      if (m.kind === 'auth') {
        if (!headerSafe(m.authToken)) {
          this.end('AUTH_FAILED');
          return;
        }
        const r = await authenticateAs(authenticate, this.upgrade, `BEARER authToken=${m.authToken}`);
        if (r.kind === 'principal') {
          this.#loggedIn(r.principal, m.authToken);
          this.#send(encodeWsControl('authOk'));
        } else this.end(refusal(r));
        return;
      }
      if (m.kind === 'hello' && !this.#scramStarted) {
        this.#scramStarted = true;
        const username = m.fields.username;
        const r = headerSafe(username)
          ? await authenticateAs(authenticate, this.upgrade, `HELLO username=${username ?? ''}`)
          : { kind: 'failure' as const };
        if (r.kind === 'challenge' && r.scram?.handshakeToken !== undefined) {
          this.#send(encodeWsControl('hello', { handshakeToken: r.scram.handshakeToken, hash: r.scram.hash }));
          return;
        }
        this.#refuse(r);
        return;
      }
      if (m.kind === 'scram' && this.#scramStarted) {
        const { handshakeToken, data } = m.fields;
        const r = headerSafe(handshakeToken, data)
          ? await authenticateAs(
              authenticate,
              this.upgrade,
              `SCRAM handshakeToken=${handshakeToken ?? ''}, data=${data ?? ''}`,
            )
          : { kind: 'failure' as const };
        if (r.kind === 'challenge' && r.scram?.data !== undefined && r.scram.handshakeToken !== undefined) {
          this.#send(
            encodeWsControl('scram', {
              handshakeToken: r.scram.handshakeToken,
              hash: r.scram.hash,
              data: encodeBase64UrlText(r.scram.data),
            }),
          );
          return;
        }
        if (r.kind === 'success') {
          const token = r.info.authToken;
          const who = await authenticateAs(authenticate, this.upgrade, `BEARER authToken=${token}`);
          if (who.kind === 'principal') {
            this.#loggedIn(who.principal, token);
            const fields: Record<string, string> = { authToken: token };
            if (r.info.data !== undefined) fields.data = encodeBase64UrlText(r.info.data);
            this.#send(encodeWsControl('authOk', fields));
            return;
          }
          if (who.kind === 'unavailable') {
            this.#refuse(who);
            return;
          }
        }
        this.#refuse(r);
        return;
      }
      // A request (or anything else) before a login: haystack-py's servers close with 4003 too.
      this.end('AUTH_FAILED');
    }

    // A login step that did not succeed: refused, throttled, or not checkable now (the store is unreachable).
    #refuse(r: WsAuthOutcome): void {
      this.#send(encodeWsControl('authErr'));
      this.end(refusal(r));
    }

    /**
     * Before its login a peer sends only login messages: bytes far past them end the connection at once (1009), so a
     * stranger cannot make this process hold a message of up to maxMessageBytes per connection until the deadline.
     */
    boundUntilLogin(socket: Duplex): void {
      let bytes = 0;
      const count = (chunk: Buffer): void => {
        bytes += chunk.length;
        if (this.principal !== undefined || this.#closed) this.#unbound?.();
        else if (bytes > MAX_BYTES_BEFORE_LOGIN) {
          this.#unbound?.();
          this.end('TOO_BIG');
          // Not waiting for the peer's close frame behind the rest of its message.
          this.ws.terminate();
        }
      };
      this.#unbound = () => {
        socket.off('data', count);
        this.#unbound = undefined;
      };
      socket.on('data', count);
    }

    // A client that logs in with a token may send its requests right behind it, unanswered (ours does): they are no
    // longer bounded once a token message has arrived, which is checked before anything after it is read.
    #heardBeforeLogin(text: string): void {
      if (text.length > MAX_LOGIN_MESSAGE_CHARS) return;
      try {
        if (decodeWsMessage(text, pipeline.decodeLimits).kind === 'auth') this.#unbound?.();
      } catch {
        // Not a message at all: #onText refuses it.
      }
    }

    #loggedIn(principal: Principal, token: string | undefined): void {
      this.principal = principal;
      this.token = token;
      if (this.#authTimer !== undefined) clearTimeout(this.#authTimer);
    }

    /** Re-check the session: it may have expired, been closed elsewhere, or its user disabled. */
    checkSession(): void {
      void this.#recheck();
    }

    /**
     * Its user was changed (through any process): the next message waits for the session to be checked again, so
     * that it runs with the new role or not at all, as an HTTP call would (not up to sessionCheckMs late).
     */
    userChanged(): void {
      this.#stale = true;
    }

    #stale = false;
    #checking: Promise<boolean | HaystackError> | undefined;

    // Every check due, in turn: true when the session goes on, false when it ended, the error when it could not be
    // checked (the session stays, to be checked again at its next call).
    async #sessionVerdict(): Promise<boolean | HaystackError> {
      while (this.#stale || this.#checking !== undefined) {
        const v = await this.#recheck();
        if (v !== true) return v;
      }
      return true;
    }

    // True when the session goes on; a check under way is joined.
    #recheck(): Promise<boolean | HaystackError> {
      this.#checking ??= this.#check().finally(() => {
        this.#checking = undefined;
      });
      return this.#checking;
    }

    async #check(): Promise<boolean | HaystackError> {
      this.#stale = false;
      const authenticate = opts.authenticate;
      if (authenticate === undefined || this.principal === undefined || this.#closed) return !this.#closed;
      const authorization = this.token === undefined ? undefined : `BEARER authToken=${this.token}`;
      let r: Awaited<ReturnType<typeof authenticateAs>>;
      try {
        r = await authenticateAs(authenticate, this.upgrade, authorization);
      } catch {
        this.end('INTERNAL');
        return false;
      }
      // The role may have changed: the next calls run with the current one.
      if (r.kind === 'principal') {
        this.principal = r.principal;
        return true;
      }
      // No verdict: an outage of the store must not end every session (clients would log in again, into the same
      // outage); nothing runs for this one until a check passes.
      if (r.kind === 'unavailable') {
        this.#stale = true;
        return r.error;
      }
      // Its own `close` ended it (the store's notice of that may come first): the connection ends once answered.
      if (this.#closeAsked && this.#inFlight > 0) {
        this.#closing = true;
        return false;
      }
      this.end(this.token === undefined ? 'USER_DISABLED' : 'SESSION_ENDED');
      return false;
    }

    #dispatch(req: WsRequest, encoding: ResponseEncoding): Promise<OpOutcome> {
      return pipeline.dispatchOp({
        op: req.op,
        principal: this.principal ?? ANONYMOUS_ADMIN,
        transport: 'ws',
        connectionId: this.#connectionId,
        address: this.upgrade.socket.remoteAddress,
        request: req.grid,
        encoding,
        ...(opts.responseCache ? { cacheKey: `ws\n${writeHayson(req.grid)}` } : {}),
      });
    }

    // An answer's envelope, whole.
    #envelope(req: WsRequest, outcome: OpOutcome): Buffer {
      const { prefix, suffix } = wsResponseParts(req.id, req.ch);
      if (!outcome.ok) return Buffer.from(prefix + writeHayson(outcome.reply.grid) + suffix);
      if (outcome.grid !== undefined) this.#track(req, outcome.grid);
      return Buffer.concat([Buffer.from(prefix), outcome.body ?? Buffer.alloc(0), Buffer.from(suffix)]);
    }

    async #call(req: WsRequest): Promise<Buffer> {
      return this.#envelope(req, await this.#dispatch(req, HAYSON));
    }

    // A lone request: its answer whole, or in fragments when the op answered in pieces.
    async #answer(req: WsRequest): Promise<void> {
      const outcome = await this.#dispatch(req, HAYSON_PIECES);
      if (!outcome.ok || outcome.stream === undefined) {
        this.#send(this.#envelope(req, outcome));
        return;
      }
      const { prefix, suffix } = wsResponseParts(req.id, req.ch);
      const answer: StreamedAnswer = { prefix, pieces: outcome.stream, suffix };
      const turn = this.#wire.then(() => this.#sendFragments(req, answer));
      this.#wire = turn.catch(() => undefined);
      await turn;
    }

    /**
     * One answer as one message in fragments, a piece each, the next taken only once the one before has left: the
     * answer is never held whole, and a slow reader slows the store's reads instead of filling memory. A failure
     * before the first fragment answers an error grid; after it, a message cannot be taken back, so the connection
     * ends (1011) and the client learns the answer is incomplete. A client gone stops the reading.
     */
    async #sendFragments(req: WsRequest, answer: StreamedAnswer): Promise<void> {
      const it = answer.pieces[Symbol.asyncIterator]();
      let started = false;
      let finished = false;
      let bytes = 0;
      this.#fragmenting = true;
      try {
        let next = await it.next();
        for (;;) {
          if (this.#closed) return;
          if (next.done === true) break;
          const piece = started ? next.value : Buffer.concat([Buffer.from(answer.prefix), next.value]);
          started = true;
          bytes += piece.length;
          await this.#fragment(piece, false);
          next = await it.next();
        }
        finished = true;
        const last = Buffer.from(started ? answer.suffix : answer.prefix + answer.suffix);
        bytes += last.length;
        await this.#fragment(last, true);
        if (messageChannel.hasSubscribers) {
          messageChannel.publish({ direction: 'sent', transport: 'ws', connectionId: this.#connectionId, bytes });
        }
      } catch (err) {
        // A client that went away is not a failure of ours; otherwise the caller ends the connection.
        if (started) {
          if (this.#closed) return;
          throw err;
        }
        const { prefix, suffix } = wsResponseParts(req.id, req.ch);
        const text = prefix + writeHayson(pipeline.errorReply(err, true, req.op).grid) + suffix;
        const bytes = Buffer.byteLength(text);
        this.#unsent += bytes;
        this.#held.unshift({ text, bytes });
      } finally {
        if (!finished) await it.return?.();
        this.#fragmenting = false;
        if (!this.#closed) for (const m of this.#held.splice(0)) this.#write(m.text, m.bytes);
      }
    }

    // One frame of a fragmented message; resolves once the socket took it.
    #fragment(data: Buffer, fin: boolean): Promise<void> {
      this.#unsent += data.length;
      return new Promise<void>((resolve, reject) => {
        this.ws.send(data, { binary: false, fin }, (err) => {
          this.#unsent -= data.length;
          this.#taken(err);
          // The socket's write callback may pass null for success.
          if (err instanceof Error) reject(err);
          else resolve();
        });
      });
    }

    /** Note the watches this connection subscribes and closes, and a `close` op (which ends the connection). */
    #track(req: WsRequest, res: Grid): void {
      // An answer that comes after the connection closed: owning its watch would keep the dead session reachable.
      if (this.#closed) return;
      if (req.op === 'watchSub') {
        const watchId = res.meta.get('watchId');
        if (typeof watchId !== 'string') return;
        const w = this.watches.get(watchId) ?? { ch: req.ch, ids: new Set<string>() };
        // The answer's ids: the entities the watch now holds, canonical (Ops chapter). The request's may name none,
        // and remembering them would let a client fill this process with ids at no cost to its watch limits.
        for (const id of idsOf(res)) w.ids.add(id);
        this.watches.set(watchId, w);
        const previous = watchOwners.get(watchId);
        if (previous !== undefined && previous !== this) previous.watches.delete(watchId);
        watchOwners.set(watchId, this);
      } else if (req.op === 'watchUnsub') {
        const watchId = req.grid.meta.get('watchId');
        if (typeof watchId !== 'string') return;
        if (req.grid.meta.has('close')) {
          this.watches.delete(watchId);
          if (watchOwners.get(watchId) === this) watchOwners.delete(watchId);
        } else for (const id of idsOf(req.grid)) this.watches.get(watchId)?.ids.delete(id);
      } else if (req.op === 'close') {
        this.#closing = true;
      }
    }

    #closing = false;

    #afterAnswer(): void {
      this.#inFlight--;
      if (this.#closing) {
        // The session is over: every connection on it ends, this one once its answer is out. Only this one asked:
        // the others end as ended elsewhere (4001), as they do on another process or when the store's notice of the
        // logout comes first, so that their code depends neither on where they were served nor on timing.
        const sessionId = this.principal?.sessionId;
        for (const s of sessions)
          if (s !== this && sessionId !== undefined && s.principal?.sessionId === sessionId) s.end('SESSION_ENDED');
        this.end('SESSION_CLOSED');
        return;
      }
      if (this.#inFlight === 0) this.#closeAsked = false;
      this.#flow();
    }

    // A `close` was asked on this connection: its session ends, and the connection with it once the close is answered.
    #closeAsked = false;

    #startRequest(req: WsRequest): void {
      if (req.op === 'close') this.#closeAsked = true;
      this.#inFlight++;
      this.#flow();
      this.#answer(req).then(
        () => {
          this.#afterAnswer();
        },
        (err: unknown) => {
          if (errorChannel.hasSubscribers) errorChannel.publish({ op: req.op, error: err });
          this.end('INTERNAL');
        },
      );
    }

    // The answer to a member or message that is no request: an error grid, with its id and channel when it had them.
    #errorAnswer(to: { readonly id: WsRequest['id']; readonly ch: string | undefined }, error: unknown): string {
      const { prefix, suffix } = wsResponseParts(to.id, to.ch);
      return prefix + writeHayson(pipeline.errorReply(error, false).grid) + suffix;
    }

    // A batch whose every member gets the same error: one answer, the error grid encoded once.
    #batchError(
      items: readonly { readonly id: WsRequest['id']; readonly ch: string | undefined }[],
      error: unknown,
    ): string {
      const grid = writeHayson(pipeline.errorReply(error, false).grid);
      return `[${items
        .map((i) => {
          const { prefix, suffix } = wsResponseParts(i.id, i.ch);
          return prefix + grid + suffix;
        })
        .join(',')}]`;
    }

    #startBatch(items: readonly (WsRequest | WsResponse | WsBadItem)[]): void {
      if (items.length > o.maxBatch) {
        // Never truncated: every member is answered, with the same limit error.
        this.#send(
          this.#batchError(items, new LimitError('maxBatch', `A batch may hold at most ${o.maxBatch} requests`)),
        );
        return;
      }
      if (items.some((i) => isWsRequest(i) && i.op === 'close')) this.#closeAsked = true;
      this.#inFlight += items.length;
      this.#flow();
      const answers = items.map((i): Promise<Buffer> => {
        if (isWsRequest(i)) return this.#call(i);
        const error = isWsBadItem(i) ? i.error : new HaystackError('HS_ERR_BAD_REQUEST', 'A batch member has no op');
        return Promise.resolve(Buffer.from(this.#errorAnswer(i, error)));
      });
      Promise.all(answers).then(
        (parts) => {
          const out: Buffer[] = [Buffer.from('[')];
          parts.forEach((p, n) => {
            if (n > 0) out.push(Buffer.from(','));
            out.push(p);
          });
          out.push(Buffer.from(']'));
          this.#send(Buffer.concat(out));
          this.#inFlight -= items.length - 1;
          this.#afterAnswer();
        },
        (err: unknown) => {
          if (errorChannel.hasSubscribers) errorChannel.publish({ op: 'batch', error: err });
          this.end('INTERNAL');
        },
      );
    }

    /** Mark the watches holding a changed entity, and push their changes once the current writes are done. */
    changed(changes: readonly EntityChange[]): void {
      if (this.watches.size === 0) return;
      for (const [watchId, w] of this.watches) {
        if (changes.some((c) => w.ids.has(c.id))) this.#dirty.add(watchId);
      }
      if (this.#dirty.size > 0 && !this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => {
          this.#flushScheduled = false;
          const ids = [...this.#dirty];
          this.#dirty.clear();
          for (const id of ids) void this.#push(id);
        });
      }
    }

    /** Poll every pushed watch (changes made by other processes; renews the leases while connected). */
    pollAll(): void {
      for (const id of this.watches.keys()) {
        // A watch whose pushes are held back is not polled, which renews its lease: the client is still here (the
        // heartbeat drops one that is not), so it must not lose its watch to our holding back.
        if (this.#unsent > o.maxBufferedBytes) void this.#renew(id);
        void this.#push(id);
      }
    }

    // The watch's lease, renewed without taking its changes; a watch gone meanwhile is told at its next push.
    async #renew(watchId: string): Promise<void> {
      try {
        const w = await pipeline.store.watchInfo(watchId);
        if (w !== undefined) await pipeline.store.watchLease(watchId, w.leaseMs);
      } catch (err) {
        if (!(err instanceof HaystackError) && errorChannel.hasSubscribers)
          errorChannel.publish({ op: 'watchPoll', error: err });
      }
    }

    async #push(watchId: string): Promise<void> {
      const w = this.watches.get(watchId);
      if (w === undefined || this.#closed || this.principal === undefined) return;
      // As for a call: a session whose user changed (or that may have ended elsewhere) gets nothing before its check.
      // Unchecked, nothing is pushed: the changes wait in the watch for the push after the store is back.
      if ((await this.#sessionVerdict()) !== true) return;
      // Pushes to a client that has not read what it was sent would pile up in memory: its changes wait in the
      // watch instead, merged (latest state per entity), and go out as one push once it has read (see #flow).
      if (this.#unsent > o.maxBufferedBytes) {
        this.#deferred.add(watchId);
        return;
      }
      const outcome = await pipeline.dispatchOp({
        op: 'watchPoll',
        principal: this.principal,
        // Not a call of the client's: every pushed watch is polled every pushPollMs, which would otherwise show in
        // metrics, logs and traces as client traffic (and its failures as the client's errors).
        transport: 'ws-push',
        request: Grid.make({ meta: { watchId }, cols: [] }),
      });
      if (!outcome.ok) {
        // Closed or expired elsewhere: nothing more to push. The client is told as a poll would tell it (Ops chapter:
        // an error grid means the watch is gone), or it would wait for pushes forever.
        this.watches.delete(watchId);
        if (watchOwners.get(watchId) === this) watchOwners.delete(watchId);
        this.#send(encodeWsPush(watchId, outcome.reply.grid, w.ch));
        return;
      }
      const grid = outcome.grid;
      if (grid !== undefined && grid.size > 0) this.#send(encodeWsPush(watchId, grid, w.ch));
    }
  }

  const accept = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    let principal: Principal | undefined;
    let token: string | undefined;
    const authenticate = opts.authenticate;
    if (authenticate === undefined) principal = ANONYMOUS_ADMIN;
    else {
      const r = await authenticateAs(authenticate, req, undefined);
      const header = req.headers.authorization;
      if (r.kind === 'principal') {
        principal = r.principal;
        const m = header === undefined ? null : /^\s*bearer\s+authToken=([^\s,]+)/i.exec(header);
        token = m?.[1];
      } else if (header !== undefined && header.trim() !== '') {
        // Credentials on the upgrade that do not authenticate: refused as HTTP would refuse them.
        if (r.kind === 'unavailable') {
          refuseUpgrade(
            socket,
            r.error.code === 'HS_ERR_UNAVAILABLE' ? '503 Service Unavailable' : '500 Internal Server Error',
            { 'retry-after': '1' },
          );
          return;
        }
        refuseUpgrade(socket, r.kind === 'throttled' ? '429 Too Many Requests' : '401 Unauthorized', {
          'www-authenticate': 'HELLO',
        });
        return;
      }
    }
    // Logged in by what the browser sends by itself (no login needed, a client certificate): a page of another origin
    // may not have that socket. Pages log in by a message instead, which such a page cannot do on someone's behalf.
    const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
    if (principal !== undefined && req.headers.authorization === undefined && isCrossOrigin(req.headers, secure)) {
      refuseUpgrade(socket, '403 Forbidden');
      return;
    }
    if (socket.destroyed) return;
    wss.handleUpgrade(req, socket, head, (ws) => {
      const s = new Session(ws, req, principal, token);
      sessions.add(s);
      if (principal === undefined) s.boundUntilLogin(socket);
      startTimers();
    });
  };

  return {
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      socket.on('error', () => undefined);
      if (splitTarget(req.url ?? '/').path !== path) {
        refuseUpgrade(socket, '404 Not Found');
        return;
      }
      accept(req, socket, head).catch((err: unknown) => {
        if (errorChannel.hasSubscribers) errorChannel.publish({ op: undefined, error: err });
        refuseUpgrade(socket, '500 Internal Server Error');
      });
    },
    get size() {
      return sessions.size;
    },
    closeAll() {
      for (const s of [...sessions]) s.end('GOING_AWAY');
      stopTimers();
    },
  };
}
