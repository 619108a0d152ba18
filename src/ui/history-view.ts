// The history screen: several points over a range in one uPlot chart, one axis per unit, and a CSV download.

import type { VNode } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { dateRange, type HisRange, TODAY, YESTERDAY } from '../client/his-range.js';
import type { Dict } from '../core/grid/dict.js';
import type { Grid } from '../core/grid/grid.js';
import { HDate } from '../core/kinds/date.js';
import { HDateTime } from '../core/kinds/date-time.js';
import { kindOf, type Val } from '../core/kinds/kind.js';
import type { Num } from '../core/kinds/number.js';
import { TimeZone } from '../core/tz/time-zone.js';
import { historyCsv } from './history-csv.js';
import { cursorStep, sampleText, timeGaps } from './history-samples.js';
import { SampleTable } from './history-table.js';
import { html } from './html.js';
import type { Session } from './session.js';
import { errorText, useAsync } from './use-async.js';

/** The ranges of the picker. */
export type RangeChoice = 'today' | 'yesterday' | 'week' | 'custom';

const RANGES: readonly (readonly [RangeChoice, string])[] = [
  ['today', 'Today'],
  ['yesterday', 'Yesterday'],
  ['week', 'Last 7 days'],
  ['custom', 'Custom'],
];

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2'];

/** Props of {@link HistoryView}. */
export interface HistoryViewProps {
  readonly session: Session;
  /** The points, by id. */
  readonly ids: readonly string[];
  readonly range: RangeChoice;
  /** Custom range: first and last day, `YYYY-MM-DD`. */
  readonly from: string;
  readonly to: string;
  readonly navigate: (hash: string) => void;
}

/** The address of the history screen for these choices. */
export function historyHref(ids: readonly string[], range: RangeChoice, from = '', to = ''): string {
  const q = new URLSearchParams({ ids: ids.join(','), range });
  if (range === 'custom') {
    q.set('from', from);
    q.set('to', to);
  }
  return `#/history?${q.toString()}`;
}

// The download's name: the days it holds, as dates (a folder of `history-today.csv (3)` says nothing).
function csvName(choice: RangeChoice, tz: TimeZone, from: string, to: string): string {
  const today = HDateTime.now(tz).date;
  const [first, last] =
    choice === 'today'
      ? [today.toString(), today.toString()]
      : choice === 'yesterday'
        ? [today.plusDays(-1).toString(), today.plusDays(-1).toString()]
        : choice === 'week'
          ? [today.plusDays(-6).toString(), today.toString()]
          : [from, to];
  return first === last ? `history-${first}.csv` : `history-${first}_${last}.csv`;
}

function hisRange(choice: RangeChoice, tz: TimeZone, from: string, to: string): HisRange {
  if (choice === 'today') return TODAY;
  if (choice === 'yesterday') return YESTERDAY;
  const today = HDateTime.now(tz).date;
  if (choice === 'week') return dateRange(today.plusDays(-6), today);
  return dateRange(HDate.parse(from), HDate.parse(to));
}

interface PointChoice {
  readonly id: string;
  readonly dis: string;
  /** What the suggestion puts in the box: the name, with the id when another point has the same name. */
  readonly value: string;
}

// Sites have points that share a name (Alpha: 13 names twice): a suggestion by name alone could only ever add the
// first of them, so those carry their id.
function pointChoices(points: readonly Dict[]): PointChoice[] {
  const named = new Map<string, number>();
  for (const d of points) named.set(d.dis(), (named.get(d.dis()) ?? 0) + 1);
  return points.flatMap((d) => {
    const id = d.id?.id;
    if (id === undefined) return [];
    const dis = d.dis();
    return [{ id, dis, value: (named.get(dis) ?? 0) > 1 ? `${dis} @${id}` : dis }];
  });
}

/** A value as a number for the chart: Numbers as is, Bools as 0/1, anything else a gap. */
function plotNumber(v: Val | undefined): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return kindOf(v) === 'number' ? (v as Num).val : null;
}

interface Series {
  readonly id: string;
  readonly label: string;
  readonly unit: string;
  /** True for a point whose `hisMode` is `cov`: logged on change, each value held until the next sample. */
  readonly cov: boolean;
}

interface Loaded {
  readonly series: readonly Series[];
  /** Per series: true when its samples are Bools (plotted as steps between false and true). */
  readonly bools: readonly boolean[];
  /** Per series: how many samples it has, and how many of them the chart can draw (Numbers, Bools). */
  readonly counts: readonly { readonly samples: number; readonly drawn: number }[];
  readonly ts: readonly HDateTime[];
  readonly data: uPlot.AlignedData;
  /** The samples as recorded, one array per series (the CSV writes these: the chart cannot plot a Str). */
  readonly vals: readonly (readonly Val[])[];
}

function seriesOf(points: readonly Dict[], ids: readonly string[]): Series[] {
  return ids.map((id) => {
    const p = points.find((d) => d.id?.id === id);
    const unit = p?.get('unit');
    return {
      id,
      label: p === undefined ? `@${id}` : p.dis(),
      unit: typeof unit === 'string' ? unit : '',
      cov: p?.get('hisMode') === 'cov',
    };
  });
}

function toLoaded(grid: Grid, series: readonly Series[]): Loaded {
  const ts: HDateTime[] = [];
  const xs: number[] = [];
  const ys: (number | null | undefined)[][] = series.map(() => []);
  const vals: Val[][] = series.map(() => []);
  const bools = series.map(() => false);
  const numbers = series.map(() => false);
  const counts = series.map(() => ({ samples: 0, drawn: 0 }));
  for (const row of grid.rows) {
    const t = row.get('ts');
    if (!(t instanceof HDateTime)) continue;
    ts.push(t);
    xs.push(t.epochMs / 1000);
    series.forEach((_, i) => {
      const v = row.get(series.length === 1 && !grid.hasCol('v0') ? 'val' : `v${i}`) ?? null;
      // An empty cell only says another point has a sample at this time: uPlot spans `undefined` and breaks the line
      // at `null`, so a point logged at other times than the rest would be drawn as dashes or not at all.
      ys[i]?.push(v === null ? undefined : plotNumber(v));
      vals[i]?.push(v);
      if (typeof v === 'boolean') bools[i] = true;
      else if (kindOf(v) === 'number') numbers[i] = true;
      const c = counts[i];
      if (c !== undefined && v !== null) {
        c.samples++;
        if (plotNumber(v) !== null) c.drawn++;
      }
    });
  }
  return { series, bools: bools.map((b, i) => b && numbers[i] !== true), counts, ts, data: [xs, ...ys], vals };
}

// Why a point of the chart shows no line, if it shows none: a blank chart alone reads as a broken one.
function notDrawn({ series, counts }: Loaded): string[] {
  return series.flatMap((s, i) => {
    const c = counts[i] ?? { samples: 0, drawn: 0 };
    if (c.drawn > 0) return [];
    return [
      c.samples === 0
        ? `${s.label}: no samples in this range`
        : `${s.label}: ${c.samples.toLocaleString('en')} text samples, not plotted (Download CSV has them)`,
    ];
  });
}

// A Bool holds its state until the next sample: drawn as steps on a false/true axis of its own, never a ramp.
// Not a unit (units have no parentheses), so it never shares a scale with one.
const BOOL_SCALE = '(bool)';
const boolText = (v: number | null): string => (v === null ? '--' : v >= 0.5 ? 'true' : 'false');

function boolSeries(): Partial<uPlot.Series> {
  return { ...steppedSeries(), value: (_: uPlot, v: number | null): string => boolText(v) };
}

// A value held until the next sample (a Bool, a `cov` point as the hisMode def says): steps, never a ramp.
function steppedSeries(): Partial<uPlot.Series> {
  const steps = uPlot.paths.stepped?.({ align: 1 });
  return steps === undefined ? {} : { paths: steps };
}

// uPlot breaks a line only at a null: hours without a sample are broken too (see timeGaps), in canvas pixels, in
// order among the breaks uPlot found.
function lineBreaks(xs: ArrayLike<number>, ys: ArrayLike<number | null | undefined>): uPlot.Series.GapsRefiner {
  const gaps = timeGaps(xs, ys);
  return (u, _s, _i0, _i1, found) => {
    const px = (x: number): number => Math.round(u.valToPos(x, 'x', true));
    return [...found, ...gaps.map(([a, b]): uPlot.Series.Gap => [px(a), px(b)])].sort((g, h) => g[0] - h[0]);
  };
}

function chartOptions({ series, bools, counts, data }: Loaded, width: number, iana: string): uPlot.Options {
  const scaleOf = (s: Series, i: number): string => (bools[i] === true ? BOOL_SCALE : s.unit === '' ? 'none' : s.unit);
  // A point with nothing to draw gets no axis (an empty one would stand beside the real ones).
  const units = [
    ...new Set(series.filter((_, i) => bools[i] !== true && (counts[i]?.drawn ?? 0) > 0).map((s) => s.unit)),
  ];
  const anyBool = bools.includes(true);
  return {
    width,
    height: Math.max(240, Math.min(420, Math.round(width * 0.45))),
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), iana),
    series: [
      {},
      ...series.map((s, i) => ({
        label: s.unit === '' ? s.label : `${s.label} (${s.unit})`,
        scale: scaleOf(s, i),
        stroke: COLORS[i % COLORS.length] ?? '#000',
        width: 1.5,
        spanGaps: false,
        // A Bool is logged on change, as is a `cov` point: steps hold each value however long it lasts (no break).
        ...(bools[i] === true
          ? boolSeries()
          : s.cov
            ? steppedSeries()
            : { gaps: lineBreaks(data[0], data[i + 1] ?? []) }),
      })),
    ],
    scales: {
      ...Object.fromEntries(units.map((u) => [u === '' ? 'none' : u, {}])),
      ...(anyBool ? { [BOOL_SCALE]: { range: [-0.1, 1.1] as uPlot.Range.MinMax } } : {}),
    },
    axes: [
      {},
      // One axis per unit (and one for Bools): the first on the left, the others on the right.
      // uPlot's Axis.Side is an ambient const enum that isolatedModules cannot name: 3 is Left, 1 is Right.
      // eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment
      ...[...units, ...(anyBool ? [BOOL_SCALE] : [])].map((u, i) => ({
        scale: u === '' ? 'none' : u,
        side: i === 0 ? 3 : 1,
        grid: { show: i === 0 },
        size: 60,
        ...(u === BOOL_SCALE
          ? { splits: () => [0, 1], values: (_: uPlot, splits: number[]) => splits.map((v) => boolText(v)) }
          : { label: u }),
      })),
    ],
    legend: { live: true },
  };
}

interface ChartProps {
  readonly loaded: Loaded;
  readonly iana: string;
  /** The sample under the keyboard's cursor, if a key has placed it. */
  readonly at: number | undefined;
  readonly onMove: (at: number) => void;
}

// uPlot draws on a canvas: the keys move its cursor (and so its legend) from sample to sample, and the sample is
// said in words below the chart. `application`, not `img`: a screen reader in browse mode keeps the arrow keys of an
// image for itself, so they would never reach the chart.
function Chart({ loaded, iana, at, onMove }: ChartProps): VNode {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const cursor = useRef(at);
  cursor.current = at;
  // The cursor's height only places its crosshair: on the first point with a value there, else mid-plot.
  const place = (u: uPlot): void => {
    const i = cursor.current;
    const x = i === undefined ? undefined : loaded.data[0][i];
    if (i === undefined || x === undefined) return;
    const s = loaded.data.findIndex((ys, k) => k > 0 && typeof ys[i] === 'number');
    const y = loaded.data[s]?.[i];
    const scale = u.series[s]?.scale;
    u.setCursor({
      left: u.valToPos(x, 'x'),
      top: typeof y !== 'number' || scale === undefined ? u.over.clientHeight / 2 : u.valToPos(y, scale),
    });
  };
  useEffect(() => {
    const el = box.current;
    if (el === null) return undefined;
    // A chart made again (the table shown in between, another zone) starts on the sample the keys left: once uPlot
    // has laid out its scales, which it does after the constructor returns.
    const made = new uPlot(
      { ...chartOptions(loaded, el.clientWidth, iana), hooks: { ready: [place] } },
      loaded.data,
      el,
    );
    plot.current = made;
    const observer = new ResizeObserver(() => {
      made.setSize({ width: el.clientWidth, height: made.height });
      place(made);
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      made.destroy();
      plot.current = undefined;
    };
  }, [loaded, iana]);
  useEffect(() => {
    if (plot.current !== undefined) place(plot.current);
  }, [at]);
  const name = `History chart of ${loaded.series.map((s) => s.label).join(', ')}: ${loaded.ts.length} samples`;
  return html`<div class="chart" ref=${box} role="application" tabindex="0" aria-label=${name}
      aria-describedby="chart-keys" onKeyDown=${(e: KeyboardEvent) => {
        const next = cursorStep(e.key, at, loaded.ts.length);
        if (next === undefined || e.altKey || e.ctrlKey || e.metaKey) return;
        e.preventDefault();
        onMove(next);
      }}></div>
    <p class="his-cursor" aria-live="polite">${at === undefined ? '' : sampleText(loaded, at)}</p>
    <p id="chart-keys" class="muted chart-keys">On the chart: Left and Right arrows move from sample to sample, Page
      Up and Page Down a tenth of them, Home and End to the first and last.</p>`;
}

function NotDrawn({ loaded }: { readonly loaded: Loaded }): VNode | null {
  const notes = notDrawn(loaded);
  return notes.length === 0
    ? null
    : html`<ul class="not-drawn muted" aria-label="Not drawn">${notes.map((n) => html`<li key=${n}>${n}</li>`)}</ul>`;
}

/** Points to choose from, range picker, chart, CSV download. */
export function HistoryView({ session, ids: asked, range, from, to, navigate }: HistoryViewProps): VNode {
  // A pasted or hand-edited address may name a point twice: it is plotted once (a batch read answers it once, and a
  // second line for it would be said to have no samples).
  const ids = useMemo(() => [...new Set(asked)], [asked.join(',')]);
  const [pick, setPick] = useState('');
  const [customFrom, setCustomFrom] = useState(from);
  const [customTo, setCustomTo] = useState(to);
  // The screen stays mounted while its address changes (Back, a link): the boxes show the range in the address,
  // or Show and Add would quietly go back to the previous one.
  useEffect(() => {
    setCustomFrom(from);
    setCustomTo(to);
  }, [from, to]);
  const [csvError, setCsvError] = useState<string | undefined>(undefined);
  // The list of points is read once, and again on the next action after it failed (the server away for a moment):
  // without it no point can be added nor any chart drawn, and nothing but leaving the screen read it again.
  const [listTries, setListTries] = useState(0);
  const points = useAsync(async () => (await session.client.read('point and his', { limit: 5000 })).rows, [listTries]);
  const readListAgain = (): void => {
    if (points.error !== undefined) setListTries((n) => n + 1);
  };
  useEffect(readListAgain, [ids.join(','), range, from, to]);
  const tzName = session.about.get('tz');
  const series = useMemo(() => seriesOf(points.value ?? [], ids), [points.value, ids.join(',')]);
  const firstTz = (points.value ?? []).find((d) => d.id?.id === ids[0])?.get('tz');
  const tz =
    TimeZone.find(typeof firstTz === 'string' ? firstTz : typeof tzName === 'string' ? tzName : 'UTC') ?? TimeZone.UTC;
  const loaded = useAsync(async () => {
    if (ids.length === 0 || points.value === undefined) return undefined;
    if (range === 'custom' && (from === '' || to === '')) return undefined;
    const r = hisRange(range, tz, from, to);
    // Points of sites in different zones are read in the chart's zone: without one the server refuses the batch.
    const grid =
      ids.length === 1
        ? await session.client.hisRead(ids[0] ?? '', r)
        : await session.client.hisReadMany(ids, r, { tz: tz.name });
    return toLoaded(grid, series);
  }, [ids.join(','), range, from, to, series]);

  const [asTable, setAsTable] = useState(false);
  // The keyboard's place among the samples: kept while the chart and the table take turns, and held with the load
  // it indexes, so that another range or point never starts on a stale index (an effect that reset it would run
  // only after the new chart had already placed its cursor there).
  const [cursorAt, setCursorAt] = useState<{ readonly of: Loaded; readonly at: number } | undefined>(undefined);
  const at = cursorAt !== undefined && cursorAt.of === loaded.value ? cursorAt.at : undefined;

  const choose = (next: readonly string[], r: RangeChoice = range): void => {
    navigate(historyHref(next, r, customFrom, customTo));
  };
  // A removed point takes its focused button with it, which dropped the keyboard's place to the page's start: the
  // focus goes to the remove button now in its place, else the one before it, else the box to add a point.
  const removedAt = useRef<number | undefined>(undefined);
  useEffect(() => {
    const at = removedAt.current;
    if (at === undefined) return;
    removedAt.current = undefined;
    const buttons = document.querySelectorAll<HTMLElement>('.chips button');
    (buttons[at] ?? buttons[at - 1] ?? document.getElementById('point-pick'))?.focus();
  }, [ids.join(',')]);
  const choices = useMemo(() => pointChoices(points.value ?? []), [points.value]);
  const [pickError, setPickError] = useState<string | undefined>(undefined);
  // A name typed before the list of points has arrived is looked up once it has: until then nothing says that no
  // point has it.
  const [waiting, setWaiting] = useState(false);
  const addPoint = (): void => {
    const typed = pick.trim();
    setWaiting(false);
    if (typed === '') return;
    if (points.value === undefined) {
      setPickError(undefined);
      setWaiting(true);
      readListAgain();
      return;
    }
    // A name that only one point has, else `name @id` (a suggestion), `@id` or the id.
    const named = choices.filter((c) => c.dis === typed);
    if (named.length > 1) {
      setPickError(`${named.length} points are named ${typed}: pick one of them from the suggestions`);
      return;
    }
    const id = named[0]?.id ?? /(?:^|\s)@(\S+)$/.exec(typed)?.[1] ?? choices.find((c) => c.id === typed)?.id;
    if (id === undefined) {
      setPickError(`No point with a history is named ${typed}`);
      return;
    }
    setPickError(undefined);
    if (!ids.includes(id)) choose([...ids, id]);
    setPick('');
  };
  useEffect(() => {
    if (!waiting) return;
    if (points.value !== undefined) addPoint();
    else if (points.error !== undefined) setWaiting(false);
  }, [points.value, points.error]);
  const download = (): void => {
    try {
      if (loaded.value === undefined) return;
      const url = URL.createObjectURL(new Blob([historyCsv(loaded.value)], { type: 'text/csv' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = csvName(range, tz, from, to);
      a.click();
      setTimeout(() => {
        URL.revokeObjectURL(url);
      }, 10_000);
    } catch (err) {
      setCsvError(errorText(err));
    }
  };

  return html`<section class="screen history" aria-labelledby="history-title">
    <h1 id="history-title">History</h1>
    <form class="history-form" aria-label="Points and range" onSubmit=${(e: Event) => {
      e.preventDefault();
      addPoint();
    }}>
      <label for="point-pick">Add a point</label>
      <input id="point-pick" list="point-list" value=${pick} autocomplete="off" placeholder="name or @id"
        onInput=${(e: Event) => {
          setPick((e.currentTarget as HTMLInputElement).value);
        }} />
      <datalist id="point-list">${choices.slice(0, 2000).map((c) => html`<option key=${c.id} value=${c.value} />`)}</datalist>
      <button type="submit">Add</button>
      <span role="status" class="muted">${waiting ? `Waiting for the list of points to find ${pick.trim()}\u2026` : ''}</span>
    </form>
    <ul class="chips" aria-label="Points plotted">
      ${series.map(
        (
          s,
        ) => html`<li key=${s.id}><span><a href=${`#/entity/${encodeURIComponent(s.id)}`}>${s.label}</a>${s.unit === '' ? '' : ` (${s.unit})`}</span>
        <button type="button" aria-label=${`Remove ${s.label}`} onClick=${() => {
          removedAt.current = ids.indexOf(s.id);
          choose(ids.filter((x) => x !== s.id));
        }}>\u00d7</button></li>`,
      )}
    </ul>
    <fieldset class="ranges">
      <legend>Range</legend>
      ${RANGES.map(
        ([value, label]) => html`<label key=${value}><input type="radio" name="range" value=${value}
        checked=${range === value} onChange=${() => {
          choose(ids, value);
        }} /> ${label}</label>`,
      )}
      ${
        range === 'custom'
          ? html`<span class="custom-range">
            <label>From <input type="date" value=${customFrom} onInput=${(e: Event) => {
              setCustomFrom((e.currentTarget as HTMLInputElement).value);
            }} /></label>
            <label>To <input type="date" value=${customTo} onInput=${(e: Event) => {
              setCustomTo((e.currentTarget as HTMLInputElement).value);
            }} /></label>
            <button type="button" onClick=${() => {
              navigate(historyHref(ids, 'custom', customFrom, customTo));
            }}>Show</button></span>`
          : null
      }
    </fieldset>
    ${points.error !== undefined ? html`<p class="error" role="alert">${points.error}</p>` : null}
    ${loaded.error !== undefined ? html`<p class="error" role="alert">${loaded.error}</p>` : null}
    ${csvError !== undefined ? html`<p class="error" role="alert">${csvError}</p>` : null}
    ${pickError !== undefined ? html`<p class="error" role="alert">${pickError}</p>` : null}
    ${ids.length === 0 ? html`<p class="muted">Add a point to plot its history.</p>` : null}
    <p role="status" class="his-status">${
      loaded.loading && ids.length > 0
        ? 'Loading\u2026'
        : loaded.value === undefined
          ? ''
          : `${loaded.value.ts.length.toLocaleString('en')} samples (${tz.name})`
    }</p>
    ${loaded.value === undefined ? null : html`<${NotDrawn} loaded=${loaded.value} />`}
    ${
      loaded.value === undefined
        ? null
        : html`<div class="his-tools">
        <button type="button" aria-pressed=${asTable} onClick=${() => {
          setAsTable(!asTable);
        }}>Show as table</button>
        <button type="button" class="csv" onClick=${download}>Download CSV</button>
      </div>
      ${
        asTable
          ? html`<${SampleTable} table=${loaded.value} zone=${tz.name} at=${at} />`
          : html`<${Chart} loaded=${loaded.value} iana=${tz.iana} at=${at} onMove=${(next: number) => {
              if (loaded.value !== undefined) setCursorAt({ of: loaded.value, at: next });
            }} />`
      }`
    }
  </section>`;
}
