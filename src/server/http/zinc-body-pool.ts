// Output buffers of Zinc answers, each reused once the response that held it has been sent.

import { ByteSink } from '../../core/codec/zinc/byte-sink.js';
import type { ZincCellMemo } from '../../core/codec/zinc/zinc-cell-memo.js';
import type { ResponseEncoding } from '../pipeline/dispatch-op.js';
import { zincMemoEncoding } from './wire.js';

// Free buffers kept (more are made when more responses are in flight, and let go when they come back).
const MAX_FREE = 64;
// A buffer grown past this by a large answer is let go rather than kept.
const MAX_KEPT_BYTES = 1024 * 1024;
// Room a new buffer starts with: most answers fit.
const FIRST_BYTES = 64 * 1024;

/** One output buffer, lent to one response from {@link ZincBodyPool.acquire} until its release. */
export class ZincBodyLease {
  /** Encodes Zinc answers into this lease's buffer: the bytes are valid until the lease is released. */
  readonly encoding: ResponseEncoding;
  readonly #sink = new ByteSink(FIRST_BYTES);

  constructor(memo: ZincCellMemo) {
    this.encoding = zincMemoEncoding(memo, this.#sink);
  }

  /** Bytes of buffer held (what keeping it free would cost). */
  get capacity(): number {
    return this.#sink.buf.length;
  }
}

/**
 * Output buffers for Zinc answers written with the cell memo: a response borrows one, and gives it back once the
 * response has been handed to the socket (its `finish`), never earlier, so no two responses in flight share one. A
 * fresh buffer per large answer cost as much as encoding it (allocation, then the GC of external memory, slowed by
 * the memo's weak maps). A lease never given back (the connection failed) is simply collected.
 */
export class ZincBodyPool {
  readonly #memo: ZincCellMemo;
  readonly #free: ZincBodyLease[] = [];
  // Leases lent out: a second release finds none, so a lease is never free twice (lent to two responses at once).
  readonly #lent = new WeakSet<ZincBodyLease>();

  /** A pool writing with `memo`. */
  constructor(memo: ZincCellMemo) {
    this.#memo = memo;
  }

  /** A buffer no response in flight holds. */
  acquire(): ZincBodyLease {
    const lease = this.#free.pop() ?? new ZincBodyLease(this.#memo);
    this.#lent.add(lease);
    return lease;
  }

  /** Give `lease` back: its bytes may be overwritten from now on. Releasing it twice is harmless. */
  release(lease: ZincBodyLease): void {
    if (!this.#lent.delete(lease)) return;
    if (this.#free.length < MAX_FREE && lease.capacity <= MAX_KEPT_BYTES) this.#free.push(lease);
  }

  /** Buffers free to lend now. */
  get free(): number {
    return this.#free.length;
  }
}
