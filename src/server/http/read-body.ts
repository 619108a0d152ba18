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

/** The whole body of `req` as one Buffer; rejects with `HS_ERR_TOO_LARGE` as soon as it exceeds `maxBytes`. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        cleanup();
        // Stop reading: the rest of an oversized body is never buffered.
        req.pause();
        reject(tooLarge(maxBytes));
        return;
      }
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
