// Copy one store into another of any backend (SQLite to PostgreSQL, PostgreSQL to Redis, ...): entities, history,
// priority arrays and users, which `import`/`export` files do not carry all of.

import { StorageError, UnknownRecError, ValueError } from '../core/errors.js';
import type { Ref } from '../core/kinds/ref.js';
import { checkOptionNames, type OptionNames } from '../core/options.js';
import type {
  CommitDiff,
  HisItem,
  HisWrite,
  PointWriteRequest,
  PriorityArray,
  StorageAdapter,
  TimeRange,
} from '../storage/adapter.js';
import type { StoreChange } from '../storage/change-notifier.js';
import type { UserRecord, UserStore } from '../storage/user-store.js';
import type { OpenedStore } from './stores/store-backend.js';
import { entityPages } from './transfer.js';

/** What {@link copyStore} copied. */
export interface StoreCopyCounts {
  /** Entities, tags as they are (each gets a new `mod` from the target). */
  readonly entities: number;
  /** History samples, of {@link points}. */
  readonly samples: number;
  /** Points whose history held at least one sample. */
  readonly points: number;
  /** Priority-array levels written (timed overrides with the time they have left). */
  readonly levels: number;
  /** Users, with their role, enabled state and SCRAM credentials (their passwords stay as they were). */
  readonly users: number;
  /**
   * What changed in the source while it was copied, one line each (e.g. `2 entities (@a, @b)`); empty when nothing
   * did, so that the target holds the source as it was at the end of the copy. Non-empty only with
   * {@link StoreCopyOptions.allowLive} (without it, the copy fails instead).
   */
  readonly changes: readonly string[];
}

/** The step {@link copyStore} is at, for a progress bar. */
export type StoreCopyStage = 'entities' | 'history' | 'priority arrays' | 'users';

/** Options of {@link copyStore}. */
export interface StoreCopyOptions {
  /** Told after each page or point: the stage, how many of it are done, of how many (undefined when not known). */
  readonly progress?: (stage: StoreCopyStage, done: number, total: number | undefined) => void;
  /** Stops the copy between pages and points with the signal's reason (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** The time timed overrides are measured from, in epoch ms (default now). */
  readonly now?: number;
  /**
   * Most history samples read from the source in one query (default 10,000): a point's history of any length is
   * read a page at a time, and written to the target in batches of several pages of many points, so memory stays
   * bounded by a few pages.
   */
  readonly chunkRows?: number;
  /**
   * Accept a source that other processes write to during the copy (default false): the copy then completes and
   * reports what changed in {@link StoreCopyCounts.changes}, where by default it fails as soon as it sees a change.
   */
  readonly allowLive?: boolean;
}

const HIS_PAGE = 10_000;
// Samples per write into the target: large enough that a transaction's fixed cost vanishes (PostgreSQL: 50 points of
// 1,000 samples in one write measured 3.5x faster than a write per point), a few pages in memory. Redis runs a write
// alone, holding every other client meanwhile, and measured slower per sample past about 10,000: it gets that.
const HIS_WRITE = 50_000;
const HIS_WRITE_REDIS = 10_000;
// Levels per write into the target: a point write's fixed cost (PostgreSQL: a transaction holding the change lock,
// its round trips) is paid once per batch, not per level (the demo's 54 levels: 1.3 s one by one).
const LEVELS_WRITE = 1000;
// Points whose priority arrays are read in one query where the source can (PostgreSQL: 54 points one by one took
// 20 to 40 ms, a round trip or two each; one read of all of them 2 to 3).
const LEVELS_READ = 500;
// History counts in flight at once when the copy checks the source at its end: their round trips overlap.
const PARALLEL = 8;
// Ids named in a change line; the rest are counted.
const NAMED_IDS = 5;
// Every instant a store can hold (history before 1970 included).
const ALL_TIME: TimeRange = { start: Number.MIN_SAFE_INTEGER, end: Number.MAX_SAFE_INTEGER };

const STORE_COPY_OPTIONS: OptionNames<StoreCopyOptions> = {
  progress: true,
  signal: true,
  now: true,
  chunkRows: true,
  allowLive: true,
};

/**
 * Copy everything that outlives a server process from `from` into `to`, which must be empty (no entity and no
 * user): the entities page by page in id order, each historized point's samples (read a page at a time, written in
 * batches of many points), each writable point's priority array (a timed override with the time it has left; one
 * already over is left out) and the users. Watches, sessions and login-throttle records are not copied: clients open
 * their watches and log in again.
 *
 * Writes to `from` during the copy are detected: entity changes as the source reports them (its change
 * notifications), history as each point's sample count at the end against the samples copied, users by their
 * `modified` stamp. Without `allowLive`, a change fails the copy with a `StorageError` (`HS_ERR_CONFLICT`) at the
 * next page or point, or at the end for history; a sample rewritten in place at the same time is not seen. A copy
 * that fails or is stopped part way leaves `to` with what was committed; empty it before running the copy again.
 * Throws `ValueError` before writing anything when `to` is not empty, or when either side keeps nothing (memory).
 */
export async function copyStore(
  from: OpenedStore,
  to: OpenedStore,
  options: StoreCopyOptions = {},
): Promise<StoreCopyCounts> {
  checkOptionNames('Store copy options', options, STORE_COPY_OPTIONS);
  const { progress, signal } = options;
  const now = options.now ?? Date.now();
  const pageRows = options.chunkRows ?? HIS_PAGE;
  if (!Number.isSafeInteger(pageRows) || pageRows < 1) {
    throw new ValueError(`chunkRows must be a whole number of at least 1, got ${String(pageRows)}`);
  }
  if (!from.persistent || !to.persistent) {
    throw new ValueError('A memory store keeps nothing to copy from or into: give two stores that outlive a process');
  }
  const targetUsers = usersOf(to, 'into');
  const sourceUsers = usersOf(from, 'from');
  const [held, heldUsers] = await Promise.all([to.store.count(), targetUsers.listUsers()]);
  if (held > 0 || heldUsers.length > 0) {
    throw new ValueError(
      `The target store ${to.description} holds ${String(held)} entities and ${String(heldUsers.length)} users: ` +
        'copy fills an empty store only (after a copy that stopped part way, empty it and run the copy again)',
    );
  }

  const watch = await watchChanges(from, options.allowLive === true);
  try {
    // Counting ends the timed overrides already over: the changes that makes are what the copy starts from, not
    // changes during it.
    const total = await from.store.count();
    await from.store.syncChanges?.();
    watch.start();
    const usersBefore = await sourceUsers.listUsers();
    let entities = 0;
    const historized: string[] = [];
    const writable: string[] = [];
    // The next page is read while the previous one commits.
    const commits = new OneInFlight();
    for await (const page of entityPages(from.store, 'id', signal)) {
      if (page.length === 0) continue;
      watch.check();
      await commits.send(() => to.store.commit(page.map((tags): CommitDiff => ({ op: 'add', tags }))));
      for (const d of page) {
        const id = (d.get('id') as Ref).id;
        if (d.has('his')) historized.push(id);
        if (d.has('writable')) writable.push(id);
      }
      entities += page.length;
      progress?.('entities', entities, total);
    }
    await commits.settle();

    const copied = await copyHistory(from.store, to.store, historized, pageRows, watch, options);
    let samples = 0;
    let points = 0;
    for (const n of copied) {
      samples += n;
      if (n > 0) points++;
    }

    const levels = await copyLevels(from.store, to.store, writable, now, watch, options);

    const users = await sourceUsers.listUsers();
    for (const [i, u] of users.entries()) {
      signal?.throwIfAborted();
      await targetUsers.createUser({ username: u.username, role: u.role, scram: u.scram, enabled: u.enabled });
      progress?.('users', i + 1, users.length);
    }

    const changes = await watch.finish(historized, copied, usersBefore, users);
    return { entities, samples, points, levels, users: users.length, changes };
  } finally {
    watch.stop();
  }
}

function usersOf(opened: OpenedStore, side: 'from' | 'into'): UserStore {
  if (opened.users === undefined)
    throw new ValueError(`The store ${opened.description} keeps no users to copy ${side}`);
  return opened.users;
}

// Every historized point's samples, read a page at a time and written in batches of many points (one write in flight
// while the next batch is read); returns the samples copied per point, in the order of `ids`.
async function copyHistory(
  from: StorageAdapter,
  to: StorageAdapter,
  ids: readonly string[],
  pageRows: number,
  watch: ChangeWatch,
  options: StoreCopyOptions,
): Promise<number[]> {
  const { signal, progress } = options;
  const writeAt = Math.max(pageRows, to.backend === 'redis' ? HIS_WRITE_REDIS : HIS_WRITE);
  const writes = new OneInFlight();
  let batch: HisWrite[] = [];
  let batched = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const sending = batch;
    batch = [];
    batched = 0;
    await writes.send(() => writeHistory(to, sending));
  };
  const copied: number[] = [];
  for (const [i, id] of ids.entries()) {
    signal?.throwIfAborted();
    watch.check();
    let n = 0;
    for await (const page of historyPages(from, id, pageRows)) {
      signal?.throwIfAborted();
      if (page.length === 0) continue;
      if (batched + page.length > writeAt) await flush();
      // A batch names each point once (hisWriteBatch takes distinct points): a point's next page joins its samples.
      const last = batch[batch.length - 1];
      if (last?.id === id) batch[batch.length - 1] = { id, items: [...last.items, ...page] };
      else batch.push({ id, items: page });
      batched += page.length;
      n += page.length;
    }
    copied.push(n);
    progress?.('history', i + 1, ids.length);
  }
  await flush();
  await writes.settle();
  return copied;
}

// One batch into the target: one write for every point where the target can (SQLite, PostgreSQL, Redis).
async function writeHistory(to: StorageAdapter, batch: readonly HisWrite[]): Promise<void> {
  if (to.hisWriteBatch !== undefined) {
    await to.hisWriteBatch(batch);
    return;
  }
  for (const w of batch) await to.hisWrite(w.id, w.items);
}

// Every writable point's priority array (a timed override with the time it had left at `now`; one already over left
// out), read many points at a time where the source can and written in batches of many points (one write in flight
// while the next arrays are read); returns the levels written.
async function copyLevels(
  from: StorageAdapter,
  to: StorageAdapter,
  ids: readonly string[],
  now: number,
  watch: ChangeWatch,
  options: StoreCopyOptions,
): Promise<number> {
  const { signal, progress } = options;
  const writes = new OneInFlight();
  let batch: PointWriteRequest[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const sending = batch;
    batch = [];
    await writes.send(() => writeLevels(to, sending));
  };
  let levels = 0;
  let done = 0;
  for await (const array of priorityArrays(from, ids, () => {
    signal?.throwIfAborted();
    watch.check();
  })) {
    const id = ids[done++] as string;
    for (const l of array.levels) {
      if (l.val === null) continue;
      const left = l.expires === undefined ? undefined : l.expires - now;
      if (left !== undefined && left <= 0) continue;
      batch.push({
        id,
        level: l.level,
        val: l.val,
        who: l.who ?? '',
        ...(left === undefined ? {} : { durationMs: left }),
      });
      levels++;
    }
    if (batch.length >= LEVELS_WRITE) await flush();
    progress?.('priority arrays', done, ids.length);
  }
  await flush();
  await writes.settle();
  return levels;
}

// Each point's priority array, in the order of `ids`: LEVELS_READ points per read where the source reads many at
// once, else one by one; `before` runs before each read (and may throw to stop the copy).
async function* priorityArrays(
  from: StorageAdapter,
  ids: readonly string[],
  before: () => void,
): AsyncGenerator<PriorityArray> {
  if (from.readPriorityArrays !== undefined) {
    for (let i = 0; i < ids.length; i += LEVELS_READ) {
      before();
      yield* await from.readPriorityArrays(ids.slice(i, i + LEVELS_READ));
    }
    return;
  }
  for (const id of ids) {
    before();
    yield await from.readPriorityArray(id);
  }
}

// One batch of levels into the target: one transaction where it takes them all at once, else level by level.
async function writeLevels(to: StorageAdapter, batch: readonly PointWriteRequest[]): Promise<void> {
  if (to.pointWriteBatch !== undefined) {
    await to.pointWriteBatch(batch);
    return;
  }
  for (const req of batch) await to.pointWrite(req);
}

// A point's samples in time order, `rows` at most at a time: by pages where the source reads them, else by its
// chunked reads, else whole (a store with neither keeps history in memory anyway).
async function* historyPages(store: StorageAdapter, id: string, rows: number): AsyncGenerator<readonly HisItem[]> {
  if (store.hisReadPage !== undefined) {
    let start = ALL_TIME.start;
    for (;;) {
      const page = await store.hisReadPage(id, { start, end: ALL_TIME.end }, rows);
      yield page;
      const last = page[page.length - 1];
      if (page.length < rows || last === undefined) return;
      // Timestamps are whole milliseconds: the next page starts just after this one's last sample.
      start = last.ts + 1;
    }
  }
  if (store.hisReadChunks !== undefined) {
    yield* store.hisReadChunks(id, ALL_TIME, { chunkRows: rows });
    return;
  }
  yield await store.hisRead(id, ALL_TIME);
}

// One write at a time runs while the caller reads what comes next; a failed write is thrown by the next call.
class OneInFlight {
  #last: Promise<void> = Promise.resolve();
  #failed: { readonly err: unknown } | undefined;

  // Wait for the write in flight, then start `write` without waiting for it.
  async send(write: () => Promise<unknown>): Promise<void> {
    await this.settle();
    // Caught at once, so that a write failing while the next read runs is not an unhandled rejection.
    this.#last = write().then(
      () => undefined,
      (err: unknown) => {
        this.#failed = { err };
      },
    );
  }

  // Wait for the write in flight; throw what any write failed with.
  async settle(): Promise<void> {
    await this.#last;
    if (this.#failed !== undefined) throw this.#failed.err;
  }
}

// `work` on every item, PARALLEL at a time; the first failure stops new work and is thrown once all have stopped.
async function eachLimited<T>(items: readonly T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed: { readonly err: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failed === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await work(item);
      } catch (err) {
        failed ??= { err };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, items.length) }, worker));
  if (failed !== undefined) throw failed.err;
}

// What the copy learns of writes to its source while it runs.
interface ChangeWatch {
  // Forget what was reported so far: the copy starts from the source as it is now.
  start(): void;
  // Throw the conflict now when entities changed (and live sources are not allowed).
  check(): void;
  // Everything that changed by the end of the copy, as lines; throws the conflict when any did and it is not allowed.
  finish(
    historized: readonly string[],
    copied: readonly number[],
    usersBefore: readonly UserRecord[],
    usersAfter: readonly UserRecord[],
  ): Promise<string[]>;
  stop(): void;
}

async function watchChanges(from: OpenedStore, allowLive: boolean): Promise<ChangeWatch> {
  const store = from.store;
  const changed = new Set<string>();
  let reset = false;
  const listener = (change: StoreChange): void => {
    if (change.kind === 'reset') reset = true;
    // Users are compared by their `modified` stamps at the end.
    else if (change.kind === 'entities') for (const id of change.ids) changed.add(id);
  };
  const unsubscribe = store.subscribeChanges === undefined ? undefined : await store.subscribeChanges(listener);
  const entityLines = (): string[] => {
    const lines: string[] = [];
    if (changed.size > 0) lines.push(`${count(changed.size, 'entity', 'entities')} (${named([...changed])})`);
    if (reset) lines.push("any entity (the source's change notifications were interrupted)");
    return lines;
  };
  const conflict = (lines: readonly string[]): StorageError =>
    new StorageError(`The source store ${from.description} changed during the copy: ${lines.join('; ')}`, {
      code: 'HS_ERR_CONFLICT',
    });
  return {
    start: () => {
      changed.clear();
      reset = false;
    },
    check: () => {
      if (allowLive) return;
      const lines = entityLines();
      if (lines.length > 0) throw conflict(lines);
    },
    finish: async (historized, copied, usersBefore, usersAfter) => {
      // Changes committed before now are reported before the lines are made.
      await store.syncChanges?.();
      const grown: string[] = [];
      await eachLimited([...historized.keys()], async (i) => {
        const id = historized[i] as string;
        let held: number;
        try {
          held = await store.hisCount(id);
        } catch (err) {
          // Removed meanwhile: an entity change says so too.
          if (err instanceof UnknownRecError) held = -1;
          else throw err;
        }
        if (held !== copied[i]) grown.push(id);
      });
      const lines = entityLines();
      if (grown.length > 0) lines.push(`the history of ${count(grown.length, 'point')} (${named(grown.sort())})`);
      const stamp = (u: UserRecord): string => `${u.username}\n${String(u.modified)}`;
      const before = new Set(usersBefore.map(stamp));
      const after = new Set(usersAfter.map((u) => u.username));
      // Added or changed (a new `modified`), and removed.
      const users = [
        ...usersAfter.filter((u) => !before.has(stamp(u))),
        ...usersBefore.filter((u) => !after.has(u.username)),
      ].map((u) => u.username);
      if (users.length > 0) lines.push(`${count(users.length, 'user')} (${users.join(', ')})`);
      if (lines.length > 0 && !allowLive) throw conflict(lines);
      return lines;
    },
    stop: () => {
      unsubscribe?.();
    },
  };
}

// `@a, @b, @c` and `2 more`.
function named(ids: readonly string[]): string {
  const shown = ids.slice(0, NAMED_IDS).map((id) => `@${id}`);
  if (ids.length > NAMED_IDS) shown.push(`${String(ids.length - NAMED_IDS)} more`);
  return shown.join(', ');
}

// `1 point`, `2 points`.
function count(n: number, one: string, many = `${one}s`): string {
  return `${String(n)} ${n === 1 ? one : many}`;
}
