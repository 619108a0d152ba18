// The `nav` op: the site / equip / point tree, one level per request, addressed by `navId` (Ops chapter, Nav).

import { UnknownRecError } from '../../core/errors.js';
import { Dict, sameItems, type TagVal } from '../../core/grid/dict.js';
import type { Grid } from '../../core/grid/grid.js';
import { Ref } from '../../core/kinds/ref.js';
import type { OpContext, OpDef } from '../op.js';
import { badRequest, firstRow } from './args.js';
import { ShapeColumns } from './entity-grid.js';

// Clients treat navId as opaque; ours is the Ref of the entity whose children are listed. An empty Str (a GET of
// `nav?navId=`) asks for the root, as a null one does (Haxall reads any navId but a Ref as the root).
function navIdOf(row: Dict): string | undefined {
  const v = row.get('navId');
  if (v === null || v === '') return undefined;
  if (v instanceof Ref) return v.id;
  if (typeof v === 'string') return v.startsWith('@') ? v.slice(1) : v;
  throw badRequest('navId must be a Ref or a Str');
}

// A row with its display name, found once (a comparator calling dis() would look it up 2 n log n times).
interface Keyed {
  readonly row: Dict;
  readonly dis: string;
}

const byDis = (a: Keyed, b: Keyed): number => (a.dis < b.dis ? -1 : a.dis > b.dis ? 1 : 0);

// What a level lists: one filter for its children, split into branches (equips, which get a navId) and leaves
// (points). Root: sites, and equips of no site, so that nothing is unreachable; a site: its equips and points that
// are on no equip; an equip: its sub-equips and points.
const ROOT_FILTER = 'site or (equip and not siteRef)';
const siteFilter = (ref: string): string => `siteRef==${ref} and not equipRef`;
const equipFilter = (ref: string): string => `equipRef==${ref}`;

// The filter listing the level below `navId` (the root when undefined), or undefined when that entity has no level
// (neither a site nor an equip).
async function levelFilter(ctx: OpContext, navId: string | undefined): Promise<string | undefined> {
  if (navId === undefined) return ROOT_FILTER;
  const [parent] = await ctx.store.readByIds([navId]);
  if (parent === undefined) throw new UnknownRecError(navId);
  return parent.has('site') ? siteFilter(`@${navId}`) : parent.has('equip') ? equipFilter(`@${navId}`) : undefined;
}

function children(found: readonly Dict[], root: boolean): { branches: Keyed[]; leaves: Keyed[] } {
  // One query per level, its rows sorted into groups in one pass: sites first at the root, then equips that are
  // not sites; below the root, points that are not equips as leaves. Each group by display name.
  const sites: Keyed[] = [];
  const equips: Keyed[] = [];
  const leaves: Keyed[] = [];
  // Two tag lookups for most rows (the rare site that is also an equip goes with the sites, at the root only).
  for (const row of found) {
    if (row.has('equip')) {
      if (!row.has('site')) equips.push({ row, dis: row.dis() });
      else if (root) sites.push({ row, dis: row.dis() });
    } else if (root) {
      if (row.has('site')) sites.push({ row, dis: row.dis() });
    } else if (row.has('point')) leaves.push({ row, dis: row.dis() });
  }
  sites.sort(byDis);
  equips.sort(byDis);
  leaves.sort(byDis);
  return { branches: sites.concat(equips), leaves };
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

const NAV_COLUMNS = new ShapeColumns(['navId', 'id']);

// The last level answered per store and filter, with the store's rows it was made from. Sorting by display name was
// the largest cost of a nav request of our own: the same rows (entities are immutable Dicts, so the same objects in
// the same order) give the same level, checked by identity in one pass; any change makes it afresh. Stores that
// build new Dicts per read only pay that pass.
interface KeptLevel {
  readonly found: readonly Dict[];
  readonly grid: Grid;
}
const keptLevels = new WeakMap<object, Map<string, KeptLevel>>();
// Levels kept per store: the root, each site and each equip of a large building (a full map starts afresh).
const MAX_KEPT_LEVELS = 4096;

// A level's grid: branch rows with their navId, then leaves, under navId, id and the other tags' columns.
function levelGrid(found: readonly Dict[], root: boolean): Grid {
  const { branches, leaves } = children(found, root);
  const rows: Dict[] = [];
  for (const { row } of branches) {
    const id = row.id;
    rows.push(id === undefined ? row : withNavId(row, id.id));
  }
  for (const { row } of leaves) rows.push(row);
  return NAV_COLUMNS.grid(rows);
}

// A level as answered: the kept one while the store returns the same rows for its filter, else made and kept.
async function level(ctx: OpContext, navId: string | undefined): Promise<Grid> {
  const filter = await levelFilter(ctx, navId);
  if (filter === undefined) return levelGrid([], false);
  const found = await ctx.store.read({ filter });
  let kept = keptLevels.get(ctx.store);
  const hit = kept?.get(filter);
  if (hit !== undefined && sameItems(hit.found, found, found.length)) return hit.grid;
  const grid = levelGrid(found, navId === undefined);
  if (kept === undefined) keptLevels.set(ctx.store, (kept = new Map<string, KeptLevel>()));
  else if (kept.size >= MAX_KEPT_LEVELS && !kept.has(filter)) kept.clear();
  // A copy: a store may hand out an array of its own, which a later change could alter in place.
  kept.set(filter, { found: found.slice(), grid });
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
