// The Haystack kinds, the `Val` union of every value, and kind discrimination.

import type { Dict } from '../grid/dict.js';
import type { Grid } from '../grid/grid.js';
import type { Coord } from './coord.js';
import type { HDate } from './date.js';
import type { HDateTime } from './date-time.js';
import type { Marker, NA, Remove } from './marker.js';
import type { Num } from './number.js';
import type { Ref } from './ref.js';
import type { Sym } from './symbol.js';
import type { HTime } from './time.js';
import type { Uri } from './uri.js';
import type { XStr } from './xstr.js';

/** Name of a Haystack kind, spelled as in Hayson's `_kind` (plus `bool`, `str`, `list`). */
export type Kind =
  | 'marker'
  | 'na'
  | 'remove'
  | 'bool'
  | 'number'
  | 'str'
  | 'uri'
  | 'ref'
  | 'symbol'
  | 'date'
  | 'time'
  | 'dateTime'
  | 'coord'
  | 'xstr'
  | 'list'
  | 'dict'
  | 'grid';

/** Every Haystack kind, in the order values of different kinds sort. */
export const KINDS: readonly Kind[] = Object.freeze([
  'bool',
  'marker',
  'na',
  'remove',
  'number',
  'str',
  'uri',
  'ref',
  'symbol',
  'date',
  'time',
  'dateTime',
  'coord',
  'xstr',
  'list',
  'dict',
  'grid',
] as const);

/** A Haystack List: a frozen array of values. */
export type List = readonly Val[];

/** Any Haystack value; `null` means absent. Str is a JS string and Bool a JS boolean. */
export type Val =
  | null
  | boolean
  | string
  | Marker
  | NA
  | Remove
  | Num
  | Uri
  | Ref
  | Sym
  | HDate
  | HTime
  | HDateTime
  | Coord
  | XStr
  | List
  | Dict
  | Grid;

/** A value object (every kind but Str, Bool, List and null): immutable, with equality, order and hash. */
export interface ValueObject {
  /** The kind's name. */
  readonly kind: Kind;
  /** Value equality within the kind. */
  equals(other: unknown): boolean;
  /** Total order within the kind: negative, zero or positive. */
  compareTo(other: never): number;
  /** 32-bit hash, equal for equal values. */
  hash(): number;
}

/** The kind of a value, or `'null'` for null. */
export function kindOf(v: Val): Kind | 'null' {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return 'str';
    case 'boolean':
      return 'bool';
    default:
      return Array.isArray(v) ? 'list' : (v as ValueObject).kind;
  }
}

/** True if `v` is a List. */
export function isList(v: Val): v is List {
  return Array.isArray(v);
}
