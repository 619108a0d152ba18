// Filters as Redis set expressions: what the tag, Ref and value sets decide exactly, and a superset for the rest.

import type { FilterLiteral, FilterNode } from '../../core/filter/ast.js';
import type { Filter } from '../../core/filter/filter.js';
import { parseFilter } from '../../core/filter/parse-filter.js';
import { Num } from '../../core/kinds/number.js';
import { Ref } from '../../core/kinds/ref.js';
import { KEY, valueCode } from './redis-keys.js';

/** A set expression the QUERY script evaluates: every id, one index set, its complement, or and/or of others. */
export type SetExpr =
  | { readonly k: 'all' }
  | { readonly k: 'set' | 'not'; readonly key: string }
  | { readonly k: 'and' | 'or'; readonly a: readonly SetExpr[] }
  | NumberRange;

/**
 * Ids whose Number (in a sorted set by value) lies in a range: `lo`/`hi` as ZRANGEBYSCORE takes them, and the same
 * bounds as numbers for testing one id (`min`/`max` null when open, `minx`/`maxx` when exclusive).
 */
export interface NumberRange {
  /** Kind. */
  readonly k: 'range';
  /** The sorted set. */
  readonly key: string;
  /** ZRANGEBYSCORE min. */
  readonly lo: string;
  /** ZRANGEBYSCORE max. */
  readonly hi: string;
  /** Lower bound, or null. */
  readonly min: number | null;
  /** Upper bound, or null. */
  readonly max: number | null;
  /** Lower bound excluded. */
  readonly minx: boolean;
  /** Upper bound excluded. */
  readonly maxx: boolean;
}

// `name op number` as a range over the tag's sorted set for the literal's unit (filters order Numbers of one unit).
function numberRange(name: string, op: '<' | '<=' | '>' | '>=', lit: Num): NumberRange {
  const key = KEY.number(name, lit.unit);
  const x = String(lit.val);
  if (op === '>' || op === '>=') {
    const minx = op === '>';
    return { k: 'range', key, lo: minx ? `(${x}` : x, hi: '+inf', min: lit.val, max: null, minx, maxx: false };
  }
  const maxx = op === '<';
  return { k: 'range', key, lo: '-inf', hi: maxx ? `(${x}` : x, min: null, max: lit.val, minx: false, maxx };
}

/** A filter planned for the Redis store. */
export interface RedisQuery {
  /** The parsed filter, the judge of candidates when `exact` is false. */
  readonly filter: Filter;
  /** The set expression, as the script's JSON argument. */
  readonly expr: string;
  /** True when the sets answer the filter exactly (no evaluation in process). */
  readonly exact: boolean;
  /** True when the filter follows `->` paths (evaluation must resolve Refs). */
  readonly usesRefs: boolean;
}

const ALL: SetExpr = Object.freeze({ k: 'all' });
const PLANS = new WeakMap<Filter, RedisQuery>();

/** Parse (through the shared filter cache) and plan a filter; throws `ParseError` for bad text. */
export function planRedisQuery(text: string): RedisQuery {
  const filter = parseFilter(text);
  let q = PLANS.get(filter);
  if (q === undefined) {
    const ex = exact(filter.ast);
    const expr = ex ?? narrow(filter.ast) ?? ALL;
    q = Object.freeze({ filter, expr: JSON.stringify(expr), exact: ex !== undefined, usesRefs: usesRefs(filter.ast) });
    PLANS.set(filter, q);
  }
  return q;
}

// The index key of `name == literal`, when the literal's kind is indexed.
function equalityKey(name: string, val: FilterLiteral): string | undefined {
  if (val instanceof Ref) return KEY.ref(name, val.id);
  if (typeof val === 'string' || typeof val === 'boolean' || val instanceof Num) {
    const code = valueCode(val);
    return code === undefined ? undefined : KEY.value(name, code);
  }
  return undefined;
}

// The expression that answers `n` exactly, or undefined when some part needs evaluation in process.
function exact(n: FilterNode): SetExpr | undefined {
  switch (n.type) {
    case 'has':
      return n.path.length === 1 ? { k: 'set', key: KEY.tag(n.path[0] as string) } : undefined;
    case 'missing':
      return n.path.length === 1 ? { k: 'not', key: KEY.tag(n.path[0] as string) } : undefined;
    case 'cmp': {
      if (n.path.length !== 1 || n.op === '!=') return undefined;
      if (n.op !== '==') return n.val instanceof Num ? numberRange(n.path[0] as string, n.op, n.val) : undefined;
      const key = equalityKey(n.path[0] as string, n.val);
      return key === undefined ? undefined : { k: 'set', key };
    }
    case 'and':
    case 'or': {
      const a: SetExpr[] = [];
      for (const x of n.args) {
        const e = exact(x);
        if (e === undefined) return undefined;
        a.push(e);
      }
      return { k: n.type, a };
    }
    case 'isSymbol':
      return undefined;
  }
}

// A set holding every match of `n` (more is allowed), or undefined when no index narrows it.
function narrow(n: FilterNode): SetExpr | undefined {
  const e = exact(n);
  if (e !== undefined) return e;
  switch (n.type) {
    case 'has':
    case 'cmp':
      // Following a path or comparing (even `!=`) needs the first tag of the path.
      return { k: 'set', key: KEY.tag(n.path[0] as string) };
    case 'and': {
      const a = n.args.map(narrow).filter((x): x is SetExpr => x !== undefined);
      return a.length === 0 ? undefined : a.length === 1 ? a[0] : { k: 'and', a };
    }
    case 'or': {
      const a: SetExpr[] = [];
      for (const x of n.args) {
        const s = narrow(x);
        if (s === undefined) return undefined;
        a.push(s);
      }
      return { k: 'or', a };
    }
    case 'missing':
    case 'isSymbol':
      return undefined;
  }
}

function usesRefs(n: FilterNode): boolean {
  switch (n.type) {
    case 'and':
    case 'or':
      return n.args.some(usesRefs);
    case 'isSymbol':
      return false;
    default:
      return n.path.length > 1;
  }
}
