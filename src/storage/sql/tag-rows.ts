// How an entity's tags become rows of the SQL `tag` table, so a database can test presence, equality and order.
//
// One row per tag (`elem` 0) plus one per Ref inside a List value (`elem` 1, Filters#refLists). Each row carries
// the tag's kind and the columns its kind orders by, chosen so that the database's own comparison of those columns
// is the filter's comparison within that kind (see filter-sql.ts):
//   Bool 0/1 and Number in `num` (NaN stored as NULL: it satisfies no comparison, as in the filter evaluator),
//   the Number's unit in `unit` ('' for none); Str, Uri and Symbol as UTF-16BE bytes in `str`, whose byte order
//   is the JavaScript string order (UTF-16 code units), unlike UTF-8 text; a Ref's id in `ref` (refChars are
//   ASCII, so text order is code-unit order, and joins to `entity.id`); Date as its epoch day, Time as nanoseconds
//   of the day in `num`; DateTime as epoch ms in `num`, the sub-millisecond nanoseconds in `aux`, the zone in `unit`.

import { Buffer } from 'node:buffer';
import type { Dict } from '../../core/grid/dict.js';
import { HDate } from '../../core/kinds/date.js';
import { HDateTime } from '../../core/kinds/date-time.js';
import { kindOf, type Val } from '../../core/kinds/kind.js';
import { Num } from '../../core/kinds/number.js';
import { Ref } from '../../core/kinds/ref.js';
import { Sym } from '../../core/kinds/symbol.js';
import { HTime } from '../../core/kinds/time.js';
import { Uri } from '../../core/kinds/uri.js';

/** Kind codes of the `tag.kind` column (stable: they are stored on disk). */
export const TagKind = Object.freeze({
  OTHER: 0,
  MARKER: 1,
  NA: 2,
  BOOL: 3,
  NUMBER: 4,
  STR: 5,
  URI: 6,
  REF: 7,
  SYMBOL: 8,
  DATE: 9,
  TIME: 10,
  DATETIME: 11,
  COORD: 12,
  XSTR: 13,
  LIST: 14,
  DICT: 15,
  GRID: 16,
} as const);

/** One row of the `tag` table (without the entity key, which the backend adds). */
export interface TagRow {
  /** Tag name. */
  readonly name: string;
  /** 0: the tag's own value; 1: a Ref inside the tag's List value. */
  readonly elem: 0 | 1;
  /** A {@link TagKind} code. */
  readonly kind: number;
  /** Ordering number (see the module header), or null. */
  readonly num: number | null;
  /** Sub-millisecond nanoseconds of a DateTime, or null. */
  readonly aux: number | null;
  /** Number unit ('' for none) or DateTime zone name, or null. */
  readonly unit: string | null;
  /** UTF-16BE bytes of a Str, Uri or Symbol, or null. */
  readonly str: Buffer | null;
  /** Ref id, or null. */
  readonly ref: string | null;
}

const KIND_CODES: Readonly<Record<string, number>> = {
  marker: TagKind.MARKER,
  na: TagKind.NA,
  bool: TagKind.BOOL,
  number: TagKind.NUMBER,
  str: TagKind.STR,
  uri: TagKind.URI,
  ref: TagKind.REF,
  symbol: TagKind.SYMBOL,
  date: TagKind.DATE,
  time: TagKind.TIME,
  dateTime: TagKind.DATETIME,
  coord: TagKind.COORD,
  xstr: TagKind.XSTR,
  list: TagKind.LIST,
  dict: TagKind.DICT,
  grid: TagKind.GRID,
};

/** The kind code of a value. */
export function tagKindOf(v: Val): number {
  return KIND_CODES[kindOf(v)] ?? TagKind.OTHER;
}

/** UTF-16BE bytes of a string: memcmp order of these equals JavaScript's `<` on the strings (code units). */
export function utf16Key(s: string): Buffer {
  // 'utf16le' writes each code unit as is (lone surrogates included); swapping makes the order big-endian.
  return Buffer.from(s, 'utf16le').swap16();
}

/** Nanoseconds since midnight of a Time: one number in the Time's own order. */
export function timeKey(t: HTime): number {
  return t.toSecondOfDay() * 1e9 + t.nanos;
}

/** The ordering columns of a scalar value (everything but name, elem and the entity key). */
export function valueColumns(v: Val): Omit<TagRow, 'name' | 'elem'> {
  const kind = tagKindOf(v);
  let num: number | null = null;
  let aux: number | null = null;
  let unit: string | null = null;
  let str: Buffer | null = null;
  let ref: string | null = null;
  if (typeof v === 'boolean') num = v ? 1 : 0;
  else if (typeof v === 'string') str = utf16Key(v);
  else if (v instanceof Num) {
    num = Number.isNaN(v.val) ? null : v.val;
    unit = v.unit ?? '';
  } else if (v instanceof Ref) ref = v.id;
  else if (v instanceof Uri || v instanceof Sym) str = utf16Key(v.val);
  else if (v instanceof HDate) num = v.toEpochDay();
  else if (v instanceof HTime) num = timeKey(v);
  else if (v instanceof HDateTime) {
    num = v.epochMs;
    aux = v.subMsNanos;
    unit = v.tz.name;
  }
  return { kind, num, aux, unit, str, ref };
}

/** The rows of an entity: one per tag, plus one per Ref inside a List value. */
export function tagRows(entity: Dict): TagRow[] {
  const rows: TagRow[] = [];
  for (const [name, v] of entity) {
    rows.push({ name, elem: 0, ...valueColumns(v) });
    if (Array.isArray(v)) {
      const seen = new Set<string>();
      for (const item of v as readonly Val[]) {
        if (item instanceof Ref && !seen.has(item.id)) {
          seen.add(item.id);
          rows.push({ name, elem: 1, ...valueColumns(item) });
        }
      }
    }
  }
  return rows;
}
