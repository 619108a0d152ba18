// Row assembler: readers put a grid's rows together tag by tag on one shared DictShape (the grid's columns).

import { Dict, DictShape, type TagVal } from './dict.js';

// A row with a name the shape lacks rebuilds the shape (with that name) for the next rows, this many times at most:
// enough for columns a grid declares late or forgets, bounded when every row brings new names.
const MAX_RESHAPES = 16;

/**
 * Builds the rows of one grid so that they share one {@link DictShape}, which lets lookups cache a slot per grid.
 * Tags keep the order they were put in, as a Map would. A row with a name the shape lacks is made on its own; the
 * name joins the shape of later rows. Callers put only valid tag names and non-null values.
 */
export class RowAssembler {
  readonly #names: string[];
  #shape: DictShape | undefined;
  #reshapes = 0;
  #values: (TagVal | undefined)[] | undefined;
  #present: number[] = [];
  // The tags of a row that left the shape, in order.
  #map: Map<string, TagVal> | undefined;

  /** An assembler for rows whose tags are mostly `names` (the grid's columns so far). */
  constructor(names: Iterable<string>) {
    this.#names = [...names];
  }

  /** Add a tag to the row being built; a repeated name keeps its place and takes the new value. */
  put(name: string, v: TagVal): void {
    const m = this.#map;
    if (m !== undefined) {
      m.set(name, v);
      return;
    }
    let shape = this.#shape;
    if (shape === undefined) this.#shape = shape = DictShape.of(this.#names);
    const s = shape.slot(name);
    if (s < 0) {
      this.#leaveShape(shape).set(name, v);
      return;
    }
    let vals = this.#values;
    if (vals === undefined) this.#values = vals = shape.newValues();
    if (vals[s] === undefined) this.#present.push(s);
    vals[s] = v;
  }

  /** The row built since the last call (Dict.EMPTY when no tag was put); the assembler is ready for the next. */
  end(): Dict {
    const m = this.#map;
    if (m !== undefined) {
      this.#map = undefined;
      const shape = this.#shape;
      if (shape !== undefined && this.#reshapes < MAX_RESHAPES) {
        this.#reshapes++;
        for (const name of m.keys()) if (shape.slot(name) < 0) this.#names.push(name);
        this.#shape = undefined;
      }
      return Dict.fromTrustedMap(m);
    }
    const vals = this.#values;
    if (vals === undefined || this.#shape === undefined) return Dict.EMPTY;
    const row = Dict.fromShape(this.#shape, vals, this.#present);
    this.#values = undefined;
    this.#present = [];
    return row;
  }

  // The row so far as a Map, for a name the shape has no slot for.
  #leaveShape(shape: DictShape): Map<string, TagVal> {
    const m = new Map<string, TagVal>();
    const vals = this.#values;
    if (vals !== undefined) {
      const names = shape.names;
      for (const s of this.#present) m.set(names[s] as string, vals[s] as TagVal);
      this.#values = undefined;
      this.#present = [];
    }
    this.#map = m;
    return m;
  }
}
