// The `read` op: entities by filter (with `limit`) or by id, unknown ids as rows of nulls (Ops chapter, Read).

import { LimitError } from '../../core/errors.js';
import { formatFilter, parseFilter } from '../../core/filter/index.js';
import { Dict } from '../../core/grid/dict.js';
import type { Grid } from '../../core/grid/grid.js';
import { Ref } from '../../core/kinds/ref.js';
import { Sym } from '../../core/kinds/symbol.js';
import type { OpContext, OpDef } from '../op.js';
import { badRequest, firstRow, idColumn, optionalCount, requireStr } from './args.js';
import { entityGrid } from './entity-grid.js';
import { withLimitIncomplete } from './incomplete.js';

// The `filter` argument as text: a GET `read?filter=^equip` arrives as a Zinc Symbol (HttpApi: query values are
// Zinc), the filter `^equip`.
function filterText(row: Dict): string | undefined {
  const v = row.get('filter');
  return typeof v === 'string' ? v : v instanceof Sym ? v.toString() : undefined;
}

/** The filter text of a request, checked against the filter length limit. */
export function filterArg(row: Dict, ctx: OpContext): string {
  const filter = filterText(row) ?? requireStr(row, 'filter');
  const max = ctx.server.limits.maxFilterLength;
  if (filter.length > max) throw new LimitError('maxFilterLength', `Filter longer than ${max} characters`);
  return filter;
}

// The filter each request's store read ran, when the namespace widened it: what its cached answer depends on.
const widened = new WeakMap<Grid, string>();

/**
 * `filter` with each `^symbol` term widened by the server's def namespace to the symbol and its subtypes (Filters:
 * such terms are evaluated in a namespace; `^equip` matches an `ahu`), as Haxall does; kept for `req`'s cache deps.
 */
async function widenSymbols(filter: string, req: Grid, ctx: OpContext): Promise<string> {
  const ast = parseFilter(filter).ast;
  const expanded = (await ctx.namespace()).namespace.expandSymbols(ast);
  if (expanded === ast) return filter;
  const text = formatFilter(expanded);
  widened.set(req, text);
  return text;
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
      const text = filterArg(row, ctx);
      // Only a filter with a `^` can hold a symbol term: the others skip the namespace (and an await).
      const filter = text.includes('^') ? await widenSymbols(text, req, ctx) : text;
      const limit = optionalCount(row, 'limit');
      if (limit === undefined) return entityGrid(await ctx.store.read({ filter }));
      // One row past the limit tells whether the limit cut the answer short (HttpApi: `incomplete`).
      const rows = await ctx.store.read({ filter, limit: limit + 1 });
      if (rows.length <= limit) return entityGrid(rows);
      return withLimitIncomplete(entityGrid(rows.slice(0, limit)), limit);
    }
    if (!req.hasCol('id')) throw badRequest('read needs a filter or a grid of ids');
    const ids = idColumn(req, ctx.server.limits.maxReadIds, 'maxReadIds');
    return entityGrid(await readRowsByIds(ids, ctx));
  },
  cacheDeps: (req) => {
    const row = firstRow(req);
    const filter = filterText(row);
    if (filter !== undefined) return { filters: [widened.get(req) ?? filter] };
    return { ids: [...req].map((r) => r.get('id')).flatMap((v) => (v instanceof Ref ? [v.id] : [])) };
  },
};
