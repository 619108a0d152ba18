// A bounded HTTP load for store-outage tests: writers (one hisWrite at a time per point) and a reader against a
// server, recording what was acknowledged and judging every answer: success, or a 503 error grid saying the store is
// unavailable. Anything else is unexpected, and ends `until` with an error.

import { encodeZinc } from '../../src/core/codec/zinc/index.js';
import { Dict } from '../../src/core/grid/dict.js';
import { Grid } from '../../src/core/grid/grid.js';
import { HDateTime } from '../../src/core/kinds/date-time.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { createServer, type HaystackServer } from '../../src/server/index.js';
import type { StorageAdapter } from '../../src/storage/adapter.js';
import { gridOf } from '../server/support/server-fixture.js';

/** First sample time of every writer; sample `i` is one second after sample `i - 1`. */
export const LOAD_T0 = Date.UTC(2024, 0, 1);

/** Add the load's points `p0` to `p<writers-1>` to `store`, and serve it without auth on a loopback port. */
export async function serveLoadPoints(
  store: StorageAdapter,
  writers: number,
): Promise<{ readonly server: HaystackServer; readonly base: string }> {
  await store.commit(
    Array.from({ length: writers }, (_, i) => ({
      op: 'add' as const,
      tags: Dict.of({ id: new Ref(`p${String(i)}`), point: MARKER, his: MARKER, kind: 'Number', tz: 'UTC' }),
    })),
  );
  const server = createServer({ store, noAuth: true });
  return { server, base: (await server.listen(0, '127.0.0.1')).url };
}

interface Exchange {
  readonly status: number;
  readonly text: string;
  readonly headers: Headers;
}

async function exchange(url: string, body?: string): Promise<Exchange> {
  const res = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined ? {} : { body, headers: { 'content-type': 'text/zinc; charset=utf-8' } }),
  });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

// A client backs off briefly after a 503 (the answer says Retry-After), which keeps the load bounded.
const backOff = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 10));

/**
 * The load on `base` (a server's API URL): `writers` writers, writer `n` writing point `p<n>` (which must exist, with
 * `his`), and one reader of `read?filter=point`. Tests wait on progress with {@link OutageLoad.until}, never on time.
 */
export class OutageLoad {
  /** Per writer, the sample times whose hisWrite was acknowledged. */
  readonly acked: Set<number>[];
  /** What answered 503 with the store-unavailable error grid. */
  readonly unavailable: string[] = [];
  /** Any other failure. */
  readonly unexpected: string[] = [];
  /** Reads that succeeded. */
  readsOk = 0;
  /** When (performance.now) each write was acknowledged, in order. */
  readonly ackedAt: number[] = [];
  readonly #base: string;
  #stop = false;
  #wake: (() => void) | undefined;
  #running: Promise<unknown> | undefined;

  constructor(base: string, writers: number) {
    this.#base = base;
    this.acked = Array.from({ length: writers }, () => new Set<number>());
  }

  /** Start the writers and the reader. */
  start(): void {
    this.#running = Promise.all([...this.acked.map((_, n) => this.#writer(n)), this.#reader()]);
  }

  /** Acknowledged writes in all. */
  total(): number {
    return this.acked.reduce((n, s) => n + s.size, 0);
  }

  /** Resolve once `cond` holds (looked at after each answer); throws as soon as an answer was unexpected. */
  async until(cond: () => boolean): Promise<void> {
    while (!cond()) {
      if (this.unexpected.length > 0) throw new Error(`unexpected answers: ${this.unexpected.slice(0, 3).join('; ')}`);
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  /** Wake {@link until} (for progress made outside the load, e.g. change notifications). */
  note(): void {
    this.#wake?.();
  }

  /**
   * Take the store through one outage under this (started) load: once writes and reads succeed, `crash` it, wait
   * until every client saw 503s, `restart` it, and wait until writes and reads succeed again. With
   * HAYSTACK_FAULT_REPORT set, prints how long the store was down and how soon writes were acknowledged again.
   */
  async throughOutage(name: string, crash: () => Promise<void>, restart: () => Promise<void>): Promise<void> {
    await this.until(() => this.total() >= 30 && this.readsOk >= 3);
    await crash();
    const crashedAt = performance.now();
    await this.until(() => this.unavailable.length >= 2 * (this.acked.length + 1));
    const before = this.total();
    await restart();
    const restartedAt = performance.now();
    const readsBefore = this.readsOk;
    await this.until(() => this.total() >= before + 30 && this.readsOk > readsBefore);
    const firstAck = this.ackedAt.find((t) => t > restartedAt) ?? Number.NaN;
    if (process.env.HAYSTACK_FAULT_REPORT !== undefined) {
      console.info(
        `${name} outage: down ${String(Math.round(restartedAt - crashedAt))} ms, ${String(this.unavailable.length)} ` +
          `answers 503, first write acknowledged ${String(Math.round(firstAck - restartedAt))} ms after ${name} was ` +
          `ready again, ${String(this.total())} acknowledged in all`,
      );
    }
  }

  /** Every acknowledged write that `hisRead` (all of a point's history) does not give back, as `p<n>@<ts>`. */
  async lostWrites(hisRead: (id: string) => Promise<readonly { readonly ts: number }[]>): Promise<string[]> {
    const lost: string[] = [];
    for (const [n, acked] of this.acked.entries()) {
      const id = `p${String(n)}`;
      const have = new Set((await hisRead(id)).map((s) => s.ts));
      for (const ts of acked) if (!have.has(ts)) lost.push(`${id}@${String(ts)}`);
    }
    return lost;
  }

  /** Stop issuing requests and resolve once the ones in flight have been answered. */
  async stop(): Promise<void> {
    this.#stop = true;
    await this.#running;
  }

  // A 503 must be a proper error grid saying the store is unavailable; anything else but success is a failure.
  #judge(what: string, x: Exchange): boolean {
    if (x.status === 200 && !gridOf(x).isError) return true;
    const g = x.text === '' ? undefined : gridOf(x);
    if (x.status === 503 && g?.meta.get('errCode') === 'HS_ERR_UNAVAILABLE' && x.headers.get('retry-after') === '1') {
      this.unavailable.push(what);
    } else {
      this.unexpected.push(`${what}: ${String(x.status)} ${x.text.slice(0, 200)}`);
    }
    return false;
  }

  async #writer(n: number): Promise<void> {
    const id = new Ref(`p${String(n)}`);
    for (let i = 0; !this.#stop; i++) {
      const ts = LOAD_T0 + i * 1000;
      const rows = [{ ts: HDateTime.fromEpochMs(ts), val: new Num(i) }];
      const body = encodeZinc(Grid.make({ meta: { id }, cols: ['ts', 'val'], rows }));
      try {
        if (this.#judge(`hisWrite p${String(n)}`, await exchange(`${this.#base}hisWrite`, body))) {
          this.acked[n]?.add(ts);
          this.ackedAt.push(performance.now());
        } else await backOff();
      } catch (err) {
        this.unexpected.push(`hisWrite p${String(n)}: ${String(err)}`);
      }
      this.note();
    }
  }

  async #reader(): Promise<void> {
    while (!this.#stop) {
      try {
        if (this.#judge('read', await exchange(`${this.#base}read?filter=point`))) this.readsOk++;
        else await backOff();
      } catch (err) {
        this.unexpected.push(`read: ${String(err)}`);
      }
      this.note();
    }
  }
}
