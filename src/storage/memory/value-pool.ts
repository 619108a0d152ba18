// Values as a memory store keeps them: repeated ones shared, and none holding on to the text they were decoded from.
//
// Every point of a data file decodes its own copy of "Number", "Denver" or @siteRef (a store of 200k entities held
// ~100 bytes per entity of such copies). And V8 makes a substring of 13 or more chars a view into its parent: one
// `dis` kept from a 47 MB Zinc file kept the whole text alive (94 MB as UTF-16, ~460 bytes per entity).

import { Buffer } from 'node:buffer';
import { Dict, type TagVal } from '../../core/grid/dict.js';
import { isAlwaysOwned, ownString } from '../../core/grid/own-string.js';
import { MARKER } from '../../core/kinds/marker.js';
import { Num } from '../../core/kinds/number.js';
import { Ref, trustedRef } from '../../core/kinds/ref.js';
import { Sym } from '../../core/kinds/symbol.js';
import { Uri } from '../../core/kinds/uri.js';
import { XStr } from '../../core/kinds/xstr.js';

// Short strings are the repeated ones (kinds, zones, units as Strs); longer ones (dis) are mostly unique.
const MAX_SHARED_LENGTH = 16;
// A pool holds at most this many values of each kind, then starts afresh: sharing saves memory, never costs it.
const MAX_POOLED = 1 << 18;

/** Shares equal short Strs and Refs without a display name among the values a store keeps; copies the others' text. */
export class ValuePool {
  readonly #strs = new Map<string, string>();
  readonly #refs = new Map<string, Ref>();
  // The last long Str copied: a stored entity's id Ref displays its `dis` tag, interned just before it, and shares
  // that copy instead of making a second one.
  #lastLong = '';

  /** An equal value, shared with earlier equal ones when it is a short Str or a Ref without `dis`. */
  readonly intern = (val: TagVal): TagVal => {
    if (typeof val === 'string') return this.#str(val);
    // Markers (most tags) and Bools first: they need nothing.
    if (val === MARKER || typeof val !== 'object') return val;
    if (val instanceof Ref) {
      if (val.dis === undefined) return this.#ref(val);
      return trustedRef(own(val.id), val.dis === this.#lastLong ? this.#lastLong : own(val.dis));
    }
    if (val instanceof Dict) return this.#dict(val);
    if (Array.isArray(val)) return Object.freeze((val as readonly TagVal[]).map((v) => this.intern(v)));
    if (val instanceof Num) return val.unit === undefined || isAlwaysOwned(val.unit) ? val : copyNum(val);
    if (val instanceof Uri) return isAlwaysOwned(val.val) ? val : new Uri(own(val.val));
    if (val instanceof Sym) return isAlwaysOwned(val.val) ? val : new Sym(own(val.val));
    if (val instanceof XStr) return new XStr(own(val.type), own(val.val));
    return val;
  };

  #str(s: string): string {
    if (s.length > MAX_SHARED_LENGTH) {
      this.#lastLong = own(s);
      return this.#lastLong;
    }
    const shared = this.#strs.get(s);
    if (shared !== undefined) return shared;
    const kept = own(s);
    pool(this.#strs, kept, kept);
    return kept;
  }

  #ref(r: Ref): Ref {
    const shared = this.#refs.get(r.id);
    if (shared !== undefined) return shared;
    const kept = isAlwaysOwned(r.id) ? r : trustedRef(own(r.id));
    pool(this.#refs, kept.id, kept);
    return kept;
  }

  // A nested Dict (such as a point's `custom` tags) with its values kept as the store keeps values.
  #dict(d: Dict): Dict {
    if (d.isEmpty) return Dict.EMPTY;
    const m = new Map<string, TagVal>();
    d.forEach((v, k) => {
      m.set(k, this.intern(v));
    });
    return Dict.fromTrustedMap(m);
  }
}

function pool<T>(p: Map<string, T>, key: string, val: T): void {
  if (p.size >= MAX_POOLED) p.clear();
  p.set(key, val);
}

function copyNum(n: Num): Num {
  return new Num(n.val, n.unit === undefined ? undefined : own(n.unit));
}

// Scratch for copying strings through UTF-8: 2-4x faster than ownString's JSON round trip (0.3 s of loading 200k
// entities).
const SCRATCH = Buffer.allocUnsafe(1 << 16);

/** `s` as a string of its own (see ownString). */
function own(s: string): string {
  if (isAlwaysOwned(s) || s.length * 3 > SCRATCH.length) return ownString(s);
  const out = SCRATCH.toString('utf8', 0, SCRATCH.write(s, 0, 'utf8'));
  // A lone surrogate does not survive UTF-8: such a string takes the slower copy.
  return out === s ? out : ownString(s);
}
