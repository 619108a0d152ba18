// The `close` op: ends the caller's authentication session (Ops chapter, Close).

import { Grid } from '../../core/grid/grid.js';
import type { OpDef } from '../op.js';

/** `close`: closes the session of the bearer token the request came with (POST or GET); answers an empty grid. */
export const closeOp: OpDef = {
  name: 'close',
  noArgs: true,
  doc: 'Close the current session and cancel the auth bearer token.',
  noSideEffects: false,
  // Ending one's own session is safe to accept over GET; clients in the field send it so (haystack-py).
  allowGet: true,
  requiredRole: 'viewer',
  handler: async (_req, ctx) => {
    await ctx.closeSession();
    return Grid.EMPTY;
  },
};
