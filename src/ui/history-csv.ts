// The history screen's CSV download, kept apart from the screen so that it is plain code without the DOM.

import type { HDateTime } from '../core/kinds/date-time.js';
import { kindOf, type Val } from '../core/kinds/kind.js';
import type { Num } from '../core/kinds/number.js';
import { valText } from './values.js';

/** What the CSV is made of: the points (label, unit), the sample times and the samples as recorded per point. */
export interface HistoryTable {
  readonly series: readonly { readonly label: string; readonly unit: string }[];
  readonly ts: readonly HDateTime[];
  /** One array per series, aligned with `ts` (a gap is `undefined` or `null`). */
  readonly vals: readonly (readonly Val[])[];
}

// A spreadsheet runs a cell that starts with = + - @ (or a tab or CR) as a formula: a Str sample or a point's name,
// which anyone with write access chooses, would run on the machine of whoever opens the download (CSV injection).
// Such text gets a leading apostrophe, as OWASP advises; Numbers are ours and stay numbers.
const inert = (s: string): string => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

/** A sample as a CSV cell: a Number without its unit (the header has it), NA as `NA`, a gap empty. */
function csvCell(v: Val | undefined): string {
  if (v === undefined || v === null) return '';
  return kindOf(v) === 'number' ? String((v as Num).val) : inert(valText(v));
}

/** The CSV of a loaded history: a `ts` column (ISO 8601 with offset), then one column per point, as recorded. */
export function historyCsv(table: HistoryTable): string {
  const quote = (s: string): string => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const head = ['ts', ...table.series.map((s) => quote(inert(s.unit === '' ? s.label : `${s.label} (${s.unit})`)))];
  const lines = [head.join(',')];
  table.ts.forEach((t, r) => {
    const cells = [t.toString().split(' ')[0] ?? ''];
    for (let i = 0; i < table.series.length; i++) cells.push(quote(csvCell(table.vals[i]?.[r])));
    lines.push(cells.join(','));
  });
  return `${lines.join('\n')}\n`;
}
