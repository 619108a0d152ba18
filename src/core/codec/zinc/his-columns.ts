// Columnar storage of a `ts,val` history grid: typed arrays behind a RowSource that makes row Dicts on demand.

import { Dict, DictShape } from '../../grid/dict.js';
import type { Grid, RowSource } from '../../grid/grid.js';
import { HDateTime } from '../../kinds/date-time.js';
import type { Val } from '../../kinds/kind.js';
import { Num } from '../../kinds/number.js';
import type { TimeZone } from '../../tz/time-zone.js';

/** Kind of the `val` column when stored in a typed array. */
export type HisValKind = 'number' | 'bool' | 'str';

/**
 * Rows of a history grid with columns `ts` (DateTimes in one zone) and `val`, kept as columns:
 * 8 bytes of epoch milliseconds and 8 bytes of value per row (1 for a Bool), plus a sub-millisecond
 * array only when some timestamp needs it. Values that do not fit the column's kind (null, another
 * unit, another kind) are kept in a small side map.
 */
export class HisRows implements RowSource {
  /** Number of rows. */
  readonly size: number;
  /** Zone of every timestamp. */
  readonly tz: TimeZone;
  /** Epoch milliseconds per row. */
  readonly epochMs: Float64Array;
  /** Nanoseconds below the millisecond per row, when any is non-zero. */
  readonly subMsNanos: Int32Array | undefined;
  /** Kind of the typed `val` column, undefined when every value is in {@link others}. */
  readonly valKind: HisValKind | undefined;
  /** Unit shared by every Number in the typed column. */
  readonly unit: string | undefined;
  /** Numbers (kind `number`) or 0/1 (kind `bool`), per row. */
  readonly nums: Float64Array | Uint8Array | undefined;
  /** Strings (kind `str`), per row. */
  readonly strs: readonly string[] | undefined;
  /** Values that are not of the typed column's kind, by row (null means no value). */
  readonly others: ReadonlyMap<number, Val> | undefined;

  /** Readers build these with a column builder; the arrays are taken over, not copied. */
  constructor(parts: HisRowsParts) {
    this.size = parts.size;
    this.tz = parts.tz;
    this.epochMs = parts.epochMs;
    this.subMsNanos = parts.subMsNanos;
    this.valKind = parts.valKind;
    this.unit = parts.unit;
    this.nums = parts.nums;
    this.strs = parts.strs;
    this.others = parts.others;
  }

  /** The timestamp of row `i`. */
  ts(i: number): HDateTime {
    const ms = this.epochMs[i] ?? 0;
    return new HDateTime(ms, this.subMsNanos?.[i] ?? 0, this.tz.offsetAt(ms), this.tz);
  }

  /** The value of row `i` (null when absent). */
  val(i: number): Val {
    const others = this.others;
    if (others !== undefined) {
      const o = others.get(i);
      if (o !== undefined) return o;
    }
    switch (this.valKind) {
      case 'number':
        return new Num(this.nums?.[i] ?? 0, this.unit);
      case 'bool':
        return this.nums?.[i] === 1;
      case 'str':
        return this.strs?.[i] ?? null;
      default:
        return null;
    }
  }

  /** Row `i` as a Dict `{ts, val}` (all rows share one shape). */
  row(i: number): Dict {
    const v = this.val(i);
    return Dict.fromShape(HIS_SHAPE, [this.ts(i), v ?? undefined], v === null ? TS_ONLY : TS_AND_VAL);
  }
}

/** The fields of {@link HisRows}, as its constructor takes them. */
export type HisRowsParts = Pick<
  HisRows,
  'size' | 'tz' | 'epochMs' | 'subMsNanos' | 'valKind' | 'unit' | 'nums' | 'strs' | 'others'
>;

// The shape of a history row, and its present slots with and without a value.
const HIS_SHAPE = DictShape.of(['ts', 'val']);
const TS_AND_VAL = [0, 1];
const TS_ONLY = [0];

const INITIAL_CAPACITY = 1024;

/** Accumulates history rows into growable typed arrays, then freezes them as {@link HisRows}. */
export class HisColumnsBuilder {
  /** Zone every timestamp must have. */
  readonly tz: TimeZone;
  #size = 0;
  #cap: number;
  #ms: Float64Array;
  #sub: Int32Array | undefined;
  #kind: HisValKind | undefined;
  #unit: string | undefined;
  #nums: Float64Array | Uint8Array | undefined;
  #strs: string[] | undefined;
  #others: Map<number, Val> | undefined;

  /** Rows in `tz`; `capacity`, when the number of rows is known, sizes the arrays once (no growing, no trim). */
  constructor(tz: TimeZone, capacity = INITIAL_CAPACITY) {
    this.tz = tz;
    this.#cap = Math.max(1, capacity);
    this.#ms = new Float64Array(this.#cap);
  }

  /** Rows so far. */
  get size(): number {
    return this.#size;
  }

  /** Add a row whose value is a Number. */
  addNum(epochMs: number, subMs: number, v: number, unit: string | undefined): void {
    const i = this.#addTs(epochMs, subMs);
    if (this.#kind === undefined && !Number.isNaN(v)) this.#start('number', unit);
    if (this.#kind === 'number' && unit === this.#unit) (this.#nums as Float64Array)[i] = v;
    else this.#other(i, new Num(v, unit));
  }

  /** Add a row whose value is a Bool. */
  addBool(epochMs: number, subMs: number, v: boolean): void {
    const i = this.#addTs(epochMs, subMs);
    if (this.#kind === undefined) this.#start('bool', undefined);
    if (this.#kind === 'bool') (this.#nums as Uint8Array)[i] = v ? 1 : 0;
    else this.#other(i, v);
  }

  /** Add a row whose value is a Str. */
  addStr(epochMs: number, subMs: number, v: string): void {
    const i = this.#addTs(epochMs, subMs);
    if (this.#kind === undefined) this.#start('str', undefined);
    if (this.#kind === 'str') (this.#strs as string[])[i] = v;
    else this.#other(i, v);
  }

  /** Add a row with any other value (or null). */
  addOther(epochMs: number, subMs: number, v: Val): void {
    this.#other(this.#addTs(epochMs, subMs), v);
  }

  /** The rows, with arrays trimmed to size (the builder must not be used afterwards). */
  build(): HisRows {
    const n = this.#size;
    const trim = n < this.#cap - (this.#cap >> 3);
    const nums = this.#nums;
    return new HisRows({
      size: n,
      tz: this.tz,
      epochMs: trim ? this.#ms.slice(0, n) : this.#ms,
      subMsNanos: this.#sub === undefined ? undefined : trim ? this.#sub.slice(0, n) : this.#sub,
      valKind: this.#kind,
      unit: this.#unit,
      nums: nums === undefined ? undefined : trim ? nums.slice(0, n) : nums,
      strs: this.#strs,
      others: this.#others,
    });
  }

  #start(kind: HisValKind, unit: string | undefined): void {
    this.#kind = kind;
    this.#unit = unit;
    if (kind === 'number') this.#nums = new Float64Array(this.#cap);
    else if (kind === 'bool') this.#nums = new Uint8Array(this.#cap);
    else this.#strs = [];
  }

  #other(i: number, v: Val): void {
    this.#others ??= new Map();
    this.#others.set(i, v);
  }

  #addTs(epochMs: number, subMs: number): number {
    const i = this.#size;
    if (i === this.#cap) this.#grow();
    this.#ms[i] = epochMs;
    if (subMs !== 0) {
      this.#sub ??= new Int32Array(this.#cap);
      this.#sub[i] = subMs;
    }
    this.#size = i + 1;
    return i;
  }

  #grow(): void {
    const cap = this.#cap * 2;
    this.#cap = cap;
    this.#ms = grown(this.#ms, new Float64Array(cap));
    if (this.#sub !== undefined) this.#sub = grown(this.#sub, new Int32Array(cap));
    const nums = this.#nums;
    if (nums instanceof Float64Array) this.#nums = grown(nums, new Float64Array(cap));
    else if (nums !== undefined) this.#nums = grown(nums, new Uint8Array(cap));
  }
}

function grown<T extends Float64Array | Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/** The columnar history behind `grid`, when it is one (`ts` and `val` columns), for the writers' fast paths. */
export function hisRowsOf(grid: Grid): HisRows | undefined {
  const src = grid.rowSource;
  return src instanceof HisRows && grid.cols.length === 2 ? src : undefined;
}

// Row Dicts into columns (the stream decoder's path): functions, not methods, so that decodeZinc's bundle, whose
// reader adds scanned values, leaves them out.

/** A builder for rows like this one (a `ts` DateTime gives the zone), or undefined. */
export function hisBuilderForRow(row: Dict): HisColumnsBuilder | undefined {
  const ts = row.get('ts');
  return ts instanceof HDateTime ? new HisColumnsBuilder(ts.tz) : undefined;
}

/**
 * Add a row Dict `{ts, val}` to `b` if it fits the columns: `ts` a DateTime in the builder's zone with the zone's
 * own offset, and no other tag. False (and nothing added) otherwise.
 */
export function addHisRow(b: HisColumnsBuilder, row: Dict): boolean {
  const ts = row.get('ts');
  if (!(ts instanceof HDateTime) || ts.tz !== b.tz || ts.offset !== b.tz.offsetAt(ts.epochMs)) return false;
  const v = row.get('val');
  if (row.size !== (v === null ? 1 : 2)) return false;
  addHisVal(b, ts.epochMs, ts.subMsNanos, v);
  return true;
}

/** Add a row of value `v` (null: none) to `b`, in the typed column when it fits. */
export function addHisVal(b: HisColumnsBuilder, epochMs: number, subMs: number, v: Val): void {
  if (v instanceof Num) b.addNum(epochMs, subMs, v.val, v.unit);
  else if (typeof v === 'boolean') b.addBool(epochMs, subMs, v);
  else if (typeof v === 'string') b.addStr(epochMs, subMs, v);
  else b.addOther(epochMs, subMs, v);
}
