// The query screen: a filter box that remembers recent filters, and the entities it finds in a virtualized grid.

import type { VNode } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Dict } from '../core/grid/dict.js';
import { html } from './html.js';
import { columnsOf, ResultGrid } from './result-grid.js';
import type { Session } from './session.js';
import { useAsync } from './use-async.js';
import { entityHref } from './values.js';

/** Most entities a query shows. */
export const QUERY_LIMIT = 20_000;
const HISTORY_KEY = 'haystack-ui.queries';
const HISTORY_SIZE = 12;

function recentQueries(): string[] {
  try {
    const v: unknown = JSON.parse(localStorage.getItem(HISTORY_KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function remember(filter: string): string[] {
  const next = [filter, ...recentQueries().filter((q) => q !== filter)].slice(0, HISTORY_SIZE);
  localStorage.setItem(HISTORY_KEY, JSON.stringify(next));
  return next;
}

/** Props of {@link QueryView}. */
export interface QueryViewProps {
  readonly session: Session;
  /** The filter in the address (`#/query?filter=...`), run on arrival. */
  readonly filter: string;
  /** Put a filter into the address (which runs it). */
  readonly navigate: (hash: string) => void;
}

/** Filter box, recent filters, and the results. */
export function QueryView({ session, filter, navigate }: QueryViewProps): VNode {
  const [text, setText] = useState(filter === '' ? 'point' : filter);
  // A filter that arrives by the address (a recent query, Back) is the one shown, not the last one typed.
  useEffect(() => {
    if (filter !== '') setText(filter);
  }, [filter]);
  const [recent, setRecent] = useState(recentQueries);
  // Run on the filter already in the address changes no address: it counts here, so the query runs again (to see
  // new data, or after an error such as the server being away).
  const [runs, setRuns] = useState(0);
  const result = useAsync(async () => {
    if (filter === '') return undefined;
    const started = performance.now();
    const grid = await session.client.read(filter, { limit: QUERY_LIMIT });
    setRecent(remember(filter));
    return { rows: grid.rows, ms: performance.now() - started };
  }, [filter, runs]);
  const rows: readonly Dict[] = result.value?.rows ?? [];
  const cols = useMemo(() => columnsOf(rows), [rows]);
  const run = (f: string): void => {
    if (f.trim() === filter) setRuns((n) => n + 1);
    else navigate(`#/query?filter=${encodeURIComponent(f.trim())}`);
  };

  return html`<section class="screen query" aria-labelledby="query-title">
    <h1 id="query-title">Query</h1>
    <form class="filter-form" role="search" onSubmit=${(e: Event) => {
      e.preventDefault();
      run(text);
    }}>
      <label for="filter-input">Filter</label>
      <input id="filter-input" name="filter" type="search" list="filter-history" autocomplete="off" spellcheck=${false}
        value=${text} onInput=${(e: Event) => {
          setText((e.currentTarget as HTMLInputElement).value);
        }} />
      <datalist id="filter-history">${recent.map((q) => html`<option value=${q} key=${q} />`)}</datalist>
      <button type="submit">Run</button>
    </form>
    ${
      recent.length > 0
        ? html`<nav class="recent" aria-label="Recent queries"><span>Recent:</span>
          ${recent.map((q) => html`<a key=${q} href=${`#/query?filter=${encodeURIComponent(q)}`}>${q}</a>`)}</nav>`
        : null
    }
    ${result.error !== undefined ? html`<p class="error" role="alert">${result.error}</p>` : null}
    <p class="result-count" role="status">
      ${
        result.loading && filter !== ''
          ? 'Running\u2026'
          : result.value === undefined
            ? ''
            : result.value.rows.length === 0
              ? `No entity matches ${filter}.`
              : `${result.value.rows.length.toLocaleString('en')} entities in ${Math.round(result.value.ms)} ms${
                  result.value.rows.length >= QUERY_LIMIT ? ` (the first ${QUERY_LIMIT.toLocaleString('en')})` : ''
                }`
      }
    </p>
    ${
      rows.length > 0
        ? html`<${ResultGrid} rows=${rows} cols=${cols} label=${`Entities matching ${filter}`} memoryKey=${filter}
          onOpen=${(id: string) => {
            navigate(entityHref(id));
          }} />`
        : null
    }
  </section>`;
}
