// Hayson (Haystack JSON v4) reader of already-parsed JSON: a typed walk into Haystack values.

import { Dict, type TagVal } from '../../grid/dict.js';
import { Grid, type GridCol } from '../../grid/grid.js';
import { RowAssembler } from '../../grid/row-assembler.js';
import { isTagName } from '../../grid/tag-name.js';
import type { List, Val } from '../../kinds/kind.js';
import { Num } from '../../kinds/number.js';
import { type DecodeLimits, limitExceeded } from '../limits.js';
import { isKnownTagName, MemberError, makeScalar } from './hayson-kinds.js';
import { shapeError } from './json-shape-error.js';

type JsonObject = Record<string, unknown>;

/**
 * Read parsed Hayson into a value. Throws {@link JsonShapeError} for JSON that is not valid Hayson
 * and LimitError past `limits` (nesting depth, rows, columns, string length).
 */
export function readHayson(json: unknown, limits: DecodeLimits): Val {
  return new HaysonWalk(limits).val(json, 0);
}

class HaysonWalk {
  readonly #maxDepth: number;
  readonly #maxRows: number;
  readonly #maxCols: number;
  readonly #maxToken: number;

  constructor(limits: DecodeLimits) {
    this.#maxDepth = limits.maxDepth;
    this.#maxRows = limits.maxRows;
    this.#maxCols = limits.maxCols;
    this.#maxToken = limits.maxTokenLength;
  }

  // `depth` is the number of lists, dicts and grids that enclose `j`.
  val(j: unknown, depth: number): Val {
    if (typeof j === 'string') {
      if (j.length > this.#maxToken) limitExceeded('json', 'maxTokenLength', this.#maxToken);
      return j;
    }
    if (typeof j === 'object') {
      if (j === null) return null;
      if (Array.isArray(j)) return this.list(j, depth + 1);
      return this.object(j as JsonObject, depth);
    }
    // Json: a bare number is a unitless Number
    if (typeof j === 'number') return new Num(j);
    if (typeof j === 'boolean') return j;
    return shapeError(undefined, undefined, `not a JSON value: ${typeof j}`);
  }

  list(a: readonly unknown[], depth: number): List {
    if (depth > this.#maxDepth) limitExceeded('json', 'maxDepth', this.#maxDepth);
    const n = a.length;
    const out = new Array<Val>(n);
    for (let i = 0; i < n; i++) out[i] = this.val(a[i], depth);
    return Object.freeze(out);
  }

  object(o: JsonObject, depth: number): Val {
    const kind = o['_kind'];
    if (kind === undefined || kind === 'dict') return this.dict(o, depth + 1);
    if (kind === 'grid') return this.grid(o, depth + 1);
    if (typeof kind !== 'string') return shapeError(o, '_kind', 'expected a string _kind');
    try {
      return makeScalar(kind, o['val'], o['dis'], o['unit'], o['tz'], o['lat'], o['lng'], o['type']);
    } catch (e) {
      if (e instanceof MemberError) return shapeError(o, e.member, e.reason);
      throw e;
    }
  }

  // Json: keys that are not valid tag names are skipped; null values mean absent.
  dict(o: JsonObject, depth: number): Dict {
    if (depth > this.#maxDepth) limitExceeded('json', 'maxDepth', this.#maxDepth);
    const m = new Map<string, TagVal>();
    for (const k in o) {
      const v = o[k];
      if (v === null || v === undefined || !isKnownTagName(k)) continue;
      m.set(k, typeof v === 'string' && v.length <= this.#maxToken ? v : (this.val(v, depth) as TagVal));
    }
    return m.size === 0 ? Dict.EMPTY : Dict.fromTrustedMap(m);
  }

  // A grid row: a tag the cols array forgot becomes a column at the end (lenient: nothing is lost).
  row(o: JsonObject, depth: number, cols: GridCol[], index: Set<string>, row: RowAssembler): Dict {
    for (const k in o) {
      const v = o[k];
      if (v === null || v === undefined) continue;
      if (!index.has(k)) {
        if (!isTagName(k)) continue;
        if (index.size >= this.#maxCols) limitExceeded('json', 'maxCols', this.#maxCols);
        index.add(k);
        cols.push(Object.freeze({ name: k, meta: Dict.EMPTY }));
      }
      row.put(k, typeof v === 'string' && v.length <= this.#maxToken ? v : (this.val(v, depth) as TagVal));
    }
    return row.end();
  }

  grid(o: JsonObject, depth: number): Grid {
    if (depth > this.#maxDepth) limitExceeded('json', 'maxDepth', this.#maxDepth);
    const metaJson = o['meta'];
    let meta = Dict.EMPTY;
    if (metaJson !== undefined && metaJson !== null) {
      if (typeof metaJson !== 'object' || Array.isArray(metaJson)) {
        return shapeError(o, 'meta', 'expected an object for grid meta');
      }
      const ver = (metaJson as JsonObject)['ver'];
      // The model keeps no version: `ver` is checked, then dropped.
      if (ver !== undefined && ver !== '3.0' && ver !== '2.0') {
        return shapeError(metaJson, 'ver', 'expected grid version "3.0" or "2.0"');
      }
      meta = this.dict(metaJson as JsonObject, depth);
      if (meta.has('ver')) meta = meta.remove('ver');
    }

    const cols: GridCol[] = [];
    const index = new Set<string>();
    const colsJson = o['cols'];
    if (colsJson !== undefined && colsJson !== null) {
      if (!Array.isArray(colsJson)) return shapeError(o, 'cols', 'expected an array of columns');
      if (colsJson.length > this.#maxCols) limitExceeded('json', 'maxCols', this.#maxCols);
      for (let i = 0; i < colsJson.length; i++) {
        const c: unknown = colsJson[i];
        if (typeof c !== 'object' || c === null || Array.isArray(c)) {
          return shapeError(colsJson, i, 'expected a column object');
        }
        const name = (c as JsonObject)['name'];
        if (typeof name !== 'string' || !isTagName(name)) return shapeError(c, 'name', 'expected a tag name');
        if (index.has(name)) return shapeError(c, 'name', `duplicate column ${name}`);
        const cm = (c as JsonObject)['meta'];
        let colMeta = Dict.EMPTY;
        if (cm !== undefined && cm !== null) {
          if (typeof cm !== 'object' || Array.isArray(cm)) return shapeError(c, 'meta', 'expected an object');
          colMeta = this.dict(cm as JsonObject, depth);
        }
        index.add(name);
        cols.push(Object.freeze({ name, meta: colMeta }));
      }
    }

    const rowsJson = o['rows'];
    let rows: Dict[] = [];
    if (rowsJson !== undefined && rowsJson !== null) {
      if (!Array.isArray(rowsJson)) return shapeError(o, 'rows', 'expected an array of rows');
      if (rowsJson.length > this.#maxRows) limitExceeded('json', 'maxRows', this.#maxRows);
      rows = new Array<Dict>(rowsJson.length);
      const row = new RowAssembler(index);
      for (let i = 0; i < rowsJson.length; i++) {
        const r: unknown = rowsJson[i];
        if (typeof r !== 'object' || r === null || Array.isArray(r)) {
          return shapeError(rowsJson, i, 'expected a row object');
        }
        rows[i] = this.row(r as JsonObject, depth, cols, index, row);
      }
    }
    return Grid.fromTrustedParts(meta, Object.freeze(cols), Object.freeze(rows));
  }
}
