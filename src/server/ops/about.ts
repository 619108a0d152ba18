// The `about` op: basic facts about the server (Ops chapter, About).

import { Dict, DictShape, type TagVal } from '../../core/grid/dict.js';
import { Grid, type GridCol } from '../../core/grid/grid.js';
import { HDateTime } from '../../core/kinds/date-time.js';
import { Uri } from '../../core/kinds/uri.js';
import type { OpDef, ServerInfo } from '../op.js';
import { PRODUCT_VERSION } from '../options.js';

// The npm package this server is.
const MODULE_NAME = 'haystack-ts';

/** Version of the `ph` library the server implements. */
export const HAYSTACK_VERSION = '4.0';

// The about row's tags, in the order they are answered; all but serverTime stay the same while a server runs.
const NAMES = [
  'haystackVersion',
  'tz',
  'serverName',
  'serverTime',
  'serverBootTime',
  'productName',
  'productUri',
  'productVersion',
  'vendorName',
  'vendorUri',
  // Ops chapter: the module implementing the Haystack protocol when it is a plug-in to the product, as haystack-ts is
  // in an app that embeds it (and names itself in `about.productName`).
  'moduleName',
  'moduleVersion',
] as const;
const SHAPE = DictShape.of(NAMES);
const COLS: readonly GridCol[] = Object.freeze(NAMES.map((name) => Object.freeze({ name, meta: Dict.EMPTY })));
const SERVER_TIME = NAMES.indexOf('serverTime');

// The row's values by server, serverTime left to fill: made once, as the answer is asked for again and again.
const VALUES = new WeakMap<ServerInfo, readonly TagVal[]>();

function fixedValues(server: ServerInfo): readonly TagVal[] {
  let values = VALUES.get(server);
  if (values === undefined) {
    const { about, tz, bootTime } = server;
    values = Object.freeze([
      HAYSTACK_VERSION,
      tz.name,
      about.serverName,
      HDateTime.fromEpochMs(bootTime, tz),
      HDateTime.fromEpochMs(bootTime, tz),
      about.productName,
      new Uri(about.productUri),
      about.productVersion,
      about.vendorName,
      new Uri(about.vendorUri),
      MODULE_NAME,
      PRODUCT_VERSION,
    ]);
    VALUES.set(server, values);
  }
  return values;
}

/** `about`: a single row with haystackVersion, tz, serverName, serverTime, serverBootTime, product and module facts. */
export const aboutOp: OpDef = {
  name: 'about',
  noArgs: true,
  doc: 'Query basic information about the server.',
  noSideEffects: true,
  requiredRole: 'viewer',
  handler: (_req, ctx) => {
    const { clock, tz } = ctx.server;
    const values = [...fixedValues(ctx.server)];
    values[SERVER_TIME] = HDateTime.fromEpochMs(clock(), tz);
    return Grid.fromTrustedParts(Dict.EMPTY, COLS, [Dict.fromShape(SHAPE, values)]);
  },
};
