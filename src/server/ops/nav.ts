// The `nav` op: the site / equip / point tree, one level per request, addressed by `navId` (Ops chapter, Nav).

import { UnknownRecError } from '../../core/errors.js';
import type { Dict } from '../../core/grid/dict.js';
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

function byDis(a: Dict, b: Dict): number {
  const x = a.dis();
  const y = b.dis();
  return x < y ? -1 : x > y ? 1 : 0;
}

// The filters of a level: branches (that have a navId) and leaves. Root: sites, and equips of no site, so that
// nothing is unreachable; a site: its top equips and the points on no equip; an equip: sub-equips and points.
const ROOT = { branches: ['site', 'equip and not siteRef'], leaves: [] as string[] };
function siteLevel(ref: string): { branches: string[]; leaves: string[] } {
  return {
    branches: [`equip and siteRef==${ref} and not equipRef`],
    leaves: [`point and siteRef==${ref} and not equipRef`],
  };
}
function equipLevel(ref: string): { branches: string[]; leaves: string[] } {
  return { branches: [`equip and equipRef==${ref}`], leaves: [`point and equipRef==${ref}`] };
}

async function children(ctx: OpContext, navId: string | undefined): Promise<{ branches: Dict[]; leaves: Dict[] }> {
  const read = async (filters: readonly string[]): Promise<Dict[]> => {
    const out: Dict[] = [];
    for (const filter of filters) out.push(...[...(await ctx.store.read({ filter }))].sort(byDis));
    return out;
  };
  let level: { branches: readonly string[]; leaves: readonly string[] } = { branches: [], leaves: [] };
  if (navId === undefined) level = ROOT;
  else {
    const [parent] = await ctx.store.readByIds([navId]);
    if (parent === undefined) throw new UnknownRecError(navId);
    if (parent.has('site')) level = siteLevel(`@${navId}`);
    else if (parent.has('equip')) level = equipLevel(`@${navId}`);
  }
  return { branches: await read(level.branches), leaves: await read(level.leaves) };
}

/** `nav`: the children of `navId` (sites at the root); rows with a `navId` have children, rows without are leaves. */
export const navOp: OpDef = {
  name: 'nav',
  doc: 'Navigate the site / equip / point tree.',
  noSideEffects: true,
  requiredRole: 'viewer',
  handler: async (req, ctx) => {
    const { branches, leaves } = await children(ctx, navIdOf(firstRow(req)));
    const rows: Dict[] = [];
    for (const b of branches) {
      const id = b.id;
      rows.push(id === undefined ? b : b.set('navId', new Ref(id.id)));
    }
    rows.push(...leaves);
    return Grid.make({ cols: ['navId', 'id'], rows, addMissingCols: true });
  },
  // A level depends on its parent (whether it is a site or an equip) and on the filters of either kind of level.
  cacheDeps: (req) => {
    const navId = navIdOf(firstRow(req));
    if (navId === undefined) return { filters: ROOT.branches };
    const s = siteLevel(`@${navId}`);
    const e = equipLevel(`@${navId}`);
    return { ids: [navId], filters: [...s.branches, ...s.leaves, ...e.branches, ...e.leaves] };
  },
};
