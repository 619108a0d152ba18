// The filter AST: immutable, normalized nodes and the factories that build them.

import { ValueError } from '../errors.js';
import { isTagName } from '../grid/tag-name.js';
import { HDate } from '../kinds/date.js';
import { HDateTime } from '../kinds/date-time.js';
import { equals } from '../kinds/equality.js';
import { Num } from '../kinds/number.js';
import { Ref } from '../kinds/ref.js';
import { Sym } from '../kinds/symbol.js';
import { HTime } from '../kinds/time.js';
import { Uri } from '../kinds/uri.js';

/**
 * A literal a filter may compare with. Filters: `<val> := <bool> | <ref> | <str> | <uri> | <number> | <date> |
 * <time>`, plus DateTime and Symbol literals, which Haxall accepts. Numbers are finite; Refs carry no display name.
 */
export type FilterLiteral = string | boolean | Num | Ref | Uri | HDate | HTime | HDateTime | Sym;

/** A path `name ("->" name)*`: a frozen, non-empty array of tag names. */
export type FilterPath = readonly string[];

/** A comparison operator. */
export type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** Every comparison operator, in grammar order. */
export const CMP_OPS: readonly CmpOp[] = Object.freeze(['==', '!=', '<', '<=', '>', '>='] as const);

/** `path`: matches when the path resolves to a value. */
export interface HasNode {
  /** Node type. */
  readonly type: 'has';
  /** The path. */
  readonly path: FilterPath;
}

/** `not path`: matches when the path does not resolve to a value. */
export interface MissingNode {
  /** Node type. */
  readonly type: 'missing';
  /** The path. */
  readonly path: FilterPath;
}

/** `path op literal`. */
export interface CmpNode {
  /** Node type. */
  readonly type: 'cmp';
  /** The operator. */
  readonly op: CmpOp;
  /** The path. */
  readonly path: FilterPath;
  /** The literal on the right-hand side. */
  readonly val: FilterLiteral;
}

/** `a and b and ...`: at least two operands, none of them an `and`. */
export interface AndNode {
  /** Node type. */
  readonly type: 'and';
  /** The operands, in source order. */
  readonly args: readonly FilterNode[];
}

/** `a or b or ...`: at least two operands, none of them an `or`. */
export interface OrNode {
  /** Node type. */
  readonly type: 'or';
  /** The operands, in source order. */
  readonly args: readonly FilterNode[];
}

/**
 * `^symbol` (a Haxall extension). Without a def namespace it matches dicts that have every tag of the
 * symbol's conjunct (`^hot-water` needs `hot` and `water`); `Namespace.expandSymbols` widens it to subtypes.
 */
export interface IsSymbolNode {
  /** Node type. */
  readonly type: 'isSymbol';
  /** The symbol. */
  readonly symbol: Sym;
}

/** Any filter AST node. */
export type FilterNode = HasNode | MissingNode | CmpNode | AndNode | OrNode | IsSymbolNode;

/** Words that are operators in the grammar and therefore cannot be tag names in a filter path. */
export const RESERVED_NAMES: ReadonlySet<string> = new Set(['and', 'or', 'not']);

/** True if `name` can appear in a filter path: a tag name that is not `and`, `or` or `not`. */
export function isPathName(name: string): boolean {
  return isTagName(name) && !RESERVED_NAMES.has(name);
}

/** A frozen path from `'a->b'` or `['a', 'b']`, validating every name. */
export function filterPath(path: string | readonly string[]): FilterPath {
  const names = typeof path === 'string' ? path.split('->') : [...path];
  if (names.length === 0) throw new ValueError('A filter path needs at least one name');
  for (const n of names) {
    if (!isPathName(n)) throw new ValueError(`Invalid filter path name ${JSON.stringify(n)}`);
  }
  return Object.freeze(names);
}

/** Check a literal and put it in canonical form (a Ref loses its display name, which filters ignore). */
export function filterLiteral(val: FilterLiteral): FilterLiteral {
  switch (typeof val) {
    case 'string':
    case 'boolean':
      return val;
    case 'object':
      if (val instanceof Num) {
        // Filters: <number> is Zinc's without the INF, -INF and NaN keywords.
        if (!Number.isFinite(val.val)) throw new ValueError(`Filter numbers must be finite, not ${val.toString()}`);
        return val;
      }
      if (val instanceof Ref) return val.dis === undefined ? val : new Ref(val.id);
      if (
        val instanceof Uri ||
        val instanceof HDate ||
        val instanceof HTime ||
        val instanceof HDateTime ||
        val instanceof Sym
      ) {
        return val;
      }
      break;
    default:
  }
  throw new ValueError(`Not a filter literal: ${String(val)}`);
}

/** Make `path` (has). */
export function filterHas(path: string | readonly string[]): HasNode {
  return Object.freeze({ type: 'has', path: filterPath(path) });
}

/** Make `not path` (missing). */
export function filterMissing(path: string | readonly string[]): MissingNode {
  return Object.freeze({ type: 'missing', path: filterPath(path) });
}

/** Make `path op val`. */
export function filterCmp(op: CmpOp, path: string | readonly string[], val: FilterLiteral): CmpNode {
  if (!CMP_OPS.includes(op)) throw new ValueError(`Unknown filter operator ${JSON.stringify(op)}`);
  return Object.freeze({ type: 'cmp', op, path: filterPath(path), val: filterLiteral(val) });
}

/** Make `a and b ...`; nested `and`s are flattened and a single operand is returned as is. */
export function filterAnd(...args: readonly FilterNode[]): FilterNode {
  return filterLogic('and', args);
}

/** Make `a or b ...`; nested `or`s are flattened and a single operand is returned as is. */
export function filterOr(...args: readonly FilterNode[]): FilterNode {
  return filterLogic('or', args);
}

/** Make `^symbol`. */
export function filterIsSymbol(symbol: Sym | string): IsSymbolNode {
  return Object.freeze({ type: 'isSymbol', symbol: typeof symbol === 'string' ? new Sym(symbol) : symbol });
}

/**
 * {@link filterAnd} or {@link filterOr} over an array: what the parser uses, since spreading a long chain's
 * operands into a call (or a push) overflows the stack past about 120,000 of them.
 */
export function filterLogic(type: 'and' | 'or', args: readonly FilterNode[]): FilterNode {
  const flat: FilterNode[] = [];
  for (const a of args) {
    if (a.type === type) for (const x of a.args) flat.push(x);
    else flat.push(a);
  }
  const only = flat[0];
  if (only === undefined) throw new ValueError(`'${type}' needs at least one operand`);
  if (flat.length === 1) return only;
  return Object.freeze({ type, args: Object.freeze(flat) });
}

/** Structural equality of two ASTs (literals by value equality). */
export function filterEquals(a: FilterNode, b: FilterNode): boolean {
  if (a === b) return true;
  switch (a.type) {
    case 'has':
    case 'missing':
      return b.type === a.type && pathEquals(a.path, b.path);
    case 'cmp':
      return (
        b.type === 'cmp' &&
        a.op === b.op &&
        pathEquals(a.path, b.path) &&
        equals(a.val, b.val) &&
        // equals() makes DateTimes in different zones unequal already; this keeps Numbers' -0 and 0 apart too.
        (!(a.val instanceof Num) || Object.is(a.val.val, (b.val as Num).val))
      );
    case 'and':
    case 'or':
      return (
        b.type === a.type &&
        a.args.length === b.args.length &&
        a.args.every((x, i) => filterEquals(x, b.args[i] as FilterNode))
      );
    case 'isSymbol':
      return b.type === 'isSymbol' && a.symbol.val === b.symbol.val;
  }
}

function pathEquals(a: FilterPath, b: FilterPath): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}
