// The Normalization chapter's pipeline: parse, resolve, taxonify, defx, normalize tags, inherit, validate, generate.

import { Dict, type TagVal } from '../grid/dict.js';
import { equals } from '../kinds/equality.js';
import { isList, KINDS, kindOf, type Val } from '../kinds/kind.js';
import { Sym } from '../kinds/symbol.js';
import { Uri } from '../kinds/uri.js';
import { checkOptionNames, choiceOption } from '../options.js';
import { Def, parseSymbol, type SymbolParts, symbolNames } from './def.js';
import type { DefProblem, DefProblemKind } from './def-error.js';

/** One lib to compile: every dict of its Trio files (its `lib:<name>` meta, defs and defx dicts). */
export interface LibSource {
  /** The dicts, the lib meta included. */
  readonly dicts: readonly Dict[];
  /** Where they came from (a directory, a URL), for messages. */
  readonly source?: string;
  /** Where each dict is declared (`lib/ahu.trio:12`), in the order of `dicts`: problems name it. */
  readonly origins?: readonly string[] | undefined;
}

/** A lib of a compiled namespace. */
export interface LibInfo {
  /** Lib name, `phIoT` for `^lib:phIoT`. */
  readonly name: string;
  /** Its effective meta def. */
  readonly def: Def;
  /** Names of the libs it depends on. */
  readonly depends: readonly string[];
  /** Every def the lib declares, the meta included, in declaration order. */
  readonly defs: readonly Def[];
}

/** How to compile. */
export interface CompileOptions {
  /** Input defs are already normalized (a `defs` grid): lib tags and inferred `is` are expected, lib scopes not checked. Default false. */
  readonly normalized?: boolean;
}

/** What the pipeline produces: the defs and libs that compiled, and every problem met on the way. */
export interface Compiled {
  /** Every def by name. */
  readonly defs: ReadonlyMap<string, Def>;
  /** Libs in input order. */
  readonly libs: readonly LibInfo[];
  /** Problems, in pipeline order; empty when the libs are sound. */
  readonly problems: readonly DefProblem[];
}

/** Root terms, the only terms without `is` (Subtyping). */
const ROOTS: ReadonlySet<string> = new Set(['marker', 'val', 'feature']);
/** Value kind names, which are also the names of their defs in lib ph (Kinds). */
const KIND_NAMES: ReadonlySet<string> = new Set<string>(KINDS);
/** A lib version (Namespaces: Libs): decimal integers separated by dots, `4.0.2`. */
const VERSION = /^\d+(?:\.\d+)*$/;
/** An absolute URI starts with its scheme (RFC 3986), as a lib's baseUri must. */
const ABSOLUTE_URI = /^[A-Za-z][A-Za-z0-9+.-]*:/;

interface LibDraft {
  readonly name: string;
  readonly sym: Sym;
  readonly meta: Dict;
  readonly metaAt: string | undefined;
  readonly drafts: Draft[];
  readonly defx: { readonly dict: Dict; readonly at: string | undefined }[];
  depends: string[];
  scope: ReadonlySet<string> | undefined;
}

interface Draft {
  readonly name: string;
  readonly parts: SymbolParts;
  readonly lib: LibDraft;
  // Where it is declared (file:line), when the source says.
  readonly at: string | undefined;
  // Declared tags, then defx tags; the effective tags after inheritance.
  readonly tags: Map<string, TagVal>;
  is: string[];
  effective: Map<string, TagVal> | undefined;
  def: Def | undefined;
}

function symName(v: Val): string | undefined {
  return v instanceof Sym ? v.val : undefined;
}

/** Compile libs into effective defs; problems are collected, never thrown, so callers choose strict or lenient. */
export function compileLibs(sources: readonly LibSource[], options: CompileOptions = {}): Compiled {
  checkOptionNames('Compile options', options, { normalized: true } satisfies Record<keyof CompileOptions, true>);
  choiceOption('Compile options', 'normalized', options.normalized, [true, false]);
  return new Compiler(options.normalized === true).run(sources);
}

class Compiler {
  readonly #normalized: boolean;
  readonly #problems: DefProblem[] = [];
  readonly #libs: LibDraft[] = [];
  readonly #drafts = new Map<string, Draft>();
  readonly #ancestors = new Map<string, ReadonlySet<string>>();

  constructor(normalized: boolean) {
    this.#normalized = normalized;
  }

  #problem(kind: DefProblemKind, symbol: string, lib: string | undefined, message: string, at?: string): void {
    const severity = kind === 'conflict' ? 'warning' : 'error';
    // A lib is many files of many defs: the position is in the message too, for those who print only that.
    const p: DefProblem =
      at === undefined
        ? { kind, symbol, message, severity }
        : { kind, symbol, message: `${message} (${at})`, severity, at };
    this.#problems.push(lib === undefined ? p : { ...p, lib });
  }

  run(sources: readonly LibSource[]): Compiled {
    for (const s of sources) this.#parse(s);
    this.#resolve();
    const order = this.#taxonify();
    this.#defx();
    this.#normalizeTags();
    for (const d of order) this.#inherit(d);
    this.#validate();
    return this.#generate(order);
  }

  // Parse: every dict is a def or a defx with a Symbol; one lib meta per lib; no symbol twice.
  #parse(source: LibSource): void {
    const where = source.source === undefined ? '' : ` in ${source.source}`;
    const metas = source.dicts.filter((d) => symName(d.get('def'))?.startsWith('lib:') === true);
    const at = (d: Dict): string | undefined => source.origins?.[source.dicts.indexOf(d)];
    if (metas.length === 0) {
      this.#noMeta(source, where);
      return;
    }
    if (metas.length > 1) {
      const names = metas.map((m) => symName(m.get('def'))).join(', ');
      this.#problem('invalid', names, undefined, `Several lib metas${where}: ${names}`, at(metas[1] as Dict));
    }
    const meta = metas[0] as Dict;
    const libSym = meta.get('def') as Sym;
    const name = libSym.val.slice(4);
    if (this.#libs.some((l) => l.name === name)) {
      this.#problem('duplicate', libSym.val, name, `Lib ${name} given twice${where}`, at(meta));
      return;
    }
    const metaAt = at(meta);
    const lib: LibDraft = { name, sym: libSym, meta, metaAt, drafts: [], defx: [], depends: [], scope: undefined };
    this.#libs.push(lib);
    source.dicts.forEach((d, i) => {
      const dictAt = source.origins?.[i];
      const def = d.get('def');
      if (def instanceof Sym) {
        this.#declare(lib, def.val, d, dictAt);
        return;
      }
      if (d.get('defx') instanceof Sym) {
        lib.defx.push({ dict: d, at: dictAt });
        return;
      }
      this.#problem(
        'invalid',
        String(d),
        name,
        `A dict with neither a def nor a defx Symbol in lib ${name}: ${String(d)}`,
        dictAt,
      );
    });
    lib.depends = this.#depends(lib, meta.get('depends'));
  }

  // Defs whose lib has no meta are dropped: one problem names their lib (normalized defs say it) or their source.
  #noMeta(source: LibSource, where: string): void {
    const first = source.dicts[0];
    const named = this.#normalized && first !== undefined ? symName(first.get('lib')) : undefined;
    if (named === undefined) {
      const symbol = source.source ?? '';
      this.#problem('invalid', symbol, undefined, `No lib meta (def: ^lib:<name>)${where}`, source.origins?.[0]);
      return;
    }
    const defs = source.dicts.map((d) => symName(d.get('def'))).filter((n): n is string => n !== undefined);
    const shown = defs.slice(0, 3).map((n) => `^${n}`);
    if (defs.length > 3) shown.push(`${defs.length - 3} more`);
    this.#problem('invalid', named, undefined, `No lib meta (def: ^${named}) for ${shown.join(', ')}`);
  }

  // Namespaces (Libs): `depends` lists lib symbols; anything else is named once here and left out of the scope.
  #depends(lib: LibDraft, v: Val): string[] {
    const out: string[] = [];
    for (const x of isList(v) ? v : v === null ? [] : [v]) {
      const name = symName(x);
      if (name?.startsWith('lib:') === true) {
        out.push(name.slice(4));
        continue;
      }
      const what =
        name === undefined
          ? `${typeof x === 'string' ? JSON.stringify(x) : String(x)}, which is not a lib symbol`
          : `^${name}, which is not a lib`;
      this.#problem('invalid', lib.sym.val, lib.name, `Lib ${lib.name} depends on ${what} (^lib:<name>)`, lib.metaAt);
    }
    return out;
  }

  #declare(lib: LibDraft, name: string, d: Dict, at: string | undefined): void {
    const parts = parseSymbol(name);
    if (parts === undefined) {
      this.#problem('invalid', name, lib.name, `^${name} is not a tag, conjunct, feature key or compose symbol`, at);
      return;
    }
    const other = this.#drafts.get(name);
    if (other !== undefined) {
      const also = other.lib === lib ? 'twice in lib' : `in lib ${other.lib.name} and lib`;
      const first = other.at === undefined ? '' : `, first at ${other.at}`;
      this.#problem('duplicate', name, lib.name, `^${name} is declared ${also} ${lib.name}${first}`, at);
      return;
    }
    const tags = new Map<string, TagVal>();
    for (const [k, v] of d) tags.set(k, v);
    const own = tags.get('lib');
    if (own !== undefined) {
      // Normalization: "It is invalid for any def to declare its own lib tag"; the inferred value itself is tolerated.
      if (!(own instanceof Sym) || own.val !== lib.sym.val)
        this.#problem('invalid', name, lib.name, `^${name} declares lib ${String(own)} but is in lib ${lib.name}`, at);
      tags.delete('lib');
    }
    const draft: Draft = { name, parts, lib, at, tags, is: [], effective: undefined, def: undefined };
    this.#drafts.set(name, draft);
    lib.drafts.push(draft);
  }

  // Resolve: tag names and symbol values must name defs in the lib's namespace (its defs and its direct depends).
  #resolve(): void {
    const byName = new Map(this.#libs.map((l) => [l.name, l]));
    const all = new Set(this.#drafts.keys());
    for (const lib of this.#libs) {
      const scope = this.#normalized ? all : new Set(lib.drafts.map((d) => d.name));
      for (const dep of lib.depends) {
        const other = byName.get(dep);
        if (other === undefined) {
          this.#problem(
            'undefined',
            `lib:${dep}`,
            lib.name,
            `Lib ${lib.name} depends on lib ${dep}, which is not loaded`,
            lib.metaAt,
          );
        } else if (scope !== all) for (const d of other.drafts) scope.add(d.name);
      }
      lib.scope = scope;
    }
    if (!this.#normalized) this.#dependencyCycles(byName);
    for (const lib of this.#libs) {
      const scope = lib.scope ?? all;
      for (const d of lib.drafts) this.#resolveTags(d.name, lib.name, d.tags, scope, d.at);
      for (const { dict: x, at } of lib.defx) {
        const target = symName(x.get('defx')) ?? '';
        if (!scope.has(target))
          this.#problem(
            'undefined',
            target,
            lib.name,
            `defx ^${target} in lib ${lib.name} extends no def in scope`,
            at,
          );
        this.#resolveTags(target, lib.name, x, scope, at);
      }
    }
  }

  #resolveTags(
    owner: string,
    lib: string,
    tags: Iterable<readonly [string, TagVal]>,
    scope: ReadonlySet<string>,
    at: string | undefined,
  ): void {
    for (const [k, v] of tags) {
      if (!scope.has(k))
        this.#problem('undefined', owner, lib, `^${owner} uses tag ${k}, which has no def in scope`, at);
      // A lib meta's depends name libs, not defs of its scope: the lib checks report them once.
      if (k === 'depends' && owner.startsWith('lib:')) continue;
      for (const s of isList(v) || v instanceof Sym ? symbolNames(v) : []) {
        if (!scope.has(s))
          this.#problem('undefined', owner, lib, `^${owner} refers to ^${s}, which has no def in scope`, at);
      }
    }
  }

  // Namespaces (Libs): libs are modules, so no lib may depend on itself through its depends. Each cycle is named
  // once, at the lib meta whose depends closes it.
  #dependencyCycles(byName: ReadonlyMap<string, LibDraft>): void {
    dependencyOrder(
      this.#libs,
      (lib) => lib.name,
      (lib) => lib.depends,
      (name) => byName.get(name),
      (lib, cycle) => {
        const text = cycle.join(' depends on ');
        this.#problem('cycle', lib.sym.val, lib.name, `Lib dependency cycle: ${text}`, lib.metaAt);
      },
    );
  }

  // Taxonify: supertypes from `is`, implied for keys and composes; no cycles. Returns supertypes-first order.
  #taxonify(): Draft[] {
    for (const d of this.#drafts.values()) {
      const declared = d.tags.get('is');
      const { kind, head, tail } = d.parts;
      if (kind === 'key' || kind === 'compose') {
        // Defs: keys subtype their feature, composes their child; neither may declare `is`.
        const implied = (kind === 'key' ? head : tail) as string;
        if (declared !== undefined && !(this.#normalized && symbolNames(declared).join() === implied)) {
          this.#problem('invalid', d.name, d.lib.name, `^${d.name} is a ${kind} and must not declare is`, d.at);
        }
        d.is = [implied];
      } else if (declared === undefined) {
        if (!ROOTS.has(d.name)) this.#problem('invalid', d.name, d.lib.name, `^${d.name} has no is tag`, d.at);
      } else {
        d.is = symbolNames(declared);
        if (d.is.length === 0) this.#problem('invalid', d.name, d.lib.name, `^${d.name}: is must be Symbols`, d.at);
      }
      d.is = d.is.filter((s) => {
        if (this.#drafts.has(s)) return true;
        if (kind === 'key' || kind === 'compose')
          this.#problem('undefined', d.name, d.lib.name, `^${d.name} implies supertype ^${s}, which has no def`, d.at);
        return false;
      });
    }
    // A supertype that closes a cycle is reported and dropped, so that the taxonomy below is a tree of types.
    const cut: [Draft, string][] = [];
    const order = dependencyOrder(
      this.#drafts.values(),
      (d) => d.name,
      (d) => d.is,
      (name) => this.#drafts.get(name),
      (d, cycle) => {
        const text = cycle.map((n) => `^${n}`).join(' is ');
        this.#problem('cycle', d.name, d.lib.name, `Subtyping cycle: ${text}`, d.at);
        cut.push([d, cycle[cycle.length - 1] as string]);
      },
    );
    for (const [d, s] of cut) d.is = d.is.filter((x) => x !== s);
    return order;
  }

  // Names of `name` and all its supertypes (after taxonify), memoized.
  #fits(name: string): ReadonlySet<string> {
    let set = this.#ancestors.get(name);
    if (set === undefined) {
      const s = new Set<string>([name]);
      for (const p of this.#drafts.get(name)?.is ?? []) for (const a of this.#fits(p)) s.add(a);
      set = s;
      this.#ancestors.set(name, set);
    }
    return set;
  }

  #marked(tag: string, marker: string): boolean {
    return this.#drafts.get(tag)?.tags.has(marker) === true;
  }

  // Defx: add tags to their def; a tag already there is a duplicate unless it accumulates.
  #defx(): void {
    for (const lib of this.#libs) {
      for (const { dict: x, at } of lib.defx) {
        const target = this.#drafts.get(symName(x.get('defx')) ?? '');
        if (target === undefined) continue;
        for (const [k, v] of x) {
          if (k === 'defx') continue;
          const had = target.tags.get(k);
          if (had === undefined) target.tags.set(k, v);
          else if (this.#marked(k, 'accumulate')) target.tags.set(k, union(had, v));
          else
            this.#problem(
              'duplicate',
              target.name,
              lib.name,
              `defx ^${target.name} in lib ${lib.name} sets tag ${k}, which the def already has`,
              at,
            );
        }
      }
    }
  }

  // Normalize tags: the inferred lib; list-typed tags (is, tagOn, ...) always as lists.
  #normalizeTags(): void {
    for (const d of this.#drafts.values()) {
      for (const [k, v] of d.tags) {
        if (!isList(v) && this.#fits(k).has('list')) d.tags.set(k, Object.freeze([v]));
      }
      if (d.is.length > 0 || d.tags.has('is')) d.tags.set('is', Object.freeze(d.is.map((s) => new Sym(s))));
      d.tags.set('lib', d.lib.sym);
    }
  }

  // Inherit: each supertype in `is` order gives the tags not yet declared nor inherited, except notInherited ones;
  // accumulate tags are aggregated.
  #inherit(d: Draft): void {
    const eff = new Map(d.tags);
    const from = new Map<string, string>();
    for (const s of d.is) {
      const sup = this.#drafts.get(s);
      if (sup?.effective === undefined) continue;
      for (const [k, v] of sup.effective) {
        if (k === 'def' || k === 'lib' || k === 'is' || this.#marked(k, 'notInherited')) continue;
        const had = eff.get(k);
        if (had === undefined) {
          eff.set(k, v);
          from.set(k, s);
        } else if (this.#marked(k, 'accumulate')) {
          eff.set(k, union(had, v));
        } else {
          const first = from.get(k);
          if (first !== undefined && first !== s && !equals(had, v)) {
            this.#problem(
              'conflict',
              d.name,
              d.lib.name,
              `^${d.name} inherits ${k} from ^${first} and ^${s} with different values: it takes ^${first}'s, the ` +
                `first in its is; Normalization (Inherit) asks it to declare its own ${k}`,
              d.at,
            );
          }
        }
      }
    }
    d.effective = eff;
  }

  // Validation: the extra checks of the Normalization chapter.
  #validate(): void {
    for (const lib of this.#libs) {
      for (const tag of ['doc', 'version']) {
        if (!lib.meta.has(tag))
          this.#problem('invalid', lib.sym.val, lib.name, `Lib ${lib.name} has no ${tag}`, lib.metaAt);
      }
      if (this.#normalized) continue;
      if (lib.name !== 'ph' && !lib.depends.includes('ph'))
        this.#problem('invalid', lib.sym.val, lib.name, `Lib ${lib.name} must depend on lib ph`, lib.metaAt);
      // Their kinds (version a Str, baseUri a Uri) are checked with every tag below; these are their forms.
      const version = lib.meta.get('version');
      if (typeof version === 'string' && !VERSION.test(version))
        this.#problem(
          'invalid',
          lib.sym.val,
          lib.name,
          `Lib ${lib.name}: version ${JSON.stringify(version)} is not decimal integers separated by dots`,
          lib.metaAt,
        );
      const base = lib.meta.get('baseUri');
      if (base instanceof Uri && !ABSOLUTE_URI.test(base.val))
        this.#problem(
          'invalid',
          lib.sym.val,
          lib.name,
          `Lib ${lib.name}: baseUri \`${base.val}\` is not an absolute URI`,
          lib.metaAt,
        );
    }
    for (const d of this.#drafts.values()) {
      const { name } = d;
      const lib = d.lib.name;
      const bad = (message: string): void => {
        this.#problem('invalid', name, lib, message, d.at);
      };
      if (name === 'index') bad('^index is reserved for documentation');
      if (d.parts.kind === 'conjunct') {
        for (const t of d.parts.tags)
          if (!this.#fits(t).has('marker')) bad(`Conjunct ^${name}: ${t} is not a marker def`);
      }
      if (d.parts.kind === 'key' && !this.#fits(d.parts.head ?? '').has('feature'))
        bad(`Key ^${name}: ${d.parts.head ?? ''} is not a feature`);
      const fits = this.#fits(name);
      for (const [k, v] of d.tags) {
        if (k === 'lib') continue;
        if (this.#marked(k, 'computedFromReciprocal') || this.#marked(k, 'computed'))
          bad(`^${name} declares the computed tag ${k}`);
        if (k === 'tagOn' && d.parts.kind !== 'tag') bad(`tagOn on ^${name}, which is not a tag def`);
        if (this.#fits(k).has('relationship') && !fits.has('ref'))
          bad(`^${name} uses relationship ${k} but is not a ref`);
        const want = this.#valueKind(k);
        if (want !== undefined && kindOf(v) !== want) bad(`^${name}: tag ${k} must be a ${want}, not ${kindOf(v)}`);
      }
      if (fits.has('choice')) {
        const of = symName(d.tags.get('of') ?? null);
        if (of !== undefined && !this.#fits(of).has('marker')) bad(`Choice ^${name}: of ^${of} is not a marker`);
      }
    }
  }

  // The value kind a tag's def requires: its nearest supertype that names a kind, if any.
  #valueKind(tag: string): string | undefined {
    const d = this.#drafts.get(tag);
    if (d === undefined) return undefined;
    const queue = [d];
    for (let i = 0; i < queue.length; i++) {
      const q = queue[i] as Draft;
      if (KIND_NAMES.has(q.name)) return q.name;
      for (const p of q.is) {
        const pd = this.#drafts.get(p);
        if (pd !== undefined) queue.push(pd);
      }
    }
    return undefined;
  }

  #generate(order: readonly Draft[]): Compiled {
    const defs = new Map<string, Def>();
    for (const d of order) {
      const supers = d.is.map((s) => this.#drafts.get(s)?.def).filter((x): x is Def => x !== undefined);
      const def = new Def(d.name, d.parts, d.lib.name, Dict.fromTrustedMap(d.effective ?? d.tags), supers);
      d.def = def;
    }
    // Defs in declaration order, libs in input order.
    const libs: LibInfo[] = [];
    for (const lib of this.#libs) {
      const own = lib.drafts.map((d) => d.def).filter((x): x is Def => x !== undefined);
      for (const d of own) defs.set(d.name, d);
      const meta = own.find((d) => d.name === lib.sym.val);
      if (meta === undefined) continue;
      libs.push(
        Object.freeze({ name: lib.name, def: meta, depends: Object.freeze(lib.depends), defs: Object.freeze(own) }),
      );
    }
    return { defs, libs: Object.freeze(libs), problems: Object.freeze([...this.#problems]) };
  }
}

// Accumulate: the values of both, as one list without repeats.
function union(a: TagVal, b: TagVal): TagVal {
  const out: TagVal[] = [];
  // A declared list may repeat itself too (phIoT's airHandlingEquip children): a union holds each value once.
  for (const v of [...(isList(a) ? a : [a]), ...(isList(b) ? b : [b])]) {
    if (v !== null && !out.some((x) => equals(x, v))) out.push(v);
  }
  return Object.freeze(out);
}

/**
 * Depth-first walk of a graph of named nodes: `edges` names what a node depends on (a name `get` does not find is
 * no edge). An edge back to a node on the current path closes a cycle: `onCycle` is told the node and the cycle's
 * names, from the repeated one round to it again, and the edge is not followed. Returns the nodes, each after what
 * it depends on.
 */
function dependencyOrder<T>(
  nodes: Iterable<T>,
  nameOf: (node: T) => string,
  edges: (node: T) => readonly string[],
  get: (name: string) => T | undefined,
  onCycle: (node: T, cycle: readonly string[]) => void,
): T[] {
  const order: T[] = [];
  // 1 while a node is on the path, 2 once it and what it depends on are done.
  const state = new Map<string, 1 | 2>();
  const path: string[] = [];
  const visit = (node: T): void => {
    const name = nameOf(node);
    state.set(name, 1);
    path.push(name);
    for (const to of edges(node)) {
      const next = get(to);
      if (next === undefined) continue;
      const st = state.get(to);
      if (st === 1) onCycle(node, [...path.slice(path.indexOf(to)), to]);
      else if (st === undefined) visit(next);
    }
    path.pop();
    state.set(name, 2);
    order.push(node);
  };
  for (const node of nodes) if (!state.has(nameOf(node))) visit(node);
  return order;
}
