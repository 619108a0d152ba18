// The filter-to-SQL compiler: a filter AST becomes one boolean SQL expression over the `entity` and `tag` tables.
//
// Dialect-neutral: a dialect only says how bound parameters are written. Every node is pushed down, and the SQL is
// exactly the in-process evaluator (src/core/filter/compile.ts) on every entity, except where a `->` path enters a
// Dict value or a DateTime (`->date`, `->time`, `->tz`): there the SQL lets the entity through and `recheck` says
// so, and the store evaluates the filter on those candidates in process. The rules it mirrors:
//   - `==` needs the same kind and value (Numbers: the same unit; DateTimes: the same zone too); ordering needs the
//     same kind (Numbers: the same unit), DateTimes order by instant; NaN satisfies no comparison.
//   - `!=` needs a present value that is not `==` (a List is never `==` to a Ref).
//   - Filters#refLists: `tag == @x` and Ref ordering also match a List holding such a Ref (the List's Ref rows).
//   - `a->b`: each Ref at `a` (alone or in a List) is resolved and `b` read there; an unresolved hop is absent, so
//     `not a->b` holds for it, and for any `a` that is not a Ref (a List included, as in Haxall's walk).

import type { Buffer } from 'node:buffer';
import type { CmpOp, FilterLiteral, FilterNode, FilterPath } from '../../core/filter/ast.js';
import { HDate } from '../../core/kinds/date.js';
import { Num } from '../../core/kinds/number.js';
import { Ref } from '../../core/kinds/ref.js';
import { Sym } from '../../core/kinds/symbol.js';
import { HTime } from '../../core/kinds/time.js';
import { Uri } from '../../core/kinds/uri.js';
import { checkOptionNames, type OptionNames } from '../../core/options.js';
import { TagKind, timeKey, utf16Key } from './tag-rows.js';

/** A value bound to a placeholder. */
export type SqlParam = string | number | Buffer | null;

/** What differs between databases for this compiler: how the n-th bound parameter is written. */
export interface SqlDialect {
  /** Dialect name, e.g. `sqlite`, `postgresql`. */
  readonly name: string;
  /** The placeholder of parameter `index` (1-based): `?1` in SQLite, `$1` in PostgreSQL. */
  placeholder(index: number): string;
  /**
   * A test that entity `alias` has tag `name` (a placeholder), when the database answers it better than a `tag` row
   * lookup (PostgreSQL: `alias.data ? $n` through a GIN index); the tag-row subquery otherwise.
   */
  readonly hasTag?: (alias: string, name: string) => string;
  /**
   * True when the store keeps no `tag` row for an entity's `id` (PostgreSQL): comparisons of `id` then read the entity
   * row's `id` column, and a `->` from `id` stays on the entity itself (its id names it).
   */
  readonly idFromEntity?: boolean;
}

/**
 * When the SQL answer needs an in-process check: `never` (exact), `nested` (exact unless the store holds Dict
 * values, which `->` may enter), `always` (a path goes through `->date`, `->time` or `->tz` of a DateTime).
 */
export type SqlRecheck = 'never' | 'nested' | 'always';

/** A compiled filter. */
export interface SqlFilter {
  /** A boolean SQL expression over the entity alias given to {@link compileFilterSql} (columns `rid`, `id`). */
  readonly where: string;
  /** Parameters, in placeholder order. */
  readonly params: readonly SqlParam[];
  /** Whether the rows it selects must be checked in process (they are then a superset of the matches). */
  readonly recheck: SqlRecheck;
}

/** Options of {@link compileFilterSql}. */
export interface CompileSqlOptions {
  /** Alias of the entity table in the enclosing query (default `e`). */
  readonly alias?: string;
  /** Parameters the enclosing query binds before these (default 0): placeholders start after them. */
  readonly paramOffset?: number;
  /** Name of the entity table (default `entity`). */
  readonly entityTable?: string;
  /** Name of the tag table (default `tag`). */
  readonly tagTable?: string;
}

const NO_OPTIONS: CompileSqlOptions = {};
const COMPILE_SQL_OPTIONS: OptionNames<CompileSqlOptions> = {
  alias: true,
  paramOffset: true,
  entityTable: true,
  tagTable: true,
};

/**
 * Compile a filter AST against the schema of tag-rows.ts: `entity(rid, id, ...)` and
 * `tag(rid, name, elem, kind, num, aux, unit, str, ref)`.
 */
export function compileFilterSql(ast: FilterNode, dialect: SqlDialect, options?: CompileSqlOptions): SqlFilter {
  if (options === undefined) options = NO_OPTIONS;
  else checkOptionNames('SQL filter options', options, COMPILE_SQL_OPTIONS);
  const c = new Ctx(dialect, options);
  const where = c.node(ast, options.alias ?? 'e');
  return Object.freeze({ where, params: Object.freeze(c.params), recheck: c.recheck });
}

const REF = TagKind.REF;

/**
 * `(a OP b OP c ...)` nested as a balanced tree of pairs. SQLite parses a chain as deep as it is long and refuses an
 * expression deeper than 1000, so a long `or` (a client's `id==@a or id==@b ...`) failed there while every other
 * store answered it; nested in halves, the depth is the logarithm of the length.
 */
function balanced(parts: readonly string[], op: 'AND' | 'OR', from = 0, to = parts.length): string {
  if (to - from === 1) return parts[from] as string;
  const mid = (from + to) >>> 1;
  return `(${balanced(parts, op, from, mid)} ${op} ${balanced(parts, op, mid, to)})`;
}
const FALSE = '(1=0)';

/**
 * Most terms of one `and` given to SQL. Each term is a subquery run on every entity the terms before it pass, so a
 * long chain that passes nearly everything (`id != @a and id != @b ...`) took SQLite seconds for 1,000 terms, holding
 * the store, and PostgreSQL as long for 800. Past this many, SQL narrows by the terms that narrow most and the whole
 * filter is checked in process on what it returns.
 */
export const MAX_SQL_AND_TERMS = 32;

// How little a term narrows: a tag that must be there or an equality first, `!=` and `not` last.
function looseness(n: FilterNode): number {
  if (n.type === 'has' || n.type === 'isSymbol' || (n.type === 'cmp' && n.op === '==')) return 0;
  return n.type === 'missing' || (n.type === 'cmp' && n.op === '!=') ? 2 : 1;
}

// The terms of an `and` SQL evaluates: all of them, or (past MAX_SQL_AND_TERMS) the ones that narrow most, in order.
function sqlAndTerms(args: readonly FilterNode[]): readonly FilterNode[] {
  if (args.length <= MAX_SQL_AND_TERMS) return args;
  return args
    .map((a, i) => ({ a, i, l: looseness(a) }))
    .sort((p, q) => p.l - q.l || p.i - q.i)
    .slice(0, MAX_SQL_AND_TERMS)
    .sort((p, q) => p.i - q.i)
    .map((p) => p.a);
}

class Ctx {
  readonly params: SqlParam[] = [];
  recheck: SqlRecheck = 'never';
  readonly #dialect: SqlDialect;
  readonly #offset: number;
  readonly #entity: string;
  readonly #tag: string;
  #aliases = 0;

  constructor(dialect: SqlDialect, options: CompileSqlOptions) {
    this.#dialect = dialect;
    this.#offset = options.paramOffset ?? 0;
    this.#entity = options.entityTable ?? 'entity';
    this.#tag = options.tagTable ?? 'tag';
  }

  node(n: FilterNode, x: string): string {
    switch (n.type) {
      case 'has':
        return this.#positive(n.path, 0, x, (y, name) => this.#has(y, name));
      case 'missing':
        return this.#missing(n.path, 0, x);
      case 'cmp': {
        const { op, val } = n;
        return this.#positive(n.path, 0, x, (y, name) => this.#cmp(y, name, op, val));
      }
      case 'and': {
        const terms = sqlAndTerms(n.args);
        // Fewer terms match more entities: the answer holds every match, and the filter itself picks them out.
        if (terms.length < n.args.length) this.recheck = 'always';
        return balanced(
          terms.map((a) => this.node(a, x)),
          'AND',
        );
      }
      case 'or':
        return balanced(
          n.args.map((a) => this.node(a, x)),
          'OR',
        );
      case 'isSymbol': {
        // Without a namespace a symbol matches every tag of its conjunct (`^hot-water`); a qualified one nothing.
        if (n.symbol.val.includes(':')) return FALSE;
        return `(${n.symbol.val
          .split('-')
          .map((t) => this.#has(x, t))
          .join(' AND ')})`;
      }
    }
  }

  #p(v: SqlParam): string {
    this.params.push(v);
    return this.#dialect.placeholder(this.#offset + this.params.length);
  }

  #alias(prefix: string): string {
    return `${prefix}${String(++this.#aliases)}`;
  }

  // A subquery over x's rows of tag `name`, with more conditions on the row alias.
  #tagExists(x: string, name: string, cond: (t: string) => string): string {
    const t = this.#alias('t');
    return `EXISTS (SELECT 1 FROM ${this.#tag} ${t} WHERE ${t}.rid = ${x}.rid AND ${t}.name = ${this.#p(name)}${cond(t)})`;
  }

  // Whether tag `name` is read from the entity row rather than from `tag` rows (see SqlDialect.idFromEntity).
  #idOnEntity(name: string): boolean {
    return name === 'id' && this.#dialect.idFromEntity === true;
  }

  #has(x: string, name: string): string {
    const hasTag = this.#dialect.hasTag;
    if (hasTag !== undefined) return hasTag(x, this.#p(name));
    return this.#tagExists(x, name, (t) => ` AND ${t}.elem = 0`);
  }

  #noteHop(next: string): boolean {
    const special = next === 'date' || next === 'time' || next === 'tz';
    if (special) this.recheck = 'always';
    else if (this.recheck === 'never') this.recheck = 'nested';
    return special;
  }

  // A test that is false on an absent value, at the end of `path` from x: true when some route through Refs (alone or
  // in Lists) reaches a value passing `atom`; entities whose hop is a Dict (or a DateTime before date/time/tz) pass too.
  #positive(path: FilterPath, i: number, x: string, atom: (y: string, name: string) => string): string {
    const name = path[i] as string;
    if (i === path.length - 1) return atom(x, name);
    if (this.#idOnEntity(name)) {
      this.#noteHop(path[i + 1] as string);
      return this.#positive(path, i + 1, x, atom);
    }
    const special = this.#noteHop(path[i + 1] as string);
    const t = this.#alias('t');
    const y = this.#alias('e');
    const hop =
      `EXISTS (SELECT 1 FROM ${this.#tag} ${t} JOIN ${this.#entity} ${y} ON ${y}.id = ${t}.ref` +
      ` WHERE ${t}.rid = ${x}.rid AND ${t}.name = ${this.#p(name)} AND ${t}.kind = ${String(REF)}` +
      ` AND ${this.#positive(path, i + 1, y, atom)})`;
    const kinds = special ? `${String(TagKind.DICT)}, ${String(TagKind.DATETIME)}` : String(TagKind.DICT);
    const guard = this.#tagExists(x, name, (g) => ` AND ${g}.elem = 0 AND ${g}.kind IN (${kinds})`);
    return `(${hop} OR ${guard})`;
  }

  // `not path`: the path yields no value on some route: x's tag is absent or not a Ref (a List falls through to
  // absent after its Refs), or one of its Refs is unresolved or leads to an entity where the rest is missing.
  #missing(path: FilterPath, i: number, x: string): string {
    const name = path[i] as string;
    if (i === path.length - 1) return `NOT ${this.#has(x, name)}`;
    this.#noteHop(path[i + 1] as string);
    // The id is a Ref to the entity itself: the rest of the path is missing there or nowhere.
    if (this.#idOnEntity(name)) return this.#missing(path, i + 1, x);
    const notRef = `NOT ${this.#tagExists(x, name, (t) => ` AND ${t}.elem = 0 AND ${t}.kind = ${String(REF)}`)}`;
    const t = this.#alias('t');
    const y = this.#alias('e');
    const viaRef =
      `EXISTS (SELECT 1 FROM ${this.#tag} ${t} LEFT JOIN ${this.#entity} ${y} ON ${y}.id = ${t}.ref` +
      ` WHERE ${t}.rid = ${x}.rid AND ${t}.name = ${this.#p(name)} AND ${t}.kind = ${String(REF)}` +
      ` AND (${y}.rid IS NULL OR ${this.#missing(path, i + 1, y)}))`;
    return `(${notRef} OR ${viaRef})`;
  }

  #cmp(x: string, name: string, op: CmpOp, lit: FilterLiteral): string {
    if (this.#idOnEntity(name)) {
      // Every entity has its id, a Ref: only a Ref literal compares with it.
      const cond = lit instanceof Ref ? `${x}.id ${op === '!=' || op === '==' ? '=' : op} ${this.#p(lit.id)}` : FALSE;
      return op === '!=' ? `NOT ${cond}` : cond;
    }
    if (op === '!=') {
      // Present and not equal; a List is never equal to a Ref, so only the tag's own value counts.
      const eq = this.#tagExists(x, name, (t) => ` AND ${t}.elem = 0 AND ${this.#valueCond(t, '==', lit)}`);
      return `(${this.#has(x, name)} AND NOT ${eq})`;
    }
    // Filters#refLists: Ref comparisons also see the Refs of a List (elem 1 rows); other kinds only the tag's value.
    const anyElem = lit instanceof Ref;
    return this.#tagExists(x, name, (t) => `${anyElem ? '' : ` AND ${t}.elem = 0`} AND ${this.#valueCond(t, op, lit)}`);
  }

  // The kind and ordering-column test of one row against a literal (op is never `!=` here).
  #valueCond(t: string, op: CmpOp, lit: FilterLiteral): string {
    const o = op === '==' ? '=' : op;
    const kind = (k: number): string => `${t}.kind = ${String(k)}`;
    if (typeof lit === 'string') return `${kind(TagKind.STR)} AND ${t}.str ${o} ${this.#p(utf16Key(lit))}`;
    if (typeof lit === 'boolean') return `${kind(TagKind.BOOL)} AND ${t}.num ${o} ${this.#p(lit ? 1 : 0)}`;
    if (lit instanceof Num) {
      return `${kind(TagKind.NUMBER)} AND ${t}.unit = ${this.#p(lit.unit ?? '')} AND ${t}.num ${o} ${this.#p(lit.val)}`;
    }
    if (lit instanceof Ref) return `${kind(REF)} AND ${t}.ref ${o} ${this.#p(lit.id)}`;
    if (lit instanceof Uri) return `${kind(TagKind.URI)} AND ${t}.str ${o} ${this.#p(utf16Key(lit.val))}`;
    if (lit instanceof Sym) return `${kind(TagKind.SYMBOL)} AND ${t}.str ${o} ${this.#p(utf16Key(lit.val))}`;
    if (lit instanceof HDate) return `${kind(TagKind.DATE)} AND ${t}.num ${o} ${this.#p(lit.toEpochDay())}`;
    if (lit instanceof HTime) return `${kind(TagKind.TIME)} AND ${t}.num ${o} ${this.#p(timeKey(lit))}`;
    // DateTime: `==` is the same instant in the same zone; ordering is by instant (ms, then sub-ms nanos).
    if (op === '==') {
      return (
        `${kind(TagKind.DATETIME)} AND ${t}.num = ${this.#p(lit.epochMs)}` +
        ` AND ${t}.aux = ${this.#p(lit.subMsNanos)} AND ${t}.unit = ${this.#p(lit.tz.name)}`
      );
    }
    const strict = op[0] as string;
    return (
      `${kind(TagKind.DATETIME)} AND (${t}.num ${strict} ${this.#p(lit.epochMs)}` +
      ` OR (${t}.num = ${this.#p(lit.epochMs)} AND ${t}.aux ${o} ${this.#p(lit.subMsNanos)}))`
    );
  }
}
