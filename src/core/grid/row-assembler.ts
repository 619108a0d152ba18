// Row assembler: readers put a grid's rows together tag by tag on one shared DictShape (the grid's columns).

import { CompactRows, Dict, DictShape, type TagVal } from './dict.js';

// A row with a name the shape lacks rebuilds the shape (with that name) for the next rows, this many times at most:
// enough for columns a grid declares late or forgets, bounded when every row brings new names.
const MAX_RESHAPES = 16;

/**
 * Builds the rows of one grid so that they share one {@link DictShape}, which lets lookups cache a slot per grid.
 * Rows are compact ({@link CompactRows}): each holds only its own tags, not a slot per column. Tags keep the order
 * they were put in, as a Map would. A row with a name the shape lacks is made on its own; the name joins the shape
 * of later rows. Callers put only valid tag names and non-null values.
 */
export class RowAssembler {
  // Names only ever append, so a name's slot never changes for the life of the assembler (callers may keep it).
  readonly #names: string[];
  #rows: CompactRows | undefined;
  #reshapes = 0;
  // The row being built: its tag count and the hash of its slots, as CompactRows.row takes them.
  #n = 0;
  #hash = 0;
  // Per slot, the number of the row that holds it: a repeated name is found without a scan.
  #holder = new Int32Array(0);
  #row = 1;
  // The tags of a row that left the shape, in order.
  #map: Map<string, TagVal> | undefined;

  /** An assembler for rows whose tags are mostly `names` (the grid's columns so far). */
  constructor(names: Iterable<string>) {
    this.#names = [...names];
  }

  /**
   * The slot of `name` in the shape rows are built on, for {@link putAt}; -1 when the shape lacks it (then
   * {@link put} it by name). A slot stays valid for this assembler's later rows.
   */
  slotOf(name: string): number {
    return (this.#rows ?? this.#start()).shape.slot(name);
  }

  /** Add a tag to the row being built; a repeated name keeps its place and takes the new value. */
  put(name: string, v: TagVal): void {
    const m = this.#map;
    if (m !== undefined) {
      m.set(name, v);
      return;
    }
    const rows = this.#rows ?? this.#start();
    const s = rows.shape.slot(name);
    if (s < 0) this.#leaveShape(rows).set(name, v);
    else this.putAt(s, v);
  }

  /** {@link put} by a slot that {@link slotOf} gave. */
  putAt(slot: number, v: TagVal): void {
    const rows = this.#rows ?? this.#start();
    const m = this.#map;
    if (m !== undefined) {
      m.set(rows.shape.names[slot] as string, v);
      return;
    }
    const n = this.#n;
    if (this.#holder[slot] === this.#row) {
      const slots = rows.slots;
      for (let j = 0; j < n; j++) if (slots[j] === slot) rows.values[j] = v;
      return;
    }
    this.#holder[slot] = this.#row;
    rows.values[n] = v;
    rows.slots[n] = slot;
    this.#n = n + 1;
    this.#hash = (this.#hash * 31 + slot + 1) | 0;
  }

  /** The row built since the last call (Dict.EMPTY when no tag was put); the assembler is ready for the next. */
  end(): Dict {
    const n = this.#n;
    const hash = this.#hash;
    this.#n = 0;
    this.#hash = 0;
    if (++this.#row === 0x7fffffff) {
      this.#holder.fill(0);
      this.#row = 1;
    }
    const m = this.#map;
    if (m !== undefined) {
      this.#map = undefined;
      const rows = this.#rows;
      if (rows !== undefined && this.#reshapes < MAX_RESHAPES) {
        this.#reshapes++;
        for (const name of m.keys()) if (rows.shape.slot(name) < 0) this.#names.push(name);
        this.#rows = undefined;
      }
      return Dict.fromTrustedMap(m);
    }
    if (n === 0) return Dict.EMPTY;
    return (this.#rows as CompactRows).row(n, hash);
  }

  // Rows on the shape of the names so far.
  #start(): CompactRows {
    const rows = new CompactRows(DictShape.of(this.#names));
    this.#rows = rows;
    this.#holder = new Int32Array(rows.shape.size);
    return rows;
  }

  // The row so far as a Map, for a name the shape has no slot for.
  #leaveShape(rows: CompactRows): Map<string, TagVal> {
    const m = new Map<string, TagVal>();
    const names = rows.shape.names;
    for (let j = 0; j < this.#n; j++) m.set(names[rows.slots[j] as number] as string, rows.values[j] as TagVal);
    this.#n = 0;
    this.#hash = 0;
    this.#map = m;
    return m;
  }
}
