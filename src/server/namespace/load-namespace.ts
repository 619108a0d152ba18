// Loading the served namespace: def libs from a directory of Trio files (or given loaded), plus the server's lib.

import type { OpDef, ServerFormat } from '../op.js';
import { loadDefLibs } from './load-def-libs.js';
import { buildNamespace, type DefLib, type DefNamespace } from './namespace.js';

/** The namespace for a server's `defs` option: none, a directory of libs, or libs already loaded. */
export async function loadNamespace(
  defs: string | readonly DefLib[] | undefined,
  ops: readonly OpDef[],
  formats: readonly ServerFormat[],
  version: string,
): Promise<DefNamespace> {
  const libs = defs === undefined ? [] : typeof defs === 'string' ? await loadDefLibs(defs) : defs;
  return buildNamespace(libs, ops, formats, version);
}
