// The `about` op: basic facts about the server (Ops chapter, About).

import { Grid } from '../../core/grid/grid.js';
import { HDateTime } from '../../core/kinds/date-time.js';
import { Uri } from '../../core/kinds/uri.js';
import type { OpDef } from '../op.js';

/** Version of the `ph` library the server implements. */
export const HAYSTACK_VERSION = '4.0';

/** `about`: a single row with haystackVersion, tz, serverName, serverTime, serverBootTime and product facts. */
export const aboutOp: OpDef = {
  name: 'about',
  noArgs: true,
  doc: 'Query basic information about the server.',
  noSideEffects: true,
  requiredRole: 'viewer',
  handler: (_req, ctx) => {
    const { about, tz, clock, bootTime } = ctx.server;
    return Grid.fromDicts([
      {
        haystackVersion: HAYSTACK_VERSION,
        tz: tz.name,
        serverName: about.serverName,
        serverTime: HDateTime.fromEpochMs(clock(), tz),
        serverBootTime: HDateTime.fromEpochMs(bootTime, tz),
        productName: about.productName,
        productUri: new Uri(about.productUri),
        productVersion: about.productVersion,
        vendorName: about.vendorName,
        vendorUri: new Uri(about.vendorUri),
      },
    ]);
  },
};
