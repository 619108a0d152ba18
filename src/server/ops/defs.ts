// The namespace ops `defs`, `libs`, `ops` and `filetypes`: def dicts, optionally by filter and limit (Ops chapter).

import { parseFilter } from '../../core/filter/index.js';
import type { Dict } from '../../core/grid/dict.js';
import { Grid } from '../../core/grid/grid.js';
import { defName } from '../namespace/namespace.js';
import type { OpContext, OpDef, OpRegistry } from '../op.js';
import { firstRow, optionalCount } from './args.js';
import { filterArg } from './read.js';

type DefSelector = (def: Dict, name: string, ctx: OpContext) => boolean;

// Adds row columns to each def selected (after the filter, which sees only the def itself).
type DefDecorator = (def: Dict, name: string, ctx: OpContext) => Dict;

async function queryDefs(
  req: Grid,
  ctx: OpContext,
  select: DefSelector,
  decorate: DefDecorator | undefined,
): Promise<Grid> {
  const row = firstRow(req);
  const filter = row.has('filter') ? parseFilter(filterArg(row, ctx)) : undefined;
  const limit = optionalCount(row, 'limit') ?? Number.POSITIVE_INFINITY;
  const out: Dict[] = [];
  for (const d of (await ctx.namespace()).defs) {
    if (out.length >= limit) break;
    const name = defName(d);
    if (name === undefined || !select(d, name, ctx)) continue;
    if (filter !== undefined && !filter.matches(d)) continue;
    out.push(decorate === undefined ? d : decorate(d, name, ctx));
  }
  return Grid.make({ cols: decorate === undefined ? ['def'] : OPS_COLS, rows: out, addMissingCols: true });
}

// The ops grid leads with the Haystack 4 def and the Haystack 3 columns (name, summary) that older clients read.
const OPS_COLS = ['def', 'name', 'summary'];

function namespaceOp(name: string, doc: string, select: DefSelector, decorate?: DefDecorator): OpDef {
  return {
    name,
    doc,
    noSideEffects: true,
    requiredRole: 'viewer',
    handler: (req, ctx) => queryDefs(req, ctx, select, decorate),
    cacheDeps: () => ({ static: true }),
  };
}

/** `defs`: every def of the namespace (`filter`, `limit` optional). */
export const defsOp = namespaceOp('defs', 'Query the definitions in the current namespace.', () => true);

/** `libs`: the `lib` defs of the namespace. */
export const libsOp = namespaceOp('libs', 'Query the lib defs in the current namespace.', (_d, n) =>
  n.startsWith('lib:'),
);

// The rows of the ops grid by registry and def.
const OPS_ROWS = new WeakMap<OpRegistry, WeakMap<Dict, Dict>>();

/** `ops`: the `op` defs of the ops this server has, each also with Haystack 3's `name` and `summary` columns. */
export const opsOp = namespaceOp(
  'ops',
  'Query the op defs of the ops this server supports.',
  (_d, n, ctx) => n.startsWith('op:') && ctx.ops.get(n.slice(3)) !== undefined,
  (d, n, ctx) => {
    // A registry never changes, nor does a def: each row is made once per registry, not on every request.
    let rows = OPS_ROWS.get(ctx.ops);
    if (rows === undefined) OPS_ROWS.set(ctx.ops, (rows = new WeakMap()));
    let row = rows.get(d);
    if (row === undefined) {
      const opName = n.slice(3);
      row = d.merge({ name: opName, summary: ctx.ops.get(opName)?.doc ?? opName });
      rows.set(d, row);
    }
    return row;
  },
);

/** `filetypes`: the `filetype` defs of the namespace. */
export const filetypesOp = namespaceOp('filetypes', 'Query the filetype defs in the current namespace.', (_d, n) =>
  n.startsWith('filetype:'),
);
