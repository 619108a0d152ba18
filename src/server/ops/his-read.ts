// The `hisRead` op: one point's history over a range, or a batch joined on `ts` (Ops chapter, HisRead).

import { Dict, type TagVal } from '../../core/grid/dict.js';
import { Grid, type GridCol, type RowSource } from '../../core/grid/grid.js';
import { HDateTime } from '../../core/kinds/date-time.js';
import type { Val } from '../../core/kinds/kind.js';
import { Ref } from '../../core/kinds/ref.js';
import { TimeZone } from '../../core/tz/time-zone.js';
import type { HisItem } from '../../storage/adapter.js';
import type { OpContext, OpDef } from '../op.js';
import { badRequest, firstRow, idColumn, requireRefId } from './args.js';
import { hisPoints } from './his-point.js';
import { type HisSpan, resolveHisRange } from './his-range.js';

const NO_META = Dict.EMPTY;
const SINGLE_COLS: readonly GridCol[] = Object.freeze([
  Object.freeze({ name: 'ts', meta: NO_META }),
  Object.freeze({ name: 'val', meta: NO_META }),
]);

// Rows made on demand from the samples, so a long history is never held twice.
class HisRows implements RowSource {
  constructor(
    readonly items: readonly HisItem[],
    readonly tz: TimeZone,
  ) {}
  get size(): number {
    return this.items.length;
  }
  row(i: number): Dict {
    const item = this.items[i] as HisItem;
    const m = new Map<string, TagVal>([['ts', HDateTime.fromEpochMs(item.ts, this.tz)]]);
    if (item.val !== null) m.set('val', item.val);
    return Dict.fromTrustedMap(m);
  }
}

// The open-ended form reads everything from its start; its reported end is the later of now and the last sample.
async function readSpan(
  ctx: OpContext,
  id: string,
  span: HisSpan,
): Promise<{ items: readonly HisItem[]; end: number }> {
  const end = span.end?.epochMs ?? Number.MAX_SAFE_INTEGER;
  const items = await ctx.store.hisRead(id, { start: span.start.epochMs, end });
  if (span.end !== undefined) return { items, end };
  const last = items[items.length - 1];
  return { items, end: Math.max(ctx.server.clock(), last === undefined ? 0 : last.ts + 1) };
}

async function readSingle(req: Grid, ctx: OpContext): Promise<Grid> {
  const row = firstRow(req);
  const [point] = await hisPoints(ctx, [requireRefId(row, 'id')]);
  if (point === undefined) throw badRequest('Missing id');
  const span = resolveHisRange(row.get('range'), point.tz, ctx.server.clock());
  const { items, end } = await readSpan(ctx, point.id, span);
  const meta = Dict.of({
    id: new Ref(point.id, point.rec.dis()),
    hisStart: span.start,
    hisEnd: HDateTime.fromEpochMs(end, point.tz),
  });
  return Grid.fromTrustedParts(meta, SINGLE_COLS, new HisRows(items, point.tz));
}

async function readBatch(req: Grid, ctx: OpContext): Promise<Grid> {
  const ids = idColumn(req, ctx.server.limits.maxReadIds, 'maxReadIds');
  if (ids.length === 0) throw badRequest('Batch hisRead needs at least one id');
  const points = await hisPoints(ctx, ids);
  const tzArg = req.meta.get('tz');
  let tz: TimeZone;
  if (tzArg !== null) {
    if (typeof tzArg !== 'string') throw badRequest('tz must be a Str');
    tz = TimeZone.get(tzArg);
  } else {
    // Ops chapter: a batch read needs every point in one zone unless the request names one.
    tz = points[0]?.tz ?? ctx.server.tz;
    if (points.some((p) => p.tz !== tz)) throw badRequest('Batch hisRead of points in different time zones needs a tz');
  }
  const span = resolveHisRange(req.meta.get('range'), tz, ctx.server.clock());
  const byTs = new Map<number, Val[]>();
  let end = 0;
  for (let i = 0; i < points.length; i++) {
    const read = await readSpan(ctx, (points[i] as (typeof points)[number]).id, span);
    end = Math.max(end, read.end);
    for (const item of read.items) {
      let cells = byTs.get(item.ts);
      if (cells === undefined) byTs.set(item.ts, (cells = new Array<Val>(points.length).fill(null)));
      cells[i] = item.val;
    }
  }
  const cols = [{ name: 'ts' }, ...points.map((p, i) => ({ name: `v${i}`, meta: { id: new Ref(p.id, p.rec.dis()) } }))];
  const rows = [...byTs.keys()]
    .sort((a, b) => a - b)
    .map((ts) => {
      const r: Record<string, unknown> = { ts: HDateTime.fromEpochMs(ts, tz) };
      (byTs.get(ts) ?? []).forEach((v, i) => {
        r[`v${i}`] = v;
      });
      return r;
    });
  return Grid.make({
    meta: { hisStart: span.start.toTimeZone(tz), hisEnd: HDateTime.fromEpochMs(end, tz) },
    cols,
    rows,
  });
}

/** `hisRead`: with `range` in the first row, one point; with `range` in the grid meta, a batch of points. */
export const hisReadOp: OpDef = {
  name: 'hisRead',
  doc: 'Read the history of one point, or of several joined on ts.',
  noSideEffects: true,
  requiredRole: 'viewer',
  handler: (req, ctx) => (req.meta.has('range') ? readBatch(req, ctx) : readSingle(req, ctx)),
};
