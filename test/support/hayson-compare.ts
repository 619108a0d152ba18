// Compares decoded values with expected Hayson by meaning, by the rules of the conformance README.

import {
  Coord,
  Dict,
  Grid,
  type GridCol,
  HDate,
  HDateTime,
  HTime,
  type List,
  MARKER,
  NA,
  Num,
  REMOVE,
  Ref,
  Sym,
  type TagVal,
  Uri,
  type Val,
  XStr,
} from '../../src/core/index.js';

type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };
type JsonObj = { readonly [k: string]: Json };

function num(j: Json | undefined): number {
  if (j === 'INF') return Number.POSITIVE_INFINITY;
  if (j === '-INF') return Number.NEGATIVE_INFINITY;
  if (j === 'NaN') return Number.NaN;
  if (typeof j !== 'number') throw new Error(`Hayson: expected a number, got ${JSON.stringify(j)}`);
  return j;
}

function str(j: Json | undefined, what: string): string {
  if (typeof j !== 'string') throw new Error(`Hayson: expected a string for ${what}, got ${JSON.stringify(j)}`);
  return j;
}

function dictOf(o: JsonObj, skip?: string): Dict {
  const m = new Map<string, TagVal>();
  for (const [k, v] of Object.entries(o)) {
    if (k === '_kind' || k === skip) continue;
    const val = haysonToVal(v);
    if (val !== null) m.set(k, val);
  }
  return Dict.fromTrustedMap(m);
}

/**
 * A test-only Hayson (Haystack JSON v4) to value converter, independent of the library's JSON codec.
 * Grid meta drops `ver` (the model keeps no version); a dateTime without `tz` is in `GMT`.
 */
export function haysonToVal(j: Json): Val {
  if (j === null || typeof j === 'boolean' || typeof j === 'string') return j;
  if (typeof j === 'number') return new Num(j);
  if (Array.isArray(j)) return Object.freeze((j as readonly Json[]).map(haysonToVal));
  const o = j as JsonObj;
  switch (o._kind) {
    case undefined:
    case 'dict':
      return dictOf(o);
    case 'marker':
      return MARKER;
    case 'na':
      return NA;
    case 'remove':
      return REMOVE;
    case 'number': {
      const u = o.unit;
      return new Num(num(o.val), typeof u === 'string' ? u : undefined);
    }
    case 'ref':
      return new Ref(str(o.val, 'ref'), typeof o.dis === 'string' ? o.dis : undefined);
    case 'symbol':
      return new Sym(str(o.val, 'symbol'));
    case 'uri':
      return new Uri(str(o.val, 'uri'));
    case 'date':
      return HDate.parse(str(o.val, 'date'));
    case 'time':
      return HTime.parse(str(o.val, 'time'));
    case 'dateTime':
      return HDateTime.parse(`${str(o.val, 'dateTime')} ${typeof o.tz === 'string' ? o.tz : 'GMT'}`);
    case 'coord':
      return new Coord(num(o.lat), num(o.lng));
    case 'xstr':
      return new XStr(str(o.type, 'xstr type'), str(o.val, 'xstr'));
    case 'grid': {
      const meta = o.meta !== undefined && o.meta !== null ? dictOf(o.meta as JsonObj, 'ver') : Dict.EMPTY;
      const cols: GridCol[] = ((o.cols ?? []) as readonly JsonObj[]).map((c) => ({
        name: str(c.name, 'col name'),
        meta: c.meta !== undefined && c.meta !== null ? dictOf(c.meta as JsonObj) : Dict.EMPTY,
      }));
      const rows = ((o.rows ?? []) as readonly JsonObj[]).map((r) => dictOf(r));
      return Grid.fromTrustedParts(meta, cols, rows);
    }
    default:
      throw new Error(`Hayson: unknown _kind ${JSON.stringify(o._kind)}`);
  }
}

function sameFloat(a: number, b: number): boolean {
  if (a === b) return true;
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  // Values written in exponent form may differ in the last bits between parsers.
  return Number.isFinite(a) && Number.isFinite(b) && Math.abs(a - b) <= 1e-12 * Math.max(Math.abs(a), Math.abs(b));
}

function show(v: Val): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map((x) => show(x ?? null)).join(', ')}]`;
  if (v instanceof Num) return `${String(v.val)}${v.unit === undefined ? '' : ` unit ${JSON.stringify(v.unit)}`}`;
  if (v instanceof HDateTime) return `${v.toIso()} ${v.tz.name}`;
  return String(v);
}

function diffDict(a: Dict, e: Dict, path: string): string | undefined {
  for (const [k, ev] of e) {
    const d = diffVals(a.get(k), ev, `${path}.${k}`);
    if (d !== undefined) return d;
  }
  for (const k of a.keys()) if (!e.has(k)) return `${path}.${k}: unexpected tag ${show(a.get(k))}`;
  return undefined;
}

/**
 * The first difference in meaning between an actual and an expected value, as `path: message`, or
 * undefined when they mean the same: Ref dis and DateTime zone count, Numbers compare with a relative
 * tolerance of 1e-12, Coords to 1e-6 degrees, Times and DateTimes by value.
 */
export function diffVals(actual: Val, expected: Val, path = '$'): string | undefined {
  const fail = () => `${path}: expected ${show(expected)} but got ${show(actual)}`;
  if (expected === null || typeof expected !== 'object') return actual === expected ? undefined : fail();
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return fail();
    const al = actual as List;
    const el = expected as List;
    if (al.length !== el.length) return `${path}: expected ${el.length} items but got ${al.length}`;
    for (let i = 0; i < el.length; i++) {
      const d = diffVals(al[i] ?? null, el[i] ?? null, `${path}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return fail();
  if (expected instanceof Num) {
    if (!(actual instanceof Num) || actual.unit !== expected.unit || !sameFloat(actual.val, expected.val))
      return fail();
    return undefined;
  }
  if (expected instanceof Ref) {
    if (!(actual instanceof Ref) || actual.id !== expected.id || actual.dis !== expected.dis) return fail();
    return undefined;
  }
  if (expected instanceof HDateTime) {
    if (
      !(actual instanceof HDateTime) ||
      actual.epochMs !== expected.epochMs ||
      actual.subMsNanos !== expected.subMsNanos ||
      actual.tz.name !== expected.tz.name
    )
      return fail();
    return undefined;
  }
  if (expected instanceof Coord) {
    if (
      !(actual instanceof Coord) ||
      Math.abs(actual.lat - expected.lat) > 1e-6 ||
      Math.abs(actual.lng - expected.lng) > 1e-6
    )
      return fail();
    return undefined;
  }
  if (expected instanceof Dict) return actual instanceof Dict ? diffDict(actual, expected, path) : fail();
  if (expected instanceof Grid) {
    if (!(actual instanceof Grid)) return fail();
    const m = diffDict(actual.meta.remove('ver'), expected.meta, `${path}.meta`);
    if (m !== undefined) return m;
    const an = actual.cols.map((c) => c.name).join(',');
    const en = expected.cols.map((c) => c.name).join(',');
    if (an !== en) return `${path}.cols: expected ${en} but got ${an}`;
    for (let i = 0; i < expected.cols.length; i++) {
      const ec = expected.cols[i] as GridCol;
      const d = diffDict((actual.cols[i] as GridCol).meta, ec.meta, `${path}.cols.${ec.name}.meta`);
      if (d !== undefined) return d;
    }
    if (actual.size !== expected.size) return `${path}.rows: expected ${expected.size} rows but got ${actual.size}`;
    for (let i = 0; i < expected.size; i++) {
      const d = diffDict(actual.row(i), expected.row(i), `${path}.rows[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  // Marker, NA, Remove, Symbol, Uri, Date, Time, XStr: the value model's equality is by value.
  return (actual as { equals(o: unknown): boolean }).equals(expected) ? undefined : fail();
}

/** The first difference between a decoded value and the expected Hayson, or undefined when they match. */
export function diffHayson(actual: Val, expectedHayson: unknown): string | undefined {
  return diffVals(actual, haysonToVal(expectedHayson as Json));
}
