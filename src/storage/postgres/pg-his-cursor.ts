// History read through a server-side cursor, a chunk at a time: one point's samples, or several points' joined on ts.

import { decodeJson } from '../../core/codec/json/index.js';
import { LimitError, UnknownRecError } from '../../core/errors.js';
import type { Val } from '../../core/kinds/kind.js';
import { Num } from '../../core/kinds/number.js';
import type { HisBatchChunk } from '../adapter.js';
import type { PgClient, PgPool } from './pg-driver.js';
import { rollbackAfter, storageFailure } from './pg-errors.js';

/** The query a cursor reads, with its parameters. */
export interface CursorQuery {
  /** The SELECT. */
  readonly text: string;
  /** Its parameters. */
  readonly values: readonly unknown[];
}

/**
 * The rows of a query (as arrays), `chunk` at a time, read through a server-side cursor in one read-only
 * repeatable-read transaction on a connection of its own. `open` runs first in that transaction (lookups and checks
 * see the same snapshot as the cursor) and names the query. However the iteration ends (done, stopped early,
 * failed), the transaction ends and the connection goes back to the pool, or is dropped when it cannot be trusted.
 */
export async function* cursorRows(
  pool: PgPool,
  open: (c: PgClient) => Promise<CursorQuery>,
  chunk: number,
): AsyncGenerator<unknown[][]> {
  let c: PgClient;
  try {
    c = await pool.connect();
  } catch (err) {
    throw storageFailure(err);
  }
  let inTx = false;
  let broken: Error | undefined;
  let failure: unknown;
  try {
    await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    inTx = true;
    const q = await open(c);
    await c.query(`DECLARE his_cursor NO SCROLL CURSOR FOR ${q.text}`, q.values as unknown[]);
    const fetch = { text: `FETCH ${String(Math.max(1, Math.floor(chunk)))} FROM his_cursor`, rowMode: 'array' };
    for (;;) {
      const rows = (await c.query<unknown[]>(fetch)).rows;
      if (rows.length === 0) break;
      yield rows;
    }
    await c.query('COMMIT');
    inTx = false;
  } catch (err) {
    failure = err;
    // A connection that failed before its transaction began is not trusted either.
    if (!inTx) broken = err instanceof Error ? err : new Error(String(err));
    throw storageFailure(err);
  } finally {
    // Stopped early or failed: the transaction (and its cursor) ends here. A connection that cannot even roll back
    // (the server ended it, or it still waits for a reply) is dropped, never handed to the next caller.
    if (inTx) broken = await rollbackAfter(c, failure);
    c.release(broken);
  }
}

/**
 * Fails with `LimitError` (`maxRows`) when `query` (a SELECT of rows) yields more than `max` rows; counting stops at
 * `max + 1`, so the check costs at most that many rows.
 */
export async function checkRowCount(c: PgClient, query: CursorQuery, max: number | undefined): Promise<void> {
  if (max === undefined) return;
  const limit = Math.max(0, Math.floor(max)) + 1;
  const r = await c.query<{ readonly n: number }>(
    `SELECT count(*)::int AS n FROM (${query.text} LIMIT ${String(limit)}) x`,
    query.values as unknown[],
  );
  if ((r.rows[0]?.n ?? 0) > max) throw tooManyRows(max);
}

/**
 * Most rows a history read answers by one plain query before it turns to a cursor: a day of samples a minute apart
 * (1,440) and then some. A longer range costs the server a count of this many rows in vain before the cursor's.
 */
export const HIS_HEAD_ROWS = 2_000;

/**
 * `q` (a SELECT ordered by its first column, ts, of `cols` columns) when it holds at most `cap` rows; else one row of
 * nulls. Its rows are counted first (up to `cap + 1`, by what the count needs: an index for one point), so a range
 * too long for one answer costs that count and no rows read or sent.
 */
export function headQuery(q: CursorQuery, cap: number, cols: number): CursorQuery {
  // The cap is a parameter, so that the text is the same whatever the cap (one prepared statement).
  const n = `$${String(q.values.length + 1)}::bigint`;
  const nulls = Array.from({ length: cols }, () => 'NULL').join(', ');
  return {
    text:
      `WITH n AS (SELECT count(*) AS n FROM (${q.text} LIMIT ${n} + 1) c) ` +
      `SELECT * FROM (${q.text}) h WHERE (SELECT n FROM n) <= ${n} ` +
      `UNION ALL SELECT ${nulls} WHERE (SELECT n FROM n) > ${n} ORDER BY 1`,
    values: [...q.values, Math.max(0, Math.floor(cap))],
  };
}

/** Whether rows of {@link headQuery} say their query holds more than its cap: its one row of nulls. */
export function pastHead(rows: readonly unknown[][]): boolean {
  return rows.length === 1 && rows[0]?.[0] === null;
}

/** The refusal of a history range holding more than `max` rows, by {@link checkRowCount} or a read that saw them. */
export function tooManyRows(max: number): LimitError {
  return new LimitError('maxRows', `The history range holds more than ${String(max)} rows`);
}

/** The row ids of points `ids` (distinct), in order; `UnknownRecError` for the first that does not exist. */
export async function batchRids(c: PgPool | PgClient, ids: readonly string[]): Promise<number[]> {
  const r = await c.query<{ readonly id: string; readonly rid: number }>(
    'SELECT id, rid FROM entity WHERE id = ANY($1)',
    [ids],
  );
  const byId = new Map(r.rows.map((row) => [row.id, row.rid]));
  return ids.map((id) => {
    const rid = byId.get(id);
    if (rid === undefined) throw new UnknownRecError(id);
    return rid;
  });
}

// Up to this many points, one ordered index scan each merged by ts; past it, the plan would be too large to make.
const MERGED_POINTS_MAX = 64;

/**
 * The samples of several points (`rids`, in column order) in `[start, end)` as one query ordered by ts, each row
 * tagged with its point's column `k`. For a few points: one ordered index scan per point, merged by PostgreSQL
 * (Merge Append, no sort); for many: a join sorted by ts (PostgreSQL spills a large sort to disk, not to us).
 */
export function batchHisQuery(rids: readonly number[], start: number, end: number): CursorQuery {
  if (rids.length > MERGED_POINTS_MAX) {
    return {
      text:
        'SELECT h.ts, (p.k - 1)::int AS k, h.num, h.unit, h.val FROM unnest($3::bigint[]) WITH ORDINALITY p(rid, k) ' +
        'JOIN his h ON h.rid = p.rid WHERE h.ts >= $1 AND h.ts < $2 ORDER BY h.ts',
      values: [start, end, rids],
    };
  }
  const branches = rids.map(
    (_, k) =>
      `(SELECT ts, ${String(k)} AS k, num, unit, val FROM his WHERE rid = $${String(k + 3)} AND ts >= $1 AND ts < $2 ORDER BY ts)`,
  );
  return {
    text: `SELECT ts, k, num, unit, val FROM (${branches.join(' UNION ALL ')}) u ORDER BY ts`,
    values: [start, end, ...rids],
  };
}

/** The distinct timestamps of {@link batchHisQuery}'s rows, in order: the rows of the joined answer. */
export function batchTsQuery(q: CursorQuery): CursorQuery {
  return { text: `SELECT DISTINCT ts FROM (${q.text}) j`, values: q.values };
}

/**
 * Rows of {@link batchHisQuery} (`ts, k, num, unit, val`, by ts) joined into rows of distinct ts with a value column
 * per point, a chunk of the cursor's rows (`chunkRows` of them, fewer in the last) at a time. A timestamp whose
 * samples straddle two chunks is held back until the next, so each timestamp is one row of one chunk.
 */
export async function* joinByTs(
  rows: AsyncIterable<unknown[][]> | Iterable<unknown[][]>,
  points: number,
  chunkRows: number,
): AsyncGenerator<HisBatchChunk> {
  let ts: number[] = [];
  let cols: (Val | undefined)[][] = Array.from({ length: points }, () => []);
  let last = Number.NaN;
  const units = new UnitCache();
  for await (const chunk of rows) {
    for (const row of chunk) {
      const [t, k, num, unit, val] = row as [number, number, number | null, string | null, string | null];
      if (t !== last) {
        ts.push(t);
        for (const col of cols) col.push(undefined);
        last = t;
      }
      (cols[k] as (Val | undefined)[])[ts.length - 1] = val !== null ? decodeJson(val) : units.num(num as number, unit);
    }
    // The last timestamp may have more samples in the next chunk (unless this one was the cursor's last, short of a
    // whole chunk): it starts that chunk instead.
    const n = chunk.length < chunkRows ? ts.length : ts.length - 1;
    if (n <= 0) continue;
    yield { ts: ts.slice(0, n), vals: cols.map((c) => c.slice(0, n)) };
    ts = ts.slice(n);
    cols = cols.map((c) => c.slice(n));
  }
  if (ts.length > 0) yield { ts, vals: cols };
}

// Numbers of one unit share its string: a long run of one unit costs no string per sample.
class UnitCache {
  #unit: string | null | undefined;
  #proto: Num | undefined;
  num(val: number, unit: string | null): Num {
    if (unit !== this.#unit || this.#proto === undefined) {
      this.#unit = unit;
      this.#proto = new Num(0, unit ?? undefined);
    }
    return new Num(val, this.#proto.unit);
  }
}
