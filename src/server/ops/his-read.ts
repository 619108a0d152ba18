// The `hisRead` op: one point's history over a range, or a batch joined on `ts` (Ops chapter, HisRead).

import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { addHisVal, HisColumnsBuilder, type HisRows } from '../../core/codec/zinc/his-columns.js';
import { LimitError } from '../../core/errors.js';
import { Dict, DictShape } from '../../core/grid/dict.js';
import { Grid, type GridCol, type RowSource } from '../../core/grid/grid.js';
import { HDateTime } from '../../core/kinds/date-time.js';
import type { Val } from '../../core/kinds/kind.js';
import { Ref } from '../../core/kinds/ref.js';
import { TimeZone } from '../../core/tz/time-zone.js';
import type { HisBatchChunk, HisItem } from '../../storage/adapter.js';
import type { ChunkedGrid, OpContext, OpDef } from '../op.js';
import { badRequest, idColumn, requireRefId, singleRow } from './args.js';
import { hisPoints } from './his-point.js';
import { type HisSpan, reportedEnd, resolveHisRange } from './his-range.js';

const NO_META = Dict.EMPTY;
const SINGLE_COLS: readonly GridCol[] = Object.freeze([
  Object.freeze({ name: 'ts', meta: NO_META }),
  Object.freeze({ name: 'val', meta: NO_META }),
]);

// The samples as typed history columns (epoch ms, numbers), whose rows are made on demand: a long history is never
// held twice, and the encoders write them on their history fast paths (Zinc: a row's fixed parts once per day)
// instead of a Dict per row (measured: 288 rows in Zinc, 0.5 ms per request as Dicts).
function hisColumns(items: readonly HisItem[], tz: TimeZone): HisRows {
  const b = new HisColumnsBuilder(tz, items.length);
  for (const { ts, val } of items) addHisVal(b, ts, 0, val);
  return b.build();
}

// The open-ended form reads everything from its start; its reported end is the later of now and the last sample.
async function readSpan(
  ctx: OpContext,
  id: string,
  span: HisSpan,
): Promise<{ items: readonly HisItem[]; end: number }> {
  const end = span.end ?? Number.MAX_SAFE_INTEGER;
  const items = await ctx.store.hisRead(id, { start: span.start.epochMs, end });
  const last = items[items.length - 1];
  return { items, end: openEnd(ctx, span, last === undefined ? NO_SAMPLE : last.ts + 1) };
}

// Every response is bounded in rows x value columns, so no request makes the server build an unbounded grid.
function checkCells(rows: number, cols: number, ctx: OpContext): void {
  const max = ctx.server.limits.maxHisReadCells;
  if (rows * cols > max) {
    throw new LimitError('maxHisReadCells', `hisRead answer of ${rows} rows x ${cols} points exceeds ${max} values`);
  }
}

// Samples per chunk of a streamed read: a read longer than one chunk, from a store that reads in chunks, is sent
// as it is read (in formats written in pieces), so the server holds one chunk of it at a time.
const HIS_CHUNK_ROWS = 10_000;

async function readSingle(req: Grid, ctx: OpContext): Promise<Grid | ChunkedGrid> {
  const row = singleRow(req, 'hisRead', ' (a batch read has range in the grid meta)');
  const [point] = await hisPoints(ctx, [requireRefId(row, 'id')]);
  if (point === undefined) throw badRequest('Missing id');
  const span = resolveHisRange(row.get('range'), point.tz, ctx.server.clock());
  const singleMeta = (end: number): Dict =>
    Dict.of({ id: new Ref(point.id, point.rec.dis()), hisStart: span.start, hisEnd: reportedEnd(end, point.tz) });
  // An open-ended range reports an end that depends on its last sample: it is read whole.
  if (ctx.store.hisReadChunks !== undefined && span.end !== undefined) {
    const source = ctx.store.hisReadChunks(point.id, { start: span.start.epochMs, end: span.end }, readOptions(ctx));
    return chunkedAnswer(ctx, source, (items) => hisColumns(items, point.tz), singleMeta(span.end), SINGLE_COLS, 1);
  }
  const rows = await readColumns(ctx, point.id, point.tz, span);
  checkCells(rows.size, 1, ctx);
  const last = rows.size === 0 ? NO_SAMPLE : (rows.epochMs[rows.size - 1] as number) + 1;
  return Grid.fromTrustedParts(singleMeta(openEnd(ctx, span, last)), SINGLE_COLS, rows);
}

// One point's samples over a span as history columns: handed over by a store that keeps columns, else made here.
async function readColumns(ctx: OpContext, id: string, tz: TimeZone, span: HisSpan): Promise<HisRows> {
  const range = { start: span.start.epochMs, end: span.end ?? Number.MAX_SAFE_INTEGER };
  if (ctx.store.hisReadColumns !== undefined) return ctx.store.hisReadColumns(id, range, tz);
  return hisColumns(await ctx.store.hisRead(id, range), tz);
}

// Where `last` stands when a span holds no sample: before every instant, 1970 being no bound (0 was, and pushed the
// end of a range before 1970 to the epoch).
const NO_SAMPLE = Number.NEGATIVE_INFINITY;

// The end a read reports: the range's, or for the open-ended form the latest of now and the last sample (`last`: just
// after it, NO_SAMPLE when there is none), and never before the start (a start in the future reads an empty span).
function openEnd(ctx: OpContext, span: HisSpan, last: number): number {
  return span.end ?? Math.max(ctx.server.clock(), last, span.start.epochMs);
}

// Chunk by chunk: the store counts the range against the cell limit before the first chunk.
function readOptions(ctx: OpContext): { chunkRows: number; maxRows: number; maxCells: number } {
  const max = ctx.server.limits.maxHisReadCells;
  return { chunkRows: HIS_CHUNK_ROWS, maxRows: max, maxCells: max };
}

/**
 * The answer of a read through the store's chunks: one grid when the range fits in one chunk (as the whole-grid
 * path makes it), else a chunked answer. One chunk is read ahead to tell the two apart, and while a chunk is written
 * the next is read, so at most three are held whatever the length.
 */
async function chunkedAnswer<C>(
  ctx: OpContext,
  source: AsyncIterable<C>,
  rowsOf: (chunk: C) => RowSource,
  meta: Dict,
  cols: readonly GridCol[],
  points: number,
): Promise<Grid | ChunkedGrid> {
  const it = source[Symbol.asyncIterator]();
  let first: IteratorResult<C>;
  let second: IteratorResult<C>;
  try {
    first = await it.next();
    second = first.done === true ? first : await it.next();
  } catch (err) {
    await it.return?.();
    if (err instanceof LimitError && err.limit === 'maxRows') {
      const max = ctx.server.limits.maxHisReadCells;
      throw new LimitError(
        'maxHisReadCells',
        `hisRead answer of more than ${String(Math.floor(max / points))} rows x ${String(points)} points exceeds ${String(max)} values`,
      );
    }
    throw err;
  }
  if (first.done === true) return Grid.fromTrustedParts(meta, cols, []);
  // All of it in one chunk: the cursor is done with (its transaction ends), and the answer is an ordinary grid.
  if (second.done === true) return Grid.fromTrustedParts(meta, cols, rowsOf(first.value));
  const ahead = [first.value, second.value];
  async function* chunks(): AsyncGenerator<Grid> {
    let done = false;
    // The store reads the next chunk while this one is written: its wait and the encoding overlap.
    let reading: Promise<IteratorResult<C>> | undefined;
    const readNext = (): Promise<IteratorResult<C>> => {
      const p = it.next();
      // Awaited below; if the answer ends first, the finally waits for it without a rejection going unhandled.
      p.catch(() => undefined);
      return p;
    };
    try {
      for (const c of ahead.splice(0)) {
        reading ??= readNext();
        yield Grid.fromTrustedParts(NO_META, cols, rowsOf(c));
      }
      for (;;) {
        const next = await (reading ?? readNext());
        reading = undefined;
        if (next.done === true) {
          done = true;
          return;
        }
        reading = readNext();
        yield Grid.fromTrustedParts(NO_META, cols, rowsOf(next.value));
      }
    } finally {
      // Stopped early (the client went away, the answer failed): the store releases its cursor.
      if (!done) {
        await reading?.catch(() => undefined);
        await it.return?.();
      }
    }
  }
  return { meta, cols, chunks: chunks() };
}

// Work between two yields to the event loop while a batch is joined: other clients wait at most about this long.
const CHUNK = 32_768;

// Batch rows made on demand from a sorted ts column and one value column per point.
class BatchRows implements RowSource {
  readonly #shape: DictShape;
  constructor(
    readonly ts: ArrayLike<number>,
    readonly cols: readonly (readonly (Val | undefined)[])[],
    readonly tz: TimeZone,
  ) {
    this.#shape = DictShape.of(['ts', ...cols.map((_, i) => `v${i}`)]);
  }
  get size(): number {
    return this.ts.length;
  }
  row(i: number): Dict {
    const values = this.#shape.newValues();
    values[0] = HDateTime.fromEpochMs(this.ts[i] as number, this.tz);
    for (let c = 0; c < this.cols.length; c++)
      values[c + 1] = (this.cols[c] as readonly (Val | undefined)[])[i] ?? undefined;
    return Dict.fromShape(this.#shape, values);
  }
}

// The distinct timestamps of sorted sample lists, sorted; yields to the event loop between chunks.
async function unionTimestamps(lists: readonly (readonly HisItem[])[]): Promise<Float64Array> {
  let total = 0;
  for (const l of lists) total += l.length;
  const all = new Float64Array(total);
  let n = 0;
  let sinceYield = 0;
  for (const l of lists) {
    for (const it of l) all[n++] = it.ts;
    sinceYield += l.length;
    if (sinceYield >= CHUNK) {
      sinceYield = 0;
      await yieldToLoop();
    }
  }
  all.sort();
  await yieldToLoop();
  let w = 0;
  for (let r = 0; r < n; r++) if (w === 0 || all[r] !== all[w - 1]) all[w++] = all[r] as number;
  return all.slice(0, w);
}

async function readBatch(req: Grid, ctx: OpContext): Promise<Grid | ChunkedGrid> {
  // The same point named twice is answered once: a column per distinct id.
  const ids = [...new Set(idColumn(req, ctx.server.limits.maxReadIds, 'maxReadIds'))];
  if (ids.length === 0) throw badRequest('Batch hisRead needs at least one id');
  const points = await hisPoints(ctx, ids);
  const tzArg = req.meta.get('tz');
  let tz: TimeZone;
  if (tzArg !== null) {
    if (typeof tzArg !== 'string') throw badRequest('tz must be a Str');
    tz = TimeZone.get(tzArg);
  } else {
    // Ops chapter: a batch read needs every point in one zone unless the request names one.
    tz = points[0]?.tz ?? ctx.server.tz;
    if (points.some((p) => p.tz !== tz)) throw badRequest('Batch hisRead of points in different time zones needs a tz');
  }
  const span = resolveHisRange(req.meta.get('range'), tz, ctx.server.clock());
  const gridCols: GridCol[] = [
    { name: 'ts', meta: NO_META },
    ...points.map((p, i) => ({ name: `v${i}`, meta: Dict.of({ id: new Ref(p.id, p.rec.dis()) }) })),
  ];
  const batchMeta = (end: number): Dict =>
    Dict.of({ hisStart: span.start.toTimeZone(tz), hisEnd: reportedEnd(end, tz) });
  // As for one point: an open-ended range is read whole, its end depending on the last samples.
  if (ctx.store.hisReadBatchChunks !== undefined && span.end !== undefined) {
    const ids = points.map((p) => p.id);
    const source = ctx.store.hisReadBatchChunks(ids, { start: span.start.epochMs, end: span.end }, readOptions(ctx));
    const rowsOf = (c: HisBatchChunk): RowSource => new BatchRows(c.ts, c.vals, tz);
    return chunkedAnswer(ctx, source, rowsOf, batchMeta(span.end), gridCols, points.length);
  }
  const lists: (readonly HisItem[])[] = [];
  // The latest end of the points' spans: a range before 1970 ends before epoch 0.
  let end = Number.NEGATIVE_INFINITY;
  let samples = 0;
  for (const p of points) {
    const read = await readSpan(ctx, p.id, span);
    end = Math.max(end, read.end);
    lists.push(read.items);
    // Every sample is at least one cell; refusing here stops before the join allocates anything.
    samples += read.items.length;
    checkCells(samples, 1, ctx);
  }
  const ts = await unionTimestamps(lists);
  checkCells(ts.length, points.length, ctx);
  const cols: (Val | undefined)[][] = [];
  for (const items of lists) {
    const col = new Array<Val | undefined>(ts.length);
    let k = 0;
    for (const it of items) {
      while ((ts[k] as number) < it.ts) k++;
      if (it.val !== null) col[k] = it.val;
    }
    cols.push(col);
    if (ts.length >= CHUNK) await yieldToLoop();
  }
  return Grid.fromTrustedParts(batchMeta(end), gridCols, new BatchRows(ts, cols, tz));
}

/** `hisRead`: with `range` in the first row, one point; with `range` in the grid meta, a batch of points. */
export const hisReadOp: OpDef = {
  name: 'hisRead',
  doc: 'Read the history of one point, or of several joined on ts.',
  noSideEffects: true,
  requiredRole: 'viewer',
  handler: (req, ctx) => (req.meta.has('range') ? readBatch(req, ctx) : readSingle(req, ctx)),
};
