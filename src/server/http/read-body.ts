// Reading a request body with a byte limit enforced while it streams in, never after buffering it all.

import type { IncomingMessage } from 'node:http';
import { HaystackError, LimitError } from '../../core/errors.js';

function tooLarge(max: number): LimitError {
  return new LimitError('maxBodyBytes', `Request body larger than ${max} bytes`, 'HS_ERR_TOO_LARGE');
}

// A client that goes away mid-body (its socket reset or closed) is the client's doing: not an internal error, which
// would be logged with a stack and counted as a failure of the server.
function cutShort(cause?: Error): HaystackError {
  return new HaystackError('HS_ERR_BAD_REQUEST', 'Request aborted by the client', { cause });
}

/**
 * A request body that stopped arriving before its end: HTTP 408 (RFC 9110 15.5.9), a request that could not be read
 * (`HS_ERR_BAD_REQUEST`); the server closes the connection. Its own status rather than a code of its own keeps the
 * error table, which browsers load, as it is.
 */
export class BodyTimeoutError extends HaystackError {
  /** The class name, as a literal. */
  static override readonly errorName: string = 'BodyTimeoutError';

  constructor(idleMs: number) {
    super('HS_ERR_BAD_REQUEST', `Request body stopped arriving: no bytes for ${idleMs} ms`);
  }

  override get status(): number {
    return 408;
  }
}

/** How a body is read besides its size limit. */
export interface ReadBodyOptions {
  /** Longest wait in ms for the next bytes, else a {@link BodyTimeoutError}. Default: no limit. */
  readonly idleMs?: number;
  /** Asked before each chunk is kept: false refuses the body with `refused()` (a shared budget that is full). */
  readonly take?: (bytes: number) => boolean;
  /** The error of a body that `take` refused. */
  readonly refused?: () => Error;
}

/**
 * The whole body of `req` as one Buffer; rejects with `HS_ERR_TOO_LARGE` as soon as it exceeds `maxBytes`, and with
 * a {@link BodyTimeoutError} (408) when it stops arriving for `options.idleMs`. A refused body is left unread.
 */
export function readBody(req: IncomingMessage, maxBytes: number, options: ReadBodyOptions = {}): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  const { idleMs, take, refused } = options;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer =
      idleMs === undefined
        ? undefined
        : setTimeout(() => {
            fail(new BodyTimeoutError(idleMs));
          }, idleMs);
    const cleanup = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    // Stop reading: the rest of a refused body is never buffered.
    const fail = (err: Error): void => {
      cleanup();
      req.pause();
      reject(err);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      const refusal =
        size > maxBytes
          ? tooLarge(maxBytes)
          : take !== undefined && !take(chunk.length)
            ? (refused?.() ?? tooLarge(maxBytes))
            : undefined;
      if (refusal !== undefined) {
        fail(refusal);
        return;
      }
      timer?.refresh();
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(cutShort(err));
    };
    // A close before the end means the client went away mid-body.
    const onClose = (): void => {
      cleanup();
      reject(cutShort());
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
