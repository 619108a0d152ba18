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

async function children(ctx: OpContext, navId: string | undefined): Promise<{ branches: Dict[]; leaves: Dict[] }> {
  const read = async (filter: string): Promise<Dict[]> => [...(await ctx.store.read({ filter }))].sort(byDis);
  if (navId === undefined) {
    // Root: the sites, and equips that belong to no site so that nothing is unreachable.
    return { branches: [...(await read('site')), ...(await read('equip and not siteRef'))], leaves: [] };
  }
  const [parent] = await ctx.store.readByIds([navId]);
  if (parent === undefined) throw new UnknownRecError(navId);
  const ref = `@${navId}`;
  if (parent.has('site')) {
    return {
      branches: await read(`equip and siteRef==${ref} and not equipRef`),
      leaves: await read(`point and siteRef==${ref} and not equipRef`),
    };
  }
  if (parent.has('equip')) {
    return { branches: await read(`equip and equipRef==${ref}`), leaves: await read(`point and equipRef==${ref}`) };
  }
  return { branches: [], leaves: [] };
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
};
