// Public door of the filter module: parse, compile, evaluate, format and plan Haystack filters.
//
//   const f = parseFilter('point and siteRef->dis == "Alpha"');
//   f.matches(dict, resolve);        // resolve: (ref: Ref) => Dict | undefined, e.g. refResolver(entities)
//   f.ast;                           // immutable AST (FilterNode); String(f) is the canonical text
//   planFilter(f.ast);               // { requiredTags, equalities, indexOnly, tags, usesRefs } for indexes

export {
  type AndNode,
  CMP_OPS,
  type CmpNode,
  type CmpOp,
  type FilterLiteral,
  type FilterNode,
  type FilterPath,
  filterAnd,
  filterCmp,
  filterEquals,
  filterHas,
  filterIsSymbol,
  filterLiteral,
  filterMissing,
  filterOr,
  filterPath,
  type HasNode,
  type IsSymbolNode,
  isPathName,
  type MissingNode,
  type OrNode,
  RESERVED_NAMES,
} from './ast.js';
export { FilterCache, type FilterCacheOptions } from './cache.js';
export { compileFilter, type FilterPredicate, type RefResolver } from './compile.js';
export { Filter, refResolver } from './filter.js';
export { formatFilter, formatLiteral } from './format.js';
export { parseFilter, sharedFilterCache } from './parse-filter.js';
export { DEFAULT_FILTER_LIMITS, type FilterLimits, parseFilterAst } from './parser.js';
export { type FilterEquality, type FilterPlan, planFilter } from './plan.js';
