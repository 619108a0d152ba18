// The `nav` op: the site / equip / point tree, one level per request, addressed by `navId` (Ops chapter, Nav).

import { UnknownRecError } from '../../core/errors.js';
import { Dict, type TagVal } from '../../core/grid/dict.js';
import { Grid } from '../../core/grid/grid.js';
import { Ref } from '../../core/kinds/ref.js';
import type { OpContext, OpDef } from '../op.js';
import { badRequest, firstRow } from './args.js';

// Clients treat navId as opaque; ours is the Ref of the entity whose children are listed.
function navIdOf(row: Dict): string | undefined {
  const v = row.get('navId');
  if (v === null) return undefined;
  if (v instanceof Ref) return v.id;
  if (typeof v === 'string' && v !== '') return v.startsWith('@') ? v.slice(1) : v;
  throw badRequest('navId must be a Ref or a Str');
}

// Sorted by display name, each found once (a comparator calling dis() would look it up 2 n log n times).
function sortedByDis(rows: readonly Dict[]): Dict[] {
  const keyed = rows.map((row) => ({ row, dis: row.dis() }));
  keyed.sort((a, b) => (a.dis < b.dis ? -1 : a.dis > b.dis ? 1 : 0));
  return keyed.map((k) => k.row);
}

// What a level lists: one filter for its children, split into branches (equips, which get a navId) and leaves
// (points). Root: sites, and equips of no site, so that nothing is unreachable; a site: its equips and points that
// are on no equip; an equip: its sub-equips and points.
const ROOT_FILTER = 'site or (equip and not siteRef)';
const siteFilter = (ref: string): string => `siteRef==${ref} and not equipRef`;
const equipFilter = (ref: string): string => `equipRef==${ref}`;

async function children(ctx: OpContext, navId: string | undefined): Promise<{ branches: Dict[]; leaves: Dict[] }> {
  let filter: string | undefined = ROOT_FILTER;
  if (navId !== undefined) {
    const [parent] = await ctx.store.readByIds([navId]);
    if (parent === undefined) throw new UnknownRecError(navId);
    filter = parent.has('site') ? siteFilter(`@${navId}`) : parent.has('equip') ? equipFilter(`@${navId}`) : undefined;
  }
  const found = filter === undefined ? [] : await ctx.store.read({ filter });
  // One query per level; sites first at the root, then the rest, each group by display name.
  const sites = navId === undefined ? found.filter((d) => d.has('site')) : [];
  const equips = found.filter((d) => d.has('equip') && !d.has('site'));
  return {
    branches: [...sortedByDis(sites), ...sortedByDis(equips)],
    leaves: navId === undefined ? [] : sortedByDis(found.filter((d) => d.has('point') && !d.has('equip'))),
  };
}

// The branch row of each entity met (entities are immutable: a changed one is a new Dict, and its old row goes with
// the old Dict), so that listing a level does not rebuild the same rows on every request.
const branchRows = new WeakMap<Dict, Dict>();

// Branch rows carry navId first, in the column order of the grid.
function withNavId(d: Dict, id: string): Dict {
  let row = branchRows.get(d);
  if (row === undefined) {
    const m = new Map<string, TagVal>([['navId', new Ref(id)]]);
    for (const [k, v] of d) m.set(k, v);
    row = Dict.fromTrustedMap(m);
    branchRows.set(d, row);
  }
  return row;
}

// A level as answered: branch rows with their navId, then leaves, under navId, id and the other tags' columns.
async function levelGrid(ctx: OpContext, navId: string | undefined): Promise<Grid> {
  const { branches, leaves } = await children(ctx, navId);
  const rows: Dict[] = [];
  for (const b of branches) {
    const id = b.id;
    rows.push(id === undefined ? b : withNavId(b, id.id));
  }
  rows.push(...leaves);
  return Grid.make({ cols: ['navId', 'id'], rows, addMissingCols: true });
}

// Levels already listed, by store, while its changeVersion stays the same: clients walk the same tree over and over,
// and a level costs a query, two sorts and a grid. Stores without a changeVersion keep nothing.
interface Levels {
  readonly version: number;
  readonly byNavId: Map<string, Grid>;
}
const LEVELS = new WeakMap<object, Levels>();
// Most levels kept per store (then they start afresh): one per site and equip of a large building.
const MAX_LEVELS = 4096;

async function level(ctx: OpContext, navId: string | undefined): Promise<Grid> {
  const store = ctx.store;
  if (store.changeVersion === undefined) return levelGrid(ctx, navId);
  // Read before the level: a level computed across a change is kept under the older version, never looked up again.
  const version = await store.changeVersion();
  let levels = LEVELS.get(store);
  if (levels?.version !== version) {
    levels = { version, byNavId: new Map() };
    LEVELS.set(store, levels);
  }
  const key = navId ?? '';
  let grid = levels.byNavId.get(key);
  if (grid === undefined) {
    grid = await levelGrid(ctx, navId);
    if (levels.byNavId.size >= MAX_LEVELS) levels.byNavId.clear();
    levels.byNavId.set(key, grid);
  }
  return grid;
}

/** `nav`: the children of `navId` (sites at the root); rows with a `navId` have children, rows without are leaves. */
export const navOp: OpDef = {
  name: 'nav',
  doc: 'Navigate the site / equip / point tree.',
  noSideEffects: true,
  requiredRole: 'viewer',
  handler: (req, ctx) => level(ctx, navIdOf(firstRow(req))),
  // A level depends on its parent (whether it is a site or an equip) and on the filter of either kind of level.
  cacheDeps: (req) => {
    const navId = navIdOf(firstRow(req));
    if (navId === undefined) return { filters: [ROOT_FILTER] };
    return { ids: [navId], filters: [siteFilter(`@${navId}`), equipFilter(`@${navId}`)] };
  },
};
