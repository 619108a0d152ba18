// A straightforward filter interpreter for the tests: walks the AST for every entity, following Haxall's
// SimpleFilter.matchesAt literally with the generic equals/compare. The compiled predicate must agree with it.

import {
  compare,
  Dict,
  equals,
  type FilterLiteral,
  type FilterNode,
  type FilterPath,
  HDateTime,
  isList,
  kindOf,
  Num,
  Ref,
  type RefResolver,
  type Val,
} from '../../../src/core/index.js';

/** True if `dict` matches `node`, computed the slow, obvious way. */
export function referenceMatches(node: FilterNode, dict: Dict, resolve?: RefResolver): boolean {
  switch (node.type) {
    case 'and':
      return node.args.every((a) => referenceMatches(a, dict, resolve));
    case 'or':
      return node.args.some((a) => referenceMatches(a, dict, resolve));
    case 'isSymbol':
      return !node.symbol.val.includes(':') && node.symbol.val.split('-').every((t) => dict.has(t));
    case 'has':
      return matchesAt(dict.get(node.path[0] ?? ''), 0, node.path, resolve, (v) => v !== null);
    case 'missing':
      return matchesAt(dict.get(node.path[0] ?? ''), 0, node.path, resolve, (v) => v === null);
    case 'cmp': {
      const lit = node.val;
      return matchesAt(dict.get(node.path[0] ?? ''), 0, node.path, resolve, (v) => cmp(node.op, v, lit));
    }
  }
}

function matchesAt(
  val: Val,
  level: number,
  path: FilterPath,
  resolve: RefResolver | undefined,
  test: (v: Val) => boolean,
): boolean {
  if (isList(val)) {
    for (const item of val) if (item instanceof Ref && matchesAt(item, level, path, resolve, test)) return true;
  }
  let v = val;
  if (level + 1 < path.length) {
    if (v instanceof Ref) v = resolve?.(v) ?? null;
    const name = path[level + 1] ?? '';
    if (v instanceof Dict) return matchesAt(v.get(name), level + 1, path, resolve, test);
    if (v instanceof HDateTime) {
      if (name === 'date') return matchesAt(v.date, level + 1, path, resolve, test);
      if (name === 'time') return matchesAt(v.time, level + 1, path, resolve, test);
      if (name === 'tz') return matchesAt(v.tz.name, level + 1, path, resolve, test);
    }
    v = null;
  }
  return test(v);
}

function cmp(op: string, v: Val, lit: FilterLiteral): boolean {
  if (v === null) return false;
  if (op === '==') return equals(v, lit);
  if (op === '!=') return !equals(v, lit);
  if (kindOf(v) !== kindOf(lit)) return false;
  let c: number;
  if (v instanceof Num && lit instanceof Num) {
    if (v.unit !== lit.unit || Number.isNaN(v.val)) return false;
    c = v.val - lit.val;
  } else if (v instanceof HDateTime && lit instanceof HDateTime) {
    c = v.epochMs - lit.epochMs || v.subMsNanos - lit.subMsNanos;
  } else {
    c = compare(v, lit);
  }
  switch (op) {
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    default:
      return c >= 0;
  }
}
