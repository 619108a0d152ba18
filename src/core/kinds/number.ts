// The Number kind: a float64 with an optional unit; INF, -INF and NaN included.

import { ValueError } from '../errors.js';
import { hashFloat, hashString, mix } from './hash.js';
import { registerValueClass } from './value-class.js';

const VALID_UNITS = new Set<string>();

/** True if every character is a Zinc unit char: alpha, `%`, `_`, `/`, `$`, or any char above 128. */
export function isValidUnit(unit: string): boolean {
  if (typeof unit !== 'string' || unit.length === 0) return false;
  if (VALID_UNITS.has(unit)) return true;
  for (let i = 0; i < unit.length; i++) {
    const c = unit.charCodeAt(i);
    // Zinc: <unitChar> := <alpha> | "%" | "_" | "/" | "$" | any char > 128
    const ok = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 37 || c === 95 || c === 47 || c === 36 || c > 128;
    if (!ok) return false;
  }
  if (VALID_UNITS.size < 10_000) VALID_UNITS.add(unit);
  return true;
}

/** The Number kind. Always an object, so code never has to ask "number or Num?". */
export class Num {
  /** The float value (may be Infinity, -Infinity or NaN). */
  readonly val: number;
  /** The unit symbol, or undefined for a unitless number. */
  readonly unit: string | undefined;

  /** Validating constructor; prefer {@link num}. An empty unit means no unit. */
  constructor(val: number, unit?: string | null) {
    if (typeof val !== 'number') throw new ValueError(`Number value must be a number, got ${typeof val}`);
    const u = unit === null || unit === undefined || unit === '' ? undefined : unit;
    if (u !== undefined) {
      if (typeof u !== 'string') throw new ValueError(`Number unit must be a string, got ${typeof u}`);
      if (Number.isNaN(val)) throw new ValueError('NaN cannot have a unit');
      if (!isValidUnit(u)) throw new ValueError(`Invalid unit ${JSON.stringify(u)}`);
    }
    this.val = val;
    this.unit = u;
  }

  /** Kind name. */
  get kind(): 'number' {
    return 'number';
  }

  /** True if NaN. */
  get isNaN(): boolean {
    return Number.isNaN(this.val);
  }

  /** Same value (NaN equals NaN, 0 equals -0) and same unit. */
  equals(other: unknown): boolean {
    if (!(other instanceof Num)) return false;
    if (this.unit !== other.unit) return false;
    return this.val === other.val || (Number.isNaN(this.val) && Number.isNaN(other.val));
  }

  /** Orders by value (NaN after +INF), then by unit (unitless first). */
  compareTo(other: Num): number {
    const c = compareFloat(this.val, other.val);
    if (c !== 0) return c;
    if (this.unit === other.unit) return 0;
    if (this.unit === undefined) return -1;
    if (other.unit === undefined) return 1;
    return this.unit < other.unit ? -1 : 1;
  }

  /** Hash of value and unit. */
  hash(): number {
    const h = hashFloat(this.val);
    return this.unit === undefined ? h : mix(h, hashString(this.unit));
  }

  /** Zinc form, e.g. `72.5°F`, `-0`, `INF`, `NaN`; Zinc has no unit on INF/-INF, so theirs is left out (as Haxall does). */
  toString(): string {
    return numberText(this.val, this.unit);
  }
}
registerValueClass(Num);

/**
 * Zinc: <number> := <decimal> | "INF" | "-INF" | "NaN" ; JS exponent form (`1e+21`) is valid Zinc. `-0` keeps
 * its sign (`-0` is a Zinc decimal). INF and -INF are written without their unit: the grammar has none there and
 * Haxall rejects `INF°F`; the JSON forms keep such a unit (`{"_kind":"number","val":"INF","unit":"°F"}`).
 * The one text of a Number: {@link Num.toString} and the Zinc writers (which have no Num for a history's floats).
 */
export function numberText(v: number, unit: string | undefined): string {
  if (v === Number.POSITIVE_INFINITY) return 'INF';
  if (v === Number.NEGATIVE_INFINITY) return '-INF';
  if (Number.isNaN(v)) return 'NaN';
  const s = floatText(v);
  return unit === undefined ? s : s + unit;
}

/** A finite float as text: JS's shortest round-trip form, with `-0` keeping its sign (`String(-0)` is `0`). */
export function floatText(v: number): string {
  return v === 0 && 1 / v < 0 ? '-0' : String(v);
}

/** Total order on floats: -INF < ... < +INF < NaN, with -0 equal to 0. */
export function compareFloat(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  const an = Number.isNaN(a);
  const bn = Number.isNaN(b);
  return an === bn ? 0 : an ? 1 : -1;
}

/** Make a Number, e.g. `num(72.5, '°F')`. */
export function num(val: number, unit?: string | null): Num {
  return new Num(val, unit);
}
