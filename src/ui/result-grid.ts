// A virtualized, sortable grid of entities: only the rows in view are in the DOM, so 10,000 rows scroll smoothly.

import type { VNode } from 'preact';
import { useEffect, useId, useMemo, useRef, useState } from 'preact/hooks';
import type { Dict } from '../core/grid/dict.js';
import { Marker } from '../core/kinds/marker.js';
import { Ref } from '../core/kinds/ref.js';
import { html } from './html.js';
import { ValView } from './val-view.js';
import { compareCells, entityHref, valText } from './values.js';

/** Height of one row in px (the stylesheet's `.grid-row` height must match). */
export const ROW_HEIGHT = 30;
// Rows rendered above and below the visible ones, so a fast scroll does not show blank space.
const OVERSCAN = 10;
// Least width of a column in px (9rem), and the columns rendered left and right of the visible ones.
const MIN_COL_WIDTH = 144;
const COL_OVERSCAN = 2;

/** Props of {@link ResultGrid}. */
export interface ResultGridProps {
  /** The entities. */
  readonly rows: readonly Dict[];
  /** The columns, in order. */
  readonly cols: readonly string[];
  /** Accessible name of the grid. */
  readonly label: string;
  /** Opens an entity (Enter on a row, or a click on it). */
  readonly onOpen: (id: string) => void;
  /** Where the grid was (sort, scroll, active row) is kept under this key, for the next grid of the same key. */
  readonly memoryKey?: string;
}

interface SortState {
  readonly col: string;
  readonly dir: 1 | -1;
}

// Left edge of each column in px, and the total width last: `dis` up to 2.5 times the least width (no wider than
// the box), the others the least, all stretched alike when they do not fill the box.
function columnEdges(cols: readonly string[], width: number): number[] {
  const dis = Math.min(2.5 * MIN_COL_WIDTH, Math.max(MIN_COL_WIDTH, width));
  const natural = cols.map((c) => (c === 'dis' ? dis : MIN_COL_WIDTH));
  const sum = natural.reduce((a, b) => a + b, 0);
  const scale = sum > 0 && sum < width ? width / sum : 1;
  const edges = [0];
  for (const w of natural) edges.push((edges[edges.length - 1] ?? 0) + w * scale);
  return edges;
}

/** Where the active cell is: `row` -1 is the header (Enter there sorts), `col` indexes `cols`. */
interface Cell {
  readonly row: number;
  readonly col: number;
}

interface Place {
  readonly sort: SortState | undefined;
  readonly top: number;
  readonly left: number;
  readonly active: Cell;
}

// Opening an entity from the results and coming Back mounts a new grid: without this it starts at the top, unsorted,
// and the row the user was on is lost. Kept for the page's life only, for the last few keys.
const places = new Map<string, Place>();
const PLACES_KEPT = 20;

function keepPlace(key: string, place: Place): void {
  places.delete(key);
  places.set(key, place);
  for (const old of places.keys()) {
    if (places.size <= PLACES_KEPT) break;
    places.delete(old);
  }
}

/** Columns for a set of entities: `id` and `dis` first, then the others by how many rows have them. */
export function columnsOf(rows: readonly Dict[], max = 500): string[] {
  const counts = new Map<string, number>();
  for (const r of rows.length > 2000 ? rows.slice(0, 2000) : rows) {
    for (const name of r.names) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const rest = [...counts.keys()]
    .filter((n) => n !== 'id' && n !== 'dis')
    .sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || a.localeCompare(b));
  return [...['id', 'dis'].filter((n) => counts.has(n)), ...rest].slice(0, max);
}

/**
 * The grid (WAI-ARIA grid pattern: the scroll box is the one tab stop and names its active cell): arrows move
 * the active cell, Home/End within the row, Control+Home to the header's first cell and Control+End to the last
 * row's last, Enter opens the entity (or the Ref in the cell), and on the header sorts (again: reverse).
 */
export function ResultGrid({ rows, cols, label, onOpen, memoryKey }: ResultGridProps): VNode {
  const [saved] = useState(() => (memoryKey === undefined ? undefined : places.get(memoryKey)));
  const [sort, setSort] = useState<SortState | undefined>(saved?.sort);
  const [top, setTop] = useState(saved?.top ?? 0);
  const [left, setLeft] = useState(saved?.left ?? 0);
  const [height, setHeight] = useState(480);
  const [width, setWidth] = useState(960);
  const [active, setActive] = useState<Cell>(saved?.active ?? { row: 0, col: 0 });
  const body = useRef<HTMLDivElement>(null);
  const restoring = useRef(saved !== undefined);
  const uid = useId();

  const sorted = useMemo(() => {
    if (sort === undefined) return rows;
    return [...rows].sort((a, b) => compareCells(a.get(sort.col), b.get(sort.col), sort.dir));
  }, [rows, sort]);

  useEffect(() => {
    const el = body.current;
    if (el === null) return undefined;
    const observer = new ResizeObserver(() => {
      setHeight(el.clientHeight);
      setWidth(el.clientWidth);
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
    };
  }, []);

  useEffect(() => {
    const el = body.current;
    // The first rows of a grid that had a place: scroll back to it (the state already holds it).
    if (restoring.current) {
      restoring.current = false;
      if (el !== null) {
        el.scrollTop = saved?.top ?? 0;
        el.scrollLeft = saved?.left ?? 0;
      }
      return;
    }
    setActive({ row: 0, col: 0 });
    setTop(0);
    setLeft(0);
    if (el !== null) {
      el.scrollTop = 0;
      el.scrollLeft = 0;
    }
  }, [rows]);

  useEffect(() => {
    if (memoryKey !== undefined) keepPlace(memoryKey, { sort, top, left, active });
  }, [memoryKey, sort, top, left, active]);

  // Each column has a fixed width, which is what lets only the columns in view be rendered (a point list has 40+
  // tag columns) with the header on the same track. `dis` gets more: a site's point names share their start, and
  // cut at the least width every row read the same. Columns that fit share out the rest of the width.
  const edges = useMemo(() => columnEdges(cols, width), [cols, width]);
  const total = edges[cols.length] ?? 0;
  const edge = (c: number): number => edges[c] ?? total;
  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(sorted.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
  let firstCol = 0;
  while (firstCol < cols.length - 1 && edge(firstCol + 1) <= left) firstCol++;
  let lastCol = firstCol;
  while (lastCol < cols.length && edge(lastCol) < left + width) lastCol++;
  firstCol = Math.max(0, firstCol - COL_OVERSCAN);
  lastCol = Math.min(cols.length, lastCol + COL_OVERSCAN);
  const track = {
    gridTemplateColumns: edges
      .slice(firstCol, lastCol)
      .map((x, k) => `${edge(firstCol + k + 1) - x}px`)
      .join(' '),
    paddingLeft: `${edge(firstCol)}px`,
    width: `${total}px`,
  };
  const cellId = (row: number, col: number): string => `${uid}-${row}-${col}`;

  const moveTo = (row: number, col: number): void => {
    const r = Math.max(-1, Math.min(sorted.length - 1, row));
    const c = Math.max(0, Math.min(cols.length - 1, col));
    setActive({ row: r, col: c });
    const el = body.current;
    if (el === null) return;
    // The sticky header sits above the rows inside the scrolled box: a row's bottom is `head` further down.
    const head = el.firstElementChild?.clientHeight ?? 0;
    // On the header (sticky, so in view at any scroll) the rows below it are shown from their start.
    if (r * ROW_HEIGHT < el.scrollTop) el.scrollTop = Math.max(0, r) * ROW_HEIGHT;
    else if (r >= 0 && (r + 1) * ROW_HEIGHT + head > el.scrollTop + el.clientHeight) {
      el.scrollTop = (r + 1) * ROW_HEIGHT + head - el.clientHeight;
    }
    if (edge(c) < el.scrollLeft) el.scrollLeft = edge(c);
    else if (edge(c + 1) > el.scrollLeft + el.clientWidth) el.scrollLeft = edge(c + 1) - el.clientWidth;
  };
  const sortBy = (col: string): void => {
    setSort(sort?.col === col ? { col, dir: sort.dir === 1 ? -1 : 1 } : { col, dir: 1 });
  };
  const onKey = (e: KeyboardEvent): void => {
    // A link or button inside a cell that has the focus (after a click) handles its own keys.
    if (e.target !== e.currentTarget) return;
    const page = Math.max(1, Math.floor(height / ROW_HEIGHT) - 1);
    const { row, col } = active;
    const ctrl = e.ctrlKey || e.metaKey;
    const moves: Record<string, readonly [number, number]> = {
      ArrowDown: [row + 1, col],
      ArrowUp: [row - 1, col],
      ArrowRight: [row, col + 1],
      ArrowLeft: [row, col - 1],
      // The header is the grid's first row (WAI-ARIA grid pattern): Page Up, and Control+Home, end on it.
      PageDown: [row + page, col],
      PageUp: [row - page, col],
      Home: ctrl ? [-1, 0] : [row, 0],
      End: ctrl ? [sorted.length - 1, cols.length - 1] : [row, cols.length - 1],
    };
    const to = moves[e.key];
    const name = cols[col];
    if (to !== undefined) moveTo(to[0], to[1]);
    else if ((e.key === 'Enter' || e.key === ' ') && row < 0 && name !== undefined) sortBy(name);
    else if (e.key === 'Enter') {
      const entity = sorted[row];
      // A Ref in the cell is where its link goes; any other cell stands for its row's entity.
      const v = name === undefined ? undefined : entity?.get(name);
      const id = v instanceof Ref ? v.id : entity?.id?.id;
      if (id !== undefined) onOpen(id);
    } else return;
    e.preventDefault();
  };

  const shown = cols.slice(firstCol, lastCol);
  const visible: VNode[] = [];
  for (let i = first; i < last; i++) {
    const row = sorted[i];
    if (row === undefined) continue;
    const id = row.id?.id;
    const on = i === active.row;
    visible.push(html`<div
      role="row"
      key=${id ?? i}
      aria-rowindex=${i + 2}
      aria-selected=${on}
      class=${on ? 'grid-row active' : 'grid-row'}
      style=${{ ...track, transform: `translateY(${i * ROW_HEIGHT}px)` }}
      onDblClick=${() => {
        if (id !== undefined) onOpen(id);
      }}
    >
      ${shown.map((c, k) => {
        const j = firstCol + k;
        const v = row.get(c);
        // Cut off by the column's width, a value is still whole in the title (a marker's check needs none).
        const title = c === 'id' && id !== undefined ? `@${id}` : v instanceof Marker ? undefined : valText(v);
        return html`<div role="gridcell" id=${cellId(i, j)} aria-colindex=${j + 1} key=${c} title=${title || undefined}
          class=${on && j === active.col ? 'grid-cell active' : 'grid-cell'}
          onClick=${() => {
            setActive({ row: i, col: j });
          }}>
          ${
            c === 'id' && id !== undefined
              ? html`<a class="k-ref" href=${entityHref(id)} tabindex="-1">@${id}</a>`
              : html`<${ValView} v=${v} tabIndex=${-1} />`
          }
        </div>`;
      })}
    </div>`);
  }
  const activeShown =
    active.col >= firstCol && active.col < lastCol && (active.row < 0 || (active.row >= first && active.row < last));

  return html`<div class="result-grid">
    <div class="grid-scroll" ref=${body} tabindex="0" onKeyDown=${onKey}
      role="grid"
      aria-label=${label}
      aria-rowcount=${sorted.length + 1}
      aria-colcount=${cols.length}
      aria-activedescendant=${activeShown ? cellId(active.row, active.col) : undefined}
      onScroll=${(e: Event) => {
        const el = e.currentTarget as HTMLDivElement;
        setTop(el.scrollTop);
        setLeft(el.scrollLeft);
      }}>
      <div class="grid-head" role="row" aria-rowindex="1" style=${track}>
        ${shown.map((c, k) => {
          const j = firstCol + k;
          const dir = sort?.col === c ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none';
          return html`<div role="columnheader" id=${cellId(-1, j)} aria-colindex=${j + 1} aria-sort=${dir} key=${c}
            class=${active.row < 0 && j === active.col ? 'grid-cell active' : 'grid-cell'}>
            <button type="button" tabindex="-1" onClick=${() => {
              // The keys stay with the grid (its one tab stop), not with a button clicked inside it.
              body.current?.focus();
              sortBy(c);
            }}>${c}${dir === 'ascending' ? ' \u25b2' : dir === 'descending' ? ' \u25bc' : ''}</button>
          </div>`;
        })}
      </div>
      <div class="grid-body" role="rowgroup" style=${{ height: `${sorted.length * ROW_HEIGHT}px`, width: track.width }}>
        ${visible}
      </div>
    </div>
  </div>`;
}
