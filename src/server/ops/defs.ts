// The namespace ops `defs`, `libs`, `ops` and `filetypes`: def dicts, optionally by filter and limit (Ops chapter).

import { parseFilter } from '../../core/filter/index.js';
import type { Dict } from '../../core/grid/dict.js';
import { Grid } from '../../core/grid/grid.js';
import { defName } from '../namespace/namespace.js';
import type { OpContext, OpDef } from '../op.js';
import { firstRow, optionalCount } from './args.js';
import { filterArg } from './read.js';

type DefSelector = (def: Dict, name: string, ctx: OpContext) => boolean;

async function queryDefs(req: Grid, ctx: OpContext, select: DefSelector): Promise<Grid> {
  const row = firstRow(req);
  const filter = row.has('filter') ? parseFilter(filterArg(row, ctx)) : undefined;
  const limit = optionalCount(row, 'limit') ?? Number.POSITIVE_INFINITY;
  const out: Dict[] = [];
  for (const d of (await ctx.namespace()).defs) {
    if (out.length >= limit) break;
    const name = defName(d);
    if (name === undefined || !select(d, name, ctx)) continue;
    if (filter !== undefined && !filter.matches(d)) continue;
    out.push(d);
  }
  return Grid.make({ cols: ['def'], rows: out, addMissingCols: true });
}

function namespaceOp(name: string, doc: string, select: DefSelector): OpDef {
  return {
    name,
    doc,
    noSideEffects: true,
    requiredRole: 'viewer',
    handler: (req, ctx) => queryDefs(req, ctx, select),
    cacheDeps: () => ({ static: true }),
  };
}

/** `defs`: every def of the namespace (`filter`, `limit` optional). */
export const defsOp = namespaceOp('defs', 'Query the definitions in the current namespace.', () => true);

/** `libs`: the `lib` defs of the namespace. */
export const libsOp = namespaceOp('libs', 'Query the lib defs in the current namespace.', (_d, n) =>
  n.startsWith('lib:'),
);

/** `ops`: the `op` defs of the ops this server has. */
export const opsOp = namespaceOp(
  'ops',
  'Query the op defs of the ops this server supports.',
  (_d, n, ctx) => n.startsWith('op:') && ctx.ops.get(n.slice(3)) !== undefined,
);

/** `filetypes`: the `filetype` defs of the namespace. */
export const filetypesOp = namespaceOp('filetypes', 'Query the filetype defs in the current namespace.', (_d, n) =>
  n.startsWith('filetype:'),
);
