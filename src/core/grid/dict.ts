// The Dict kind: an immutable map of tag names to non-null values, stored as values aligned to a shared shape.

import { ValueError } from '../errors.js';
import { HDateTime } from '../kinds/date-time.js';
import { compare, equals, hash } from '../kinds/equality.js';
import { hashString, mix } from '../kinds/hash.js';
import type { List, Val } from '../kinds/kind.js';
import { Num } from '../kinds/number.js';
import { Ref } from '../kinds/ref.js';
import { isValueObject, registerValueClass } from '../kinds/value-class.js';
import { ownString } from './own-string.js';
import { isTagName } from './tag-name.js';

/** A non-null value, as stored in a Dict. */
export type TagVal = Exclude<Val, null>;

/** What {@link dict} accepts: a record, entries, a Map or a Dict; null and undefined values are dropped. */
export type DictInit =
  | Readonly<Record<string, unknown>>
  | Iterable<readonly [string, unknown]>
  | ReadonlyMap<string, unknown>
  | Dict;

let trustedShape: (names: readonly string[], slots: Map<string, number>) => DictShape;
let allSlotsOf: (shape: DictShape) => readonly number[];
let extendShape: (shape: DictShape, name: string) => DictShape | undefined;
let makeDict: (
  shape: DictShape,
  values: readonly TagVal[],
  present: readonly number[],
  positions: Int32Array | undefined,
) => Dict;

// Dicts made from names (Dict.of, fromTrustedMap, set) share shapes through a tree of transitions from the
// empty shape, one per appended name (as JS engines share hidden classes): entities of one kind share one shape,
// so they cost a values array each and repeated lookups find warm slot tables. The tree is bounded: past this
// many shared shapes, new name sequences get shapes of their own.
const MAX_SHARED_SHAPES = 4096;
let sharedShapes = 0;

/**
 * The tag names a family of Dicts shares, each at a fixed slot: a grid's columns, or one Dict's own names.
 * Low-level: readers build one per grid ({@link DictShape.of}) and its rows with {@link Dict.fromShape}, so that
 * lookups can cache a slot per shape. Slots live in a Map, so `constructor` or `__proto__` are ordinary names.
 */
export class DictShape {
  /** The names in slot order (frozen). */
  readonly names: readonly string[];
  readonly #slots: ReadonlyMap<string, number>;
  // Every slot absent; copied by newValues (a packed array of the exact size, in one allocation).
  #absent: (TagVal | undefined)[] | undefined;
  // Every slot, in order: the present slots of a Dict with no absent tags.
  #all: readonly number[] | undefined;
  // Shared shapes: this shape plus one name, the first one made and the others by name.
  #firstName: string | undefined;
  #first: DictShape | undefined;
  #next: Map<string, DictShape> | undefined;

  private constructor(names: readonly string[], slots: ReadonlyMap<string, number>) {
    this.names = names;
    this.#slots = slots;
    this.#absent = undefined;
    this.#all = undefined;
    this.#firstName = undefined;
    this.#first = undefined;
    this.#next = undefined;
  }

  static {
    trustedShape = (names, slots) => new DictShape(names, slots);
    extendShape = (shape, name) => {
      // Most shapes have one transition: it is checked before the Map.
      if (shape.#firstName === name) return shape.#first;
      let next = shape.#next?.get(name);
      if (next === undefined) {
        if (sharedShapes >= MAX_SHARED_SHAPES) return undefined;
        sharedShapes++;
        const slots = new Map(shape.#slots);
        // Shared shapes live as long as the process: a name must not be a view into the text it was decoded from.
        const own = ownString(name);
        slots.set(own, shape.names.length);
        next = new DictShape(Object.freeze([...shape.names, own]), slots);
        if (shape.#first === undefined) {
          shape.#firstName = own;
          shape.#first = next;
        } else {
          shape.#next ??= new Map();
          shape.#next.set(own, next);
        }
      }
      return next;
    };
    allSlotsOf = (shape) => {
      let all = shape.#all;
      if (all === undefined) {
        const a: number[] = [];
        for (let i = 0; i < shape.names.length; i++) a.push(i);
        shape.#all = all = Object.freeze(a);
      }
      return all;
    };
  }

  /** The shape with no names. */
  static readonly EMPTY: DictShape = new DictShape(Object.freeze([]), new Map());

  /** A shape of these names, which must be unique valid tag names (else ValueError). */
  static of(names: readonly string[]): DictShape {
    const slots = new Map<string, number>();
    for (let i = 0; i < names.length; i++) {
      const name = names[i] as string;
      checkTagName(name);
      if (slots.has(name)) throw new ValueError(`Duplicate tag name ${name}`);
      slots.set(name, i);
    }
    return slots.size === 0 ? DictShape.EMPTY : new DictShape(Object.freeze(names.slice()), slots);
  }

  /** Number of slots. */
  get size(): number {
    return this.names.length;
  }

  /** The slot of `name`, or -1 when the shape has no such name. */
  slot(name: string): number {
    return this.#slots.get(name) ?? -1;
  }

  /** A fresh values array for {@link Dict.fromShape}: one `undefined` (absent) per slot. */
  newValues(): (TagVal | undefined)[] {
    let a = this.#absent;
    if (a === undefined) {
      a = [];
      for (let i = 0; i < this.names.length; i++) a.push(undefined);
      this.#absent = a;
    }
    return a.slice();
  }
}

/**
 * The Dict kind: values aligned to a {@link DictShape}, `undefined` in the slots of absent tags, so that all rows
 * of a grid share the grid's shape whatever cells are null. Iteration is in insertion order, as with a Map (a new
 * tag goes last; a changed one keeps its place); names such as `constructor` or `__proto__` are ordinary tags.
 */
export class Dict implements Iterable<readonly [string, TagVal]> {
  readonly #shape: DictShape;
  // Aligned to the shape's slots, or (compact rows, when #positions is set) one per present slot in #present order.
  readonly #values: readonly (TagVal | undefined)[];
  // The slots that hold values, in insertion order (the iteration order); when the maker did not give them,
  // undefined until needed (lookups never need them) and then found in slot order.
  #present: readonly number[] | undefined;
  // Compact rows only: the index in #values of each slot's value, -1 when absent. A row of a sparse grid keeps its
  // cells, not a slot per column (a 100-column grid allocated 816 bytes a row), and rows with the same cells
  // share #present and #positions, so lookups still go through the grid's shape.
  readonly #positions: Int32Array | undefined;

  private constructor(
    shape: DictShape,
    values: readonly (TagVal | undefined)[],
    present: readonly number[] | undefined,
    positions?: Int32Array,
  ) {
    this.#shape = shape;
    this.#values = values;
    this.#present = present;
    this.#positions = positions;
  }

  static {
    makeDict = (shape, values, present, positions) => new Dict(shape, values, present, positions);
  }

  // The value in `slot`, whichever way the values are laid out.
  #at(slot: number): TagVal | undefined {
    const pos = this.#positions;
    if (pos === undefined) return this.#values[slot];
    const j = pos[slot];
    return j === undefined || j < 0 ? undefined : this.#values[j];
  }

  // A fresh copy of the values aligned to the shape's slots (what a changed copy is made of).
  #slotValues(): (TagVal | undefined)[] {
    const pos = this.#positions;
    if (pos === undefined) return this.#values.slice();
    const out = this.#shape.newValues();
    const p = this.#present as readonly number[];
    for (let j = 0; j < p.length; j++) out[p[j] as number] = this.#values[j];
    return out;
  }

  static #empty: Dict | undefined;

  /** The empty Dict. */
  static get EMPTY(): Dict {
    // Made on first use: tsc compiles this class's references to itself through an alias that is assigned
    // after the class body, so a static initializer that constructs a Dict runs too early (dist/ crashed).
    Dict.#empty ??= new Dict(DictShape.EMPTY, [], allSlotsOf(DictShape.EMPTY));
    return Dict.#empty;
  }

  /** Build a Dict, validating tag names and converting JS values (see {@link toVal}). */
  static of(init?: DictInit | null): Dict {
    if (init === undefined || init === null) return Dict.EMPTY;
    if (init instanceof Dict) return init;
    const entries = entriesOf(init);
    const names = new ShapeBuilder();
    const values: TagVal[] = [];
    for (const [name, raw] of entries) {
      checkTagName(name);
      if (raw === null || raw === undefined) continue;
      const v = toVal(raw) as TagVal;
      // A repeated name keeps its first position and takes the last value, as Map.set does.
      const i = names.slot(name);
      if (i >= 0) values[i] = v;
      else {
        names.add(name);
        values.push(v);
      }
    }
    if (values.length === 0) return Dict.EMPTY;
    const shape = names.build();
    return new Dict(shape, values, allSlotsOf(shape));
  }

  /**
   * A Dict of a Map's tags, in its order, without validating. For code that has already checked them: the names
   * must be valid tag names and the values non-null Vals. The Map is read, not kept.
   */
  static fromTrustedMap(tags: Map<string, TagVal>): Dict {
    if (tags.size === 0) return Dict.EMPTY;
    const names = new ShapeBuilder();
    // Sized up front: an array grown by push keeps spare capacity (17 slots for one tag), and stores keep Dicts.
    const values = new Array<TagVal>(tags.size);
    let i = 0;
    for (const [name, v] of tags) {
      names.add(name);
      values[i++] = v;
    }
    const shape = names.build();
    return new Dict(shape, values, allSlotsOf(shape));
  }

  /**
   * Low-level fast path for readers: a Dict of `values` aligned to `shape`, without copying or validating. The
   * caller gives up `values` (best made by {@link DictShape.newValues}), which must have `shape.size` items, each
   * a non-null Val or `undefined` (absent). `present`, if given, lists each slot that holds a value once, in
   * the order the tags are to be iterated (insertion order); otherwise they are iterated in slot order. Both
   * arrays are kept and never changed (so one constant `present` may serve many rows).
   */
  static fromShape(shape: DictShape, values: readonly (TagVal | undefined)[], present?: readonly number[]): Dict {
    if (values.length !== shape.size) throw new ValueError(`${values.length} values for ${shape.size} names`);
    return new Dict(shape, values, present);
  }

  /** Low-level: the shape the values are aligned to (for lookups that cache a slot per shape). */
  get shape(): DictShape {
    return this.#shape;
  }

  /** Low-level: the value in slot `slot` of {@link shape}, `undefined` when that tag is absent. */
  valueAt(slot: number): TagVal | undefined {
    return this.#at(slot);
  }

  /**
   * Low-level: the slots of {@link shape} that hold values, in iteration order (never to be changed). Dicts laid
   * out alike mostly share one array (the rows of a grid with the same cells, Dicts made from the same names), so
   * callers may cache work per array.
   */
  get presentSlots(): readonly number[] {
    return this.#slots();
  }

  // The present slots, found once by a scan when the maker did not give them.
  #slots(): readonly number[] {
    let p = this.#present;
    if (p === undefined) {
      const vs = this.#values;
      const found: number[] = [];
      for (let i = 0; i < vs.length; i++) if (vs[i] !== undefined) found.push(i);
      p = found.length === vs.length ? allSlotsOf(this.#shape) : found;
      this.#present = p;
    }
    return p;
  }

  /** Kind name. */
  get kind(): 'dict' {
    return 'dict';
  }

  /** Number of tags. */
  get size(): number {
    return this.#slots().length;
  }

  /** True if there are no tags. */
  get isEmpty(): boolean {
    return this.#slots().length === 0;
  }

  /** The tag's value, or null when absent. */
  get(name: string): Val {
    const i = this.#shape.slot(name);
    return i < 0 ? null : (this.#at(i) ?? null);
  }

  /** True if the tag is present. */
  has(name: string): boolean {
    const i = this.#shape.slot(name);
    return i >= 0 && this.#at(i) !== undefined;
  }

  /** True if the tag is absent. */
  missing(name: string): boolean {
    return !this.has(name);
  }

  /** Tag names in insertion order (a fresh array). */
  get names(): readonly string[] {
    const all = this.#shape.names;
    const p = this.#slots();
    const out: string[] = [];
    for (let j = 0; j < p.length; j++) out.push(all[p[j] as number] as string);
    return out;
  }

  /** Tag names in insertion order. */
  keys(): IterableIterator<string> {
    return new KeyIterator(this.#shape.names, this.#slots());
  }

  /** `[name, value]` pairs in insertion order. */
  entries(): IterableIterator<[string, TagVal]> {
    return new EntryIterator(this.#shape.names, this.#values, this.#slots(), this.#positions !== undefined);
  }

  /** `[name, value]` pairs in insertion order. */
  [Symbol.iterator](): IterableIterator<[string, TagVal]> {
    return new EntryIterator(this.#shape.names, this.#values, this.#slots(), this.#positions !== undefined);
  }

  /** Call `fn` for every tag. */
  forEach(fn: (val: TagVal, name: string) => void): void {
    const names = this.#shape.names;
    const vs = this.#values;
    const p = this.#slots();
    if (this.#positions !== undefined) {
      for (let j = 0; j < p.length; j++) fn(vs[j] as TagVal, names[p[j] as number] as string);
      return;
    }
    for (let j = 0; j < p.length; j++) {
      const i = p[j] as number;
      fn(vs[i] as TagVal, names[i] as string);
    }
  }

  /** The `id` tag if it is a Ref. */
  get id(): Ref | undefined {
    const v = this.get('id');
    return v instanceof Ref ? v : undefined;
  }

  /** Display text by the Haystack rules: `dis`, else `navName`, else the id's display, else `def`. */
  dis(): string {
    const d = this.get('dis');
    if (typeof d === 'string') return d;
    const n = this.get('navName');
    if (typeof n === 'string') return n;
    const id = this.id;
    if (id !== undefined) return id.display;
    const def = this.get('def');
    return def === null ? '' : String(def);
  }

  /** A copy with `name` set (null removes it). */
  set(name: string, val: unknown): Dict {
    checkTagName(name);
    if (val === null || val === undefined) return this.#without(name, true);
    const v = toVal(val) as TagVal;
    const i = this.#shape.slot(name);
    if (i >= 0 && this.#at(i) !== undefined) {
      // A present tag keeps its position, as with Map.set: same shape, same present slots.
      const values = this.#slotValues();
      values[i] = v;
      return new Dict(this.#shape, values, this.#present);
    }
    const p = this.#slots();
    // A new tag goes last (as with Map.set). A name the shape has keeps the shape (a grid row stays a row).
    if (i >= 0) {
      const values = this.#slotValues();
      values[i] = v;
      return new Dict(this.#shape, values, [...p, i]);
    }
    const names: string[] = [];
    const values: TagVal[] = [];
    this.forEach((x, k) => {
      names.push(k);
      values.push(x);
    });
    names.push(name);
    values.push(v);
    const shape = shapeOfUnique(names);
    return new Dict(shape, values, allSlotsOf(shape));
  }

  /** A copy without `name`. */
  remove(name: string): Dict {
    return this.#without(name, false);
  }

  // Without `name`: the same shape with that slot absent; `copy` makes a new Dict even when nothing changes.
  #without(name: string, copy: boolean): Dict {
    const i = this.#shape.slot(name);
    if (i < 0 || this.#at(i) === undefined) {
      return copy ? new Dict(this.#shape, this.#values, this.#present, this.#positions) : this;
    }
    const values = this.#slotValues();
    values[i] = undefined;
    return new Dict(
      this.#shape,
      values,
      this.#slots().filter((j) => j !== i),
    );
  }

  /** A copy with the other's tags added over these (null or undefined values, in any init form, remove). */
  merge(other: DictInit): Dict {
    const m = new Map<string, TagVal>();
    const put = (v: TagVal, k: string): void => {
      m.set(k, v);
    };
    this.forEach(put);
    if (other instanceof Dict) {
      other.forEach(put);
      return Dict.fromTrustedMap(m);
    }
    for (const [k, v] of entriesOf(other)) {
      checkTagName(k);
      if (v === null || v === undefined) m.delete(k);
      else m.set(k, toVal(v) as TagVal);
    }
    return Dict.fromTrustedMap(m);
  }

  /** A fresh null-prototype record of the tags. */
  toObject(): Record<string, TagVal> {
    const o = Object.create(null) as Record<string, TagVal>;
    this.forEach((v, k) => {
      o[k] = v;
    });
    return o;
  }

  /** Same names with equal values. */
  equals(other: unknown): boolean {
    if (other === this) return true;
    if (!(other instanceof Dict)) return false;
    const p = this.#slots();
    if (other.#slots().length !== p.length) return false;
    const names = this.#shape.names;
    // With equal sizes, every tag of this one present and equal in the other means the same names.
    const same = other.#shape === this.#shape;
    for (let j = 0; j < p.length; j++) {
      const i = p[j] as number;
      const o = same ? other.#at(i) : other.get(names[i] as string);
      if (o === undefined || o === null || !equals(this.#at(i) as TagVal, o)) return false;
    }
    return true;
  }

  /** Orders by sorted names, then values in name order. */
  compareTo(other: Dict): number {
    const a = [...this.names].sort();
    const b = [...other.names].sort();
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      const ka = a[i] as string;
      const kb = b[i] as string;
      if (ka !== kb) return ka < kb ? -1 : 1;
    }
    if (a.length !== b.length) return a.length - b.length;
    for (const k of a) {
      const c = compare(this.get(k), other.get(k));
      if (c !== 0) return c;
    }
    return 0;
  }

  /** Order-independent hash of the tags. */
  hash(): number {
    let h = 0;
    this.forEach((v, k) => {
      h = (h + mix(hashString(k), hash(v))) | 0;
    });
    return mix(h, 5);
  }

  /** Debug form `{name:val ...}`. */
  toString(): string {
    const parts: string[] = [];
    this.forEach((v, k) => {
      parts.push(typeof v === 'string' ? `${k}:${JSON.stringify(v)}` : `${k}:${String(v)}`);
    });
    return `{${parts.join(' ')}}`;
  }
}
registerValueClass(Dict);

// Distinct sets of cells whose layouts one grid keeps for its later rows: a grid whose every row differs gets a
// layout per row (an index of the grid's width) past this many, rather than a cache that keeps growing.
const MAX_ROW_LAYOUTS = 1024;

/** The cells a family of compact rows has: the slots present, in order, and each slot's index in the values. */
interface RowLayout {
  readonly present: readonly number[];
  readonly positions: Int32Array;
  // Another layout whose slots hash the same.
  next: RowLayout | undefined;
}

/**
 * Low-level, for readers: makes the rows of one grid in compact form, each holding only its non-null cells while
 * sharing the grid's {@link DictShape} (so lookups and writers still cache a slot per grid). Rows with the same
 * cells share one layout.
 */
export class CompactRows {
  /** Scratch for the row being read: its values, in order (the reader's to fill; nested grids have their own). */
  readonly values: TagVal[] = [];
  /** Scratch for the row being read: the slot of each value, in the order the row iterates its tags. */
  readonly slots: number[] = [];
  readonly #shape: DictShape;
  readonly #layouts = new Map<number, RowLayout>();
  #count = 0;

  /** Rows of `shape`. */
  constructor(shape: DictShape) {
    this.#shape = shape;
  }

  /** The grid's shape, which every row has. */
  get shape(): DictShape {
    return this.#shape;
  }

  /**
   * The row of the first `n` items of {@link values} at the first `n` {@link slots}, whose hash `hash` the caller
   * computed as `hash = (hash * 31 + slot + 1) | 0` from 0.
   */
  row(n: number, hash: number): Dict {
    const slots = this.slots;
    let layout = this.#layouts.get(hash);
    while (layout !== undefined && !sameItems(layout.present, slots, n)) layout = layout.next;
    if (layout === undefined) {
      const positions = new Int32Array(this.#shape.size).fill(-1);
      for (let j = 0; j < n; j++) positions[slots[j] as number] = j;
      layout = { present: Object.freeze(slots.slice(0, n)), positions, next: this.#layouts.get(hash) };
      if (this.#count++ < MAX_ROW_LAYOUTS) this.#layouts.set(hash, layout);
    }
    return makeDict(this.#shape, this.values.slice(0, n), layout.present, layout.positions);
  }
}

/** Whether `a` is the first `n` items of `b`, each the same (`===`). */
export function sameItems<T>(a: readonly T[], b: readonly T[], n: number): boolean {
  if (a.length !== n) return false;
  for (let j = 0; j < n; j++) if (a[j] !== b[j]) return false;
  return true;
}

/**
 * Builds the shape of names added one by one (each new to it): the shared shape while there are shared shapes
 * to be had, else a slot table of its own.
 */
class ShapeBuilder {
  #shared: DictShape | undefined = DictShape.EMPTY;
  #names: string[] | undefined;
  #slots: Map<string, number> | undefined;

  /** The slot of a name added so far, or -1. */
  slot(name: string): number {
    return this.#shared === undefined ? (this.#slots?.get(name) ?? -1) : this.#shared.slot(name);
  }

  /** Append a name that is not in the shape yet. */
  add(name: string): void {
    const shared = this.#shared;
    if (shared !== undefined) {
      const next = extendShape(shared, name);
      if (next !== undefined) {
        this.#shared = next;
        return;
      }
      this.#shared = undefined;
      this.#names = shared.names.slice();
      this.#slots = new Map(this.#names.map((n, i) => [n, i]));
    }
    if (this.#names === undefined || this.#slots === undefined) return;
    this.#slots.set(name, this.#names.length);
    this.#names.push(name);
  }

  /** The shape of the names added. */
  build(): DictShape {
    if (this.#shared !== undefined) return this.#shared;
    if (this.#names === undefined || this.#slots === undefined) return DictShape.EMPTY;
    return trustedShape(Object.freeze(this.#names), this.#slots);
  }
}

/**
 * Low-level, for stores and readers: a Dict of `names` (unique valid tag names) and their non-null `values`, in that
 * order, on the shared shapes, without a Map in between. `values` is kept, not copied. `like`, when its names are
 * `names` in the same order (a reader's previous Dict, most often), is taken as the shape without a lookup.
 */
export function trustedDict(names: readonly string[], values: readonly TagVal[], like?: DictShape): Dict {
  const shape = like !== undefined && sameItems(like.names, names, names.length) ? like : shapeOfUnique(names);
  return makeDict(shape, values, allSlotsOf(shape), undefined);
}

/** A shape of names known to be unique and valid. */
function shapeOfUnique(names: readonly string[]): DictShape {
  const b = new ShapeBuilder();
  for (const name of names) b.add(name);
  return b.build();
}

/** Iterates the names of the present tags. */
class KeyIterator implements IterableIterator<string> {
  readonly #names: readonly string[];
  readonly #present: readonly number[];
  #j = 0;

  constructor(names: readonly string[], present: readonly number[]) {
    this.#names = names;
    this.#present = present;
  }

  next(): IteratorResult<string> {
    const j = this.#j;
    if (j >= this.#present.length) return { value: undefined, done: true };
    this.#j = j + 1;
    return { value: this.#names[this.#present[j] as number] as string, done: false };
  }

  [Symbol.iterator](): IterableIterator<string> {
    return this;
  }
}

/** Iterates `[name, value]` pairs of the present tags. */
class EntryIterator implements IterableIterator<[string, TagVal]> {
  readonly #names: readonly string[];
  readonly #values: readonly (TagVal | undefined)[];
  readonly #present: readonly number[];
  // Values in present order (a compact row) rather than by slot.
  readonly #compact: boolean;
  readonly #result: IteratorYieldResult<[string, TagVal]> = { value: ['', ''], done: false };
  #j = 0;

  constructor(
    names: readonly string[],
    values: readonly (TagVal | undefined)[],
    present: readonly number[],
    compact: boolean,
  ) {
    this.#names = names;
    this.#values = values;
    this.#present = present;
    this.#compact = compact;
  }

  next(): IteratorResult<[string, TagVal]> {
    const j = this.#j;
    if (j >= this.#present.length) return { value: undefined, done: true };
    this.#j = j + 1;
    const i = this.#present[j] as number;
    const r = this.#result;
    r.value = [this.#names[i] as string, this.#values[this.#compact ? j : i] as TagVal];
    return r;
  }

  [Symbol.iterator](): IterableIterator<[string, TagVal]> {
    return this;
  }
}

/** The `[name, value]` pairs of a {@link DictInit} other than a Dict: a record's own entries, else its iteration. */
function entriesOf(init: Exclude<DictInit, Dict>): Iterable<readonly [string, unknown]> {
  return init instanceof Map || typeof (init as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function'
    ? (init as Iterable<readonly [string, unknown]>)
    : Object.entries(init);
}

/** Throw the ValueError of an invalid tag name. */
function checkTagName(name: string): void {
  if (!isTagName(name)) throw new ValueError(`Invalid tag name ${JSON.stringify(name)}`);
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
