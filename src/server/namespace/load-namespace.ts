// Loading the served namespace: def libs from a directory of Trio files (or given loaded), plus the server's lib.

import type { Namespace } from '../../core/ontology/namespace.js';
import type { OpDef, ServerFormat } from '../op.js';
import { loadDefLibs } from './load-def-libs.js';
import { buildNamespace, type DefLib, type DefNamespace } from './namespace.js';

/**
 * The namespace for a server's `defs` option: none, a directory of libs, libs already loaded, or a compiled
 * namespace. Libs are served as far as they compile (`haystack defs --defs DIR` reports their problems).
 */
export async function loadNamespace(
  defs: string | readonly DefLib[] | Namespace | undefined,
  ops: readonly OpDef[],
  formats: readonly ServerFormat[],
  version: string,
): Promise<DefNamespace> {
  if (typeof defs === 'string') return buildNamespace(await loadDefLibs(defs), ops, formats, version);
  return buildNamespace(defs ?? [], ops, formats, version);
}
