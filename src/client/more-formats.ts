// The formats the client reads besides Zinc, in one module that it imports on first use (one lazy chunk).

import { decodeJson } from '../core/codec/json/index.js';
import { Dict } from '../core/grid/dict.js';
import type { Val } from '../core/kinds/kind.js';

export { CSV_CODEC } from '../core/codec/csv/csv-codec.js';
export { JSON_CODEC, JSON3_CODEC } from '../core/codec/json/json-codec.js';
export { TRIO_CODEC } from '../core/codec/trio/trio-codec.js';

// A JSON v3 grid read as v4 is a Dict of meta, cols and rows: Hayson grids carry `_kind: "grid"`. The meta's `ver`
// is not required: haystack-py's server leaves it out.
function isJson3Grid(val: Val): boolean {
  if (!(val instanceof Dict)) return false;
  return val.get('meta') instanceof Dict && Array.isArray(val.get('cols')) && Array.isArray(val.get('rows'));
}

/**
 * A JSON response body, v4 when its Content-Type names a `version` (`versioned`). Servers in the field label JSON v3
 * as plain `application/json` with no `version`; such a body is read as v4 or v3 by its shape (`meta` beside `cols`
 * and `rows`, and no Hayson `_kind`, is v3). Here, not in formats.ts, so that a Zinc client does not carry it.
 */
export function decodeJsonResponse(text: string, versioned: boolean): Val {
  const val = decodeJson(text);
  if (versioned || !isJson3Grid(val)) return val;
  return decodeJson(text, { version: 3 });
}
