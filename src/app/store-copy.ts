// Copy one store into another of any backend (SQLite to PostgreSQL, PostgreSQL to Redis, ...): entities, history,
// priority arrays and users, which `import`/`export` files do not carry all of.

import { ValueError } from '../core/errors.js';
import type { Ref } from '../core/kinds/ref.js';
import { checkOptionNames, type OptionNames } from '../core/options.js';
import type { CommitDiff, HisItem, StorageAdapter, TimeRange } from '../storage/adapter.js';
import type { UserStore } from '../storage/user-store.js';
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
}

const HIS_BATCH = 10_000;
// Every instant a store can hold (history before 1970 included).
const ALL_TIME: TimeRange = { start: Number.MIN_SAFE_INTEGER, end: Number.MAX_SAFE_INTEGER };

const STORE_COPY_OPTIONS: OptionNames<StoreCopyOptions> = { progress: true, signal: true, now: true };

/**
 * Copy everything that outlives a server process from `from` into `to`, which must be empty (no entity and no
 * user): the entities page by page in id order, each historized point's samples, each writable point's priority
 * array (a timed override with the time it has left; one already over is left out) and the users. Watches,
 * sessions and login-throttle records are not copied: clients open their watches and log in again.
 *
 * Not a snapshot: stop the servers writing to `from` first, or their writes during the copy may be missed. A copy
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

  const total = await from.store.count();
  let entities = 0;
  const historized: string[] = [];
  const writable: string[] = [];
  for await (const page of entityPages(from.store, 'id', signal)) {
    if (page.length === 0) continue;
    await to.store.commit(page.map((tags): CommitDiff => ({ op: 'add', tags })));
    for (const d of page) {
      const id = (d.get('id') as Ref).id;
      if (d.has('his')) historized.push(id);
      if (d.has('writable')) writable.push(id);
    }
    entities += page.length;
    progress?.('entities', entities, total);
  }

  let samples = 0;
  let points = 0;
  for (const [i, id] of historized.entries()) {
    signal?.throwIfAborted();
    const n = await copyHistory(from.store, to.store, id, signal);
    samples += n;
    if (n > 0) points++;
    progress?.('history', i + 1, historized.length);
  }

  let levels = 0;
  for (const [i, id] of writable.entries()) {
    signal?.throwIfAborted();
    const array = await from.store.readPriorityArray(id);
    for (const l of array.levels) {
      if (l.val === null) continue;
      const left = l.expires === undefined ? undefined : l.expires - now;
      if (left !== undefined && left <= 0) continue;
      await to.store.pointWrite({
        id,
        level: l.level,
        val: l.val,
        who: l.who ?? '',
        ...(left === undefined ? {} : { durationMs: left }),
      });
      levels++;
    }
    progress?.('priority arrays', i + 1, writable.length);
  }

  const users = await sourceUsers.listUsers();
  for (const [i, u] of users.entries()) {
    signal?.throwIfAborted();
    await targetUsers.createUser({ username: u.username, role: u.role, scram: u.scram, enabled: u.enabled });
    progress?.('users', i + 1, users.length);
  }
  return { entities, samples, points, levels, users: users.length };
}

function usersOf(opened: OpenedStore, side: 'from' | 'into'): UserStore {
  if (opened.users === undefined)
    throw new ValueError(`The store ${opened.description} keeps no users to copy ${side}`);
  return opened.users;
}

// One point's samples in writes of 10,000: read in chunks where the source can (PostgreSQL), else whole.
async function copyHistory(
  from: StorageAdapter,
  to: StorageAdapter,
  id: string,
  signal: AbortSignal | undefined,
): Promise<number> {
  const chunks: AsyncIterable<readonly HisItem[]> =
    from.hisReadChunks?.(id, ALL_TIME, { chunkRows: HIS_BATCH }) ?? wholeHistory(from, id);
  let n = 0;
  for await (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i += HIS_BATCH) {
      signal?.throwIfAborted();
      const batch = chunk.slice(i, i + HIS_BATCH);
      await to.hisWrite(id, batch);
      n += batch.length;
    }
  }
  return n;
}

async function* wholeHistory(store: StorageAdapter, id: string): AsyncGenerator<readonly HisItem[]> {
  yield await store.hisRead(id, ALL_TIME);
}
