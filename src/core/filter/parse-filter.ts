// parseFilter: the front door from filter text to a compiled Filter, through a shared LRU cache.

import { FilterCache } from './cache.js';
import { Filter } from './filter.js';
import { type FilterLimits, parseFilterAst } from './parser.js';

const SHARED_CACHE = new FilterCache();

/**
 * Parse and compile a filter. Without `limits`, results come from a shared LRU cache of 1,000 filters, so
 * parsing the same text again is a map lookup. Throws `ParseError` (format `filter`, with line and column) for
 * text outside the grammar and `LimitError` for text longer or deeper than the limits.
 */
export function parseFilter(text: string, limits?: FilterLimits): Filter {
  if (limits === undefined) return SHARED_CACHE.get(text);
  return Filter.fromAst(parseFilterAst(text, limits));
}

/** The cache behind {@link parseFilter} (to inspect or clear it). */
export function sharedFilterCache(): FilterCache {
  return SHARED_CACHE;
}
