// Haystack JSON v3 writer: scalars as type-prefixed strings, grids as {meta, cols, rows}, built as text directly.

import { ValueError } from '../../errors.js';
import { Dict } from '../../grid/dict.js';
import { Grid, type GridCol } from '../../grid/grid.js';
import { Coord } from '../../kinds/coord.js';
import { HDate } from '../../kinds/date.js';
import { HDateTime } from '../../kinds/date-time.js';
import type { Val } from '../../kinds/kind.js';
import { MARKER, NA, REMOVE } from '../../kinds/marker.js';
import { floatText, Num } from '../../kinds/number.js';
import { Ref } from '../../kinds/ref.js';
import { Sym } from '../../kinds/symbol.js';
import { HTime } from '../../kinds/time.js';
import { Uri } from '../../kinds/uri.js';
import { XStr } from '../../kinds/xstr.js';

/**
 * Encode a value as compact Haystack JSON v3 text. What v3 cannot carry: a column meta tag named
 * `name` (v3 puts column meta beside the column's `name`), and a Dict with non-null `meta`, `cols`
 * and `rows` tags reads back as a Grid. Such values are written anyway and change on the way back.
 */
export function writeJson3(val: Val): string {
  return writeVal('', val);
}

function writeVal(out: string, v: Val): string {
  if (typeof v === 'string') {
    // Json v3: strings that contain a colon must be encoded with the "s:" prefix
    return out + JSON.stringify(v.includes(':') ? `s:${v}` : v);
  }
  if (v === null) return out + 'null';
  if (typeof v === 'boolean') return out + (v ? 'true' : 'false');
  if (v instanceof Dict) return writeDict(out, v, '{', undefined);
  if (Array.isArray(v)) {
    const a = v as readonly Val[];
    out += '[';
    for (let i = 0; i < a.length; i++) out = writeVal(i > 0 ? out + ',' : out, a[i] ?? null);
    return out + ']';
  }
  if (v instanceof Grid) return writeGrid(out, v);
  return out + JSON.stringify(scalarText(v));
}

/** The v3 string of a scalar that is not a Str or Bool, e.g. `n:72 °F`, `r:site-1 Alpha`, `t:... New_York`. */
export function scalarText(v: Val): string {
  if (v === MARKER) return 'm:';
  if (v instanceof Ref) return v.dis === undefined ? `r:${v.id}` : `r:${v.id} ${v.dis}`;
  if (v instanceof Num) {
    // Json v3: a space between the number and its unit
    const f = v.val;
    const t = Number.isNaN(f)
      ? 'NaN'
      : f === Number.POSITIVE_INFINITY
        ? 'INF'
        : f === Number.NEGATIVE_INFINITY
          ? '-INF'
          : floatText(f);
    return v.unit === undefined ? `n:${t}` : `n:${t} ${v.unit}`;
  }
  if (v instanceof HDateTime) return `t:${v.toIso()} ${v.tz.name}`;
  if (v instanceof HDate) return `d:${v.toString()}`;
  if (v instanceof HTime) return `h:${v.toString()}`;
  if (v instanceof Uri) return `u:${v.val}`;
  if (v instanceof Sym) return `y:${v.val}`;
  if (v instanceof Coord) return `c:${v.lat},${v.lng}`;
  if (v instanceof XStr) return `x:${v.type}:${v.val}`;
  if (v === NA) return 'z:';
  if (v === REMOVE) return '-:';
  throw new ValueError(`Not a Haystack scalar: ${Object.prototype.toString.call(v)}`);
}

// Writes `open` then the tags (skipping `skip`), then '}'; `open` may already hold members.
function writeDict(out: string, d: Dict, open: string, skip: string | undefined): string {
  out += open;
  let first = open.endsWith('{');
  // forEach, not for-of: no iterator result per tag (garbage that would make each GC copy the growing text).
  d.forEach((v, k) => {
    if (k === skip) return;
    out = writeVal(first ? `${out}"${k}":` : `${out},"${k}":`, v);
    first = false;
  });
  return out + '}';
}

function writeGrid(out: string, g: Grid): string {
  return writeRows(writeHead(out, g.meta, g.cols), g, true) + JSON3_GRID_TAIL;
}

/** A grid's JSON v3 text before its rows (through `"rows":[`), for writing a grid whose rows come in pieces. */
export function writeJson3GridHead(meta: Dict, cols: readonly GridCol[]): string {
  return writeHead('', meta, cols);
}

/** Rows of a grid as they follow {@link writeJson3GridHead}'s text: led by a comma unless `first`. */
export function writeJson3GridRows(grid: Grid, first: boolean): string {
  return writeRows('', grid, first);
}

/** What follows a grid's last row in JSON v3. */
export const JSON3_GRID_TAIL = ']}';

function writeHead(out: string, meta: Dict, cols: readonly GridCol[]): string {
  // The model keeps no version; the writer states its own.
  out = writeDict(out, meta, '{"meta":{"ver":"3.0"', 'ver') + ',"cols":[';
  // A grid without columns is written with one named `empty`, as Zinc is and as Haxall and other readers expect.
  if (cols.length === 0) return `${out}{"name":"empty"}],"rows":[`;
  for (let i = 0; i < cols.length; i++) {
    const c = cols[i];
    if (c === undefined) continue;
    out = writeDict(i > 0 ? out + ',' : out, c.meta, `{"name":"${c.name}"`, 'name');
  }
  return out + '],"rows":[';
}

function writeRows(out: string, g: Grid, first: boolean): string {
  const src = g.rowSource;
  for (let i = 0; i < src.size; i++) out = writeDict(i > 0 || !first ? out + ',' : out, src.row(i), '{', undefined);
  return out;
}
