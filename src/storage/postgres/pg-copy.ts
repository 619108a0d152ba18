// COPY ... FROM STDIN in text format: field encoders and a writer that streams rows as they are encoded, so that
// the server parses and inserts one chunk while the next is being built (the two share the machine's cores).

import type { Buffer } from 'node:buffer';
import type { CopyStreamQuery } from 'pg-copy-streams';
import type { PgClient } from './pg-driver.js';

/** The NULL field of COPY text format. */
export const COPY_NULL = '\\N';

const COPY_ESCAPES = /[\\\t\n\r]/g;
// Characters sent in one write: big enough that per-write costs vanish, small enough that the server starts early.
const CHUNK_CHARS = 1 << 16;

/** A text field of COPY text format: backslash, tab, newline and carriage return escaped. */
export function copyText(s: string): string {
  return s.replace(COPY_ESCAPES, (ch) => (ch === '\\' ? '\\\\' : ch === '\t' ? '\\t' : ch === '\n' ? '\\n' : '\\r'));
}

/** A bytea field of COPY text format: the hex form, its backslash escaped. */
export function copyBytea(b: Buffer): string {
  return `\\\\x${b.toString('hex')}`;
}

/** A nullable number field (int8, float8): JavaScript's shortest round-trip form, which PostgreSQL parses exactly. */
export function copyNum(n: number | null): string {
  return n === null ? COPY_NULL : String(n);
}

/**
 * Run `COPY ... FROM STDIN` (`sql`) on `c`, sending `lines` (each a row ending in a newline) in chunks as they are
 * produced, with the stream's backpressure respected. Resolves once the server has accepted every row; rejects with
 * the server's error (the transaction is then aborted).
 */
export function copyIn(
  c: PgClient,
  copyFrom: (sql: string) => CopyStreamQuery,
  sql: string,
  lines: Iterable<string>,
): Promise<void> {
  const stream = c.query(copyFrom(sql));
  return new Promise<void>((resolve, reject) => {
    let failed = false;
    stream.on('error', (err) => {
      failed = true;
      reject(err);
    });
    stream.on('finish', resolve);
    const rows = lines[Symbol.iterator]();
    const pump = (): void => {
      try {
        let chunk = '';
        for (;;) {
          if (failed) return;
          const next = rows.next();
          if (next.done === true) {
            stream.end(chunk);
            return;
          }
          chunk += next.value;
          if (chunk.length >= CHUNK_CHARS) {
            const more = stream.write(chunk);
            chunk = '';
            if (!more) {
              stream.once('drain', pump);
              return;
            }
          }
        }
      } catch (err) {
        // An encoder failed half-way: the COPY is aborted, so nothing of it is stored.
        failed = true;
        const e = err instanceof Error ? err : new Error(String(err));
        stream.destroy(e);
        reject(e);
      }
    };
    pump();
  });
}
