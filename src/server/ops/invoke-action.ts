// The `invokeAction` op: run a registered action on a target entity (Ops chapter, Invoke Action).

import { UnknownRecError } from '../../core/errors.js';
import { Grid } from '../../core/grid/grid.js';
import type { OpDef } from '../op.js';
import { requireRefId, requireStr, singleRow } from './args.js';

/** `invokeAction`: grid meta `id` (target) and `action` (name); the one row (if any) holds the arguments. */
export const invokeActionOp: OpDef = {
  name: 'invokeAction',
  doc: 'Invoke an action on a target entity.',
  noSideEffects: false,
  requiredRole: 'operator',
  handler: async (req, ctx) => {
    const id = requireRefId(req.meta, 'id');
    const name = requireStr(req.meta, 'action');
    const args = singleRow(req, 'invokeAction');
    const [target] = await ctx.store.readByIds([id]);
    if (target === undefined) throw new UnknownRecError(id);
    const handler = ctx.actions.resolve(name, id);
    const result = await handler(target, args, ctx);
    return result ?? Grid.EMPTY;
  },
};
