// One point's history in memory: columnar, sorted by time, 16 bytes a sample while every value is a Number of one unit.

import { addHisVal, HisColumnsBuilder, HisRows } from '../../core/codec/zinc/his-columns.js';
import type { Val } from '../../core/kinds/kind.js';
import { Num } from '../../core/kinds/number.js';
import type { TimeZone } from '../../core/tz/time-zone.js';
import type { HisItem, TimeRange } from '../adapter.js';
import { sortedUniqueSamples } from '../his-samples.js';

const INITIAL_CAPACITY = 64;

/**
 * A sorted series of samples. Numbers sharing one unit are kept as raw floats (the common case, and how 30 days of a
 * few hundred points stay small); the first value of another kind or unit turns the series into a generic column.
 */
export class HisSeries {
  #ts = new Float64Array(INITIAL_CAPACITY);
  #nums: Float64Array | undefined = new Float64Array(INITIAL_CAPACITY);
  #unit: string | undefined;
  #vals: Val[] | undefined;
  #len = 0;
  #numeric = true;
  #unitSet = false;

  /** Number of samples. */
  get size(): number {
    return this.#len;
  }

  /** Merge samples in (same timestamp: the later write wins); returns how many were given. */
  write(items: readonly HisItem[]): number {
    if (items.length === 0) return 0;
    const batch = sortedUniqueSamples(items);
    for (const it of batch) this.#admit(it.val);
    const first = batch[0] as HisItem;
    if (this.#len === 0 || first.ts > (this.#ts[this.#len - 1] as number)) {
      this.#ensure(this.#len + batch.length);
      for (const it of batch) this.#set(this.#len++, it.ts, it.val);
    } else {
      this.#merge(batch);
    }
    return items.length;
  }

  /** Samples with `start <= ts < end`, sorted by time. */
  read(range: TimeRange): HisItem[] {
    const lo = this.#lowerBound(range.start);
    const hi = Math.max(lo, this.#lowerBound(range.end));
    const out = new Array<HisItem>(hi - lo);
    for (let i = lo; i < hi; i++) out[i - lo] = { ts: this.#ts[i] as number, val: this.#get(i) };
    return out;
  }

  /** The samples {@link read} gives, as history columns in `tz`: a Number series is two copied slices. */
  readColumns(range: TimeRange, tz: TimeZone): HisRows {
    const lo = this.#lowerBound(range.start);
    const hi = Math.max(lo, this.#lowerBound(range.end));
    if (this.#nums !== undefined) {
      return new HisRows({
        size: hi - lo,
        tz,
        epochMs: this.#ts.slice(lo, hi),
        subMsNanos: undefined,
        valKind: 'number',
        unit: this.#unit,
        nums: this.#nums.slice(lo, hi),
        strs: undefined,
        others: undefined,
      });
    }
    const b = new HisColumnsBuilder(tz, hi - lo);
    for (let i = lo; i < hi; i++) addHisVal(b, this.#ts[i] as number, 0, this.#get(i));
    return b.build();
  }

  // Switch to a generic column when a value does not fit the numeric one.
  #admit(val: Val): void {
    if (!this.#numeric) return;
    if (val instanceof Num) {
      if (!this.#unitSet) {
        this.#unit = val.unit;
        this.#unitSet = true;
        return;
      }
      if (val.unit === this.#unit) return;
    }
    const vals = new Array<Val>(this.#ts.length);
    for (let i = 0; i < this.#len; i++) vals[i] = this.#get(i);
    this.#vals = vals;
    this.#nums = undefined;
    this.#numeric = false;
  }

  #get(i: number): Val {
    if (this.#nums !== undefined) return new Num(this.#nums[i] as number, this.#unit);
    return (this.#vals as Val[])[i] ?? null;
  }

  #set(i: number, ts: number, val: Val): void {
    this.#ts[i] = ts;
    if (this.#nums !== undefined) this.#nums[i] = (val as Num).val;
    else (this.#vals as Val[])[i] = val;
  }

  #ensure(capacity: number): void {
    if (capacity <= this.#ts.length) return;
    let cap = this.#ts.length * 2;
    while (cap < capacity) cap *= 2;
    const ts = new Float64Array(cap);
    ts.set(this.#ts.subarray(0, this.#len));
    this.#ts = ts;
    if (this.#nums !== undefined) {
      const nums = new Float64Array(cap);
      nums.set(this.#nums.subarray(0, this.#len));
      this.#nums = nums;
    }
  }

  // Out-of-order write: merge two sorted runs into fresh columns; equal timestamps take the new value.
  #merge(batch: readonly HisItem[]): void {
    const oldTs = this.#ts;
    const oldNums = this.#nums;
    const oldVals = this.#vals;
    const oldLen = this.#len;
    const cap = Math.max(INITIAL_CAPACITY, oldLen + batch.length);
    this.#ts = new Float64Array(cap);
    if (oldNums !== undefined) this.#nums = new Float64Array(cap);
    else this.#vals = new Array<Val>(cap);
    let i = 0;
    let j = 0;
    let n = 0;
    while (i < oldLen || j < batch.length) {
      const a = i < oldLen ? (oldTs[i] as number) : Number.POSITIVE_INFINITY;
      const b = j < batch.length ? (batch[j] as HisItem) : undefined;
      if (b !== undefined && b.ts <= a) {
        this.#set(n++, b.ts, b.val);
        j++;
        if (b.ts === a) i++;
      } else {
        this.#ts[n] = a;
        if (oldNums !== undefined) (this.#nums as Float64Array)[n] = oldNums[i] as number;
        else (this.#vals as Val[])[n] = (oldVals as Val[])[i] ?? null;
        n++;
        i++;
      }
    }
    this.#len = n;
  }

  #lowerBound(ts: number): number {
    let lo = 0;
    let hi = this.#len;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.#ts[mid] as number) < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
