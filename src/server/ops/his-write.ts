// The `hisWrite` op: validate samples against the point (his, tz, kind, unit), sort, merge, write (Ops chapter, HisWrite).

import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { LimitError } from '../../core/errors.js';
import { Grid } from '../../core/grid/grid.js';
import { HDateTime } from '../../core/kinds/date-time.js';
import { NA } from '../../core/kinds/marker.js';
import { Ref } from '../../core/kinds/ref.js';
import type { HisItem } from '../../storage/adapter.js';
import { sortedUniqueSamples } from '../../storage/his-samples.js';
import type { OpContext, OpDef } from '../op.js';
import { badRequest } from './args.js';
import { type HisPoint, hisPoints } from './his-point.js';
import { checkValueKind } from './value-kind.js';

// One value column of the request: the single form's `val`, or a batch `v{i}` column with its point id in meta.
interface ValueColumn {
  readonly col: string;
  readonly id: string;
}

function valueColumns(req: Grid): ValueColumn[] {
  const metaId = req.meta.get('id');
  if (metaId !== null) {
    if (!(metaId instanceof Ref)) throw badRequest('Grid meta id must be a Ref');
    return [{ col: 'val', id: metaId.id }];
  }
  const cols: ValueColumn[] = [];
  for (const c of req.cols) {
    if (c.name === 'ts') continue;
    const id = c.meta.get('id');
    if (!(id instanceof Ref)) throw badRequest(`Column ${c.name} of a batch hisWrite needs an id Ref in its meta`);
    cols.push({ col: c.name, id: id.id });
  }
  return cols;
}

// Rows checked between two yields to the event loop: a long write never holds other clients for long.
const CHUNK = 32_768;

// Samples of one point in one column, checked, in request order.
async function pointItems(req: Grid, col: string, point: HisPoint): Promise<HisItem[]> {
  const items: HisItem[] = [];
  let i = 0;
  for (const row of req) {
    if (++i % CHUNK === 0) await yieldToLoop();
    const val = row.get(col);
    if (val === null) continue;
    const ts = row.get('ts');
    if (!(ts instanceof HDateTime)) throw badRequest('Every ts must be a DateTime');
    // Ops chapter: time zone, kind or unit conversion is explicitly disallowed.
    if (ts.tz.name !== point.tz.name) {
      throw badRequest(`ts ${ts.toString()} is not in the time zone of @${point.id} (${point.tz.name})`);
    }
    // Kinds chapter: NA is "most often used in historized data to indicate that a timestamp sample is in error",
    // so it is a sample of any point, whatever its kind.
    if (val !== NA) checkValueKind(point.rec, val, `Value for @${point.id}`);
    items.push({ ts: ts.epochMs, val });
  }
  return items;
}

/**
 * Quota per point: a write that could take a point past `maxHisItemsPerPoint` samples is refused whole. New
 * samples are counted as if none replaced an existing one, so the check is conservative; concurrent writes to
 * one point may each pass it, overshooting by at most one write's worth each.
 */
async function checkPointQuotas(
  writes: readonly { id: string; items: readonly HisItem[] }[],
  ctx: OpContext,
): Promise<void> {
  const max = ctx.server.limits.maxHisItemsPerPoint;
  for (const w of writes) {
    if (w.items.length === 0) continue;
    const held = await ctx.store.hisCount(w.id);
    if (held + w.items.length > max) {
      throw new LimitError(
        'maxHisItemsPerPoint',
        `@${w.id} holds ${held} samples; ${w.items.length} more would pass its quota of ${max}`,
      );
    }
  }
}

/** `hisWrite`: samples for one point (`id` in the grid meta) or a batch (`id` in each value column's meta). */
export const hisWriteOp: OpDef = {
  name: 'hisWrite',
  doc: 'Write history samples to one or more historized points.',
  noSideEffects: false,
  requiredRole: 'operator',
  handler: async (req, ctx) => {
    const max = ctx.server.limits.maxHisWriteItems;
    const cols = valueColumns(req);
    if (req.size * Math.max(cols.length, 1) > max) {
      throw new LimitError('maxHisWriteItems', `A hisWrite may carry at most ${max} samples`);
    }
    if (!req.hasCol('ts') && req.size > 0) throw badRequest('hisWrite needs a ts column');
    const points = await hisPoints(
      ctx,
      cols.map((c) => c.id),
    );
    // Check everything before writing anything, so a bad sample leaves every point untouched. Columns naming one
    // point go as one write, in column order: at a timestamp they share, the later column wins, as if they were
    // written one after the other.
    const byId = new Map<string, HisItem[]>();
    for (let i = 0; i < cols.length; i++) {
      const c = cols[i] as ValueColumn;
      const items = await pointItems(req, c.col, points[i] as HisPoint);
      const held = byId.get(c.id);
      if (held === undefined) byId.set(c.id, items);
      else for (const it of items) held.push(it);
    }
    // Sorted by time, the last of equal timestamps kept: what the quota counts and the store writes.
    const writes = [...byId]
      .map(([id, items]) => ({ id, items: sortedUniqueSamples(items) }))
      .filter((w) => w.items.length > 0);
    await checkPointQuotas(writes, ctx);
    // A batch of several points is written all or none where the store can; else point by point.
    if (writes.length > 1 && ctx.store.hisWriteBatch !== undefined) await ctx.store.hisWriteBatch(writes);
    else for (const w of writes) await ctx.store.hisWrite(w.id, w.items);
    return Grid.EMPTY;
  },
};
