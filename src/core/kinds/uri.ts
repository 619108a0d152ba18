// The Uri kind: a URI string, kept as written.

import { ValueError } from '../errors.js';
import { hashString, mix } from './hash.js';
import { registerValueClass } from './value-class.js';

/** The Uri kind. */
export class Uri {
  /** The URI text. */
  readonly val: string;

  /** Prefer {@link uri}. */
  constructor(val: string) {
    if (typeof val !== 'string') throw new ValueError('Uri value must be a string');
    this.val = val;
  }
  /** Kind name. */
  get kind(): 'uri' {
    return 'uri';
  }
  /** Same text. */
  equals(other: unknown): boolean {
    return other instanceof Uri && other.val === this.val;
  }
  /** Orders by text. */
  compareTo(other: Uri): number {
    return this.val < other.val ? -1 : this.val > other.val ? 1 : 0;
  }
  /** Hash of the text. */
  hash(): number {
    return mix(hashString(this.val), 1);
  }
  /** The URI text. */
  toString(): string {
    return this.val;
  }
}
registerValueClass(Uri);

/** Make a Uri. */
export function uri(val: string): Uri {
  return new Uri(val);
}
