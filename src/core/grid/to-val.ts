// Conversion of plain JS values into Haystack values, for ergonomic construction.

import { ValueError } from '../errors.js';
import { Coord } from '../kinds/coord.js';
import { HDate } from '../kinds/date.js';
import { HDateTime } from '../kinds/date-time.js';
import type { List, Val } from '../kinds/kind.js';
import { Marker, NAValue, Remove } from '../kinds/marker.js';
import { Num } from '../kinds/number.js';
import { Ref } from '../kinds/ref.js';
import { Sym } from '../kinds/symbol.js';
import { HTime } from '../kinds/time.js';
import { Uri } from '../kinds/uri.js';
import { XStr } from '../kinds/xstr.js';
import { Dict } from './dict.js';
import { Grid } from './grid.js';

// Prototypes of the value classes: an exact check that a look-alike object cannot pass.
// Made on first use: dict.ts and grid.ts import this module while they are still initializing.
let VALUE_PROTOS: Set<unknown> | undefined;
function valueProtos(): Set<unknown> {
  VALUE_PROTOS ??= new Set<unknown>(
    [Num, Ref, Marker, NAValue, Remove, Uri, Sym, HDate, HTime, HDateTime, Coord, XStr, Dict, Grid].map(
      (c) => c.prototype,
    ),
  );
  return VALUE_PROTOS;
}

/**
 * A JS value as a Haystack value: Vals pass through, a JS number becomes a unitless Number, a JS
 * Date a UTC DateTime, an array a frozen List, a plain object or Map a Dict. Anything else throws.
 */
export function toVal(x: unknown): Val {
  if (x === null || x === undefined) return null;
  switch (typeof x) {
    case 'string':
    case 'boolean':
      return x;
    case 'number':
      return new Num(x);
    case 'object': {
      const proto = Object.getPrototypeOf(x) as unknown;
      if (valueProtos().has(proto)) return x as Val;
      if (Array.isArray(x)) return list(...(x as unknown[]));
      if (x instanceof Date) return HDateTime.fromEpochMs(x.getTime());
      if (x instanceof Map) return Dict.of(x as Map<string, unknown>);
      if (proto === Object.prototype || proto === null) return Dict.of(x as Record<string, unknown>);
      break;
    }
    default:
  }
  throw new ValueError(`Not a Haystack value: ${Object.prototype.toString.call(x)}`);
}

/** Make a List (a frozen array), converting items with {@link toVal}. */
export function list(...items: readonly unknown[]): List {
  return Object.freeze(items.map(toVal));
}
