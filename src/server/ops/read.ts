// The `read` op: entities by filter (with `limit`) or by id, unknown ids as rows of nulls (Ops chapter, Read).

import { LimitError } from '../../core/errors.js';
import { Dict } from '../../core/grid/dict.js';
import { Ref } from '../../core/kinds/ref.js';
import type { OpContext, OpDef } from '../op.js';
import { badRequest, firstRow, idColumn, optionalCount, requireStr } from './args.js';
import { entityGrid } from './entity-grid.js';

/** The filter text of a request, checked against the filter length limit. */
export function filterArg(row: Dict, ctx: OpContext): string {
  const filter = requireStr(row, 'filter');
  const max = ctx.server.limits.maxFilterLength;
  if (filter.length > max) throw new LimitError('maxFilterLength', `Filter longer than ${max} characters`);
  return filter;
}

/** Entities by id in request order; an unknown id gives an empty row (all nulls). */
export async function readRowsByIds(ids: readonly string[], ctx: OpContext): Promise<Dict[]> {
  const found = await ctx.store.readByIds(ids);
  return found.map((d) => d ?? Dict.EMPTY);
}

/** `read`: by `filter` (+ optional `limit`), or by a grid of `id` Refs. */
export const readOp: OpDef = {
  name: 'read',
  doc: 'Read entity records by filter or by id.',
  noSideEffects: true,
  requiredRole: 'viewer',
  handler: async (req, ctx) => {
    const row = firstRow(req);
    if (req.hasCol('filter') || row.has('filter')) {
      const filter = filterArg(row, ctx);
      const limit = optionalCount(row, 'limit');
      const rows = await ctx.store.read(limit === undefined ? { filter } : { filter, limit });
      return entityGrid(rows);
    }
    if (!req.hasCol('id')) throw badRequest('read needs a filter or a grid of ids');
    const ids = idColumn(req, ctx.server.limits.maxReadIds, 'maxReadIds');
    return entityGrid(await readRowsByIds(ids, ctx));
  },
  cacheDeps: (req) => {
    const row = firstRow(req);
    const filter = row.get('filter');
    if (typeof filter === 'string') return { filters: [filter] };
    return { ids: [...req].map((r) => r.get('id')).flatMap((v) => (v instanceof Ref ? [v.id] : [])) };
  },
};
