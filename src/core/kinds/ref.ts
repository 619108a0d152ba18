// The Ref kind: an entity identifier with an optional display name.

import { ValueError } from '../errors.js';
import { hashString, mix } from './hash.js';
import { registerValueClass } from './value-class.js';

/** True if `c` is a Zinc refChar: alpha, digit, `_`, `:`, `-`, `.`, `~`. */
export function isRefChar(c: number): boolean {
  // Zinc: <refChar> := <alpha> | <digit> | "_" | ":" | "-" | "." | "~"
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 58) ||
    c === 95 ||
    c === 45 ||
    c === 46 ||
    c === 126
  );
}

/** True if `s` is non-empty and made only of refChars (valid as a Ref id or a Symbol). */
export function isRefId(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) if (!isRefChar(s.charCodeAt(i))) return false;
  return true;
}

// Set only around the constructor call in trustedRef (which cannot throw with a string id).
let trusted = false;

/** The Ref kind. Equality, order and hash use the id only; `dis` is for display. */
export class Ref {
  /** The id, without the `@`. */
  readonly id: string;
  /** Display name, if known. */
  readonly dis: string | undefined;

  /** Validating constructor; prefer {@link ref}. */
  constructor(id: string, dis?: string | null) {
    if (!trusted && (typeof id !== 'string' || !isRefId(id)))
      throw new ValueError(`Invalid Ref id ${JSON.stringify(id)}`);
    if (dis !== null && dis !== undefined && typeof dis !== 'string') throw new ValueError('Ref dis must be a string');
    this.id = id;
    this.dis = dis === null || dis === undefined ? undefined : dis;
  }
  /** Kind name. */
  get kind(): 'ref' {
    return 'ref';
  }
  /** Same id (Haxall semantics: the display name does not take part). */
  equals(other: unknown): boolean {
    return other instanceof Ref && other.id === this.id;
  }
  /** Orders by id. */
  compareTo(other: Ref): number {
    return this.id < other.id ? -1 : this.id > other.id ? 1 : 0;
  }
  /** Hash of the id. */
  hash(): number {
    return mix(hashString(this.id), 2);
  }
  /** The display name if there is one, else the id. */
  get display(): string {
    return this.dis ?? this.id;
  }
  /** A copy with another display name. */
  withDis(dis: string | undefined): Ref {
    return new Ref(this.id, dis);
  }
  /** Zinc form `@id "dis"` (dis omitted when absent). */
  toString(): string {
    return this.dis === undefined ? `@${this.id}` : `@${this.id} ${JSON.stringify(this.dis)}`;
  }
}
registerValueClass(Ref);

/** A Ref whose id a reader has already checked char by char: skips the constructor's second scan (hot in decoders). */
export function trustedRef(id: string, dis?: string): Ref {
  trusted = true;
  const r = new Ref(id, dis);
  trusted = false;
  return r;
}

/** Make a Ref, e.g. `ref('site-1', 'Alpha')`. */
export function ref(id: string, dis?: string | null): Ref {
  return new Ref(id, dis);
}
