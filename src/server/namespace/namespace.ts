// The minimal def namespace served by `defs`, `libs`, `ops` and `filetypes`: def dicts grouped by lib.

import { Dict } from '../../core/grid/dict.js';
import { MARKER } from '../../core/kinds/marker.js';
import { Sym } from '../../core/kinds/symbol.js';
import type { OpDef, ServerFormat } from '../op.js';

/** One def library: its `lib:<name>` def and every def it declares (each tagged with `lib`). */
export interface DefLib {
  /** Library name, e.g. `ph` (its def is `^lib:ph`). */
  readonly name: string;
  /** The lib def dict. */
  readonly def: Dict;
  /** Every def of the library, the lib def included, each with a `lib` tag. */
  readonly defs: readonly Dict[];
}

/** A set of def libraries, with every def by name. */
export interface DefNamespace {
  /** Libraries in load order. */
  readonly libs: readonly DefLib[];
  /** Every def, sorted by name. */
  readonly defs: readonly Dict[];
}

/** Name of the server's own lib, which describes its ops and formats when the namespace does not. */
export const SERVER_LIB = 'haystackTs';

/** The name of a def dict (`op:read` for `def: ^op:read`), or undefined when it has no Symbol `def`. */
export function defName(d: Dict): string | undefined {
  const v = d.get('def');
  return v instanceof Sym ? v.val : undefined;
}

function byName(a: Dict, b: Dict): number {
  const x = defName(a) ?? '';
  const y = defName(b) ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The namespace a server serves: the configured libs, plus the server's own lib declaring every op and
 * format of the server that those libs do not declare (so `ops` and `filetypes` always cover the server).
 */
export function buildNamespace(
  libs: readonly DefLib[],
  ops: readonly OpDef[],
  formats: readonly ServerFormat[],
  version: string,
): DefNamespace {
  const known = new Set<string>();
  for (const lib of libs) for (const d of lib.defs) known.add(defName(d) ?? '');
  const libSym = new Sym(`lib:${SERVER_LIB}`);
  const own: Dict[] = [];
  for (const op of ops) {
    if (known.has(`op:${op.name}`)) continue;
    own.push(
      Dict.of({
        def: new Sym(`op:${op.name}`),
        lib: libSym,
        doc: op.doc,
        noSideEffects: op.noSideEffects ? MARKER : null,
      }),
    );
  }
  for (const f of formats) {
    if (known.has(`filetype:${f.name}`)) continue;
    own.push(
      Dict.of({ def: new Sym(`filetype:${f.name}`), lib: libSym, dis: f.dis, mime: f.mime, fileExt: f.fileExt }),
    );
  }
  const serverDef = Dict.of({
    def: libSym,
    lib: libSym,
    doc: 'Ops and formats of this haystack-ts server',
    version,
    depends: libs.map((l) => new Sym(`lib:${l.name}`)),
  });
  const all = [...libs, { name: SERVER_LIB, def: serverDef, defs: [serverDef, ...own] }];
  return Object.freeze({
    libs: Object.freeze(all),
    defs: Object.freeze(all.flatMap((l) => l.defs).sort(byName)),
  });
}
