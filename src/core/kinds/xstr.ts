// The XStr kind: a value of a type the model does not know, as a type name and a string.

import { ValueError } from '../errors.js';
import { hashString, mix } from './hash.js';
import { registerValueClass } from './value-class.js';

/** True if `s` is an XStr type name: an uppercase letter then letters, digits or `_`. */
export function isXStrType(s: string): boolean {
  if (s.length === 0) return false;
  const c0 = s.charCodeAt(0);
  if (c0 < 65 || c0 > 90) return false;
  for (let i = 1; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95)) return false;
  }
  return true;
}

/** The XStr kind, e.g. `Bin("text/plain")`. */
export class XStr {
  /** Type name, starting with an uppercase letter. */
  readonly type: string;
  /** The encoded value. */
  readonly val: string;

  /** Validating constructor; prefer {@link xstr}. */
  constructor(type: string, val: string) {
    if (typeof type !== 'string' || !isXStrType(type))
      throw new ValueError(`Invalid XStr type ${JSON.stringify(type)}`);
    if (typeof val !== 'string') throw new ValueError('XStr value must be a string');
    this.type = type;
    this.val = val;
  }
  /** Kind name. */
  get kind(): 'xstr' {
    return 'xstr';
  }
  /** Same type and value. */
  equals(other: unknown): boolean {
    return other instanceof XStr && other.type === this.type && other.val === this.val;
  }
  /** Orders by type, then value. */
  compareTo(other: XStr): number {
    if (this.type !== other.type) return this.type < other.type ? -1 : 1;
    return this.val < other.val ? -1 : this.val > other.val ? 1 : 0;
  }
  /** Hash of type and value. */
  hash(): number {
    return mix(hashString(this.type), hashString(this.val));
  }
  /** Zinc form `Type("val")`. */
  toString(): string {
    return `${this.type}(${JSON.stringify(this.val)})`;
  }
}
registerValueClass(XStr);

/** Make an XStr, e.g. `xstr('Bin', 'text/plain')`. */
export function xstr(type: string, val: string): XStr {
  return new XStr(type, val);
}
