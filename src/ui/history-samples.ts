// The history chart's samples for keyboard and screen reader users: which sample a key moves the cursor to, and the
// sample as words. Plain code without the DOM, like history-csv.ts, so that it is tested without a browser.

import { kindOf, type Val } from '../core/kinds/kind.js';
import type { Num } from '../core/kinds/number.js';
import type { HistoryTable } from './history-csv.js';
import { dateTimeText, valText } from './values.js';

/** Samples a page of the sample table holds. */
export const SAMPLES_PER_PAGE = 100;

/**
 * Where a key moves the chart's cursor among `count` samples (WAI-ARIA slider keys): Left/Right one sample,
 * Page Down/Up a tenth of them, Home/End the first and last; undefined for any other key. Before the first move
 * (`at` undefined) Right starts at the first sample and Left at the last.
 */
export function cursorStep(key: string, at: number | undefined, count: number): number | undefined {
  if (count === 0) return undefined;
  const big = Math.ceil(count / 10);
  const from = (start: number, step: number): number => (at === undefined ? start : at + step);
  const to: Record<string, number> = {
    ArrowRight: from(0, 1),
    ArrowLeft: from(count - 1, -1),
    PageUp: from(0, big),
    PageDown: from(count - 1, -big),
    Home: 0,
    End: count - 1,
  };
  const next = to[key];
  return next === undefined ? undefined : Math.max(0, Math.min(count - 1, next));
}

/** A sample as the table shows it: a Number with the point's unit when the value carries none, a gap empty. */
export function sampleCell(table: HistoryTable, series: number, at: number): string {
  const v: Val | undefined = table.vals[series]?.[at];
  const unit = table.series[series]?.unit ?? '';
  const bare = v !== undefined && kindOf(v) === 'number' && (v as Num).unit === undefined;
  return bare && unit !== '' ? `${valText(v)} ${unit}` : valText(v);
}

/** The sample at the cursor in words: its time, each point's value (or that it has none then), where it is. */
export function sampleText(table: HistoryTable, at: number): string {
  const t = table.ts[at];
  if (t === undefined) return '';
  const values = table.series.map((s, i) => `${s.label} ${sampleCell(table, i, at) || 'no sample'}`);
  return `${dateTimeText(t)}: ${values.join(', ')} (${(at + 1).toLocaleString('en')} of ${table.ts.length.toLocaleString('en')})`;
}

/** How many typical intervals apart two samples of a point are when the chart breaks its line between them. */
export const GAP_INTERVALS = 5;

/**
 * Where a point's line breaks for want of samples: the pairs of its own sample times (of `xs`, where `ys` has a
 * number) more than {@link GAP_INTERVALS} times its median interval apart. A line across hours without a sample
 * shows values nobody logged. Fewer than four intervals say nothing of what is typical: no break.
 */
export function timeGaps(
  xs: ArrayLike<number>,
  ys: ArrayLike<number | null | undefined>,
): [from: number, to: number][] {
  const own = Array.from(xs).filter((_, i) => typeof ys[i] === 'number');
  const steps = own.slice(1).map((x, i) => x - (own[i] ?? x));
  if (steps.length < 4) return [];
  const typical = [...steps].sort((a, b) => a - b)[Math.floor(steps.length / 2)] ?? 0;
  return steps.flatMap((step, i) =>
    step > GAP_INTERVALS * typical ? [[own[i] ?? 0, own[i + 1] ?? 0] as [number, number]] : [],
  );
}
