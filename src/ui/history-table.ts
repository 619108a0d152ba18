// The history chart's samples as a table, a page at a time: what a screen reader or a phone reads instead of the
// canvas. A plain <table>, not the entity grid: the samples are read, not acted on (no sort, no entity to open).

import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import type { HistoryTable } from './history-csv.js';
import { SAMPLES_PER_PAGE, sampleCell } from './history-samples.js';
import { html } from './html.js';
import { dateTimeText } from './values.js';

/** Props of {@link SampleTable}. */
export interface SampleTableProps {
  readonly table: HistoryTable;
  /** The zone of the times, named in the caption. */
  readonly zone: string;
  /** The chart's cursor: the table opens at its page. */
  readonly at: number | undefined;
}

/** The samples, one row per time and one column per point, {@link SAMPLES_PER_PAGE} rows a page. */
export function SampleTable({ table, zone, at }: SampleTableProps): VNode {
  const count = table.ts.length;
  const pages = Math.max(1, Math.ceil(count / SAMPLES_PER_PAGE));
  const [wanted, setPage] = useState(Math.floor((at ?? 0) / SAMPLES_PER_PAGE));
  // Another range may have fewer pages than the one the page number was chosen in.
  const page = Math.min(wanted, pages - 1);
  const first = page * SAMPLES_PER_PAGE;
  const last = Math.min(count, first + SAMPLES_PER_PAGE);
  const rows = table.ts.slice(first, last).map((t, k) => {
    const r = first + k;
    return html`<tr key=${r}><th scope="row">${dateTimeText(t)}</th>${table.series.map(
      (_, i) => html`<td>${sampleCell(table, i, r)}</td>`,
    )}</tr>`;
  });
  // Buttons that cannot act stay focusable (aria-disabled, not disabled): Next pressed on the last page but one
  // would otherwise drop the focus to the page's start.
  const button = (label: string, to: number): VNode => {
    const off = to < 0 || to >= pages || to === page;
    return html`<button type="button" aria-disabled=${off} onClick=${() => {
      if (!off) setPage(to);
    }}>${label}</button>`;
  };
  // Above the table and below it, so that a long page need not be scrolled through to turn it: two landmarks with
  // names of their own, and one live region, so that a turn is said once whichever pager turned it.
  const pager = (where: 'top' | 'bottom'): VNode | null =>
    pages === 1
      ? null
      : html`<nav class="pager" aria-label=${`Sample pages, ${where}`}>
      ${button('First', 0)}${button('Previous', page - 1)}
      <span class="pager-range" aria-live=${where === 'top' ? 'polite' : undefined}>${`Samples ${(first + 1).toLocaleString('en')}\u2013${last.toLocaleString('en')} of ${count.toLocaleString('en')}`}</span>
      ${button('Next', page + 1)}${button('Last', pages - 1)}
    </nav>`;
  return html`<div class="samples">
    ${pager('top')}
    <div class="table-wrap">
      <table>
        <caption>Samples (${zone})</caption>
        <thead><tr><th scope="col">Time</th>${table.series.map(
          (s, i) => html`<th scope="col" key=${i}>${s.unit === '' ? s.label : `${s.label} (${s.unit})`}</th>`,
        )}</tr></thead>
        <tbody>${rows}</tbody>
      </table>
    </div>
    ${pager('bottom')}
  </div>`;
}
