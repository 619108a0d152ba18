// A client-side watch: the watchSub/Unsub/Poll life cycle plus an accumulator of current entity state.

import type { Dict } from '../core/grid/dict.js';
import { Grid, GridBuilder } from '../core/grid/grid.js';
import { MARKER } from '../core/kinds/marker.js';
import { Num } from '../core/kinds/number.js';
import { Ref } from '../core/kinds/ref.js';

/** What a watch needs from the client: one call per op. */
export interface WatchCaller {
  /** Call an op with a request grid and return the response grid (error grids throw `CallError`). */
  call(op: string, req: Grid, options?: { readonly signal?: AbortSignal }): Promise<Grid>;
}

/** Options for opening a watch. */
export interface WatchOptions {
  /** Display name sent as `watchDis` (default `haystack-ts`). */
  readonly dis?: string;
  /** Requested lease in milliseconds (the server may pick another; see {@link Watch.leaseMs}). */
  readonly leaseMs?: number;
  /** Abort the opening call. */
  readonly signal?: AbortSignal;
}

/** Options for iterating changes. */
export interface WatchIterateOptions {
  /** Poll interval in milliseconds (default 1000). */
  readonly intervalMs?: number;
  /** Stops the iteration (the watch stays open: call `close()`). */
  readonly signal?: AbortSignal;
  /** Waits between polls; injectable so tests need no real time. */
  readonly delay?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** An id argument as a Ref: a Ref as is, a string with or without its leading `@`. */
export function refArg(id: Ref | string): Ref {
  return typeof id === 'string' ? new Ref(id.startsWith('@') ? id.slice(1) : id) : id;
}

function idGrid(ids: readonly (Ref | string)[], meta: Record<string, unknown>): Grid {
  const b = new GridBuilder().meta(meta).addCol('id');
  for (const id of ids) b.addRow([refArg(id)]);
  return b.build();
}

function durationMs(v: unknown): number | undefined {
  if (!(v instanceof Num)) return undefined;
  const factor: Record<string, number> = {
    ms: 1,
    s: 1000,
    sec: 1000,
    min: 60_000,
    h: 3_600_000,
    hr: 3_600_000,
    day: 86_400_000,
  };
  const f = v.unit === undefined ? 1000 : factor[v.unit];
  return f === undefined ? undefined : v.val * f;
}

/** Resolves after `ms`, or rejects when `signal` aborts. */
export function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const abortError = (): Error => (signal?.reason instanceof Error ? signal.reason : new Error('Aborted'));
    if (signal?.aborted === true) {
      reject(abortError());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * An open watch. Keeps the current state of every watched entity (`entities`), updated by each
 * poll. Ops chapter: the server's canonical ids from watchSub are the ones polls use.
 */
export class Watch {
  readonly #caller: WatchCaller;
  /** Server-assigned watch id. */
  readonly id: string;
  #leaseMs: number | undefined;
  readonly #state = new Map<string, Dict>();
  #closed = false;

  private constructor(caller: WatchCaller, id: string, leaseMs: number | undefined) {
    this.#caller = caller;
    this.id = id;
    this.#leaseMs = leaseMs;
  }

  /** Open a watch on `ids` (watchSub without watchId) and record the entities' current state. */
  static async open(caller: WatchCaller, ids: readonly (Ref | string)[], options: WatchOptions = {}): Promise<Watch> {
    const meta: Record<string, unknown> = { watchDis: options.dis ?? 'haystack-ts' };
    if (options.leaseMs !== undefined) meta.lease = new Num(options.leaseMs / 1000, 's');
    const res = await caller.call(
      'watchSub',
      idGrid(ids, meta),
      options.signal === undefined ? {} : { signal: options.signal },
    );
    const watchId = res.meta.get('watchId');
    if (typeof watchId !== 'string') throw new TypeError('watchSub response has no watchId');
    const w = new Watch(caller, watchId, durationMs(res.meta.get('lease')));
    w.#absorb(res);
    return w;
  }

  /** Lease the server assigned, in milliseconds, if it said. */
  get leaseMs(): number | undefined {
    return this.#leaseMs;
  }

  /** True after `close()`. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Current state of every watched entity that exists, by id. */
  get entities(): ReadonlyMap<string, Dict> {
    return this.#state;
  }

  /** Rows with an id replace the accumulated state; rows of nulls (unknown ids) are skipped. */
  #absorb(grid: Grid): Dict[] {
    const changed: Dict[] = [];
    for (const row of grid) {
      const id = row.id;
      if (id === undefined) continue;
      this.#state.set(id.id, row);
      changed.push(row);
    }
    return changed;
  }

  #check(): void {
    if (this.#closed) throw new TypeError(`Watch ${this.id} is closed`);
  }

  /** Add entities (watchSub with this watchId); returns their current state. */
  async add(ids: readonly (Ref | string)[], signal?: AbortSignal): Promise<readonly Dict[]> {
    this.#check();
    const meta: Record<string, unknown> = { watchId: this.id };
    if (this.#leaseMs !== undefined) meta.lease = new Num(this.#leaseMs / 1000, 's');
    const res = await this.#caller.call('watchSub', idGrid(ids, meta), signal === undefined ? {} : { signal });
    const lease = durationMs(res.meta.get('lease'));
    if (lease !== undefined) this.#leaseMs = lease;
    return this.#absorb(res);
  }

  /** Remove entities (watchUnsub with ids) and forget their state. */
  async remove(ids: readonly (Ref | string)[], signal?: AbortSignal): Promise<void> {
    this.#check();
    await this.#caller.call('watchUnsub', idGrid(ids, { watchId: this.id }), signal === undefined ? {} : { signal });
    for (const id of ids) this.#state.delete(refArg(id).id);
  }

  /** Entities changed since the last poll; the accumulator is updated with them. */
  async poll(signal?: AbortSignal): Promise<readonly Dict[]> {
    this.#check();
    const req = Grid.make({ meta: { watchId: this.id }, cols: [] });
    return this.#absorb(await this.#caller.call('watchPoll', req, signal === undefined ? {} : { signal }));
  }

  /** Every watched entity (watchPoll with refresh); replaces the accumulator. */
  async refresh(signal?: AbortSignal): Promise<readonly Dict[]> {
    this.#check();
    const req = Grid.make({ meta: { watchId: this.id, refresh: MARKER }, cols: [] });
    const res = await this.#caller.call('watchPoll', req, signal === undefined ? {} : { signal });
    this.#state.clear();
    return this.#absorb(res);
  }

  /** Close the watch on the server (watchUnsub with close); idempotent. */
  async close(signal?: AbortSignal): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#state.clear();
    const req = Grid.make({ meta: { watchId: this.id, close: MARKER }, cols: [] });
    await this.#caller.call('watchUnsub', req, signal === undefined ? {} : { signal });
  }

  /** Poll every `intervalMs` and yield each non-empty batch of changes, until the signal aborts. */
  async *changes(options: WatchIterateOptions = {}): AsyncGenerator<readonly Dict[], void, undefined> {
    const interval = options.intervalMs ?? 1000;
    const delay = options.delay ?? abortableDelay;
    const signal = options.signal;
    const aborted = (): boolean => signal?.aborted === true;
    while (!aborted() && !this.#closed) {
      const changed = await this.poll(signal);
      if (changed.length > 0) yield changed;
      try {
        await delay(interval, signal);
      } catch (err) {
        if (aborted()) return;
        throw err;
      }
    }
  }
}
