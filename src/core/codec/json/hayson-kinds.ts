// Hayson typed scalars: builds a value from a `_kind` object's members, shared by the text reader and the walk.

import { HaystackError } from '../../errors.js';
import { isTagName } from '../../grid/tag-name.js';
import { Coord } from '../../kinds/coord.js';
import { HDate } from '../../kinds/date.js';
import { HDateTime } from '../../kinds/date-time.js';
import type { Val } from '../../kinds/kind.js';
import { MARKER, NA, REMOVE } from '../../kinds/marker.js';
import { Num } from '../../kinds/number.js';
import { Ref } from '../../kinds/ref.js';
import { Sym } from '../../kinds/symbol.js';
import { HTime } from '../../kinds/time.js';
import { Uri } from '../../kinds/uri.js';
import { isXStrType, XStr } from '../../kinds/xstr.js';

/** The member of a `_kind` object that is wrong (`_kind` itself for an unknown kind), and why. */
export class MemberError extends Error {
  constructor(
    readonly member: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

function fail(member: string, reason: string): never {
  throw new MemberError(member, reason);
}

/**
 * The scalar of a Hayson `_kind` object from its members as parsed JSON (strings, numbers, ...;
 * `undefined` when absent). `dict` and `grid` are not scalars and are handled by the readers.
 * Throws {@link MemberError} naming the offending member.
 */
export function makeScalar(
  kind: string,
  val: unknown,
  dis: unknown,
  unit: unknown,
  tz: unknown,
  lat: unknown,
  lng: unknown,
  type: unknown,
): Val {
  try {
    switch (kind) {
      case 'marker':
        return MARKER;
      case 'ref':
        if (typeof val !== 'string') return fail('val', 'expected a string ref id');
        if (dis !== undefined && dis !== null && typeof dis !== 'string') return fail('dis', 'expected a string dis');
        return new Ref(val, dis);
      case 'number':
        return number(val, unit);
      case 'date':
        return HDate.parse(str(val, 'val'));
      case 'time':
        return HTime.parse(str(val, 'val'));
      case 'dateTime':
        return dateTime(val, tz);
      case 'uri':
        return new Uri(str(val, 'val'));
      case 'symbol':
        return new Sym(str(val, 'val'));
      case 'coord':
        if (typeof lat !== 'number') return fail('lat', 'expected a number latitude');
        if (typeof lng !== 'number') return fail('lng', 'expected a number longitude');
        return new Coord(lat, lng);
      case 'xstr':
        return new XStr(str(type, 'type'), str(val, 'val'));
      case 'na':
        return NA;
      case 'remove':
        return REMOVE;
      default:
        return fail('_kind', `unknown _kind ${JSON.stringify(kind)}`);
    }
  } catch (e) {
    if (e instanceof MemberError) throw e;
    if (e instanceof HaystackError) throw new MemberError(blame(kind, e, lat, type), e.message);
    throw e;
  }
}

// Which member a model constructor's refusal is about.
function blame(kind: string, e: HaystackError, lat: unknown, type: unknown): string {
  if (e.code === 'HS_ERR_UNKNOWN_TZ') return 'tz';
  switch (kind) {
    case 'number':
      return 'unit';
    case 'coord':
      return typeof lat === 'number' && lat >= -90 && lat <= 90 ? 'lng' : 'lat';
    case 'xstr':
      return typeof type === 'string' && isXStrType(type) ? 'val' : 'type';
    default:
      return 'val';
  }
}

function str(v: unknown, member: string): string {
  if (typeof v !== 'string') return fail(member, `expected a string ${member}`);
  return v;
}

function number(val: unknown, unit: unknown): Num {
  let f: number;
  if (typeof val === 'number') f = val;
  // Json: 'val' is the JSON Number, 'INF', '-INF', or 'NaN'
  else if (val === 'INF') f = Number.POSITIVE_INFINITY;
  else if (val === '-INF') f = Number.NEGATIVE_INFINITY;
  else if (val === 'NaN') f = Number.NaN;
  else return fail('val', "expected a JSON number, 'INF', '-INF' or 'NaN'");
  if (unit === undefined || unit === null) return new Num(f);
  if (typeof unit !== 'string') return fail('unit', 'expected a string unit');
  return new Num(f, unit);
}

// Json: 'tz' is optional; when missing, GMT is the default.
function dateTime(val: unknown, tz: unknown): HDateTime {
  const iso = str(val, 'val');
  if (tz !== undefined && tz !== null && typeof tz !== 'string') return fail('tz', 'expected a string tz');
  // The offset fixes the instant and the zone the offset shown (HDateTime.fromParts), for GMT too.
  return HDateTime.parse(`${iso} ${typeof tz === 'string' ? tz : 'GMT'}`);
}

// Tag names already seen valid; bounded, like the unit cache, so hostile input cannot grow it without end.
const TAG_NAMES = new Set<string>();

/** {@link isTagName} with a bounded cache of names already seen (dict keys repeat a lot). */
export function isKnownTagName(k: string): boolean {
  if (TAG_NAMES.has(k)) return true;
  if (!isTagName(k)) return false;
  if (TAG_NAMES.size < 10_000) TAG_NAMES.add(k);
  return true;
}
