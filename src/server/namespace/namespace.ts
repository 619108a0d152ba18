// The def namespace served by `defs`, `libs`, `ops` and `filetypes`: the configured libs normalized, plus the server's lib.

import { Dict } from '../../core/grid/dict.js';
import { MARKER } from '../../core/kinds/marker.js';
import { Sym } from '../../core/kinds/symbol.js';
import { Uri } from '../../core/kinds/uri.js';
import { Namespace } from '../../core/ontology/namespace.js';
import type { OpDef, ServerFormat } from '../op.js';

/** One def library as declared: its `lib:<name>` meta and every dict of its Trio files (defs and defx). */
export interface DefLib {
  /** Library name, e.g. `ph` (its def is `^lib:ph`). */
  readonly name: string;
  /** The lib meta dict. */
  readonly def: Dict;
  /** Every dict of the library, the lib meta included. */
  readonly defs: readonly Dict[];
  /** Where it was read from, for messages. */
  readonly source?: string;
  /** Where each dict of `defs` is declared (`file:line`), in its order, for messages. */
  readonly origins?: readonly string[];
}

/** The namespace a server serves. */
export interface DefNamespace {
  /** The compiled namespace (taxonomy, reflection, ...). */
  readonly namespace: Namespace;
  /** Every effective def, sorted by name. */
  readonly defs: readonly Dict[];
}

/** Name of the server's own lib, which describes its ops and formats when the namespace does not. */
export const SERVER_LIB = 'haystackTs';

// Namespaces chapter: a lib declares a `baseUri`, "an absolute URI used to map symbols to URIs" (RDF), and a
// `version` that is "a series of integers separated by dot". The project's own address keeps the symbols ours.
const SERVER_LIB_BASE_URI = new Uri('https://github.com/haystack-ts/haystack-ts/def/haystackTs/');

/** The name of a def dict (`op:read` for `def: ^op:read`), or undefined when it has no Symbol `def`. */
export function defName(d: Dict): string | undefined {
  const v = d.get('def');
  return v instanceof Sym ? v.val : undefined;
}

/**
 * The namespace a server serves: the configured libs normalized (Normalization chapter), plus the server's own lib
 * declaring every op and format of the server that those libs do not declare (so `ops` and `filetypes` always
 * cover the server). What compiles is served, as Haxall does; the problems are in `namespace.problems`.
 */
export function buildNamespace(
  libs: readonly DefLib[] | Namespace,
  ops: readonly OpDef[],
  formats: readonly ServerFormat[],
  version: string,
): DefNamespace {
  const given: readonly Omit<DefLib, 'def'>[] =
    libs instanceof Namespace ? libs.libs.map((l) => ({ name: l.name, defs: l.defs.map((d) => d.dict) })) : libs;
  const known = new Set<string>();
  for (const lib of given) for (const d of lib.defs) known.add(defName(d) ?? '');
  const own: Dict[] = [];
  const libSym = new Sym(`lib:${SERVER_LIB}`);
  for (const op of ops) {
    if (known.has(`op:${op.name}`)) continue;
    own.push(Dict.of({ def: new Sym(`op:${op.name}`), doc: op.doc, noSideEffects: op.noSideEffects ? MARKER : null }));
  }
  for (const f of formats) {
    if (known.has(`filetype:${f.name}`)) continue;
    own.push(Dict.of({ def: new Sym(`filetype:${f.name}`), dis: f.dis, mime: f.mime, fileExt: f.fileExt }));
  }
  own.unshift(
    Dict.of({
      def: libSym,
      doc: 'Ops and formats of this haystack-ts server',
      // A pre-release or build suffix (`1.2.0-rc.1`) is not part of a lib version.
      version: /^\d+(?:\.\d+)*/.exec(version)?.[0] ?? '0',
      baseUri: SERVER_LIB_BASE_URI,
      depends: given.map((l) => new Sym(`lib:${l.name}`)),
    }),
  );
  const sources = [
    ...given.map((l) => ({ dicts: l.defs, source: l.source ?? l.name, origins: l.origins })),
    { dicts: own, source: SERVER_LIB },
  ];
  const normalized = libs instanceof Namespace;
  const ns = Namespace.fromLibs(sources, { lenient: true, normalized });
  return Object.freeze({ namespace: ns, defs: Object.freeze(ns.defs().map((d) => d.dict)) });
}
