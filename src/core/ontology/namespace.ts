// A def namespace: symbols to effective defs, with taxonomy, associations, choices, protos and relationships.

import { type FilterNode, filterHas, filterLogic } from '../filter/ast.js';
import { Dict, type TagVal } from '../grid/dict.js';
import { Grid } from '../grid/grid.js';
import { equals } from '../kinds/equality.js';
import { isList, type Val } from '../kinds/kind.js';
import { MARKER } from '../kinds/marker.js';
import { Ref } from '../kinds/ref.js';
import { Sym } from '../kinds/symbol.js';
import { checkOptionNames, choiceOption, type OptionNames } from '../options.js';
import { type Def, symbolNames } from './def.js';
import { DefError, type DefProblem } from './def-error.js';
import { type CompileOptions, compileLibs, type LibInfo, type LibSource } from './normalize.js';
import { Reflection } from './reflection.js';

/** Options of {@link Namespace.fromLibs} and {@link Namespace.fromDefs}. */
export interface NamespaceOptions {
  /**
   * Keep going past problems (undefined symbols are dropped, cycles cut, first inherited value wins) and list
   * them in {@link Namespace.problems} instead of throwing a {@link DefError}. Default false.
   */
  readonly lenient?: boolean;
  /** Also fail on warnings: a tag inherited from two supertypes with different values (Inherit). Default false. */
  readonly strictInheritance?: boolean;
}

const NAMESPACE_OPTIONS: OptionNames<NamespaceOptions> = { lenient: true, strictInheritance: true };
const FROM_LIBS_OPTIONS: OptionNames<NamespaceOptions & CompileOptions> = { ...NAMESPACE_OPTIONS, normalized: true };

/** Options checked (JS callers can pass anything): each a known name, each a boolean; throws an `OptionError`. */
function checkNamespaceOptions(options: NamespaceOptions & CompileOptions, known: object): void {
  checkOptionNames('Namespace options', options, known);
  for (const name of Object.keys(known) as (keyof typeof FROM_LIBS_OPTIONS)[])
    choiceOption('Namespace options', name, options[name], [true, false]);
}

/** A choice that applies to a def: the choice def, the taxonomy its options come from, and those options. */
export interface ChoiceInfo {
  /** The choice def, e.g. `heatingProcess`. */
  readonly choice: Def;
  /** Where the options come from: the def's own value for the choice (`heatingProcessType`), its `of`, or the choice. */
  readonly of: Def;
  /** Every subtype of `of`, transitively. */
  readonly options: readonly Def[];
}

/** One relationship a dict declares through a ref tag (`equipRef: @ahu` is a `containedBy`). */
export interface RelationshipRef {
  /** The ref tag, e.g. `equipRef`. */
  readonly tag: Def;
  /** The relationship, e.g. `containedBy`. */
  readonly relationship: Def;
  /** The relationship's subject in the tag's def (`equip` for `equipRef: containedBy: ^equip`). */
  readonly subject: Def | undefined;
  /** The Ref in the dict. */
  readonly ref: Ref;
}

/** What {@link Namespace.hasRelationship} looks for. */
export interface RelationshipQuery {
  /** The subject the relationship's tag def must fit (`hot-water` in `inputs-hot-water?`). */
  readonly term?: string;
  /** The entity the relationship must lead to. */
  readonly ref?: Ref;
  /** Finds entities, for transitive and inverse matches. */
  readonly resolve?: EntityResolver;
}

/** Resolves a Ref to its entity (for transitive and inverse relationships). */
export type EntityResolver = (ref: Ref) => Dict | null | undefined;

/** The defs a set of tag names implements, shared by every dict with those names. */
export interface ReflectedCore {
  /** Defs of the tags and conjuncts present, and of composes of both (Reflection steps 1 to 3). */
  readonly direct: readonly Def[];
  /** Those and their inheritance (step 4). */
  readonly all: readonly Def[];
  /** Names of `all`. */
  readonly names: ReadonlySet<string>;
}

function byName(a: Def, b: Def): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** A compiled set of def libs (the Namespaces chapter): the map of symbols to effective defs, and queries on it. */
export class Namespace {
  readonly #defs: ReadonlyMap<string, Def>;
  readonly #sorted: readonly Def[];
  /** Libs in load order. */
  readonly libs: readonly LibInfo[];
  /** Problems met while compiling: warnings, and errors too when `lenient`. */
  readonly problems: readonly DefProblem[];
  // Reflection indexes: conjuncts by their first tag, composes by their child, tagOn targets, reflection of
  // tag-name sets.
  readonly #conjunctsByFirst = new Map<string, Def[]>();
  readonly #composesByChild = new Map<string, Def[]>();
  readonly #tagOn = new Map<string, Def[]>();
  readonly #reflected = new Map<string, ReflectedCore>();

  private constructor(defs: ReadonlyMap<string, Def>, libs: readonly LibInfo[], problems: readonly DefProblem[]) {
    this.#defs = defs;
    this.libs = libs;
    this.problems = problems;
    this.#sorted = Object.freeze([...defs.values()].sort(byName));
    for (const d of this.#sorted) {
      if (d.kind === 'conjunct') addTo(this.#conjunctsByFirst, d.tagNames[0] as string, d);
      if (d.kind === 'compose') addTo(this.#composesByChild, d.name.slice(d.name.indexOf('.') + 1), d);
      for (const on of symbolNames(d.dict.get('tagOn'))) addTo(this.#tagOn, on, d);
    }
  }

  /** Compile libs of declared defs (Normalization); throws a {@link DefError} on any problem unless `lenient`. */
  static fromLibs(libs: readonly LibSource[], options: NamespaceOptions & CompileOptions = {}): Namespace {
    checkNamespaceOptions(options, FROM_LIBS_OPTIONS);
    const out = compileLibs(libs, options.normalized === undefined ? {} : { normalized: options.normalized });
    const fatal = out.problems.filter((p) => p.severity === 'error' || options.strictInheritance === true);
    if (fatal.length > 0 && options.lenient !== true) throw new DefError(fatal);
    return new Namespace(out.defs, out.libs, out.problems);
  }

  /**
   * A namespace from normalized defs, such as a `defs` op's grid or a downloaded defs file: grouped into libs by
   * their `lib` tag and compiled again (which leaves normalized defs as they are).
   */
  static fromDefs(defs: Grid | Iterable<Dict>, options: NamespaceOptions = {}): Namespace {
    checkNamespaceOptions(options, NAMESPACE_OPTIONS);
    const groups = new Map<string, Dict[]>();
    for (const d of defs instanceof Grid ? defs.rows : defs) {
      const lib = d.get('lib');
      addTo(groups, lib instanceof Sym ? lib.val : '', d);
    }
    const libs = [...groups].map(([name, dicts]) => ({ dicts, source: name === '' ? 'defs without lib' : name }));
    return Namespace.fromLibs(libs, { ...options, normalized: true });
  }

  /** Number of defs. */
  get size(): number {
    return this.#sorted.length;
  }

  /** The def named `name` (a symbol name without `^`), or undefined. */
  def(name: string): Def | undefined {
    return this.#defs.get(name);
  }

  /** The def named `name`; a {@link DefError} (`undefined`) when there is none. */
  req(name: string): Def {
    const d = this.#defs.get(name);
    if (d === undefined)
      throw new DefError([{ kind: 'undefined', symbol: name, message: `No def ^${name}`, severity: 'error' }]);
    return d;
  }

  /** True when `name` is defined. */
  has(name: string): boolean {
    return this.#defs.has(name);
  }

  /** Every def, sorted by name. */
  defs(): readonly Def[] {
    return this.#sorted;
  }

  /** The lib named `name` (`phIoT`), or undefined. */
  lib(name: string): LibInfo | undefined {
    return this.libs.find((l) => l.name === name);
  }

  /** Direct supertypes of `name`, in `is` order. */
  supertypes(name: string): readonly Def[] {
    return this.req(name).supertypes;
  }

  /** Every supertype of `name`, transitively, nearest first (its inheritance without itself). */
  allSupertypes(name: string): readonly Def[] {
    return this.req(name).inheritance.slice(1);
  }

  /** Direct subtypes of `name`, sorted by name. */
  subtypes(name: string): readonly Def[] {
    return [...this.req(name).subtypes].sort(byName);
  }

  /** Every subtype of `name`, transitively, sorted by name. */
  allSubtypes(name: string): readonly Def[] {
    const root = this.req(name);
    const seen = new Set<Def>();
    const queue: Def[] = [root];
    for (let i = 0; i < queue.length; i++) {
      for (const s of (queue[i] as Def).subtypes) {
        if (seen.has(s)) continue;
        seen.add(s);
        queue.push(s);
      }
    }
    return [...seen].sort(byName);
  }

  /** True when def `name` is `base` or a subtype of it; false when either is undefined. */
  fits(name: string, base: string): boolean {
    return this.#defs.get(name)?.fits(base) === true;
  }

  /** Every conjunct def (`hot-water`, `elec-meter`, ...). */
  conjuncts(): readonly Def[] {
    return this.#sorted.filter((d) => d.kind === 'conjunct');
  }

  /** The conjuncts that use tag `tag` as one of their terms. */
  conjunctsOf(tag: string): readonly Def[] {
    return this.#sorted.filter((d) => d.kind === 'conjunct' && d.tagNames.includes(tag));
  }

  /** The features: defs that subtype `feature` (`lib`, `op`, `filetype`, ...). */
  features(): readonly Def[] {
    return this.#sorted.filter((d) => d.name !== 'feature' && d.fits('feature') && d.kind === 'tag');
  }

  /** The keys of a feature: `featureKeys('filetype')` is `filetype:csv`, `filetype:json`, .... */
  featureKeys(feature: string): readonly Def[] {
    return this.#sorted.filter((d) => d.feature === feature);
  }

  /** Defs that tag `name` is declared to be used on (its `tagOn`). */
  tagOn(name: string): readonly Def[] {
    return this.#defsOf(this.req(name).dict.get('tagOn'));
  }

  /** Tags used on entity type `name` or any of its supertypes (the reciprocal of `tagOn`), sorted by name. */
  tags(name: string): readonly Def[] {
    const out = new Set<Def>();
    for (const t of this.req(name).inheritance) for (const d of this.#tagOn.get(t.name) ?? []) out.add(d);
    return [...out].sort(byName);
  }

  /**
   * The defs that `name` is associated with by association `assoc` (Associations): the symbols of its `assoc`
   * tag, or for a computed association (`tags`, `quantities`) the defs whose own reciprocal tag names `name` or
   * one of its supertypes, as Haxall computes it: `tags(ahu)` has `equipRef` (tagOn equip), `quantities(water)`
   * has `temp` (quantityOf substance).
   */
  association(name: string, assoc: string): readonly Def[] {
    const def = this.req(name);
    const a = this.req(assoc);
    if (a.dict.has('computedFromReciprocal') || a.dict.has('computed')) {
      const recip = symbolNames(a.dict.get('reciprocalOf'))[0];
      if (recip === undefined) return [];
      // An inheritable reciprocal (quantityOf) counts where declared, not again in each subtype (Haxall's rule).
      const inherited = this.#defs.get(recip)?.dict.has('notInherited') !== true;
      return this.#sorted.filter((d) => {
        const v = d.dict.get(recip);
        if (v === null || (inherited && d.supertypes.some((s) => equals(s.dict.get(recip), v)))) return false;
        return symbolNames(v).some((s) => def.fits(s));
      });
    }
    return this.#defsOf(def.dict.get(assoc));
  }

  /**
   * The choices that apply to def `name` (Choices): choice tags its effective def carries (`ahu` has
   * `heatingProcess: ^heatingProcessType`), and choices declared `tagOn` it or a supertype (`pointFunction`).
   */
  choices(name: string): readonly ChoiceInfo[] {
    const def = this.req(name);
    const out = new Map<string, ChoiceInfo>();
    const add = (choice: Def, narrowed: Val): void => {
      if (out.has(choice.name)) return;
      const ofName = symbolNames(narrowed)[0] ?? symbolNames(choice.dict.get('of'))[0];
      const of = (ofName === undefined ? undefined : this.#defs.get(ofName)) ?? choice;
      out.set(choice.name, { choice, of, options: this.allSubtypes(of.name) });
    };
    for (const [tag, v] of def.dict) {
      const c = this.#defs.get(tag);
      if (c?.fits('choice') === true && c.name !== 'choice') add(c, v);
    }
    for (const t of def.inheritance) {
      for (const c of this.#tagOn.get(t.name) ?? []) if (c.fits('choice')) add(c, null);
    }
    return [...out.values()];
  }

  /** The children protos of def `name` (Protos), as declared and inherited. */
  children(name: string): readonly Dict[] {
    const v = this.req(name).dict.get('children');
    return isList(v) ? v.filter((x): x is Dict => x instanceof Dict) : [];
  }

  /**
   * The children protos of an instance (Protos: flattening): for each entity type of `parent`, its children with
   * the parent's tags for each `childrenFlatten` term it implements (`hot water pipe` gives `hot water temp point`).
   * No `siteRef`, `equipRef` or `spaceRef` of (or to) the parent: the Protos chapter has none, Haxall adds them.
   */
  childrenFlattened(parent: Dict): readonly Dict[] {
    return this.reflect(parent).protos();
  }

  /** The relationship defs (`containedBy`, `contains`, `inputs`, `outputs`, ...). */
  relationships(): readonly Def[] {
    return this.#sorted.filter((d) => d.fits('relationship') && d.name !== 'relationship');
  }

  /** The ref tags that declare relationship `rel` (`containedBy`: `siteRef`, `equipRef`, `spaceRef`, ...). */
  relationshipTags(rel: string): readonly Def[] {
    this.req(rel);
    return this.#sorted.filter((d) => d.fits('ref') && d.dict.has(rel));
  }

  /** The relationships a dict declares through its ref tags, optionally only those of relationship `rel`. */
  relationshipsOf(dict: Dict, rel?: string): readonly RelationshipRef[] {
    const out: RelationshipRef[] = [];
    for (const [name, v] of dict) {
      if (!(v instanceof Ref)) continue;
      const tag = this.#defs.get(name);
      if (tag === undefined || !tag.fits('ref')) continue;
      for (const [k, subj] of tag.dict) {
        if (rel !== undefined && k !== rel) continue;
        const r = this.#defs.get(k);
        if (r === undefined || !r.fits('relationship') || r.name === 'relationship') continue;
        const s = symbolNames(subj)[0];
        out.push({ tag, relationship: r, subject: s === undefined ? undefined : this.#defs.get(s), ref: v });
      }
    }
    return out;
  }

  /**
   * Does `dict` have relationship `rel` (Relationships: `rel-term? @ref`)? With `term`, the relationship's
   * subject in the tag def must fit it; with `ref`, the dict's Ref must equal it, or (for a `transitive`
   * relationship, given `resolve`) lead to it through entities that have the relationship themselves. Failing
   * that, a relationship with a `reciprocalOf` is matched from the other end (Relationships: inverse), and one
   * computed from its reciprocal (`contains`) only that way.
   */
  hasRelationship(dict: Dict, rel: string, options: RelationshipQuery = {}): boolean {
    const r = this.req(rel);
    if (!r.dict.has('computedFromReciprocal') && this.#declares(dict, r, options)) return true;
    // Relationships: the inverse swaps the dict and the referenced entity.
    const recip = this.#defs.get(symbolNames(r.dict.get('reciprocalOf'))[0] ?? '');
    const { ref, resolve } = options;
    const id = dict.id;
    if (recip === undefined || ref === undefined || resolve === undefined || id === undefined) return false;
    const other = resolve(ref);
    return other != null && this.#declares(other, recip, { ...options, ref: id });
  }

  #declares(dict: Dict, r: Def, { term, ref, resolve }: RelationshipQuery): boolean {
    const transitive = r.dict.has('transitive');
    const seen = new Set<string>();
    let frontier: Dict[] = [dict];
    while (frontier.length > 0) {
      const next: Dict[] = [];
      for (const d of frontier) {
        for (const x of this.relationshipsOf(d, r.name)) {
          if (term !== undefined && x.subject?.fits(term) !== true) continue;
          if (ref === undefined || x.ref.equals(ref)) return true;
          if (!transitive || resolve === undefined || seen.has(x.ref.id)) continue;
          seen.add(x.ref.id);
          const e = resolve(x.ref);
          if (e != null) next.push(e);
        }
      }
      frontier = next;
    }
    return false;
  }

  /**
   * The tags that implement def `name` (Reflection: implementation): its own tags, or each term of a conjunct,
   * plus every `mandatory` marker among its supertypes (`rtu` is `{rtu, ahu, equip}`). Feature keys have none.
   */
  implementation(name: string): Dict {
    const def = this.req(name);
    if (def.kind === 'key') return Dict.EMPTY;
    const tags = new Map<string, TagVal>();
    for (const t of def.tagNames) tags.set(t, MARKER);
    for (const s of def.inheritance) if (s.dict.has('mandatory')) for (const t of s.tagNames) tags.set(t, MARKER);
    return Dict.fromTrustedMap(tags);
  }

  /** Reflect a dict to the defs it implements (Reflection). */
  reflect(dict: Dict): Reflection {
    return new Reflection(this, dict, this.reflectNames(dict.names));
  }

  /** For {@link Reflection}: the defs implemented by a set of tag names, cached per set. */
  reflectNames(names: readonly string[]): ReflectedCore {
    const key = names.join(',');
    let core = this.#reflected.get(key);
    if (core !== undefined) return core;
    const present = new Set(names);
    const direct: Def[] = [];
    for (const n of names) {
      const d = this.#defs.get(n);
      if (d?.kind === 'tag') direct.push(d);
      // Reflection step 2: a conjunct is implemented when every one of its tags is there.
      for (const c of this.#conjunctsByFirst.get(n) ?? []) if (c.tagNames.every((t) => present.has(t))) direct.push(c);
    }
    const all = new Set<Def>();
    for (const d of direct) for (const s of d.inheritance) all.add(s);
    if (this.#composesByChild.size > 0) {
      // Reflection step 3: a compose whose child the dict has, and whose parent it implements (inheritance too).
      const implemented = new Set([...all].map((d) => d.name));
      for (const child of [...direct]) {
        for (const c of this.#composesByChild.get(child.name) ?? []) {
          if (!implemented.has(c.name.slice(0, c.name.indexOf('.')))) continue;
          direct.push(c);
          all.add(c);
        }
      }
    }
    const allList = [...all];
    core = Object.freeze({
      direct: Object.freeze(direct),
      all: Object.freeze(allList),
      names: new Set(allList.map((d) => d.name)),
    });
    // Entities of a data set share few tag sets; an unbounded cache would grow with hostile input.
    if (this.#reflected.size < 10_000) this.#reflected.set(key, core);
    return core;
  }

  /**
   * `ast` with each `^symbol` term widened to the symbol's def and all its subtypes, as Haxall's filter inference
   * does (Filters: some constructs must be evaluated in a namespace): `^equip` then matches `{ahu}`, which reflects
   * to equip. A dict matches when it has every tag of some tag or conjunct def among them (Reflection: steps 1, 2
   * and inheritance). The result is an ordinary AST that any backend evaluates; undefined symbols, feature keys and
   * composes are left as they were, and an AST without symbols is returned as is.
   */
  expandSymbols(ast: FilterNode): FilterNode {
    switch (ast.type) {
      case 'and':
      case 'or': {
        const args = ast.args.map((a) => this.expandSymbols(a));
        return args.every((a, i) => a === ast.args[i]) ? ast : filterLogic(ast.type, args);
      }
      case 'isSymbol': {
        const def = this.#defs.get(ast.symbol.val);
        if (def === undefined) return ast;
        const defs = [def, ...this.allSubtypes(def.name)].filter((d) => d.kind === 'tag' || d.kind === 'conjunct');
        if (defs.length === 0) return ast;
        // A conjunct with a term that is itself one of the tags matched adds nothing (`hot-water` beside `water`).
        const tags = new Set(defs.filter((d) => d.kind === 'tag').map((d) => d.name));
        const terms = defs
          .filter((d) => d.kind === 'tag' || !d.tagNames.some((t) => tags.has(t)))
          .map((d) =>
            filterLogic(
              'and',
              d.tagNames.map((t) => filterHas(t)),
            ),
          );
        return filterLogic('or', terms);
      }
      default:
        return ast;
    }
  }

  /** Every def as a grid sorted by name (what the `defs` op serves). */
  toGrid(): Grid {
    return Grid.make({ cols: ['def'], rows: this.#sorted.map((d) => d.dict), addMissingCols: true });
  }

  #defsOf(v: Val): Def[] {
    return symbolNames(v)
      .map((s) => this.#defs.get(s))
      .filter((d): d is Def => d !== undefined);
  }
}

// Add `v` to the list of `key` in a map of lists.
function addTo<K, V>(map: Map<K, V[]>, key: K, v: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [v]);
  else list.push(v);
}
