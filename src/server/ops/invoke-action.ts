// The `invokeAction` op: run a registered action on a target entity (Ops chapter, Invoke Action).

import { UnknownRecError } from '../../core/errors.js';
import { Grid } from '../../core/grid/grid.js';
import type { OpDef } from '../op.js';
import { firstRow, requireRefId, requireStr } from './args.js';

/** `invokeAction`: grid meta `id` (target) and `action` (name); the first row holds the arguments. */
export const invokeActionOp: OpDef = {
  name: 'invokeAction',
  doc: 'Invoke an action on a target entity.',
  noSideEffects: false,
  requiredRole: 'operator',
  handler: async (req, ctx) => {
    const id = requireRefId(req.meta, 'id');
    const name = requireStr(req.meta, 'action');
    const [target] = await ctx.store.readByIds([id]);
    if (target === undefined) throw new UnknownRecError(id);
    const handler = ctx.actions.resolve(name, id);
    const result = await handler(target, firstRow(req), ctx);
    return result ?? Grid.EMPTY;
  },
};
