// Looking up the historized point of a his op: it must exist and carry `his`; its `tz` rules its timestamps.

import { UnknownRecError } from '../../core/errors.js';
import type { Dict } from '../../core/grid/dict.js';
import { TimeZone } from '../../core/tz/time-zone.js';
import type { OpContext } from '../op.js';
import { badRequest } from './args.js';

/** A historized point and its time zone. */
export interface HisPoint {
  /** Entity id without `@`. */
  readonly id: string;
  /** The entity. */
  readonly rec: Dict;
  /** The point's `tz`, or the server's zone when it has none. */
  readonly tz: TimeZone;
}

/** The points with these ids, in order; throws for an unknown id or a point without `his`. */
export async function hisPoints(ctx: OpContext, ids: readonly string[]): Promise<HisPoint[]> {
  const recs = await ctx.store.readByIds(ids);
  return recs.map((rec, i) => {
    const id = ids[i] as string;
    if (rec === undefined) throw new UnknownRecError(id);
    if (!rec.has('his')) throw badRequest(`@${id} is not a historized point (no his tag)`);
    return { id, rec, tz: pointZone(rec, ctx.server.tz) };
  });
}

/** The zone of a point's history: its `tz` tag, or `fallback` when it has none or names an unknown zone. */
export function pointZone(rec: Dict, fallback: TimeZone): TimeZone {
  const tzName = rec.get('tz');
  return (typeof tzName === 'string' ? TimeZone.find(tzName) : undefined) ?? fallback;
}
