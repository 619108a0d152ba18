// Values as a store keeps them in process (the memory store, and the scan caches of the SQLite, PostgreSQL and Redis
// stores): repeated ones shared, and none holding on to the text they were decoded from.
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

/**
 * Shares equal short Strs, Refs without a display name and small nested Dicts of Strs and Markers among the values a
 * store keeps; copies the others' text.
 */
export class ValuePool {
  readonly #strs = new Map<string, string>();
  readonly #refs = new Map<string, Ref>();
  // Shared nested Dicts by hash.
  readonly #dicts = new Map<number, Dict[]>();
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

  /**
   * `d` with every value as {@link intern} keeps it: an entity a scan cache decoded from its stored JSON, whose
   * strings of 13 chars or more would otherwise be views into that text (measured: sorting a nav level's points
   * by `dis` took 3.5x as long over such views as over own strings).
   */
  entity(d: Dict): Dict {
    return this.#kept(d);
  }

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

  // A nested Dict (such as a point's `custom` tags), shared when small and made of Strs and Markers: Alpha's 1,791
  // nested Dicts hold 146 distinct ones (Bravo: 1,034 and 439), ~160 bytes each.
  #dict(d: Dict): Dict {
    if (!isShareable(d)) return this.#kept(d);
    const h = d.hash();
    let bucket = this.#dicts.get(h);
    if (bucket !== undefined) for (const e of bucket) if (e.equals(d) && sameOrder(e, d)) return e;
    const kept = this.#kept(d);
    if (bucket === undefined) pool(this.#dicts, h, (bucket = []));
    bucket.push(kept);
    return kept;
  }

  // A Dict of the same tags in the same order and shape, each value kept as the store keeps values.
  #kept(d: Dict): Dict {
    const values = d.shape.newValues();
    const present = d.presentSlots;
    for (const slot of present) values[slot] = this.intern(d.valueAt(slot) as TagVal);
    return Dict.fromShape(d.shape, values, present);
  }

  #ref(r: Ref): Ref {
    const shared = this.#refs.get(r.id);
    if (shared !== undefined) return shared;
    const kept = isAlwaysOwned(r.id) ? r : trustedRef(own(r.id));
    pool(this.#refs, kept.id, kept);
    return kept;
  }
}

// Dict equality ignores tag order, but a store gives back the order it was given.
function sameOrder(a: Dict, b: Dict): boolean {
  const an = a.names;
  const bn = b.names;
  for (let i = 0; i < an.length; i++) if (an[i] !== bn[i]) return false;
  return true;
}

// Most tags of a Dict worth sharing.
const MAX_SHARED_TAGS = 8;

// A Dict that equals only Dicts of the very same tags: Strs, Markers and Bools compare exactly (a Ref's display
// or a DateTime's zone would not take part in equality, and sharing would lose them).
function isShareable(d: Dict): boolean {
  if (d.size > MAX_SHARED_TAGS) return false;
  let ok = true;
  d.forEach((v) => {
    if (ok && !(typeof v === 'string' || typeof v === 'boolean' || v === MARKER)) ok = false;
  });
  return ok;
}

function pool<K, T>(p: Map<K, T>, key: K, val: T): void {
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
  // Latin-1 first: twice as fast as UTF-8 (most text is ASCII), and what it cannot carry does not compare equal.
  const latin1 = SCRATCH.toString('latin1', 0, SCRATCH.write(s, 0, 'latin1'));
  if (latin1 === s) return latin1;
  const out = SCRATCH.toString('utf8', 0, SCRATCH.write(s, 0, 'utf8'));
  // A lone surrogate does not survive UTF-8: such a string takes the slower copy.
  return out === s ? out : ownString(s);
}
