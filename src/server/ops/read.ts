// The `read` op: entities by filter (with `limit`) or by id, unknown ids as rows of nulls (Ops chapter, Read).

import { LimitError } from '../../core/errors.js';
import { Dict, type DictShape } from '../../core/grid/dict.js';
import { Grid, type GridCol } from '../../core/grid/grid.js';
import { Ref } from '../../core/kinds/ref.js';
import type { OpContext, OpDef } from '../op.js';
import { badRequest, firstRow, idColumn, optionalCount, requireStr } from './args.js';

// The columns of entity grids by the shapes of their rows, in order (`id` first, then each name as it first comes,
// as Grid.make lays them out): a query answers the same shapes request after request, and collecting the columns
// name by name cost more than the rest of a small read. Shapes are immutable, so a path never goes stale; bounded.
interface ColsNode {
  readonly cols: readonly GridCol[];
  next: Map<DictShape, ColsNode> | undefined;
}
const ID_COLS: readonly GridCol[] = Object.freeze([Object.freeze({ name: 'id', meta: Dict.EMPTY })]);
let colsRoot: ColsNode = { cols: ID_COLS, next: undefined };
let colsNodes = 0;
const MAX_COLS_NODES = 50_000;

function colsAfter(node: ColsNode, shape: DictShape): ColsNode {
  let next = node.next?.get(shape);
  if (next !== undefined) return next;
  const have = new Set(node.cols.map((c) => c.name));
  const added = shape.names.filter((n) => !have.has(n)).map((name) => Object.freeze({ name, meta: Dict.EMPTY }));
  next = { cols: added.length === 0 ? node.cols : Object.freeze([...node.cols, ...added]), next: undefined };
  if (++colsNodes > MAX_COLS_NODES) {
    colsRoot = { cols: ID_COLS, next: undefined };
    colsNodes = 0;
    return next;
  }
  (node.next ??= new Map()).set(shape, next);
  return next;
}

/** A grid of entities with `id` as the first column (kept even when there are no rows). */
export function entityGrid(rows: readonly Dict[]): Grid {
  let node = colsRoot;
  let last: DictShape | undefined;
  for (const r of rows) {
    const shape = r.shape;
    if (shape === last) continue;
    // A row missing some of its shape's names (rare for entities) lays out by its own names.
    if (r.size !== shape.size) return Grid.make({ cols: ['id'], rows, addMissingCols: true });
    node = colsAfter(node, shape);
    last = shape;
  }
  return Grid.fromTrustedParts(Dict.EMPTY, node.cols, rows.slice());
}

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
