// The Dict kind: an immutable map of tag names to non-null values.

import { ValueError } from '../errors.js';
import { HDateTime } from '../kinds/date-time.js';
import { compare, equals, hash } from '../kinds/equality.js';
import { hashString, mix } from '../kinds/hash.js';
import type { List, Val } from '../kinds/kind.js';
import { Num } from '../kinds/number.js';
import { Ref } from '../kinds/ref.js';
import { isValueObject, registerValueClass } from '../kinds/value-class.js';
import { isTagName } from './tag-name.js';

/** A non-null value, as stored in a Dict. */
export type TagVal = Exclude<Val, null>;

/** What {@link dict} accepts: a record, entries, a Map or a Dict; null and undefined values are dropped. */
export type DictInit =
  | Readonly<Record<string, unknown>>
  | Iterable<readonly [string, unknown]>
  | ReadonlyMap<string, unknown>
  | Dict;

/**
 * The Dict kind. Backed by a Map (measured faster than a null-prototype object for tag lookups), so
 * names such as `constructor` or `__proto__` are ordinary keys and never reach a prototype.
 */
export class Dict implements Iterable<readonly [string, TagVal]> {
  readonly #tags: ReadonlyMap<string, TagVal>;

  private constructor(tags: ReadonlyMap<string, TagVal>) {
    this.#tags = tags;
  }

  /** The empty Dict. */
  static readonly EMPTY: Dict = new Dict(new Map());

  /** Build a Dict, validating tag names and converting JS values (see {@link toVal}). */
  static of(init?: DictInit | null): Dict {
    if (init === undefined || init === null) return Dict.EMPTY;
    if (init instanceof Dict) return init;
    const m = new Map<string, TagVal>();
    const entries: Iterable<readonly [string, unknown]> =
      init instanceof Map || isIterable(init) ? (init as Iterable<readonly [string, unknown]>) : Object.entries(init);
    for (const [name, raw] of entries) {
      if (!isTagName(name)) throw new ValueError(`Invalid tag name ${JSON.stringify(name)}`);
      if (raw === null || raw === undefined) continue;
      m.set(name, toVal(raw) as TagVal);
    }
    return m.size === 0 ? Dict.EMPTY : new Dict(m);
  }

  /**
   * Wrap a Map without copying or validating. For readers that have already checked the grammar:
   * the caller gives up the Map, whose names must be valid and whose values must be non-null Vals.
   */
  static fromTrustedMap(tags: Map<string, TagVal>): Dict {
    return new Dict(tags);
  }

  /** Kind name. */
  get kind(): 'dict' {
    return 'dict';
  }

  /** Number of tags. */
  get size(): number {
    return this.#tags.size;
  }

  /** True if there are no tags. */
  get isEmpty(): boolean {
    return this.#tags.size === 0;
  }

  /** The tag's value, or null when absent. */
  get(name: string): Val {
    return this.#tags.get(name) ?? null;
  }

  /** True if the tag is present. */
  has(name: string): boolean {
    return this.#tags.has(name);
  }

  /** True if the tag is absent. */
  missing(name: string): boolean {
    return !this.#tags.has(name);
  }

  /** Tag names in insertion order. */
  get names(): readonly string[] {
    return [...this.#tags.keys()];
  }

  /** Tag names in insertion order. */
  keys(): IterableIterator<string> {
    return this.#tags.keys();
  }

  /** `[name, value]` pairs in insertion order. */
  entries(): IterableIterator<[string, TagVal]> {
    return this.#tags.entries();
  }

  /** `[name, value]` pairs in insertion order. */
  [Symbol.iterator](): IterableIterator<[string, TagVal]> {
    return this.#tags.entries();
  }

  /** Call `fn` for every tag. */
  forEach(fn: (val: TagVal, name: string) => void): void {
    this.#tags.forEach(fn);
  }

  /** The `id` tag if it is a Ref. */
  get id(): Ref | undefined {
    const v = this.#tags.get('id');
    return v instanceof Ref ? v : undefined;
  }

  /** Display text by the Haystack rules: `dis`, else `navName`, else the id's display, else `def`. */
  dis(): string {
    const d = this.#tags.get('dis');
    if (typeof d === 'string') return d;
    const n = this.#tags.get('navName');
    if (typeof n === 'string') return n;
    const id = this.id;
    if (id !== undefined) return id.display;
    const def = this.#tags.get('def');
    return def === undefined ? '' : String(def);
  }

  /** A copy with `name` set (null removes it). */
  set(name: string, val: unknown): Dict {
    if (!isTagName(name)) throw new ValueError(`Invalid tag name ${JSON.stringify(name)}`);
    const m = new Map(this.#tags);
    if (val === null || val === undefined) m.delete(name);
    else m.set(name, toVal(val) as TagVal);
    return new Dict(m);
  }

  /** A copy without `name`. */
  remove(name: string): Dict {
    if (!this.#tags.has(name)) return this;
    const m = new Map(this.#tags);
    m.delete(name);
    return new Dict(m);
  }

  /** A copy with the other's tags added over these (null or undefined values, in any init form, remove). */
  merge(other: DictInit): Dict {
    const m = new Map(this.#tags);
    if (other instanceof Dict) {
      for (const [k, v] of other.#tags) m.set(k, v);
      return new Dict(m);
    }
    const entries: Iterable<readonly [string, unknown]> =
      other instanceof Map || isIterable(other)
        ? (other as Iterable<readonly [string, unknown]>)
        : Object.entries(other);
    for (const [k, v] of entries) {
      if (!isTagName(k)) throw new ValueError(`Invalid tag name ${JSON.stringify(k)}`);
      if (v === null || v === undefined) m.delete(k);
      else m.set(k, toVal(v) as TagVal);
    }
    return new Dict(m);
  }

  /** A fresh null-prototype record of the tags. */
  toObject(): Record<string, TagVal> {
    const o = Object.create(null) as Record<string, TagVal>;
    for (const [k, v] of this.#tags) o[k] = v;
    return o;
  }

  /** Same names with equal values. */
  equals(other: unknown): boolean {
    if (other === this) return true;
    if (!(other instanceof Dict) || other.#tags.size !== this.#tags.size) return false;
    for (const [k, v] of this.#tags) {
      const o = other.#tags.get(k);
      if (o === undefined || !equals(v, o)) return false;
    }
    return true;
  }

  /** Orders by sorted names, then values in name order. */
  compareTo(other: Dict): number {
    const a = [...this.#tags.keys()].sort();
    const b = [...other.#tags.keys()].sort();
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const ka = a[i] as string;
      const kb = b[i] as string;
      if (ka !== kb) return ka < kb ? -1 : 1;
    }
    if (a.length !== b.length) return a.length - b.length;
    for (const k of a) {
      const c = compare(this.#tags.get(k) ?? null, other.#tags.get(k) ?? null);
      if (c !== 0) return c;
    }
    return 0;
  }

  /** Order-independent hash of the tags. */
  hash(): number {
    let h = 0;
    for (const [k, v] of this.#tags) h = (h + mix(hashString(k), hash(v))) | 0;
    return mix(h, 5);
  }

  /** Debug form `{name:val ...}`. */
  toString(): string {
    const parts: string[] = [];
    for (const [k, v] of this.#tags)
      parts.push(typeof v === 'string' ? `${k}:${JSON.stringify(v)}` : `${k}:${String(v)}`);
    return `{${parts.join(' ')}}`;
  }
}
registerValueClass(Dict);

function isIterable(x: unknown): x is Iterable<unknown> {
  return typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}

/** Make a Dict: `dict({ site: MARKER, dis: 'Alpha', area: num(1000, 'ft²') })`. */
export function dict(init?: DictInit | null): Dict {
  return Dict.of(init);
}

/**
 * A JS value as a Haystack value: Vals pass through, a JS number becomes a unitless Number, a JS
 * Date a UTC DateTime, an array a frozen List, a plain object or Map a Dict. Anything else throws.
 */
export function toVal(x: unknown): Val {
  if (x === null || x === undefined) return null;
  switch (typeof x) {
    case 'string':
    case 'boolean':
      return x;
    case 'number':
      return new Num(x);
    case 'object': {
      if (isValueObject(x)) return x as Val;
      if (Array.isArray(x)) return list(...(x as unknown[]));
      if (x instanceof Date) return HDateTime.fromEpochMs(x.getTime());
      if (x instanceof Map) return Dict.of(x as Map<string, unknown>);
      const proto = Object.getPrototypeOf(x) as unknown;
      if (proto === Object.prototype || proto === null) return Dict.of(x as Record<string, unknown>);
      break;
    }
    default:
  }
  throw new ValueError(`Not a Haystack value: ${Object.prototype.toString.call(x)}`);
}

/** Make a List (a frozen array), converting items with {@link toVal}. */
export function list(...items: readonly unknown[]): List {
  return Object.freeze(items.map(toVal));
}
