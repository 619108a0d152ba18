// Output buffers of Zinc and JSON v4 answers, each reused once the response that held it has been sent.

import type { HaysonRowMemo } from '../../core/codec/json/hayson-row-memo.js';
import { ByteSink } from '../../core/codec/zinc/byte-sink.js';
import type { ZincCellMemo } from '../../core/codec/zinc/zinc-cell-memo.js';
import type { ResponseEncoding } from '../pipeline/dispatch-op.js';
import { JSON_CODEC, jsonMemoEncoding, type WireCodec, ZINC_CODEC, zincMemoEncoding } from './wire.js';

// Free buffers kept (more are made when more responses are in flight, and let go when they come back).
const MAX_FREE = 64;
// A buffer grown past this by a large answer is let go rather than kept.
const MAX_KEPT_BYTES = 1024 * 1024;
// Room a new buffer starts with: most answers fit.
const FIRST_BYTES = 64 * 1024;

/** One output buffer, lent to one response from {@link BodyPool.acquire} until its release. */
export class BodyLease {
  /** Encodes Zinc answers into this lease's buffer: the bytes are valid until the lease is released. */
  readonly encoding: ResponseEncoding;
  /** Encodes JSON v4 answers into the same buffer; undefined without a JSON memo. */
  readonly jsonEncoding: ResponseEncoding | undefined;
  readonly #sink = new ByteSink(FIRST_BYTES);

  constructor(memo: ZincCellMemo, jsonMemo?: HaysonRowMemo) {
    this.encoding = zincMemoEncoding(memo, this.#sink);
    this.jsonEncoding = jsonMemo === undefined ? undefined : jsonMemoEncoding(jsonMemo, this.#sink);
  }

  /** The encoding of `codec` into this lease's buffer, if it has one. */
  encodingFor(codec: WireCodec): ResponseEncoding | undefined {
    return codec === ZINC_CODEC ? this.encoding : codec === JSON_CODEC ? this.jsonEncoding : undefined;
  }

  /** Bytes of buffer held (what keeping it free would cost). */
  get capacity(): number {
    return this.#sink.buf.length;
  }
}

/**
 * Output buffers for Zinc and JSON v4 answers written with the memos: a response borrows one, and gives it back once
 * the response has been handed to the socket (its `finish`), never earlier, so no two responses in flight share one.
 * A fresh buffer per large answer cost as much as encoding it (allocation, then the GC of external memory, slowed by
 * the memo's weak maps; measured again for JSON: `new Uint8Array(18000)` takes 4.5 us here, 9 % of the CPU of a nav
 * level of 32 points). A lease never given back (the connection failed) is simply collected.
 */
export class BodyPool {
  readonly #memo: ZincCellMemo;
  readonly #jsonMemo: HaysonRowMemo | undefined;
  readonly #free: BodyLease[] = [];
  // Leases lent out: a second release finds none, so a lease is never free twice (lent to two responses at once).
  readonly #lent = new WeakSet<BodyLease>();

  /** A pool writing Zinc with `memo` and JSON v4 with `jsonMemo`. */
  constructor(memo: ZincCellMemo, jsonMemo?: HaysonRowMemo) {
    this.#memo = memo;
    this.#jsonMemo = jsonMemo;
  }

  /** True when answers in `codec` are written into lent buffers. */
  serves(codec: WireCodec): boolean {
    return codec === ZINC_CODEC || (codec === JSON_CODEC && this.#jsonMemo !== undefined);
  }

  /** A buffer no response in flight holds. */
  acquire(): BodyLease {
    const lease = this.#free.pop() ?? new BodyLease(this.#memo, this.#jsonMemo);
    this.#lent.add(lease);
    return lease;
  }

  /** Give `lease` back: its bytes may be overwritten from now on. Releasing it twice is harmless. */
  release(lease: BodyLease): void {
    if (!this.#lent.delete(lease)) return;
    if (this.#free.length < MAX_FREE && lease.capacity <= MAX_KEPT_BYTES) this.#free.push(lease);
  }

  /** Buffers free to lend now. */
  get free(): number {
    return this.#free.length;
  }
}
