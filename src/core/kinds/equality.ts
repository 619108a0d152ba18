// One equality, one order and one hash for every value, dispatching on kind.

import { hashString, mix } from './hash.js';
import { isList, KINDS, type Kind, kindOf, type Val, type ValueObject } from './kind.js';

const KIND_RANK = new Map<Kind | 'null', number>([['null', -1], ...KINDS.map((k, i): [Kind, number] => [k, i])]);

/** Value equality: same kind and same value (NaN equals NaN; Refs by id; DateTimes by instant and zone). */
export function equals(a: Val, b: Val): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (isList(a)) {
    if (!isList(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equals(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  return (a as ValueObject).equals(b);
}

/** Total order: by kind first (null first), then within the kind. Zero exactly when {@link equals}. */
export function compare(a: Val, b: Val): number {
  if (a === b) return 0;
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka !== kb) return (KIND_RANK.get(ka) ?? 0) - (KIND_RANK.get(kb) ?? 0);
  switch (ka) {
    case 'str':
      return (a as string) < (b as string) ? -1 : 1;
    case 'bool':
      return a ? 1 : -1;
    case 'list': {
      const la = a as readonly Val[];
      const lb = b as readonly Val[];
      const n = Math.min(la.length, lb.length);
      for (let i = 0; i < n; i++) {
        const c = compare(la[i] ?? null, lb[i] ?? null);
        if (c !== 0) return c;
      }
      return la.length - lb.length;
    }
    default:
      return Math.sign((a as ValueObject).compareTo(b as never));
  }
}

/** 32-bit hash consistent with {@link equals}. */
export function hash(v: Val): number {
  if (v === null) return 0;
  switch (typeof v) {
    case 'string':
      return hashString(v);
    case 'boolean':
      return v ? 1231 : 1237;
    default: {
      if (Array.isArray(v)) {
        let h = 7;
        for (const x of v as readonly Val[]) h = mix(h, hash(x));
        return h;
      }
      return (v as ValueObject).hash();
    }
  }
}
