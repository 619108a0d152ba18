// Multi-row INSERTs: rows gathered and written CHUNK at a time, which costs far fewer calls into SQLite per row.

import type { SqliteDb } from './sqlite-schema.js';

const CHUNK = 64;

/** Buffers rows for one `INSERT [OR REPLACE] INTO table (cols) VALUES ...`, in order; `flush()` writes the rest. */
export class BatchInsert {
  readonly #many: ReturnType<SqliteDb['prepare']>;
  readonly #one: ReturnType<SqliteDb['prepare']>;
  readonly #width: number;
  #values: unknown[] = [];

  constructor(db: SqliteDb, verb: string, table: string, columns: readonly string[]) {
    const row = `(${columns.map(() => '?').join(', ')})`;
    const head = `${verb} INTO ${table} (${columns.join(', ')}) VALUES `;
    this.#many = db.prepare(head + Array.from({ length: CHUNK }, () => row).join(', '));
    this.#one = db.prepare(head + row);
    this.#width = columns.length;
  }

  /** Add one row (as many values as columns); rows are written in the order added. */
  add(...values: unknown[]): void {
    for (const v of values) this.#values.push(v);
    if (this.#values.length === CHUNK * this.#width) {
      this.#many.run(this.#values);
      this.#values = [];
    }
  }

  /** Drop buffered rows (those of a write that failed and was rolled back). */
  reset(): void {
    this.#values = [];
  }

  /** Write the rows still buffered. */
  flush(): void {
    const v = this.#values;
    this.#values = [];
    for (let i = 0; i < v.length; i += this.#width) this.#one.run(v.slice(i, i + this.#width));
  }
}
