// History batches as backends store them: sorted by time, one sample per timestamp (the last one given wins).

import type { HisItem } from './adapter.js';

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
