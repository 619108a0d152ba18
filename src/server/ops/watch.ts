// The watch ops: watchSub, watchUnsub and watchPoll over the store's watches (Ops chapter; HttpApi, Watches).

import { LimitError } from '../../core/errors.js';
import { Dict } from '../../core/grid/dict.js';
import { Grid } from '../../core/grid/grid.js';
import { MARKER } from '../../core/kinds/marker.js';
import { Ref } from '../../core/kinds/ref.js';
import type { WatchInfo } from '../../storage/adapter.js';
import { unknownWatchError } from '../../storage/storage-errors.js';
import type { OpContext, OpDef } from '../op.js';
import { badRequest, idColumn } from './args.js';
import { durationMs, durationNum } from './duration.js';
import { entityGrid } from './entity-grid.js';
import { readRowsByIds } from './read.js';

function metaStr(req: Grid, name: string): string | undefined {
  const v = req.meta.get(name);
  if (v === null) return undefined;
  if (typeof v !== 'string') throw badRequest(`${name} must be a Str`);
  return v;
}

function requireWatchId(req: Grid): string {
  const id = metaStr(req, 'watchId');
  if (id === undefined) throw badRequest('Missing watchId in grid meta');
  return id;
}

// The server assigns the lease: the asked one, shortened to the maximum, or the default.
function leaseOf(req: Grid, ctx: OpContext): number | undefined {
  const v = req.meta.get('lease');
  if (v === null) return undefined;
  return Math.min(durationMs(v, 'lease'), ctx.server.maxLeaseMs);
}

/**
 * The watch `watchId` if the caller may use it: its owner, or an admin (watches opened without an owner, by an
 * embedding app, are anyone's). Anyone else is told it is unknown, the same answer as for a closed watch, so
 * watch ids cannot be probed.
 */
async function ownWatch(ctx: OpContext, watchId: string): Promise<WatchInfo> {
  const w = await ctx.store.watchInfo(watchId);
  const { username, role } = ctx.principal;
  if (w === undefined || (w.owner !== undefined && w.owner !== username && role !== 'admin')) {
    throw unknownWatchError(watchId);
  }
  return w;
}

// Each user may hold only so many watches, so one caller cannot use up the store's watches. The store counts again as
// it opens (atomically, for every process over it); this check is for adapters that do not.
async function checkWatchQuota(ctx: OpContext): Promise<void> {
  const max = ctx.server.limits.maxWatchesPerUser;
  const username = ctx.principal.username;
  let mine = 0;
  for (const w of await ctx.store.watches()) if (w.owner === username) mine++;
  if (mine >= max) throw new LimitError('maxWatchesPerUser', `A user may have at most ${max} watches open`);
}

// The watchSubs of each store run one after the other from their limit checks to their changes: calls running at
// once (the members of one WebSocket batch) would otherwise each count the watches before any opened, and all pass.
// Across processes the store's own count as it opens (`maxOwned`) holds the limit.
const subscribing = new WeakMap<object, Promise<unknown>>();

function inTurn<T>(store: object, work: () => Promise<T>): Promise<T> {
  const next = (subscribing.get(store) ?? Promise.resolve()).then(work);
  subscribing.set(
    store,
    next.catch(() => undefined),
  );
  return next;
}

// A new watch for a watchSub without watchId, within the caller's quota; its id.
async function openWatch(req: Grid, ctx: OpContext, lease: number | undefined): Promise<string> {
  const dis = metaStr(req, 'watchDis');
  if (dis === undefined) throw badRequest('Missing watchDis in grid meta to open a watch');
  await checkWatchQuota(ctx);
  const max = ctx.server.limits.maxWatchesPerUser;
  return (await ctx.store.watchOpen(dis, lease ?? ctx.server.defaultLeaseMs, ctx.principal.username, max)).id;
}

/** `watchSub`: open a watch (or add to `watchId`), subscribe the ids that exist, answer their current state. */
export const watchSubOp: OpDef = {
  name: 'watchSub',
  doc: 'Open a watch or add entities to one; answers the current state of the entities.',
  noSideEffects: false,
  requiredRole: 'viewer',
  handler: async (req, ctx) => {
    const max = ctx.server.limits.maxWatchIds;
    const ids = idColumn(req, max, 'maxWatchIds');
    const rows = await readRowsByIds(ids, ctx);
    const existing = ids.filter((_, i) => rows[i]?.isEmpty === false);
    const lease = leaseOf(req, ctx);
    const given = metaStr(req, 'watchId');
    const watch = await inTurn(ctx.store, async () => {
      if (given === undefined) return ctx.store.watchAdd(await openWatch(req, ctx, lease), existing);
      const current = await ownWatch(ctx, given);
      const added = new Set([...current.ids, ...existing]).size;
      if (added > max) throw new LimitError('maxWatchIds', `A watch may hold at most ${max} ids`);
      if (lease !== undefined) await ctx.store.watchLease(given, lease);
      return ctx.store.watchAdd(given, existing);
    });
    // A write between the read above and the add is after the read yet not after the add, which is where the
    // watch's polls start: the rows are read again, so the answer holds it (a write after the add may come twice).
    const now = existing.length === 0 ? [] : await ctx.store.readByIds(existing);
    const latest = new Map(existing.map((id, i) => [id, now[i]]));
    return withWatchMeta(entityGrid(ids.map((id, i) => latest.get(id) ?? rows[i] ?? Dict.EMPTY)), watch);
  },
};

function withWatchMeta(grid: Grid, watch: WatchInfo): Grid {
  return Grid.fromTrustedParts(
    grid.meta.merge({ watchId: watch.id, lease: durationNum(watch.leaseMs) }),
    grid.cols,
    grid.rowSource,
  );
}

/** `watchUnsub`: remove the ids from `watchId`, or close the watch when the meta has `close`. */
export const watchUnsubOp: OpDef = {
  name: 'watchUnsub',
  doc: 'Remove entities from a watch, or close it.',
  noSideEffects: false,
  requiredRole: 'viewer',
  handler: async (req, ctx) => {
    const watchId = requireWatchId(req);
    await ownWatch(ctx, watchId);
    if (req.meta.has('close')) await ctx.store.watchClose(watchId);
    else await ctx.store.watchRemove(watchId, idColumn(req, ctx.server.limits.maxWatchIds, 'maxWatchIds'));
    return Grid.EMPTY;
  },
};

// A watched entity removed since the last poll: its id and a `removed` marker, told once (Haxall leaves it out, and
// the client would keep showing it for good; haystack-py marks such rows `_removed`, which is no valid tag name).
function removedRow(id: string): Dict {
  return Dict.of({ id: new Ref(id), removed: MARKER });
}

/**
 * `watchPoll`: the entities changed since the last poll, then those removed since (rows of `id` and `removed`), or
 * every watched entity that exists with `refresh` (no removed rows: the client replaces its state with the answer).
 */
export const watchPollOp: OpDef = {
  name: 'watchPoll',
  doc: 'Poll a watch for changed entities (all of them with refresh).',
  noSideEffects: false,
  requiredRole: 'viewer',
  handler: async (req, ctx) => {
    const watchId = requireWatchId(req);
    await ownWatch(ctx, watchId);
    const refresh = req.meta.has('refresh');
    const result = await ctx.store.watchPoll(watchId, refresh);
    // Ops, WatchPoll: a full refresh leaves out invalid identifiers; a spec client would take a removed row for an
    // entity of its own, and one that replaces its state has nothing stale to be told of.
    const rows =
      refresh || result.removed.length === 0 ? result.changed : [...result.changed, ...result.removed.map(removedRow)];
    return withWatchMeta(entityGrid(rows), result.watch);
  },
};
