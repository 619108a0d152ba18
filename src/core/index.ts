// Public door of `haystack-ts`: the isomorphic core (value model, codecs, filters).

export * from './errors.js';
export * from './filter/index.js';
export { Dict, type DictInit, dict, list, type TagVal, toVal } from './grid/dict.js';
export { Grid, GridBuilder, type GridCol, type RowSource } from './grid/grid.js';
export { isTagName } from './grid/tag-name.js';
export { Coord, coord } from './kinds/coord.js';
export { date, HDate } from './kinds/date.js';
export { type Disambiguation, dateTime, HDateTime, offsetString } from './kinds/date-time.js';
export { compare, equals, hash } from './kinds/equality.js';
export { isList, KINDS, type Kind, kindOf, type List, type Val, type ValueObject } from './kinds/kind.js';
export { MARKER, Marker, NA, NAValue, REMOVE, Remove } from './kinds/marker.js';
export { compareFloat, isValidUnit, Num, num } from './kinds/number.js';
export { isRefChar, isRefId, Ref, ref } from './kinds/ref.js';
export { Sym, sym } from './kinds/symbol.js';
export { HTime, time } from './kinds/time.js';
export { Uri, uri } from './kinds/uri.js';
export { isXStrType, XStr, xstr } from './kinds/xstr.js';
export { TimeZone } from './tz/time-zone.js';
