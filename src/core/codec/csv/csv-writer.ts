// CSV writer (lossy, encode only): column display names, then one line per row with each cell as plain text.

import type { Grid, GridCol } from '../../grid/grid.js';
import type { Val } from '../../kinds/kind.js';
import { MARKER } from '../../kinds/marker.js';
import { Ref } from '../../kinds/ref.js';
import { Uri } from '../../kinds/uri.js';
import { checkOptionNames, choiceOption, type OptionNames } from '../../options.js';
import { encodeZincValue } from '../zinc/index.js';

/** Options of {@link encodeCsv}. */
export interface CsvEncodeOptions {
  /** Line ending; default `\n` (as Haxall writes; RFC 4180 readers accept it), or `\r\n`. */
  readonly newline?: '\n' | '\r\n';
  /** Write the header line of column display names; default true. */
  readonly header?: boolean;
}

// RFC 4180: fields containing line breaks, double quotes, and commas should be enclosed in double-quotes;
// leading or trailing spaces are quoted too, so that readers that trim keep them (as Haxall does).
function field(s: string): string {
  if (s === '') return s;
  const c0 = s.charCodeAt(0);
  const cn = s.charCodeAt(s.length - 1);
  if (!/[",\r\n]/.test(s) && c0 !== 32 && c0 !== 9 && cn !== 32 && cn !== 9) return s;
  return `"${s.replaceAll('"', '""')}"`;
}

// A lone empty cell would make a blank line, which readers skip: write it as "".
function cell(text: string, cols: number): string {
  return cols === 1 && text === '' ? '""' : field(text);
}

/** The text of one cell by the Csv chapter's rules. */
function cellText(v: Val): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  // Csv: Marker cells are encoded as the Unicode checkmark code point U+2713
  if (v === MARKER) return '\u2713';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  // Csv: Ref cells are encoded as "@id dis"
  if (v instanceof Ref) return v.dis === undefined ? `@${v.id}` : `@${v.id} ${v.dis}`;
  if (v instanceof Uri) return v.val;
  // Csv: everything else is encoded using its Zinc encoding
  return encodeZincValue(v);
}

const CSV_OPTIONS: OptionNames<CsvEncodeOptions> = { newline: true, header: true };

/**
 * Encode a grid as CSV per the Csv chapter: the first line holds the column display names (the
 * column's `dis` meta, else its name); grid meta, column meta and types are not carried. Strs and
 * Uris are written unescaped, Markers as ✓, Refs as `@id dis`, Bools as `true`/`false`, null as an
 * empty cell (`""` when the grid has one column, so the line is not blank), everything else in Zinc.
 */
export function encodeCsv(grid: Grid, options?: CsvEncodeOptions): string {
  if (options !== undefined) {
    checkOptionNames('CSV options', options, CSV_OPTIONS);
    choiceOption('CSV options', 'newline', options.newline, ['\n', '\r\n']);
    choiceOption('CSV options', 'header', options.header, [true, false]);
  }
  const nl = options?.newline ?? '\n';
  const head = (options?.header ?? true) ? encodeCsvHeader(grid.cols, nl) : '';
  return head + encodeCsvRows(grid, nl);
}

/** The header line of {@link encodeCsv} (column display names), for writing a grid whose rows come in pieces. */
export function encodeCsvHeader(cols: readonly GridCol[], newline: '\n' | '\r\n' = '\n'): string {
  const n = cols.length;
  let out = '';
  for (let i = 0; i < n; i++) {
    const c = cols[i];
    if (c === undefined) continue;
    const dis = c.meta.get('dis');
    if (i > 0) out += ',';
    out += cell(typeof dis === 'string' ? dis : c.name, n);
  }
  return out + newline;
}

/** The lines of a grid's rows as {@link encodeCsv} writes them after its header. */
export function encodeCsvRows(grid: Grid, newline: '\n' | '\r\n' = '\n'): string {
  const cols = grid.cols;
  const n = cols.length;
  let out = '';
  const src = grid.rowSource;
  for (let r = 0; r < src.size; r++) {
    const row = src.row(r);
    for (let i = 0; i < n; i++) {
      const c = cols[i];
      if (c === undefined) continue;
      if (i > 0) out += ',';
      out += cell(cellText(row.get(c.name)), n);
    }
    out += newline;
  }
  return out;
}
