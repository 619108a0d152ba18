// A virtualized, sortable grid of entities: only the rows in view are in the DOM, so 10,000 rows scroll smoothly.

import type { VNode } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Dict } from '../core/grid/dict.js';
import { html } from './html.js';
import { ValView } from './val-view.js';
import { compareCells, entityHref } from './values.js';

/** Height of one row in px (the stylesheet's `.grid-row` height must match). */
export const ROW_HEIGHT = 30;
// Rows rendered above and below the visible ones, so a fast scroll does not show blank space.
const OVERSCAN = 10;

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

interface Place {
  readonly sort: SortState | undefined;
  readonly top: number;
  readonly active: number;
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
export function columnsOf(rows: readonly Dict[], max = 40): string[] {
  const counts = new Map<string, number>();
  for (const r of rows.length > 2000 ? rows.slice(0, 2000) : rows) {
    for (const name of r.names) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const rest = [...counts.keys()]
    .filter((n) => n !== 'id' && n !== 'dis')
    .sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0) || a.localeCompare(b));
  return [...['id', 'dis'].filter((n) => counts.has(n)), ...rest].slice(0, max);
}

/** The grid: header buttons sort (again: reverse), arrow keys move the active row, Enter opens it. */
export function ResultGrid({ rows, cols, label, onOpen, memoryKey }: ResultGridProps): VNode {
  const [saved] = useState(() => (memoryKey === undefined ? undefined : places.get(memoryKey)));
  const [sort, setSort] = useState<SortState | undefined>(saved?.sort);
  const [top, setTop] = useState(saved?.top ?? 0);
  const [height, setHeight] = useState(480);
  const [active, setActive] = useState(saved?.active ?? 0);
  const body = useRef<HTMLDivElement>(null);
  const restoring = useRef(saved !== undefined);

  const sorted = useMemo(() => {
    if (sort === undefined) return rows;
    return [...rows].sort((a, b) => compareCells(a.get(sort.col), b.get(sort.col), sort.dir));
  }, [rows, sort]);

  useEffect(() => {
    const el = body.current;
    if (el === null) return undefined;
    const observer = new ResizeObserver(() => {
      setHeight(el.clientHeight);
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
    };
  }, []);

  useEffect(() => {
    // The first rows of a grid that had a place: scroll back to it (the state already holds it).
    if (restoring.current) {
      restoring.current = false;
      if (body.current !== null) body.current.scrollTop = saved?.top ?? 0;
      return;
    }
    setActive(0);
    setTop(0);
    if (body.current !== null) body.current.scrollTop = 0;
  }, [rows]);

  useEffect(() => {
    if (memoryKey !== undefined) keepPlace(memoryKey, { sort, top, active });
  }, [memoryKey, sort, top, active]);

  const first = Math.max(0, Math.floor(top / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(sorted.length, Math.ceil((top + height) / ROW_HEIGHT) + OVERSCAN);
  const template = { gridTemplateColumns: `repeat(${cols.length}, minmax(9rem, 1fr))` };
  const width = { minWidth: `${cols.length * 9}rem` };

  const moveTo = (i: number): void => {
    const n = Math.max(0, Math.min(sorted.length - 1, i));
    setActive(n);
    const el = body.current;
    if (el === null) return;
    // The sticky header sits above the rows inside the scrolled box: a row's bottom is `head` further down.
    const head = el.firstElementChild?.clientHeight ?? 0;
    if (n * ROW_HEIGHT < el.scrollTop) el.scrollTop = n * ROW_HEIGHT;
    else if ((n + 1) * ROW_HEIGHT + head > el.scrollTop + el.clientHeight) {
      el.scrollTop = (n + 1) * ROW_HEIGHT + head - el.clientHeight;
    }
  };
  const onKey = (e: KeyboardEvent): void => {
    const page = Math.max(1, Math.floor(height / ROW_HEIGHT) - 1);
    const moves: Record<string, number> = { ArrowDown: 1, ArrowUp: -1, PageDown: page, PageUp: -page };
    const step = moves[e.key];
    if (step !== undefined) moveTo(active + step);
    else if (e.key === 'Home') moveTo(0);
    else if (e.key === 'End') moveTo(sorted.length - 1);
    else if (e.key === 'Enter') {
      const id = sorted[active]?.id?.id;
      if (id !== undefined) onOpen(id);
    } else return;
    e.preventDefault();
  };
  const sortBy = (col: string): void => {
    setSort(sort?.col === col ? { col, dir: sort.dir === 1 ? -1 : 1 } : { col, dir: 1 });
  };

  const visible: VNode[] = [];
  for (let i = first; i < last; i++) {
    const row = sorted[i];
    if (row === undefined) continue;
    const id = row.id?.id;
    visible.push(html`<div
      role="row"
      key=${id ?? i}
      aria-rowindex=${i + 2}
      aria-selected=${i === active}
      class=${i === active ? 'grid-row active' : 'grid-row'}
      style=${{ ...template, transform: `translateY(${i * ROW_HEIGHT}px)` }}
      onClick=${() => {
        setActive(i);
      }}
      onDblClick=${() => {
        if (id !== undefined) onOpen(id);
      }}
    >
      ${cols.map(
        (c) =>
          html`<div role="gridcell" class="grid-cell" key=${c}>
            ${
              c === 'id' && id !== undefined
                ? html`<a class="k-ref" href=${entityHref(id)} tabindex="-1">@${id}</a>`
                : html`<${ValView} v=${row.get(c)} />`
            }
          </div>`,
      )}
    </div>`);
  }

  return html`<div
    class="result-grid"
    role="grid"
    aria-label=${label}
    aria-rowcount=${sorted.length + 1}
    aria-colcount=${cols.length}
  >
    <div class="grid-scroll" ref=${body} tabindex="0" onKeyDown=${onKey}
      onScroll=${(e: Event) => {
        setTop((e.currentTarget as HTMLDivElement).scrollTop);
      }}>
      <div class="grid-head" role="row" aria-rowindex="1" style=${{ ...template, ...width }}>
        ${cols.map((c) => {
          const dir = sort?.col === c ? (sort.dir === 1 ? 'ascending' : 'descending') : 'none';
          return html`<div role="columnheader" class="grid-cell" aria-sort=${dir} key=${c}>
            <button type="button" onClick=${() => {
              sortBy(c);
            }}>${c}${dir === 'ascending' ? ' \u25b2' : dir === 'descending' ? ' \u25bc' : ''}</button>
          </div>`;
        })}
      </div>
      <div class="grid-body" role="rowgroup" style=${{ height: `${sorted.length * ROW_HEIGHT}px`, ...width }}>
        ${visible}
      </div>
    </div>
  </div>`;
}
