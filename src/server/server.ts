// createServer: a node:http (or node:https) server around createHandler, with listen/close that resolve when done.

import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { SecureContextOptions, TlsOptions } from 'node:tls';
import { HaystackError, OptionError, ValueError } from '../core/errors.js';
import { MAX_TIMER_MS } from '../core/timer-ms.js';
import { type ConnectionEvent, connectionChannel, newConnectionId } from './events.js';
import { createHandler, type HaystackHandler } from './handler.js';
import type { HaystackServerOptions } from './options.js';
import { answerPlainHttp, type PlainHttpGuard } from './tls/plain-http.js';

/** Node's default `handshakeTimeout`: how long a TLS connection may take to say anything useful. */
const DEFAULT_HANDSHAKE_TIMEOUT_MS = 120_000;

/** Where a listening server is reachable. */
export interface ListenAddress {
  /** Host or IP bound. */
  readonly host: string;
  /** Port bound (the OS-chosen one when 0 was asked). */
  readonly port: number;
  /** Base URL of the API, e.g. `http://127.0.0.1:8080/api/`. */
  readonly url: string;
}

/** Options of {@link createServer}: the handler's options plus how to serve them. */
export interface CreateServerOptions extends HaystackServerOptions {
  /**
   * Serve HTTPS with these options, e.g. from `serverTlsOptions` (TLS 1.3 minimum, client certificates); plain HTTP
   * sent to it is answered `400` naming the `https://` URL. Default: plain HTTP.
   */
  readonly tls?: TlsOptions;
  /**
   * How long `close()` lets requests in progress finish, in ms, before it closes every connection left (idle
   * ones close at once, and a response finished during the grace closes its connection); `close()` also waits,
   * within the same grace, for requests whose client has hung up. Default 10,000.
   */
  readonly shutdownGraceMs?: number;
}

/** A Haystack HTTP server: the handler in a `node:http` (or `node:https`) server. */
export interface HaystackServer {
  /** The request listener (for tests or to mount it elsewhere too). */
  readonly handler: HaystackHandler;
  /** The underlying Node server (an `https.Server` when `tls` was given). */
  readonly http: http.Server;
  /**
   * Serve renewed TLS credentials (certificate chain, key, client CA) from the next handshake on, without a restart;
   * open connections keep theirs, and options not given (TLS 1.3 minimum, ...) stay. Throws a `ValueError`, and the
   * server keeps its current credentials, when they do not make a secure context (say, a key that does not match
   * the certificate) or the server has no TLS.
   */
  setTls(credentials: SecureContextOptions): void;
  /** Start listening (port 0 picks a free port); resolves once bound. Defaults: port 8080, host 127.0.0.1. */
  listen(port?: number, host?: string): Promise<ListenAddress>;
  /**
   * Stop accepting, end idle keep-alive connections now and every other one after `shutdownGraceMs` (half-sent
   * requests included), and resolve when every connection is closed.
   */
  close(): Promise<void>;
}

/** Make a server for `options` (see {@link CreateServerOptions}); call `listen()` to start it. */
export function createServer(options: CreateServerOptions): HaystackServer {
  const { tls, shutdownGraceMs, ...handlerOptions } = options;
  const grace = shutdownGraceMs ?? 10_000;
  if (typeof grace !== 'number') {
    throw new OptionError('HS_ERR_OPTION_TYPE', 'shutdownGraceMs', 'Server options: shutdownGraceMs must be a number');
  }
  // A longer timer would fire after 1 ms in Node, ending the grace at once.
  if (!Number.isFinite(grace) || grace < 0 || grace > MAX_TIMER_MS) {
    throw new OptionError(
      'HS_ERR_OPTION_RANGE',
      'shutdownGraceMs',
      `Server options: shutdownGraceMs must be >= 0 and at most ${String(MAX_TIMER_MS)}`,
    );
  }
  const handler = createHandler(handlerOptions);
  let closing = false;
  const serve = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    // During shutdown every answer ends its connection, so keep-alive clients cannot hold the server open.
    if (closing) res.setHeader('connection', 'close');
    handler(req, res);
  };
  const secure = tls === undefined ? undefined : https.createServer(tls, serve);
  const server = secure ?? http.createServer(serve);
  // Someone who typed http:// for this https:// port gets an answer that says so, rather than an empty reply.
  const plainHttp: PlainHttpGuard | undefined =
    secure === undefined || tls === undefined
      ? undefined
      : answerPlainHttp(secure, {
          timeoutMs: tls.handshakeTimeout ?? DEFAULT_HANDSHAKE_TIMEOUT_MS,
          onAnswered: (socket) => {
            if (!connectionChannel.hasSubscribers) return;
            const error = new HaystackError('HS_ERR_BAD_REQUEST', 'plain HTTP on the TLS port: answered 400');
            connectionChannel.publish(connectionError(socket, error));
          },
        });
  // TLS servers report once the handshake is done: a connection that never completes it is not one, but its failure
  // (a bad certificate, a protocol below TLS 1.3, plain HTTP on the TLS port) is a connection error.
  server.on(tls === undefined ? 'connection' : 'secureConnection', (socket: Socket) => {
    if (connectionChannel.hasSubscribers) reportConnection(socket);
  });
  if (tls !== undefined) {
    server.on('tlsClientError', (error: Error, socket: Socket) => {
      if (connectionChannel.hasSubscribers) connectionChannel.publish(connectionError(socket, error));
    });
  }
  const scheme = tls === undefined ? 'http' : 'https';
  server.on('upgrade', (req: http.IncomingMessage, socket, head: Buffer) => {
    handler.handleUpgrade(req, socket, head);
  });
  let currentTls = tls;
  return {
    handler,
    http: server,
    setTls(credentials) {
      if (currentTls === undefined) throw new ValueError('setTls: this server has no TLS (createServer without tls)');
      const next = { ...currentTls, ...credentials };
      try {
        (server as https.Server).setSecureContext(next);
      } catch (err) {
        throw new ValueError(`TLS credentials refused: ${err instanceof Error ? err.message : String(err)}`, {
          cause: err,
        });
      }
      currentTls = next;
    },
    async listen(port = 8080, host = '127.0.0.1') {
      // A `defs` folder is read before binding: a wrong one (unreadable, a broken Trio file) fails the start with
      // its typed error rather than every later `defs`, `libs` or `ops` call.
      if (typeof options.defs === 'string') await handler.pipeline.namespace();
      return new Promise<ListenAddress>((resolve, reject) => {
        const onError = (err: Error): void => {
          reject(err);
        };
        server.once('error', onError);
        server.listen(port, host, () => {
          server.off('error', onError);
          const addr = server.address() as AddressInfo;
          const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
          const bound = {
            host: addr.address,
            port: addr.port,
            url: `${scheme}://${shown}:${addr.port}${handler.options.basePath}`,
          };
          // Serving starts with other processes' changes followed, so no cached answer misses one.
          void handler.pipeline.following.then(() => {
            resolve(bound);
          });
        });
      });
    },
    close() {
      handler.pipeline.stopFollowing();
      return new Promise<void>((resolve, reject) => {
        if (!server.listening) {
          resolve();
          return;
        }
        handler.closeWebSockets();
        // Connections that never sent a request have nothing to finish.
        plainHttp?.closeWaiting();
        closing = true;
        // One grace for both: connections still open when it ends are closed, and a request whose client hung up
        // (its connection gone, its op still at work) is waited for until then, so that whoever closes the store next
        // does not pull it from under that request.
        let graceOver!: () => void;
        const over = new Promise<void>((done) => {
          graceOver = done;
        });
        const force = setTimeout(() => {
          server.closeAllConnections();
          graceOver();
        }, grace);
        force.unref();
        server.close((err) => {
          if (err !== undefined) {
            clearTimeout(force);
            reject(err);
            return;
          }
          void Promise.race([handler.idle(), over]).then(() => {
            clearTimeout(force);
            resolve();
          });
        });
        server.closeIdleConnections();
      });
    },
  };
}

// A connection that failed before it was one (no handshake, no request): an error without an open.
function connectionError(socket: Socket, error: Error): ConnectionEvent {
  return { phase: 'error', transport: 'http', connectionId: newConnectionId(), address: socket.remoteAddress, error };
}

// Publish open now, and close (with its lifetime) and socket errors later, on `haystack:server:connection`. HTTP
// parse errors and request timeouts end up here too: node:http destroys the socket with the error.
function reportConnection(socket: Socket): void {
  const connectionId = newConnectionId();
  const address = socket.remoteAddress;
  const opened = performance.now();
  const publish = (event: ConnectionEvent): void => {
    if (connectionChannel.hasSubscribers) connectionChannel.publish(event);
  };
  publish({ phase: 'open', transport: 'http', connectionId, address });
  socket.on('error', (error: Error) => {
    publish({ phase: 'error', transport: 'http', connectionId, address, error });
  });
  socket.once('close', () => {
    publish({ phase: 'close', transport: 'http', connectionId, address, durationMs: performance.now() - opened });
  });
}
