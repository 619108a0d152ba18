// Every standard op of the Ops chapter, in the order the `ops` op lists them.

import type { OpDef } from '../op.js';
import { aboutOp } from './about.js';
import { closeOp } from './close.js';
import { defsOp, filetypesOp, libsOp, opsOp } from './defs.js';
import { formatsOp } from './formats.js';
import { hisReadOp } from './his-read.js';
import { hisWriteOp } from './his-write.js';
import { invokeActionOp } from './invoke-action.js';
import { navOp } from './nav.js';
import { pointWriteOp } from './point-write.js';
import { readOp } from './read.js';
import { watchPollOp, watchSubOp, watchUnsubOp } from './watch.js';

/** The standard ops: about, ops, formats, close, defs, libs, filetypes, read, nav, watches, pointWrite, his, actions. */
export const STANDARD_OPS: readonly OpDef[] = Object.freeze([
  aboutOp,
  opsOp,
  formatsOp,
  closeOp,
  defsOp,
  libsOp,
  filetypesOp,
  readOp,
  navOp,
  watchSubOp,
  watchUnsubOp,
  watchPollOp,
  pointWriteOp,
  hisReadOp,
  hisWriteOp,
  invokeActionOp,
]);
