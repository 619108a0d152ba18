// The namespace ops `defs`, `libs`, `ops` and `filetypes`: def dicts, optionally by filter and limit (Ops chapter).

import { parseFilter } from '../../core/filter/index.js';
import type { Dict } from '../../core/grid/dict.js';
import { Grid } from '../../core/grid/grid.js';
import { defName } from '../namespace/namespace.js';
import type { OpContext, OpDef, OpRegistry } from '../op.js';
import { firstRow, optionalCount } from './args.js';
import { withLimitIncomplete } from './incomplete.js';
import { filterArg } from './read.js';

type DefSelector = (def: Dict, name: string, ctx: OpContext) => boolean;

// Adds row columns to each def selected (after the filter, which sees only the def itself).
type DefDecorator = (def: Dict, name: string, ctx: OpContext) => Dict;

// The defs an op selects, each beside its row (decorated): per namespace defs and registry, both immutable.
interface Selected {
  readonly defs: readonly Dict[];
  readonly rows: readonly Dict[];
}
type SelectionMemo = WeakMap<readonly Dict[], WeakMap<OpRegistry, Selected>>;

// Every def is walked once per namespace and registry, not on every request (the namespace has hundreds of defs
// and `ops` answers a dozen); a namespace's defs array that is not frozen is walked every time.
function selectDefs(
  all: readonly Dict[],
  ctx: OpContext,
  select: DefSelector,
  decorate: DefDecorator | undefined,
  memo: SelectionMemo,
): Selected {
  const kept = memo.get(all)?.get(ctx.ops);
  if (kept !== undefined) return kept;
  const defs: Dict[] = [];
  const rows: Dict[] = [];
  for (const d of all) {
    const name = defName(d);
    if (name === undefined || !select(d, name, ctx)) continue;
    defs.push(d);
    rows.push(decorate === undefined ? d : decorate(d, name, ctx));
  }
  const made = { defs, rows };
  if (Object.isFrozen(all)) {
    let byOps = memo.get(all);
    if (byOps === undefined) memo.set(all, (byOps = new WeakMap()));
    byOps.set(ctx.ops, made);
  }
  return made;
}

async function queryDefs(
  req: Grid,
  ctx: OpContext,
  select: DefSelector,
  decorate: DefDecorator | undefined,
  memo: SelectionMemo,
): Promise<Grid> {
  const row = firstRow(req);
  // The filter is optional here: an empty or blank one is none, as Haxall reads it (`read` still needs one).
  const text = row.has('filter') ? filterArg(row, ctx) : '';
  const filter = text.trim() === '' ? undefined : parseFilter(text);
  const limit = optionalCount(row, 'limit') ?? Number.POSITIVE_INFINITY;
  const { defs, rows } = selectDefs((await ctx.namespace()).defs, ctx, select, decorate, memo);
  const out: Dict[] = [];
  let cut = false;
  for (let i = 0; i < defs.length; i++) {
    // The filter sees the def itself, not the row's added columns.
    if (filter !== undefined && !filter.matches(defs[i] as Dict)) continue;
    if (out.length === limit) {
      cut = true;
      break;
    }
    out.push(rows[i] as Dict);
  }
  const grid = Grid.make({ cols: decorate === undefined ? ['def'] : OPS_COLS, rows: out, addMissingCols: true });
  // HttpApi: an answer that a limit cut short says so in its meta; one that merely reached its limit does not.
  return cut ? withLimitIncomplete(grid, limit) : grid;
}

// The ops grid leads with the Haystack 4 def and the Haystack 3 columns (name, summary) that older clients read.
const OPS_COLS = ['def', 'name', 'summary'];

function namespaceOp(name: string, doc: string, select: DefSelector, decorate?: DefDecorator): OpDef {
  const memo: SelectionMemo = new WeakMap();
  return {
    name,
    doc,
    noSideEffects: true,
    requiredRole: 'viewer',
    handler: (req, ctx) => queryDefs(req, ctx, select, decorate, memo),
    cacheDeps: () => ({ static: true }),
  };
}

/** `defs`: every def of the namespace (`filter`, `limit` optional). */
export const defsOp = namespaceOp('defs', 'Query the definitions in the current namespace.', () => true);

/** `libs`: the `lib` defs of the namespace. */
export const libsOp = namespaceOp('libs', 'Query the lib defs in the current namespace.', (_d, n) =>
  n.startsWith('lib:'),
);

/** `ops`: the `op` defs of the ops this server has, each also with Haystack 3's `name` and `summary` columns. */
export const opsOp = namespaceOp(
  'ops',
  'Query the op defs of the ops this server supports.',
  (_d, n, ctx) => n.startsWith('op:') && ctx.ops.get(n.slice(3)) !== undefined,
  // Made once per namespace and registry (see selectDefs), as neither changes.
  (d, n, ctx) => {
    const opName = n.slice(3);
    return d.merge({ name: opName, summary: ctx.ops.get(opName)?.doc ?? opName });
  },
);

/** `filetypes`: the `filetype` defs of the namespace for the formats this server speaks. */
export const filetypesOp = namespaceOp(
  'filetypes',
  'Query the filetype defs in the current namespace.',
  // HttpApi: clients learn the MIME types the server supports from filetypes, so a lib's filetype the server cannot
  // read or write (ph declares turtle and jsonld) is left out, as `ops` leaves out ops the server lacks. The server's
  // formats are fixed, so the selection is kept per namespace and registry like the others.
  (_d, n, ctx) => n.startsWith('filetype:') && ctx.formats.some((f) => `filetype:${f.name}` === n),
);
