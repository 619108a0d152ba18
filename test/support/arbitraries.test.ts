// The shared arbitraries generate what they promise: every kind, their options honoured, hard cases included.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dict } from '../../src/core/grid/dict.js';
import { Grid } from '../../src/core/grid/grid.js';
import type { HDateTime } from '../../src/core/kinds/date-time.js';
import { isList, KINDS, type Kind, kindOf, type Val } from '../../src/core/kinds/kind.js';
import { Num } from '../../src/core/kinds/number.js';
import {
  arbDateTime,
  arbDict,
  arbGrid,
  arbList,
  arbNum,
  arbStr,
  arbTagName,
  arbTime,
  arbVal,
  NESTED_KINDS,
  ZONES,
} from './arbitraries.js';

function kindsIn(v: Val, out: Set<Kind | 'null'>): void {
  out.add(kindOf(v));
  if (isList(v)) for (const x of v) kindsIn(x, out);
  else if (v instanceof Dict) for (const [, x] of v) kindsIn(x, out);
  else if (v instanceof Grid) {
    kindsIn(v.meta, out);
    for (const c of v.cols) kindsIn(c.meta, out);
    for (const r of v) kindsIn(r, out);
  }
}

function depthOf(v: Val): number {
  if (isList(v)) return 1 + Math.max(0, ...v.map(depthOf));
  if (v instanceof Dict) return 1 + Math.max(0, ...[...v].map(([, x]) => depthOf(x)));
  if (v instanceof Grid) return 1 + Math.max(depthOf(v.meta) - 1, 0, ...v.rows.map((r) => depthOf(r) - 1));
  return 0;
}

describe('arbitraries', () => {
  it('arbVal generates every kind', () => {
    const seen = new Set<Kind | 'null'>();
    for (const v of fc.sample(arbVal({ withNull: true }), 1500)) kindsIn(v, seen);
    for (const k of KINDS) expect(seen, k).toContain(k);
    expect(seen).toContain('null');
  });

  it('honours exclude at every depth', () => {
    const seen = new Set<Kind | 'null'>();
    for (const v of fc.sample(arbVal({ exclude: ['grid', 'xstr', 'symbol'] }), 1000)) kindsIn(v, seen);
    for (const k of ['grid', 'xstr', 'symbol'] as const) expect(seen).not.toContain(k);
    const flat = new Set<Kind | 'null'>();
    for (const v of fc.sample(arbVal({ exclude: NESTED_KINDS }), 500)) kindsIn(v, flat);
    for (const k of NESTED_KINDS) expect(flat).not.toContain(k);
  });

  it('bounds nesting by maxDepth', () => {
    for (const v of fc.sample(arbVal({ maxDepth: 1 }), 500)) expect(depthOf(v)).toBeLessThanOrEqual(1);
    for (const v of fc.sample(arbVal({ maxDepth: 0 }), 200)) expect(depthOf(v)).toBe(0);
    for (const v of fc.sample(arbVal(), 500)) expect(depthOf(v)).toBeLessThanOrEqual(2);
  });

  it('keeps INF unitless with infUnits: false, and NaN always unitless', () => {
    const nums = fc.sample(arbVal({ infUnits: false, maxDepth: 0 }), 3000).filter((v) => v instanceof Num);
    expect(nums.some((n) => n.val === Number.POSITIVE_INFINITY)).toBe(true);
    for (const n of nums) if (!Number.isFinite(n.val)) expect(n.unit).toBeUndefined();
    const all = fc.sample(arbNum, 3000);
    expect(all.some((n) => !Number.isFinite(n.val) && !Number.isNaN(n.val) && n.unit !== undefined)).toBe(true);
    expect(all.some((n) => n.toString().includes('e'))).toBe(true);
    for (const n of all) if (n.isNaN) expect(n.unit).toBeUndefined();
  });

  it('makes grids with at least minGridCols columns and no ver in meta', () => {
    for (const g of fc.sample(arbGrid(), 300)) {
      expect(g.cols.length).toBeGreaterThanOrEqual(1);
      expect(g.meta.has('ver')).toBe(false);
    }
    expect(fc.sample(arbGrid({ minGridCols: 0 }), 300).some((g) => g.cols.length === 0)).toBe(true);
  });

  it('includes hard strings, JS-special tag names, lists with nulls and all fraction digits', () => {
    const strs = fc.sample(arbStr, 3000).join('');
    for (const c of ['"', '\\', '$', '\n', '\t', '\u0000', '😀']) expect(strs, JSON.stringify(c)).toContain(c);
    expect(fc.sample(arbTagName, 2000)).toContain('constructor');
    expect(fc.sample(arbList(), 1000).some((l) => l.includes(null))).toBe(true);
    expect(fc.sample(arbList({ listNulls: false }), 500).some((l) => l.includes(null))).toBe(false);
    const digits = new Set(fc.sample(arbTime, 3000).map((t) => t.toString().split('.')[1]?.length ?? 0));
    for (let d = 0; d <= 9; d++) expect(digits, String(d)).toContain(d);
    expect(fc.sample(arbDict(), 500).every((d) => d instanceof Dict)).toBe(true);
  });

  it('draws DateTimes from every listed zone with sub-millisecond nanos', () => {
    const dts: HDateTime[] = fc.sample(arbDateTime, 2000);
    expect(new Set(dts.map((d) => d.tz.name))).toEqual(new Set(ZONES));
    expect(dts.some((d) => d.subMsNanos % 1000 !== 0)).toBe(true);
  });
});
