// Filter compiler: turns an AST into one predicate made of closures specialized per node and literal kind.

import { Dict, type DictShape } from '../grid/dict.js';
import { HDate } from '../kinds/date.js';
import { HDateTime } from '../kinds/date-time.js';
import type { Val } from '../kinds/kind.js';
import { Num } from '../kinds/number.js';
import { Ref } from '../kinds/ref.js';
import { Sym } from '../kinds/symbol.js';
import { HTime } from '../kinds/time.js';
import { Uri } from '../kinds/uri.js';
import type { CmpOp, FilterLiteral, FilterNode, FilterPath } from './ast.js';

// `instanceof` an imported class stays a generic call in optimized code, since V8 does not take an import's
// binding to be constant (an exported class is a mutable binding of its module). The same class in a module-local
// const is folded into map checks once a predicate is inlined (the bench's `->` filter ran about 1.3x faster).
const DictClass = Dict;
const HDateClass = HDate;
const HDateTimeClass = HDateTime;
const HTimeClass = HTime;
const NumClass = Num;
const RefClass = Ref;
const SymClass = Sym;
const UriClass = Uri;

/** Maps a Ref to the entity it names, or undefined (or null) when there is none. */
export type RefResolver = (ref: Ref) => Dict | null | undefined;

/** A compiled filter: true when `dict` matches; `resolve` lets `->` dereference Refs. */
export type FilterPredicate = (dict: Dict, resolve?: RefResolver) => boolean;

type Pred = (d: Dict, r: RefResolver | undefined) => boolean;
type ValTest = (v: Val) => boolean;

/**
 * The engine's canonical copy of `s`. Map lookups and `===` on strings are fastest when both sides are the
 * same canonical string (readers that build keys from object literals or JSON.parse have canonical keys);
 * a property key is always canonical, so reading it back from an object yields one.
 */
function intern(s: string): string {
  return Object.keys({ [s]: 0 })[0] ?? s;
}

/** Reads one tag of a Dict: its value, or null when absent. */
type TagGetter = (d: Dict) => Val;

/** The slot of each of some tag names in `shape` (-1 where it has none); read at once, never kept. */
type SlotsOf = (shape: DictShape) => readonly number[];

// A cache that misses this often (Dicts of many shapes, such as a store's entities) makes plain lookups for
// the next PLAIN_LOOKUPS calls, then caches again: at worst a plain lookup, never a cache update per call.
const MISSES_BEFORE_PLAIN = 16;
const PLAIN_LOOKUPS = 1024;

/**
 * The slots of `names` with an inline cache: rows of one grid share a shape, so the slots found for the last
 * shape seen are reused while the shape stays the same (one comparison instead of a Map lookup per name). The
 * shape before it is kept too, so that Dicts of two shapes in turn (the rows of two grids) do not count as misses.
 * Shapes are immutable, so a slot found once stays right.
 */
function shapeSlots(names: readonly string[]): SlotsOf {
  const fill = (s: DictShape, out: number[]): number[] => {
    for (let i = 0; i < names.length; i++) out[i] = s.slot(names[i] as string);
    return out;
  };
  const plain = names.map(() => -1);
  let shape: DictShape | undefined;
  let slots = names.map(() => -1);
  let prevShape: DictShape | undefined;
  let prevSlots = names.map(() => -1);
  let misses = 0;
  // Out of line, so that the hit path stays small enough for the engine to inline into every caller.
  const miss = (s: DictShape): readonly number[] => {
    const swap = slots;
    if (s === prevShape) {
      slots = prevSlots;
    } else {
      if (misses >= MISSES_BEFORE_PLAIN) {
        if (++misses < MISSES_BEFORE_PLAIN + PLAIN_LOOKUPS) return fill(s, plain);
        misses = 0;
      }
      misses++;
      slots = fill(s, prevSlots);
    }
    prevShape = shape;
    prevSlots = swap;
    shape = s;
    return slots;
  };
  return (s) => (s === shape ? slots : miss(s));
}

/** The slot of `name` with the same cache as {@link shapeSlots}, the slot in a variable of its own (one load less). */
function shapeSlot(name: string): (shape: DictShape) => number {
  let shape: DictShape | undefined;
  let slot = -1;
  let prevShape: DictShape | undefined;
  let prevSlot = -1;
  let misses = 0;
  const miss = (s: DictShape): number => {
    const swap = slot;
    if (s === prevShape) {
      slot = prevSlot;
    } else {
      if (misses >= MISSES_BEFORE_PLAIN) {
        if (++misses < MISSES_BEFORE_PLAIN + PLAIN_LOOKUPS) return s.slot(name);
        misses = 0;
      }
      misses++;
      slot = s.slot(name);
    }
    prevShape = shape;
    prevSlot = swap;
    shape = s;
    return slot;
  };
  return (s) => (s === shape ? slot : miss(s));
}

/** A getter of tag `name`, its slot cached per shape. */
function tagGetter(name: string): TagGetter {
  const slotOf = shapeSlot(name);
  return (d) => {
    const i = slotOf(d.shape);
    return i < 0 ? null : (d.valueAt(i) ?? null);
  };
}

/** A test of the value in one slot of a Dict's shape; the slot is -1 when the shape has no such tag. */
type SlotTest = (d: Dict, slot: number) => boolean;

/** A test of one tag of the Dict itself (a path of one name): the operand kind that and-chains are made of. */
interface TagTerm {
  readonly name: string;
  readonly test: SlotTest;
}

const hasSlot: SlotTest = (d, i) => i >= 0 && d.valueAt(i) !== undefined;
const missingSlot: SlotTest = (d, i) => i < 0 || d.valueAt(i) === undefined;

/** Compile an AST into a predicate; the AST is walked once here, never per entity. */
export function compileFilter(node: FilterNode): FilterPredicate {
  return compile(node);
}

function compile(node: FilterNode): Pred {
  const term = tagTerm(node);
  if (term !== undefined) return compileTags([term]);
  switch (node.type) {
    case 'has':
      return compilePath(node.path, (v) => v !== null, hasSlot);
    case 'missing':
      return compilePath(node.path, (v) => v === null, missingSlot);
    case 'cmp': {
      const lit = internLiteral(node.val);
      return compilePath(node.path, valueTest(node.op, lit), cmpSlotTest(node.op, lit));
    }
    case 'and':
      return compileConjunction(order(node.args));
    case 'or':
      return compileOr(order(node.args).map(compile));
    case 'isSymbol':
      return compileIsSymbol(node.symbol);
  }
}

// Operands are pure and total, so and/or may run them in any order: plain tag tests first, `->` paths last.
function cost(node: FilterNode): number {
  switch (node.type) {
    case 'has':
    case 'missing':
    case 'cmp':
      return node.path.length === 1 ? 0 : 2;
    case 'isSymbol':
      return 0;
    case 'and':
    case 'or': {
      // A loop, not Math.max(...costs): a long chain's operands spread into a call would overflow the stack.
      let c = 1;
      for (const a of node.args) c = Math.max(c, cost(a));
      return c;
    }
  }
}

function order(args: readonly FilterNode[]): FilterNode[] {
  return args
    .map((a, i) => ({ a, i, c: cost(a) }))
    .sort((x, y) => x.c - y.c || x.i - y.i)
    .map((x) => x.a);
}

// An and/or node has at least two operands (filterLogic returns a single one as it is).
type Operands = readonly [Pred, Pred, Pred?, Pred?, ...Pred[]];

function compileAnd(ps: readonly Pred[]): Pred {
  const [a, b, c, d] = ps as Operands;
  if (ps.length === 2) return (x, r) => a(x, r) && b(x, r);
  if (c !== undefined && ps.length === 3) return (x, r) => a(x, r) && b(x, r) && c(x, r);
  if (c !== undefined && d !== undefined && ps.length === 4) return (x, r) => a(x, r) && b(x, r) && c(x, r) && d(x, r);
  return (x, r) => {
    for (let i = 0; i < ps.length; i++) if (!(ps[i] as Pred)(x, r)) return false;
    return true;
  };
}

function compileOr(ps: readonly Pred[]): Pred {
  const [a, b, c] = ps as Operands;
  if (ps.length === 2) return (x, r) => a(x, r) || b(x, r);
  if (c !== undefined && ps.length === 3) return (x, r) => a(x, r) || b(x, r) || c(x, r);
  return (x, r) => {
    for (let i = 0; i < ps.length; i++) if ((ps[i] as Pred)(x, r)) return true;
    return false;
  };
}

function compileIsSymbol(symbol: Sym): Pred {
  // Without a namespace, Haxall matches a symbol by its term: every tag of a conjunct (`hot-water`).
  if (symbol.val.includes(':')) return () => false;
  return compileTags(symbol.val.split('-').map((t) => ({ name: intern(t), test: hasSlot })));
}

/**
 * An `and`: its tag terms (one name, on the Dict itself) are tested together, their slots found with one shape
 * check rather than one per term; then the other operands, in order.
 */
function compileConjunction(args: readonly FilterNode[]): Pred {
  const terms: TagTerm[] = [];
  const rest: Pred[] = [];
  for (const a of args) {
    const t = tagTerm(a);
    if (t === undefined) rest.push(compile(a));
    else terms.push(t);
  }
  if (terms.length > 0) rest.unshift(compileTags(terms));
  return rest.length === 1 ? (rest[0] as Pred) : compileAnd(rest);
}

/** True when every term holds, the slots of all their names found by one cached lookup per shape. */
function compileTags(terms: readonly TagTerm[]): Pred {
  const [a, b, c, d] = terms.map((t) => t.test) as [SlotTest, SlotTest?, SlotTest?, SlotTest?];
  if (b === undefined) {
    const slotOf = shapeSlot((terms[0] as TagTerm).name);
    return (x) => a(x, slotOf(x.shape));
  }
  const slotsOf = shapeSlots(terms.map((t) => t.name));
  // Fixed arities call each test from a call site of its own, where the engine can inline it.
  if (c === undefined) {
    return (x) => {
      const s = slotsOf(x.shape);
      return a(x, s[0] as number) && b(x, s[1] as number);
    };
  }
  if (d === undefined) {
    return (x) => {
      const s = slotsOf(x.shape);
      return a(x, s[0] as number) && b(x, s[1] as number) && c(x, s[2] as number);
    };
  }
  if (terms.length === 4) {
    return (x) => {
      const s = slotsOf(x.shape);
      return a(x, s[0] as number) && b(x, s[1] as number) && c(x, s[2] as number) && d(x, s[3] as number);
    };
  }
  return (x) => {
    const s = slotsOf(x.shape);
    for (let i = 0; i < terms.length; i++) if (!(terms[i] as TagTerm).test(x, s[i] as number)) return false;
    return true;
  };
}

/** The node as a tag term when it tests one tag of the Dict itself (`point`, `not his`, `kind == "Number"`). */
function tagTerm(node: FilterNode): TagTerm | undefined {
  if (node.type !== 'has' && node.type !== 'missing' && node.type !== 'cmp') return undefined;
  if (node.path.length !== 1) return undefined;
  const name = intern(node.path[0] as string);
  // A List, Ref or any other value is present; Haxall's per-Ref list check cannot change that.
  if (node.type === 'has') return { name, test: hasSlot };
  if (node.type === 'missing') return { name, test: missingSlot };
  return { name, test: cmpSlotTest(node.op, internLiteral(node.val)) };
}

function internLiteral(literal: FilterLiteral): FilterLiteral {
  return typeof literal === 'string' ? intern(literal) : literal;
}

/** The test of a one-name comparison, on the value in the tag's slot (the same rules as {@link valueTest}). */
function cmpSlotTest(op: CmpOp, lit: FilterLiteral): SlotTest {
  // Fast paths for the common literal kinds; everything else goes through a value test.
  if (op === '==') {
    if (typeof lit === 'string' || typeof lit === 'boolean') return (d, i) => i >= 0 && d.valueAt(i) === lit;
    if (lit instanceof NumClass) {
      const x = lit.val;
      const u = lit.unit;
      return (d, i) => {
        if (i < 0) return false;
        const v = d.valueAt(i);
        return v instanceof NumClass && v.val === x && v.unit === u;
      };
    }
    if (lit instanceof RefClass) {
      const id = lit.id;
      return (d, i) => {
        if (i < 0) return false;
        const v = d.valueAt(i);
        if (v instanceof RefClass) return v.id === id;
        return Array.isArray(v) && listHasRef(v, id);
      };
    }
  }
  if (op === '!=' && typeof lit === 'string') {
    return (d, i) => {
      if (i < 0) return false;
      const v = d.valueAt(i);
      return v !== undefined && v !== lit;
    };
  }
  const t = valueTest(op, lit);
  return (d, i) => t(i < 0 ? null : (d.valueAt(i) ?? null));
}

// Filters#refLists: a List of Refs matches when any Ref in it matches.
function listHasRef(list: readonly Val[], id: string): boolean {
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (e instanceof RefClass && e.id === id) return true;
  }
  return false;
}

function anyRefIn(list: readonly Val[], t: ValTest): boolean {
  for (let i = 0; i < list.length; i++) {
    const e = list[i];
    if (e instanceof RefClass && t(e)) return true;
  }
  return false;
}

/**
 * The test a comparison applies to the value at the end of its path (null when absent). As in Haxall:
 * `==` needs equal kind and value; `!=` needs a present value that is not equal; ordering needs the same kind
 * (Numbers also the same unit). Ordering follows IEEE: a NaN value satisfies no ordering comparison.
 */
function valueTest(op: CmpOp, lit: FilterLiteral): ValTest {
  const scalar = scalarTest(op, lit);
  if (!(lit instanceof RefClass) || op === '!=') return scalar;
  // A List of Refs matches when any of its Refs matches; the List itself never equals or orders with a Ref.
  return (v) => (Array.isArray(v) ? anyRefIn(v as readonly Val[], scalar) : scalar(v));
}

function scalarTest(op: CmpOp, lit: FilterLiteral): ValTest {
  if (op === '==') return equalTest(lit);
  if (op === '!=') {
    const eq = equalTest(lit);
    return (v) => v !== null && !eq(v);
  }
  const sign = orderTest(op);
  if (typeof lit === 'string') return (v) => typeof v === 'string' && sign(v < lit ? -1 : v > lit ? 1 : 0);
  if (typeof lit === 'boolean') return (v) => typeof v === 'boolean' && sign(Number(v) - Number(lit));
  if (lit instanceof NumClass) {
    const x = lit.val;
    const u = lit.unit;
    return (v) =>
      v instanceof NumClass && v.unit === u && !Number.isNaN(v.val) && sign(v.val < x ? -1 : v.val > x ? 1 : 0);
  }
  if (lit instanceof RefClass) {
    const id = lit.id;
    return (v) => v instanceof RefClass && sign(v.id < id ? -1 : v.id > id ? 1 : 0);
  }
  if (lit instanceof UriClass || lit instanceof SymClass) {
    const cls = lit instanceof UriClass ? UriClass : SymClass;
    const s = lit.val;
    return (v) => v instanceof cls && sign(v.val < s ? -1 : v.val > s ? 1 : 0);
  }
  if (lit instanceof HDateClass) return (v) => v instanceof HDateClass && sign(v.compareTo(lit));
  if (lit instanceof HTimeClass) return (v) => v instanceof HTimeClass && sign(v.compareTo(lit));
  // DateTimes order by instant, whatever their zones.
  const ms = lit.epochMs;
  const ns = lit.subMsNanos;
  return (v) => v instanceof HDateTimeClass && sign(v.epochMs - ms || v.subMsNanos - ns);
}

function equalTest(lit: FilterLiteral): ValTest {
  if (typeof lit === 'string' || typeof lit === 'boolean') return (v) => v === lit;
  if (lit instanceof NumClass) {
    const x = lit.val;
    const u = lit.unit;
    return (v) => v instanceof NumClass && v.val === x && v.unit === u;
  }
  if (lit instanceof RefClass) {
    const id = lit.id;
    return (v) => v instanceof RefClass && v.id === id;
  }
  return (v) => lit.equals(v);
}

function orderTest(op: CmpOp): (c: number) => boolean {
  switch (op) {
    case '<':
      return (c) => c < 0;
    case '<=':
      return (c) => c <= 0;
    case '>':
      return (c) => c > 0;
    default:
      return (c) => c >= 0;
  }
}

/**
 * A predicate that walks `path` from the dict and applies `t` to the value at its end (null when the path does
 * not resolve). Haxall's rules: a List's Refs are each tried as the value at that level; a Ref is dereferenced,
 * a Dict entered, a DateTime entered by `date`, `time` or `tz`; anything else ends the walk with null.
 */
function compilePath(names: FilterPath, t: ValTest, last: SlotTest): Pred {
  const path = names.map(intern);
  // One cached getter per level: the entities a path reaches also tend to share shapes.
  const getters = path.map(tagGetter);
  const first = getters[0] as TagGetter;
  if (path.length === 2) {
    // The common `ref->tag`: the entity's tag is tested in its slot, as a tag term is (`last` is `t` on the value
    // in that slot); a slot of -1 stands for a path that does not resolve, and then the Dict given is never read.
    // Entities come in runs that refer to one entity (the points of one equip or site), and Dicts are immutable:
    // the answer for the last entity reached is kept (one Dict held per predicate).
    const slotOf = shapeSlot(path[1] as string);
    let lastEntity: Dict | undefined;
    let lastAnswer = false;
    return (d, r) => {
      const v = first(d);
      if (v instanceof RefClass) {
        const e = r === undefined ? undefined : r(v);
        if (!(e instanceof DictClass)) return last(d, -1);
        if (e !== lastEntity) {
          lastAnswer = last(e, slotOf(e.shape));
          lastEntity = e;
        }
        return lastAnswer;
      }
      return walk(v, 0, path, getters, r, t);
    };
  }
  return (d, r) => walk(first(d), 0, path, getters, r, t);
}

function walk(
  val: Val,
  level: number,
  path: FilterPath,
  getters: readonly TagGetter[],
  r: RefResolver | undefined,
  t: ValTest,
): boolean {
  let v = val;
  if (Array.isArray(v)) {
    const list = v as readonly Val[];
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      if (e instanceof RefClass && walk(e, level, path, getters, r, t)) return true;
    }
  }
  const next = level + 1;
  if (next < path.length) {
    if (v instanceof RefClass) v = r === undefined ? null : (r(v) ?? null);
    const name = path[next] as string;
    if (v instanceof DictClass) return walk((getters[next] as TagGetter)(v), next, path, getters, r, t);
    if (v instanceof HDateTimeClass) {
      // Haxall: ->date, ->time and ->tz path into a DateTime.
      if (name === 'date') return walk(v.date, next, path, getters, r, t);
      if (name === 'time') return walk(v.time, next, path, getters, r, t);
      if (name === 'tz') return walk(v.tz.name, next, path, getters, r, t);
    }
    v = null;
  }
  return t(v);
}
