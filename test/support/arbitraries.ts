// fast-check arbitraries for every Haystack kind, shared by the value-model, codec and filter tests.

import fc from 'fast-check';
import { Dict, type TagVal } from '../../src/core/grid/dict.js';
import { Grid } from '../../src/core/grid/grid.js';
import { Coord } from '../../src/core/kinds/coord.js';
import { HDate } from '../../src/core/kinds/date.js';
import { HDateTime } from '../../src/core/kinds/date-time.js';
import type { Kind, List, Val } from '../../src/core/kinds/kind.js';
import { MARKER, type Marker, NA, type NAValue, REMOVE, type Remove } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { Sym } from '../../src/core/kinds/symbol.js';
import { HTime } from '../../src/core/kinds/time.js';
import { Uri } from '../../src/core/kinds/uri.js';
import { XStr } from '../../src/core/kinds/xstr.js';
import { TimeZone } from '../../src/core/tz/time-zone.js';

/** Options of the composite arbitraries (`arbVal`, `arbList`, `arbDict`, `arbGrid`, `arbScalar`). */
export interface ArbOptions {
  /** Kinds never generated, e.g. `['grid']` for a format that cannot nest grids (default: none). */
  readonly exclude?: readonly Kind[];
  /** Nesting depth of List/Dict/Grid inside each other; 0 generates only scalars at the top (default 2). */
  readonly maxDepth?: number;
  /** Let Lists hold null items, as Zinc and Hayson can (default true). */
  readonly listNulls?: boolean;
  /** Fewest columns of a generated Grid (default 1: Zinc writes a zero-column grid as an `empty` column). */
  readonly minGridCols?: number;
  /** Let INF and -INF carry a unit (default true; false for Zinc, whose `INF` has no unit). */
  readonly infUnits?: boolean;
}

/** Realistic units, including non-ASCII (`°F`, `m²`) and symbol units (`%`, `$`, `kWh/m²`). */
export const UNITS: readonly string[] = Object.freeze([
  '°F',
  '°C',
  'Δ°F',
  'm²',
  'ft²',
  'kW',
  'kWh',
  '%',
  '$',
  '€',
  'kWh/m²',
  'kWh/ft²',
  'ft³/min',
  'm³/h',
  'gal/min',
  'm/s²',
  'psi',
  'inH₂O',
  'ppm',
  'h',
  'min',
  's',
  'ms',
  'V',
  'A',
  'Hz',
  'cfm',
  'degrees_phase',
  'µs',
]);

/** Haystack zone names the DateTime arbitrary draws from (DST zones, half/quarter-hour zones, Etc zones). */
export const ZONES: readonly string[] = Object.freeze([
  'UTC',
  'New_York',
  'Chicago',
  'Los_Angeles',
  'London',
  'Paris',
  'Sydney',
  'Kolkata',
  'GMT+5',
  'GMT-10',
]);

/** JS-special names that must behave as ordinary tags. */
export const TRICKY_TAG_NAMES: readonly string[] = Object.freeze([
  'constructor',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  'prototype',
  'length',
  'size',
  'get',
  'set',
  'then',
]);

const COMMON_TAG_NAMES = [
  'id',
  'dis',
  'site',
  'equip',
  'point',
  'his',
  'cur',
  'kind',
  'unit',
  'tz',
  'siteRef',
  'equipRef',
  'curVal',
  'area',
  'geoCoord',
  'mod',
] as const;

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const ALNUM_ = `${LOWER}ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_`;
const REF_CHARS = `${ALNUM_}:-.~`;

function charsOf(alphabet: string): fc.Arbitrary<string> {
  return fc.constantFrom(...alphabet.split(''));
}

/** A valid tag name: common names, JS-special names such as `constructor`, and random `[a-z][A-Za-z0-9_]*`. */
export const arbTagName: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...COMMON_TAG_NAMES) },
  { weight: 1, arbitrary: fc.constantFrom(...TRICKY_TAG_NAMES) },
  {
    weight: 3,
    arbitrary: fc
      .tuple(charsOf(LOWER), fc.string({ unit: charsOf(ALNUM_), maxLength: 8 }))
      .map(([first, rest]) => first + rest),
  },
);

/** The Marker singleton. */
export const arbMarker: fc.Arbitrary<Marker> = fc.constant(MARKER);

/** The NA singleton. */
export const arbNA: fc.Arbitrary<NAValue> = fc.constant(NA);

/** The Remove singleton. */
export const arbRemove: fc.Arbitrary<Remove> = fc.constant(REMOVE);

/** A Bool. */
export const arbBool: fc.Arbitrary<boolean> = fc.boolean();

const arbUnit: fc.Arbitrary<string> = fc.constantFrom(...UNITS);

// Finite floats: small integers, decimals, -0, and values whose shortest form needs an exponent.
const arbFinite: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: -100_000, max: 100_000 }),
  fc.integer({ min: -10_000_000, max: 10_000_000 }).map((n) => n / 1000),
  fc.constantFrom(-0, 0.1, 1e21, -1e21, 1.5e-7, 6.02e23, 1e-300, 5e-324, Number.MAX_VALUE, -Number.MAX_VALUE),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

/** A Number like {@link arbNum}; with `infUnits: false`, INF and -INF never carry a unit (as in Zinc). */
export function arbNumber(options: { readonly infUnits?: boolean } = {}): fc.Arbitrary<Num> {
  const infUnit = options.infUnits === false ? fc.constant(undefined) : fc.option(arbUnit, { nil: undefined });
  return fc
    .oneof(
      { weight: 8, arbitrary: fc.tuple(arbFinite, fc.option(arbUnit, { nil: undefined })) },
      {
        weight: 1,
        arbitrary: fc.tuple(fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY), infUnit),
      },
      { weight: 1, arbitrary: fc.constant([Number.NaN, undefined] as const) },
    )
    .map(([v, u]) => new Num(v, u));
}

/** A Number: finite (exponent-needing ones included) with or without a unit, INF and -INF with or without, NaN without. */
export const arbNum: fc.Arbitrary<Num> = arbNumber();

const arbNumNoInfUnit: fc.Arbitrary<Num> = arbNumber({ infUnits: false });

// Characters that break naive escaping: quotes, backslash, `$` (Zinc/Trio), whitespace, controls, non-BMP.
const arbTrickyChar: fc.Arbitrary<string> = fc.constantFrom(
  '"',
  "'",
  '`',
  '\\',
  '$',
  '\n',
  '\r',
  '\t',
  '\u0000',
  '\u0001',
  '\u0008',
  '\u000b',
  '\u000c',
  '\u001b',
  '\u001f',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u2029',
  '\ufeff',
  'é',
  '°',
  '中',
  '😀',
  '𝄞',
  '👍🏽',
  ' ',
  ',',
  '{',
  '}',
  '[',
  ']',
  '<<',
  '>>',
  '\\u0041',
);

/** A string (well-formed UTF-16: no lone surrogates) with quotes, backslashes, `$`, controls and emoji mixed in. */
export const arbText: fc.Arbitrary<string> = fc.string({
  unit: fc.oneof(
    { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
    { weight: 2, arbitrary: arbTrickyChar },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) },
  ),
  maxLength: 20,
});

/** A Str (a JS string), see {@link arbText}. */
export const arbStr: fc.Arbitrary<string> = arbText;

/** A Uri: URL-like text plus backticks, spaces, backslashes and non-ASCII. */
export const arbUri: fc.Arbitrary<Uri> = fc
  .oneof(fc.webUrl(), fc.constantFrom('', 'a b', 'x`y', 'c:\\dir', 'http://例え.jp/ü?q=1#f', '$x'), arbText)
  .map((s) => new Uri(s));

const arbRefId: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: charsOf(REF_CHARS), minLength: 1, maxLength: 16 }),
  fc.uuid(),
  fc.constantFrom('p:demo:r:2b7e0c8a-4a9b', 'site-1', 'a.b~c', '_', '1', 'x:y'),
);

/** A Ref, with and without a display name. */
export const arbRef: fc.Arbitrary<Ref> = fc
  .tuple(arbRefId, fc.option(arbText, { nil: undefined }))
  .map(([id, dis]) => new Ref(id, dis));

/** A Symbol (refChars after the `^`). */
export const arbSym: fc.Arbitrary<Sym> = fc
  .oneof(
    fc.constantFrom('elec-meter', 'site', 'ahu', 'lib:phIoT', 'ph.points', 'hot-water'),
    fc.string({ unit: charsOf(REF_CHARS), minLength: 1, maxLength: 12 }),
  )
  .map((s) => new Sym(s));

/** A Date in years 0-9999 (edges and leap days included). */
export const arbDate: fc.Arbitrary<HDate> = fc.oneof(
  fc.integer({ min: -719_528, max: 2_932_896 }).map((d) => HDate.fromEpochDay(d)), // 0000-01-01 .. 9999-12-31
  fc.constantFrom(
    new HDate(0, 1, 1),
    new HDate(9999, 12, 31),
    new HDate(2000, 2, 29),
    new HDate(2024, 2, 29),
    new HDate(1970, 1, 1),
  ),
);

/** Nanoseconds with exactly `digits` significant fraction digits at most (0-9). */
function arbNanos(maxDigits = 9): fc.Arbitrary<number> {
  return fc.integer({ min: 0, max: maxDigits }).chain((digits) => {
    const scale = 10 ** (9 - digits);
    return fc.integer({ min: 0, max: 10 ** digits - 1 }).map((n) => n * scale);
  });
}

/** A Time with 0-9 fraction digits (midnight and 23:59:59.999999999 included). */
export const arbTime: fc.Arbitrary<HTime> = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 0, max: 23 }),
      fc.integer({ min: 0, max: 59 }),
      fc.integer({ min: 0, max: 59 }),
      arbNanos(),
    )
    .map(([h, m, s, n]) => new HTime(h, m, s, n)),
  fc.constantFrom(HTime.MIDNIGHT, new HTime(23, 59, 59, 999_999_999), new HTime(12, 0, 0, 1)),
);

/** A Haystack zone from {@link ZONES}. */
export const arbTimeZone: fc.Arbitrary<TimeZone> = fc.constantFrom(...ZONES).map((n) => TimeZone.get(n));

// 1950..2100: every zone in ZONES has whole-minute offsets there (no LMT offsets with seconds).
const MIN_DT_MS = Date.UTC(1950, 0, 1);
const MAX_DT_MS = Date.UTC(2100, 0, 1);

/** A DateTime in years 1950-2100 in one of {@link ZONES}, with sub-millisecond nanos (0-9 fraction digits). */
export const arbDateTime: fc.Arbitrary<HDateTime> = fc
  .tuple(fc.integer({ min: MIN_DT_MS / 1000, max: MAX_DT_MS / 1000 }), arbNanos(), arbTimeZone)
  .map(([secs, nanos, tz]) => {
    const ms = secs * 1000 + Math.floor(nanos / 1_000_000);
    return HDateTime.fromEpochMs(ms, tz, nanos % 1_000_000);
  });

/** A Coord in micro-degrees (Haystack's precision), poles and antimeridian included. */
export const arbCoord: fc.Arbitrary<Coord> = fc.oneof(
  fc
    .tuple(fc.integer({ min: -90_000_000, max: 90_000_000 }), fc.integer({ min: -180_000_000, max: 180_000_000 }))
    .map(([la, lo]) => new Coord(la / 1e6, lo / 1e6)),
  fc.constantFrom(new Coord(90, 180), new Coord(-90, -180), new Coord(0, 0), new Coord(37.55, -77.45)),
);

/** An XStr: a type name of 2+ chars (a lone `C(` would read as a Coord in Zinc) and any text. */
export const arbXStr: fc.Arbitrary<XStr> = fc
  .tuple(
    fc.oneof(
      fc.constantFrom('Bin', 'Span', 'Color', 'Foo_2', 'Hex'),
      fc
        .tuple(charsOf('ABCDEFGHIJKLMNOPQRSTUVWXYZ'), fc.string({ unit: charsOf(ALNUM_), minLength: 1, maxLength: 8 }))
        .map(([a, b]) => a + b),
    ),
    arbText,
  )
  .map(([t, v]) => new XStr(t, v));

const SCALARS: readonly (readonly [Kind, fc.Arbitrary<Val>])[] = [
  ['marker', arbMarker],
  ['na', arbNA],
  ['remove', arbRemove],
  ['bool', arbBool],
  ['number', arbNum],
  ['str', arbStr],
  ['uri', arbUri],
  ['ref', arbRef],
  ['symbol', arbSym],
  ['date', arbDate],
  ['time', arbTime],
  ['dateTime', arbDateTime],
  ['coord', arbCoord],
  ['xstr', arbXStr],
];

/** A scalar of any kind not in `options.exclude` (never null, List, Dict or Grid). */
export function arbScalar(options: ArbOptions = {}): fc.Arbitrary<TagVal> {
  const exclude = new Set(options.exclude ?? []);
  const arbs = SCALARS.filter(([k]) => !exclude.has(k)).map(([k, a]) =>
    k === 'number' && options.infUnits === false ? arbNumNoInfUnit : (a as fc.Arbitrary<TagVal>),
  );
  if (arbs.length === 0) throw new Error('arbScalar: every scalar kind is excluded');
  return fc.oneof(...arbs);
}

interface Resolved {
  readonly exclude: ReadonlySet<Kind>;
  readonly listNulls: boolean;
  readonly minGridCols: number;
  readonly options: ArbOptions;
}

function resolve(options: ArbOptions): Resolved {
  return {
    exclude: new Set(options.exclude ?? []),
    listNulls: options.listNulls ?? true,
    minGridCols: options.minGridCols ?? 1,
    options,
  };
}

// A non-null value whose containers nest at most `depth` levels below it.
function tagVal(r: Resolved, depth: number): fc.Arbitrary<TagVal> {
  const parts: fc.WeightedArbitrary<TagVal>[] = [{ weight: 6, arbitrary: arbScalar(r.options) }];
  if (depth > 0) {
    if (!r.exclude.has('list')) parts.push({ weight: 1, arbitrary: listOf(r, depth - 1) });
    if (!r.exclude.has('dict')) parts.push({ weight: 1, arbitrary: dictOf(r, depth - 1) });
    if (!r.exclude.has('grid')) parts.push({ weight: 1, arbitrary: gridOf(r, depth - 1) });
  }
  return fc.oneof(...parts);
}

function listOf(r: Resolved, depth: number): fc.Arbitrary<List> {
  const item: fc.Arbitrary<Val> = r.listNulls
    ? fc.oneof({ weight: 8, arbitrary: tagVal(r, depth) }, { weight: 1, arbitrary: fc.constant(null) })
    : tagVal(r, depth);
  return fc.array(item, { maxLength: 4 }).map((items) => Object.freeze(items));
}

function dictOf(r: Resolved, depth: number, maxTags = 5): fc.Arbitrary<Dict> {
  return fc
    .uniqueArray(fc.tuple(arbTagName, tagVal(r, depth)), { selector: ([k]) => k, maxLength: maxTags })
    .map((entries) => Dict.of(entries));
}

function gridOf(r: Resolved, depth: number): fc.Arbitrary<Grid> {
  const minCols = Math.max(0, r.minGridCols);
  return fc
    .tuple(
      dictOf(r, depth, 3),
      fc.uniqueArray(fc.tuple(arbTagName, dictOf(r, 0, 2)), {
        selector: ([k]) => k,
        minLength: minCols,
        maxLength: Math.max(minCols, 4),
      }),
      fc.array(fc.array(fc.option(tagVal(r, depth), { nil: null, freq: 3 }), { minLength: 4, maxLength: 4 }), {
        maxLength: 4,
      }),
    )
    .map(([meta, cols, rows]) =>
      Grid.make({
        // Every format writes its own `ver` in grid meta, so a generated one could not round-trip.
        meta: meta.remove('ver'),
        cols: cols.map(([name, colMeta]) => ({ name, meta: colMeta })),
        rows: rows.map((cells) => Dict.of(cols.map(([name], i): [string, Val] => [name, cells[i] ?? null]))),
      }),
    );
}

/** A List (frozen array, null items unless `listNulls: false`), nested up to `maxDepth`. */
export function arbList(options: ArbOptions = {}): fc.Arbitrary<List> {
  const r = resolve(options);
  return listOf(r, Math.max(0, (options.maxDepth ?? 2) - 1));
}

/** A Dict of valid (sometimes JS-special) tag names to non-null values, nested up to `maxDepth`. */
export function arbDict(options: ArbOptions = {}): fc.Arbitrary<Dict> {
  const r = resolve(options);
  return dictOf(r, Math.max(0, (options.maxDepth ?? 2) - 1));
}

/** A Grid with meta, column meta and rows (null cells included), nested up to `maxDepth`. */
export function arbGrid(options: ArbOptions = {}): fc.Arbitrary<Grid> {
  const r = resolve(options);
  return gridOf(r, Math.max(0, (options.maxDepth ?? 2) - 1));
}

/** Any non-null value of a kind not in `options.exclude`, containers nested up to `maxDepth` (default 2). */
export function arbTagVal(options: ArbOptions = {}): fc.Arbitrary<TagVal> {
  return tagVal(resolve(options), options.maxDepth ?? 2);
}

/** Any value of every kind (not excluded) including nested containers; null only with `withNull`. */
export function arbVal(options: ArbOptions & { readonly withNull?: boolean } = {}): fc.Arbitrary<Val> {
  const v = arbTagVal(options);
  return options.withNull === true
    ? fc.oneof({ weight: 12, arbitrary: v }, { weight: 1, arbitrary: fc.constant(null) })
    : v;
}

/** Kinds CSV cannot carry as a nested cell without loss; pass as `exclude` for CSV round trips. */
export const NESTED_KINDS: readonly Kind[] = Object.freeze(['list', 'dict', 'grid'] as const);
