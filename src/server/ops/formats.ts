// The `formats` op (Haystack 3, kept for older clients): the media types the server reads and writes.

import { Grid } from '../../core/grid/grid.js';
import { MARKER } from '../../core/kinds/marker.js';
import type { OpDef } from '../op.js';

/** `formats`: one row per format with `mime`, and `receive`/`send` markers. */
export const formatsOp: OpDef = {
  name: 'formats',
  noArgs: true,
  doc: 'Query the grid formats the server reads and writes.',
  noSideEffects: true,
  requiredRole: 'viewer',
  handler: (_req, ctx) =>
    Grid.make({
      cols: ['mime', 'receive', 'send'],
      rows: ctx.formats.map((f) => ({
        mime: f.mime,
        receive: f.receive ? MARKER : null,
        send: f.send ? MARKER : null,
      })),
    }),
  cacheDeps: () => ({ static: true }),
};
