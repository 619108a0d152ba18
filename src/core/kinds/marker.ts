// The three singleton kinds: Marker, NA and Remove.

import { hashString } from './hash.js';
import { registerValueClass } from './value-class.js';

/** The Marker kind: a tag that carries no value. Use the {@link MARKER} singleton. */
export class Marker {
  static readonly #instance = new Marker();
  private constructor() {}
  /** The singleton. */
  static get instance(): Marker {
    return Marker.#instance;
  }
  /** Kind name. */
  get kind(): 'marker' {
    return 'marker';
  }
  /** True only for the Marker singleton. */
  equals(other: unknown): boolean {
    return other === this;
  }
  /** Markers are all equal. */
  compareTo(_other: Marker): number {
    return 0;
  }
  /** Constant hash. */
  hash(): number {
    return MARKER_HASH;
  }
  /** Zinc form. */
  toString(): string {
    return 'M';
  }
}
registerValueClass(Marker);

/** The NA kind: "not available", e.g. a sensor reading that failed. Use the {@link NA} singleton. */
export class NAValue {
  static readonly #instance = new NAValue();
  private constructor() {}
  /** The singleton. */
  static get instance(): NAValue {
    return NAValue.#instance;
  }
  /** Kind name. */
  get kind(): 'na' {
    return 'na';
  }
  /** True only for the NA singleton. */
  equals(other: unknown): boolean {
    return other === this;
  }
  /** NAs are all equal. */
  compareTo(_other: NAValue): number {
    return 0;
  }
  /** Constant hash. */
  hash(): number {
    return NA_HASH;
  }
  /** Zinc form. */
  toString(): string {
    return 'NA';
  }
}
registerValueClass(NAValue);

/** The Remove kind: in a diff, removes the tag. Use the {@link REMOVE} singleton. */
export class Remove {
  static readonly #instance = new Remove();
  private constructor() {}
  /** The singleton. */
  static get instance(): Remove {
    return Remove.#instance;
  }
  /** Kind name. */
  get kind(): 'remove' {
    return 'remove';
  }
  /** True only for the Remove singleton. */
  equals(other: unknown): boolean {
    return other === this;
  }
  /** Removes are all equal. */
  compareTo(_other: Remove): number {
    return 0;
  }
  /** Constant hash. */
  hash(): number {
    return REMOVE_HASH;
  }
  /** Zinc form. */
  toString(): string {
    return 'R';
  }
}
registerValueClass(Remove);

/** Type of the NA singleton. */
export type NA = NAValue;

const MARKER_HASH = hashString('marker');
const NA_HASH = hashString('na');
const REMOVE_HASH = hashString('remove');

/** The Marker singleton. */
export const MARKER: Marker = Marker.instance;
/** The NA singleton. */
export const NA: NA = NAValue.instance;
/** The Remove singleton. */
export const REMOVE: Remove = Remove.instance;
