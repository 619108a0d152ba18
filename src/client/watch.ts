// A client-side watch: the watchSub/Unsub/Poll life cycle plus an accumulator of current entity state.

import { CallError, HaystackError } from '../core/errors.js';
import type { Dict } from '../core/grid/dict.js';
import { Grid, GridBuilder } from '../core/grid/grid.js';
import { MARKER } from '../core/kinds/marker.js';
import { Num } from '../core/kinds/number.js';
import { Ref } from '../core/kinds/ref.js';
import { checkOptionNames, type OptionNames } from '../core/options.js';
import { AsyncQueue } from './async-queue.js';

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

const WATCH_OPTIONS: OptionNames<WatchOptions> = { dis: true, leaseMs: true, signal: true };
const ITERATE_OPTIONS: OptionNames<WatchIterateOptions> = { intervalMs: true, signal: true, delay: true };

/** An id argument as a Ref: a Ref as is, a string with or without its leading `@`. */
export function refArg(id: Ref | string): Ref {
  return typeof id === 'string' ? new Ref(id.startsWith('@') ? id.slice(1) : id) : id;
}

/** A request of one `id` column, a row per id (read by ids, batch hisRead, watchSub, watchUnsub). */
export function idGrid(ids: readonly (Ref | string)[], meta: Record<string, unknown> = {}): Grid {
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

function watchIdOf(res: Grid): string {
  const watchId = res.meta.get('watchId');
  if (typeof watchId !== 'string') throw new HaystackError('HS_ERR_CALL', 'watchSub response has no watchId');
  return watchId;
}

// One call of the watch's life cycle, with the caller's signal when there is one.
function watchCall(caller: WatchCaller, op: string, req: Grid, signal: AbortSignal | undefined): Promise<Grid> {
  return caller.call(op, req, signal === undefined ? {} : { signal });
}

/** Resolves after `ms`, or rejects when `signal` aborts. */
export function abortableDelay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason instanceof Error ? signal.reason : new Error('Aborted'));
    };
    if (signal?.aborted === true) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * True for a poll's or push's row telling that a watched entity was removed: its id and a `removed` marker, no
 * other tag (an entity of its own with a `removed` tag is no such row).
 */
export function isRemovedRow(row: Dict): boolean {
  return row.size === 2 && row.has('id') && row.get('removed') === MARKER;
}

// Changed entities by id (absorbed rows always have one; the key type spares the check).
type ChangeBatch = Map<string | undefined, Dict>;

/**
 * An open watch. Keeps the current state of every watched entity (`entities`), updated by each
 * poll. Ops chapter: the server's canonical ids from watchSub are the ones polls use.
 */
export class Watch {
  readonly #caller: WatchCaller;
  // Set by the first watchSub's answer.
  #id = '';
  readonly #dis: string;
  #leaseMs: number | undefined;
  readonly #state = new Map<string, Dict>();
  // Ids subscribed (existing or not), so that a reconnecting client can subscribe them again.
  readonly #ids = new Set<string>();
  #closed = false;
  // Set once the watch is fed by server pushes: `changes()` then waits for them instead of polling.
  #pushes: AsyncQueue<ChangeBatch> | undefined;
  // The pushed changes `changes()` has not taken yet: one batch, the latest state of each entity however many
  // pushes came, so a watch read through `entities` alone (or slowly) holds no more than its entities.
  #pending: ChangeBatch | undefined;

  private constructor(caller: WatchCaller, dis: string, leaseMs: number | undefined) {
    this.#caller = caller;
    this.#dis = dis;
    this.#leaseMs = leaseMs;
  }

  /** Server-assigned watch id (a new one after {@link Watch.resubscribe} had to reopen an expired watch). */
  get id(): string {
    return this.#id;
  }

  /** Open a watch on `ids` (watchSub without watchId) and record the entities' current state. */
  static async open(caller: WatchCaller, ids: readonly (Ref | string)[], options: WatchOptions = {}): Promise<Watch> {
    checkOptionNames('Watch options', options, WATCH_OPTIONS);
    const w = new Watch(caller, options.dis ?? 'haystack-ts', options.leaseMs);
    for (const id of ids) w.#ids.add(refArg(id).id);
    await w.#reopen(options.signal);
    return w;
  }

  /**
   * Subscribe every id again (after a reconnect): watchSub with this watch's id, or, when the server no longer
   * has it (its lease ran out), a new watch with the same ids. The state is replaced by the answer, which is
   * returned: every watched entity as it is now, so nothing that changed meanwhile is missed.
   */
  async resubscribe(signal?: AbortSignal): Promise<readonly Dict[]> {
    this.#check();
    const res = await this.#call('watchSub', this.#subGrid([...this.#ids], this.#id), signal);
    this.#id = watchIdOf(res);
    this.#state.clear();
    // Pushes that ended with a lost connection start again on the new one.
    if (this.#pushes?.ended === true) this.#pushes = new AsyncQueue();
    this.#pending = undefined;
    return this.receive(res);
  }

  /** Make `changes()` wait for pushed changes ({@link Watch.receive}) instead of polling. */
  usePushes(): void {
    this.#pushes ??= new AsyncQueue();
  }

  /**
   * The connection whose pushes fed this watch ended: a running `changes()` ends once it has yielded what came
   * before, throwing `error` when one is given (a lost connection) and quietly without (the client was closed).
   * A later {@link Watch.resubscribe} feeds a new `changes()`.
   */
  connectionLost(error?: Error): void {
    this.#pushes?.end(error);
  }

  /** Take in changes the server pushed for this watch (content as `watchPoll`); returns the changed entities. */
  receive(grid: Grid): readonly Dict[] {
    if (this.#closed) return [];
    const rows = this.#absorb(grid);
    for (const row of rows) {
      if (this.#pending === undefined) {
        this.#pending = new Map();
        this.#pushes?.put(this.#pending);
      }
      this.#pending.set(row.id?.id, row);
    }
    return rows;
  }

  /** Lease the server assigned, in milliseconds (the one asked for when the server did not say). */
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

  /**
   * Rows with an id replace the accumulated state, rows of a removed entity ({@link isRemovedRow}) take it out;
   * rows of nulls (unknown ids) are skipped.
   */
  #absorb(grid: Grid): Dict[] {
    const changed: Dict[] = [];
    for (const row of grid) {
      const id = row.id;
      if (id === undefined) continue;
      if (isRemovedRow(row)) this.#state.delete(id.id);
      else this.#state.set(id.id, row);
      changed.push(row);
    }
    return changed;
  }

  /**
   * One call to this watch. Ops chapter: when watchSub, watchUnsub or watchPoll answers an error grid, the client
   * must assume the watch is no longer valid and open a new one: a new watch of every id, whose answer (each entity
   * as it is now, the state replaced) stands in for the call's.
   */
  async #call(op: string, req: Grid, signal: AbortSignal | undefined): Promise<Grid> {
    try {
      return await watchCall(this.#caller, op, req, signal);
    } catch (err) {
      if (!(err instanceof CallError)) throw err;
      return this.#reopen(signal);
    }
  }

  // A new watch of every id (watchSub without watchId), which this one becomes: its id, lease and state the answer's.
  async #reopen(signal: AbortSignal | undefined): Promise<Grid> {
    const res = await watchCall(this.#caller, 'watchSub', this.#subGrid([...this.#ids], undefined), signal);
    this.#id = watchIdOf(res);
    this.#leaseMs = durationMs(res.meta.get('lease')) ?? this.#leaseMs;
    this.#state.clear();
    this.#absorb(res);
    return res;
  }

  // A watchSub request: to `watchId`, or to open a new watch without one.
  #subGrid(ids: readonly (Ref | string)[], watchId: string | undefined): Grid {
    const meta: Record<string, unknown> = watchId === undefined ? { watchDis: this.#dis } : { watchId };
    if (this.#leaseMs !== undefined) meta.lease = new Num(this.#leaseMs / 1000, 's');
    return idGrid(ids, meta);
  }

  #check(): void {
    if (this.#closed) throw new HaystackError('HS_ERR_UNKNOWN_NAME', `Watch ${this.id} is closed`);
  }

  /**
   * Add entities (watchSub with this watchId); returns their current state (every watched entity's when the watch
   * had to be opened anew: see {@link Watch.poll}).
   */
  async add(ids: readonly (Ref | string)[], signal?: AbortSignal): Promise<readonly Dict[]> {
    this.#check();
    for (const id of ids) this.#ids.add(refArg(id).id);
    const res = await this.#call('watchSub', this.#subGrid(ids, this.id), signal);
    this.#leaseMs = durationMs(res.meta.get('lease')) ?? this.#leaseMs;
    return this.#absorb(res);
  }

  /** Remove entities (watchUnsub with ids) and forget their state. */
  async remove(ids: readonly (Ref | string)[], signal?: AbortSignal): Promise<void> {
    this.#check();
    for (const id of ids) {
      this.#state.delete(refArg(id).id);
      this.#ids.delete(refArg(id).id);
    }
    await this.#call('watchUnsub', idGrid(ids, { watchId: this.id }), signal);
  }

  /**
   * Entities changed since the last poll and removed ones ({@link isRemovedRow}); the accumulator follows both. When
   * the server no longer knows the watch (an error grid: its lease ran out), a new watch of the same ids is opened
   * and every watched entity is returned, so no change is missed.
   */
  async poll(signal?: AbortSignal): Promise<readonly Dict[]> {
    this.#check();
    const req = Grid.make({ meta: { watchId: this.id }, cols: [] });
    return this.#absorb(await this.#call('watchPoll', req, signal));
  }

  /** Every watched entity (watchPoll with refresh); replaces the accumulator. */
  async refresh(signal?: AbortSignal): Promise<readonly Dict[]> {
    this.#check();
    const req = Grid.make({ meta: { watchId: this.id, refresh: MARKER }, cols: [] });
    const res = await this.#call('watchPoll', req, signal);
    this.#state.clear();
    return this.#absorb(res);
  }

  /** Close the watch on the server (watchUnsub with close); idempotent. */
  async close(signal?: AbortSignal): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#state.clear();
    this.#pushes?.end();
    const req = Grid.make({ meta: { watchId: this.id, close: MARKER }, cols: [] });
    await watchCall(this.#caller, 'watchUnsub', req, signal);
  }

  /**
   * Each non-empty batch of changes, until the signal aborts or the watch closes: pushed ones on a WebSocket
   * (see {@link Watch.usePushes}), otherwise polled every `intervalMs`.
   */
  async *changes(options: WatchIterateOptions = {}): AsyncGenerator<readonly Dict[], void, undefined> {
    checkOptionNames('Watch changes options', options, ITERATE_OPTIONS);
    if (this.#pushes !== undefined) {
      for await (const batch of this.#pushes.take(options.signal)) {
        // Taken: later pushes start the next batch.
        this.#pending = undefined;
        yield [...batch.values()];
      }
      return;
    }
    const interval = options.intervalMs ?? 1000;
    const delay = options.delay ?? abortableDelay;
    const signal = options.signal;
    const aborted = (): boolean => signal?.aborted === true;
    while (!aborted() && !this.#closed) {
      try {
        const changed = await this.poll(signal);
        if (changed.length > 0) yield changed;
        await delay(interval, signal);
      } catch (err) {
        // Stopped during a poll or a wait rather than between them: the same quiet end.
        if (aborted()) return;
        throw err;
      }
    }
  }
}
