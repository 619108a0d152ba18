// The `pointWrite` op: read a writable point's 17-level priority array, or write one level (Ops chapter, PointWrite).

import { UnknownRecError } from '../../core/errors.js';
import type { Dict } from '../../core/grid/dict.js';
import { Grid } from '../../core/grid/grid.js';
import { HDateTime } from '../../core/kinds/date-time.js';
import { Num } from '../../core/kinds/number.js';
import type { PriorityArray } from '../../storage/adapter.js';
import type { OpContext, OpDef } from '../op.js';
import { badRequest, optionalStr, requireRefId, singleRow } from './args.js';
import { durationMs } from './duration.js';
import { checkValueKind } from './value-kind.js';

// Names of the levels with a conventional meaning (BACnet priorities as Haystack `writable` uses them).
const LEVEL_DIS: ReadonlyMap<number, string> = new Map([
  [1, 'emergency'],
  [8, 'manual'],
  [17, 'default'],
]);

async function writablePoint(ctx: OpContext, id: string): Promise<Dict> {
  const [rec] = await ctx.store.readByIds([id]);
  if (rec === undefined) throw new UnknownRecError(id);
  if (!rec.has('writable')) throw badRequest(`@${id} is not a writable point`);
  return rec;
}

function arrayGrid(arr: PriorityArray, ctx: OpContext, point: Dict): Grid {
  const tzName = point.get('tz');
  const tz = typeof tzName === 'string' ? tzName : ctx.server.tz;
  const rows = arr.levels.map((l) => ({
    level: new Num(l.level),
    levelDis: LEVEL_DIS.get(l.level) ?? String(l.level),
    val: l.val,
    who: l.who,
    expires: l.expires === undefined ? undefined : HDateTime.fromEpochMs(l.expires, tz),
  }));
  return Grid.make({ cols: ['level', 'levelDis', 'val', 'who'], rows, addMissingCols: true });
}

function levelOf(row: Dict): number {
  const v = row.get('level');
  if (!(v instanceof Num) || !Number.isInteger(v.val) || v.val < 1 || v.val > 17 || v.unit !== undefined) {
    throw badRequest('level must be a whole Number from 1 to 17');
  }
  return v.val;
}

/** `pointWrite`: with only `id`, the priority array; with `level` (and `val`, `who`, `duration`), a write. */
export const pointWriteOp: OpDef = {
  name: 'pointWrite',
  doc: 'Read the priority array of a writable point, or write one of its levels.',
  noSideEffects: false,
  // Reading the priority array (a request without `level`) is a read: a viewer may see who holds a point.
  requiredRole: 'viewer',
  roleFor: (req) => {
    const row = req.first;
    return row !== undefined && !row.has('level') && !row.has('val') ? 'viewer' : 'operator';
  },
  handler: async (req, ctx) => {
    const row = singleRow(req, 'pointWrite');
    const id = requireRefId(row, 'id');
    const point = await writablePoint(ctx, id);
    if (!row.has('level')) {
      if (row.has('val')) throw badRequest('pointWrite with a val needs a level');
      return arrayGrid(await ctx.store.readPriorityArray(id), ctx, point);
    }
    const level = levelOf(row);
    const val = row.get('val');
    if (val !== null) checkValueKind(point, val, 'val');
    const who = optionalStr(row, 'who') ?? ctx.principal.dis ?? ctx.principal.username;
    const duration = row.get('duration');
    await ctx.store.pointWrite(
      duration === null
        ? { id, level, val, who }
        : {
            id,
            level,
            val,
            who,
            durationMs: durationMs(duration, 'duration', {
              ms: ctx.server.limits.maxWriteDurationMs,
              name: 'maxWriteDurationMs',
            }),
          },
    );
    return Grid.EMPTY;
  },
};
