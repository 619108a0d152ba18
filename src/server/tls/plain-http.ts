// Plain HTTP sent to a TLS port: answered with a 400 that says to use https://, rather than a reset connection.

import type { Socket } from 'node:net';
import type { Server as TlsServer } from 'node:tls';

/** The first byte of every TLS record that opens a handshake (ClientHello). */
const TLS_HANDSHAKE = 0x16;
/** Most bytes of the first packet looked at for a request line and a Host header. */
const HEAD_BYTES = 8192;
/** Most bytes read and dropped after the answer (so that closing does not reset it away unread); more ends it. */
const DRAIN_BYTES = 65_536;
/** An HTTP/1 request line: anything else (a TLS handshake, garbage) goes to TLS, which refuses what is not TLS. */
const REQUEST_LINE = /^([A-Z]{3,12}) ([\x21-\x7e]{1,8000}) HTTP\/1\.[01]\r?\n/;
/** The start of a request line cut short by the packet's end (a slow client, a terminal typed into): more may come. */
const REQUEST_START =
  /^[A-Z]{1,12}(?: [\x21-\x7e]{0,8000}(?: (?:H(?:T(?:T(?:P(?:\/(?:1(?:\.(?:[01]\r?)?)?)?)?)?)?)?)?)?)?$/;
/** The blank line that ends a request's header. */
const HEADER_END = /\r?\n\r?\n/;
const HOST_HEADER = /\r?\nhost:[ \t]*([^\r\n]*?)[ \t]*\r?\n/i;
// Only a plain host[:port] and an origin-form path of URI characters are echoed back: never markup, never a header.
const HOST = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(:\d{1,5})?$/;
const PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]{0,2000}$/;

/** Options of {@link answerPlainHttp}. */
export interface PlainHttpOptions {
  /** How long a connection may take, in ms, to send its first bytes, and then to go after the answer. */
  readonly timeoutMs: number;
  /** Told of each plain HTTP request answered (a connection error to report). */
  readonly onAnswered: (socket: Socket) => void;
}

/** What {@link answerPlainHttp} keeps: the connections it has not handed to TLS yet. */
export interface PlainHttpGuard {
  /** End every connection not yet handed to TLS (still silent, or answered and draining): the server is closing. */
  closeWaiting(): void;
}

/**
 * Put a look at each connection's first bytes before `server`'s TLS: a connection that opens with an HTTP/1 request
 * line (someone typed `http://` for this `https://` port) is answered `400 Bad Request` with a short text naming the
 * `https://` URL, `Connection: close`, and closed (a request line and header that come in several packets are
 * waited for, up to 8 KB and the timeout); every other connection goes to TLS as it would have, bytes
 * unchanged, so TLS clients (mutual TLS included) see no difference and garbage is still refused by the handshake.
 */
export function answerPlainHttp(server: TlsServer, options: PlainHttpOptions): PlainHttpGuard {
  // The TLS server's own listener wraps the socket in TLS; it runs once the first bytes are known to be no request.
  const toTls = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  const waiting = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    waiting.add(socket);
    const deadline = setTimeout(() => socket.destroy(), options.timeoutMs);
    deadline.unref();
    // A reset before TLS has the socket must not become an uncaught error.
    socket.on('error', () => undefined);
    socket.once('close', () => {
      clearTimeout(deadline);
      waiting.delete(socket);
    });
    // The bytes read so far: a request line and its header may come in several packets.
    let got: Buffer | undefined;
    const onReadable = (): void => {
      for (let chunk = socket.read() as Buffer | null; chunk !== null; chunk = socket.read() as Buffer | null) {
        got = got === undefined ? chunk : Buffer.concat([got, chunk]);
      }
      decide(false);
    };
    // Called with each packet, and once more when the peer ends.
    const decide = (ended: boolean): void => {
      // Nothing yet: the peer ended without a byte (the socket closes on its own).
      if (got === undefined) return;
      if (ended) {
        // A request cut short by the peer's end: no TLS to hand it to, and an answer could no longer be sent.
        socket.destroy();
        return;
      }
      const head = got[0] === TLS_HANDSHAKE ? '' : got.toString('latin1', 0, HEAD_BYTES);
      const request = REQUEST_LINE.exec(head);
      const more = request === null ? REQUEST_START.test(head) : !HEADER_END.test(head);
      if (more && got.length < HEAD_BYTES) return;
      socket.off('readable', onReadable);
      socket.off('end', onEnd);
      if (request === null) {
        clearTimeout(deadline);
        waiting.delete(socket);
        socket.unshift(got);
        for (const listener of toTls) listener.call(server, socket);
        return;
      }
      answer(socket, request[1] === 'HEAD', httpsUrl(head, String(request[2]), socket.localPort));
      options.onAnswered(socket);
    };
    const onEnd = (): void => {
      decide(true);
    };
    socket.on('readable', onReadable);
    socket.once('end', onEnd);
  });
  return {
    closeWaiting() {
      for (const socket of waiting) socket.destroy();
    },
  };
}

// The URL the client meant, from its Host header and path; undefined without a Host fit to echo.
function httpsUrl(head: string, target: string, localPort: number | undefined): string | undefined {
  const host = HOST_HEADER.exec(head)?.[1];
  const parts = host === undefined ? null : HOST.exec(host);
  if (host === undefined || parts === null) return undefined;
  // Without a port the client used 80, which is not this one: name the port it reached.
  const port = parts[1] !== undefined || localPort === 443 || localPort === undefined ? '' : `:${String(localPort)}`;
  return `https://${host}${port}${PATH.test(target) ? target : '/'}`;
}

function answer(socket: Socket, head: boolean, url: string | undefined): void {
  const body = `This port speaks HTTPS only: use ${url ?? 'https:// rather than http://'}\n`;
  socket.end(
    'HTTP/1.1 400 Bad Request\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${String(Buffer.byteLength(body))}\r\n` +
      'X-Content-Type-Options: nosniff\r\n' +
      'Cache-Control: no-store\r\n' +
      'Connection: close\r\n\r\n' +
      (head ? '' : body),
  );
  // Read what else the client sends until it closes (or the deadline), so that its unread bytes do not make the close
  // a reset that can discard the answer before the client reads it; a client that keeps sending is cut off.
  let dropped = 0;
  socket.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > DRAIN_BYTES) socket.destroy();
  });
  socket.resume();
}
