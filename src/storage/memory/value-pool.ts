// Repeated values of a memory store's entities, shared: every point of a data file decodes its own copy of
// "Number", "Denver" or @siteRef, and a store of 200k entities held ~100 bytes per entity of such copies.

import type { TagVal } from '../../core/grid/dict.js';
import { Ref } from '../../core/kinds/ref.js';

// Short strings are the repeated ones (kinds, zones, units as Strs); longer ones (dis) are mostly unique.
const MAX_SHARED_LENGTH = 16;
// A pool holds at most this many values of each kind, then starts afresh: sharing saves memory, never costs it.
const MAX_POOLED = 1 << 18;

/** Shares equal short Strs and Refs without a display name among the values a store keeps. */
export class ValuePool {
  readonly #strs = new Map<string, string>();
  readonly #refs = new Map<string, Ref>();

  /** An equal value, shared with earlier equal ones when it is a short Str or a Ref without `dis`. */
  readonly intern = (val: TagVal): TagVal => {
    if (typeof val === 'string') return val.length > MAX_SHARED_LENGTH ? val : pooled(this.#strs, val, val);
    if (val instanceof Ref && val.dis === undefined) return pooled(this.#refs, val.id, val);
    return val;
  };
}

function pooled<T>(pool: Map<string, T>, key: string, val: T): T {
  const shared = pool.get(key);
  if (shared !== undefined) return shared;
  if (pool.size >= MAX_POOLED) pool.clear();
  pool.set(key, val);
  return val;
}
