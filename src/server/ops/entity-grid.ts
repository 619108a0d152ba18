// Grids of entity rows whose columns come from the rows' shapes, found along a trie of shape paths: a query answers
// the same shapes request after request, and collecting the columns name by name (Grid.make's addMissingCols) cost
// more than the rest of a small read, and a third of a nav level.

import { Dict, type DictShape } from '../../core/grid/dict.js';
import { Grid, type GridCol } from '../../core/grid/grid.js';

interface ColsNode {
  readonly cols: readonly GridCol[];
  next: Map<DictShape, ColsNode> | undefined;
}

// Trie nodes kept per layout (then it starts afresh): shapes are immutable, so a path never goes stale.
const MAX_NODES = 50_000;

/**
 * Lays out grids of rows as `Grid.make({ cols: lead, rows, addMissingCols: true })` does (the leading columns, then
 * each name as it first comes), with the same columns array for the same path of shapes: the Zinc cell memo then
 * finds its column layout by that array, without a key built from the names.
 */
export class ShapeColumns {
  readonly #lead: readonly string[];
  readonly #first: readonly GridCol[];
  #root: ColsNode;
  #nodes = 0;

  /** Layouts starting with the columns `lead`, present even with no rows. */
  constructor(lead: readonly string[]) {
    this.#lead = lead;
    this.#first = Object.freeze(lead.map((name) => Object.freeze({ name, meta: Dict.EMPTY })));
    this.#root = { cols: this.#first, next: undefined };
  }

  /** A grid of `rows` (not copied: the caller gives up the array) under the leading and the rows' columns. */
  grid(rows: Dict[]): Grid {
    let node = this.#root;
    let last: DictShape | undefined;
    for (const r of rows) {
      const shape = r.shape;
      if (shape === last) continue;
      // A row missing some of its shape's names (rare for entities) lays out by its own names.
      if (r.size !== shape.size) return Grid.make({ cols: this.#lead, rows, addMissingCols: true });
      node = this.#after(node, shape);
      last = shape;
    }
    return Grid.fromTrustedParts(Dict.EMPTY, node.cols, rows);
  }

  #after(node: ColsNode, shape: DictShape): ColsNode {
    let next = node.next?.get(shape);
    if (next !== undefined) return next;
    const have = new Set(node.cols.map((c) => c.name));
    const added = shape.names.filter((n) => !have.has(n)).map((name) => Object.freeze({ name, meta: Dict.EMPTY }));
    next = { cols: added.length === 0 ? node.cols : Object.freeze([...node.cols, ...added]), next: undefined };
    if (++this.#nodes > MAX_NODES) {
      this.#root = { cols: this.#first, next: undefined };
      this.#nodes = 0;
      return next;
    }
    (node.next ??= new Map()).set(shape, next);
    return next;
  }
}

const ENTITY_COLUMNS = new ShapeColumns(['id']);

/** A grid of entities with `id` as the first column (kept even when there are no rows). */
export function entityGrid(rows: readonly Dict[]): Grid {
  return ENTITY_COLUMNS.grid(rows.slice());
}
