// A bounded LRU cache of parsed filters, keyed by filter text.

import { OptionError } from '../errors.js';
import { Filter } from './filter.js';
import { checkFilterLimits, type FilterLimits, parseFilterAst } from './parser.js';

/** Options of a {@link FilterCache}. */
export interface FilterCacheOptions {
  /** Most filters kept; the least recently used is dropped first. Default 1,000. */
  readonly capacity?: number;
  /** Limits applied when parsing. Default {@link DEFAULT_FILTER_LIMITS}. */
  readonly limits?: FilterLimits;
}

/**
 * Parsed filters by text, least recently used dropped first. Filters are immutable, so a cached one can be
 * shared by any number of callers. Text that fails to parse is not cached (its error is thrown each time).
 */
export class FilterCache {
  readonly #capacity: number;
  readonly #limits: FilterLimits | undefined;
  // A Map iterates in insertion order: re-inserting on a hit makes the first key the least recently used.
  readonly #map = new Map<string, Filter>();

  constructor(options?: FilterCacheOptions) {
    const capacity = options?.capacity ?? 1000;
    if (!Number.isInteger(capacity) || capacity < 0) {
      const code = typeof capacity === 'number' ? 'HS_ERR_OPTION_RANGE' : 'HS_ERR_OPTION_TYPE';
      throw new OptionError(code, 'capacity', `Invalid filter cache capacity ${String(capacity)}`);
    }
    if (options?.limits !== undefined) checkFilterLimits(options.limits);
    this.#capacity = capacity;
    this.#limits = options?.limits;
  }

  /** The filter for `text`, parsed on a miss. Throws what {@link parseFilterAst} throws. */
  get(text: string): Filter {
    const map = this.#map;
    const hit = map.get(text);
    if (hit !== undefined) {
      map.delete(text);
      map.set(text, hit);
      return hit;
    }
    const f = Filter.fromAst(parseFilterAst(text, this.#limits));
    if (this.#capacity > 0) {
      if (map.size >= this.#capacity) {
        const oldest = map.keys().next();
        if (oldest.done !== true) map.delete(oldest.value);
      }
      map.set(text, f);
    }
    return f;
  }

  /** True if `text` is cached (does not count as a use). */
  has(text: string): boolean {
    return this.#map.has(text);
  }

  /** Number of cached filters. */
  get size(): number {
    return this.#map.size;
  }

  /** The capacity. */
  get capacity(): number {
    return this.#capacity;
  }

  /** Drop every cached filter. */
  clear(): void {
    this.#map.clear();
  }
}
