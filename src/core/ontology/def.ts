// One effective def of a namespace: its symbol, kind (tag, conjunct, feature key, compose), lib and taxonomy.

import type { Dict } from '../grid/dict.js';
import { isTagName } from '../grid/tag-name.js';
import { isList, type Val } from '../kinds/kind.js';
import { Sym } from '../kinds/symbol.js';

/** The four def types of the Defs chapter, told apart by the symbol's form. */
export type DefKind = 'tag' | 'conjunct' | 'key' | 'compose';

/** The parts of a def symbol: `hot-water` is a conjunct of `hot` and `water`; `lib:ph` a key of feature `lib`. */
export interface SymbolParts {
  /** Def type. */
  readonly kind: DefKind;
  /** Tag names a dict needs to implement the def: a tag's one, a conjunct's each, a compose's both terms', a key none. */
  readonly tags: readonly string[];
  /** Feature of a key (`lib` for `lib:ph`), or parent of a compose (`geoPlace` for `geoPlace.geoCity`). */
  readonly head?: string;
  /** Name of a key (`ph` for `lib:ph`), or child of a compose (`geoCity`). */
  readonly tail?: string;
}

/** Splits a def symbol by the Defs chapter's forms, or undefined when it is none of them. */
export function parseSymbol(name: string): SymbolParts | undefined {
  const colon = name.indexOf(':');
  if (colon >= 0) {
    // Defs: a feature key is `feature:name`, both valid tag names.
    const head = name.slice(0, colon);
    const tail = name.slice(colon + 1);
    return isTagName(head) && isTagName(tail) ? { kind: 'key', tags: [], head, tail } : undefined;
  }
  const dot = name.indexOf('.');
  if (dot >= 0) {
    // Defs: a compose `parent.child` binds two terms (tags or conjuncts: `ahu.discharge-duct`), subtypes its child.
    const head = name.slice(0, dot);
    const tail = name.slice(dot + 1);
    const parent = parseSymbol(head);
    const child = parseSymbol(tail);
    return isTerm(parent) && isTerm(child)
      ? { kind: 'compose', tags: [...parent.tags, ...child.tags], head, tail }
      : undefined;
  }
  if (name.includes('-')) {
    const tags = name.split('-');
    return tags.length >= 2 && tags.every(isTagName) ? { kind: 'conjunct', tags } : undefined;
  }
  return isTagName(name) ? { kind: 'tag', tags: [name] } : undefined;
}

function isTerm(parts: SymbolParts | undefined): parts is SymbolParts {
  return parts?.kind === 'tag' || parts?.kind === 'conjunct';
}

/** The symbol names of a tag value: one Symbol or a list of them (association tags take either). */
export function symbolNames(v: Val): string[] {
  if (v instanceof Sym) return [v.val];
  if (isList(v)) return v.filter((x): x is Sym => x instanceof Sym).map((x) => x.val);
  return [];
}

/** An effective def: the normalized dict and its place in the taxonomy. Made by a {@link Namespace}. */
export class Def {
  /** Symbol name, e.g. `hot-water`. */
  readonly name: string;
  /** The symbol, `^hot-water`. */
  readonly symbol: Sym;
  /** Def type. */
  readonly kind: DefKind;
  /** Name of the declaring lib, e.g. `phIoT`. */
  readonly lib: string;
  /** The effective (normalized) def dict. */
  readonly dict: Dict;
  /** Tag names that implement this def (`[hot, water]` for `hot-water`; empty for a feature key). */
  readonly tagNames: readonly string[];
  /** Feature of a key def (`lib` for `lib:ph`). */
  readonly feature: string | undefined;
  /** Direct supertypes, in `is` order. */
  readonly supertypes: readonly Def[];
  /** This def followed by every supertype, transitively, nearest first, each once. */
  readonly inheritance: readonly Def[];
  readonly #subtypes: Def[] = [];
  readonly #fits: ReadonlySet<string>;

  /** For the namespace compiler: supertypes must be made first. */
  constructor(name: string, parts: SymbolParts, lib: string, dict: Dict, supertypes: readonly Def[]) {
    this.name = name;
    this.symbol = new Sym(name);
    this.kind = parts.kind;
    this.lib = lib;
    this.dict = dict;
    this.tagNames = parts.kind === 'key' ? [] : parts.tags;
    this.feature = parts.kind === 'key' ? parts.head : undefined;
    this.supertypes = Object.freeze([...supertypes]);
    const seen = new Set<string>([name]);
    const all: Def[] = [this];
    // Breadth first: nearest supertypes come before far ones.
    for (let i = 0; i < all.length; i++) {
      for (const s of (all[i] as Def).supertypes) {
        if (seen.has(s.name)) continue;
        seen.add(s.name);
        all.push(s);
      }
    }
    this.inheritance = Object.freeze(all);
    this.#fits = seen;
    for (const s of supertypes) s.#subtypes.push(this);
  }

  /** Direct subtypes, in declaration order. */
  get subtypes(): readonly Def[] {
    return this.#subtypes;
  }

  /** True when this def is `name` or subtypes it, directly or not (Subtyping: transitivity). */
  fits(name: string): boolean {
    return this.#fits.has(name);
  }

  /** The `doc` tag, or empty. */
  get doc(): string {
    const d = this.dict.get('doc');
    return typeof d === 'string' ? d : '';
  }

  /** The first sentence of `doc` (Defs: "the first sentence up to the period is used as the summary"). */
  get summary(): string {
    const d = this.doc.trim();
    const end = d.search(/\.(\s|$)/);
    return (end < 0 ? d : d.slice(0, end + 1)).replace(/\s+/g, ' ');
  }

  /** Symbol form, `^name`. */
  toString(): string {
    return `^${this.name}`;
  }
}
