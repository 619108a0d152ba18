// The Symbol kind: a name of a def, such as `^elec-meter`.

import { ValueError } from '../errors.js';
import { hashString, mix } from './hash.js';
import { isRefId } from './ref.js';
import { registerValueClass } from './value-class.js';

/** The Symbol kind (named `Sym` to leave the JS `Symbol` alone). */
export class Sym {
  /** The name, without the `^`. */
  readonly val: string;

  /** Validating constructor; prefer {@link sym}. */
  constructor(val: string) {
    // Zinc: <symbol> := "^" <refChar>+
    if (typeof val !== 'string' || !isRefId(val)) throw new ValueError(`Invalid Symbol ${JSON.stringify(val)}`);
    this.val = val;
  }
  /** Kind name. */
  get kind(): 'symbol' {
    return 'symbol';
  }
  /** Same name. */
  equals(other: unknown): boolean {
    return other instanceof Sym && other.val === this.val;
  }
  /** Orders by name. */
  compareTo(other: Sym): number {
    return this.val < other.val ? -1 : this.val > other.val ? 1 : 0;
  }
  /** Hash of the name. */
  hash(): number {
    return mix(hashString(this.val), 3);
  }
  /** Zinc form `^name`. */
  toString(): string {
    return `^${this.val}`;
  }
}
registerValueClass(Sym);

/** Make a Symbol, e.g. `sym('elec-meter')`. */
export function sym(val: string): Sym {
  return new Sym(val);
}
