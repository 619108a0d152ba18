// History batches as backends store them: sorted by time, one sample per timestamp (the last one given wins).

import { LimitError, ValueError } from '../core/errors.js';
import type { Val } from '../core/kinds/kind.js';
import { Num } from '../core/kinds/number.js';
import type { HisItem, HisWrite } from './adapter.js';

/**
 * What every backend checks before it writes a batch: at most `max` samples, each at a whole epoch millisecond and
 * with a value (a null sample is no sample).
 */
export function checkHisItems(items: readonly HisItem[], max: number): void {
  if (items.length > max) {
    throw new LimitError('maxHisItemsPerWrite', `A history write takes at most ${String(max)} items`);
  }
  for (const it of items) {
    if (!Number.isSafeInteger(it.ts)) throw new ValueError(`History timestamp must be epoch ms, got ${String(it.ts)}`);
    if (it.val === null) throw new ValueError('History values cannot be null');
  }
}

/**
 * Whether a SQL store keeps a sample in its float column: a Number that comes back the same. NaN would read back as
 * NULL, and -0 as 0 (a REAL column and a float8 sent as text lose its sign, and Zinc shows it), so they go as Hayson.
 */
export function inFloatColumn(v: Val): v is Num {
  return v instanceof Num && !Number.isNaN(v.val) && !Object.is(v.val, -0);
}

/** {@link checkHisItems} for each point of a batch write, whose points must be distinct. */
export function checkHisWrites(writes: readonly HisWrite[], max: number): void {
  const seen = new Set<string>();
  for (const w of writes) {
    if (seen.has(w.id)) throw new ValueError(`A batch history write names @${w.id} twice`);
    seen.add(w.id);
    checkHisItems(w.items, max);
  }
}

/** The batch sorted by time with one sample per timestamp (the last given wins); no copy when already strictly sorted. */
export function sortedUniqueSamples(items: readonly HisItem[]): readonly HisItem[] {
  let sorted = true;
  for (let i = 1; i < items.length; i++) {
    if ((items[i] as HisItem).ts <= (items[i - 1] as HisItem).ts) {
      sorted = false;
      break;
    }
  }
  if (sorted) return items;
  const indexed = items.map((it, i) => ({ it, i }));
  indexed.sort((x, y) => x.it.ts - y.it.ts || x.i - y.i);
  const out: HisItem[] = [];
  for (const { it } of indexed) {
    const last = out[out.length - 1];
    if (last !== undefined && last.ts === it.ts) out[out.length - 1] = it;
    else out.push(it);
  }
  return out;
}

/** The `limit` of a history page read: a whole number of at least 1 (`ValueError` otherwise). */
export function hisPageLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new ValueError(`A history page holds at least 1 sample, got ${String(limit)}`);
  }
  return limit;
}
