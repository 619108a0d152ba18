// Streaming Zinc: decode a grid from text or byte chunks row by row (the writers are in zinc-stream-writer.ts).

import { CompactRows, Dict, DictShape } from '../../grid/dict.js';
import { Grid, type GridCol } from '../../grid/grid.js';
import {
  asPlainAsked,
  type DecodeOptions,
  type PlainDecodeOptions,
  type PlainObject,
  type ValDecodeOptions,
} from '../../grid/plain.js';
import { checkOptionNames, type OptionNames } from '../../options.js';
import { type DecodeLimits, limitExceeded, resolveLimits, rowTooLong } from '../limits.js';
import { addHisRow, type HisColumnsBuilder, hisBuilderForRow } from './his-columns.js';
import { NeedMoreInput, ZincReader } from './zinc-reader.js';

/** The header of a grid read from a stream: its meta and columns. */
export interface ZincStreamHeader {
  /** Event type. */
  readonly type: 'header';
  /** Grid meta (without `ver`). */
  readonly meta: Dict;
  /** Columns in order. */
  readonly cols: readonly GridCol[];
}

/** One row of a grid read from a stream. */
export interface ZincStreamRow {
  /** Event type. */
  readonly type: 'row';
  /** The row. */
  readonly row: Dict;
}

/** What a stream reader yields: the header once, then each row in order. */
export type ZincStreamEvent = ZincStreamHeader | ZincStreamRow;

/** Options of the stream readers. */
export interface ZincStreamOptions {
  /**
   * Limits; `maxLength` bounds the text held at once (unfinished rows plus one chunk), `maxRows` the
   * rows of the whole stream. Missing fields take {@link DEFAULT_LIMITS}.
   */
  readonly limits?: Partial<DecodeLimits>;
  /**
   * Longest row (or header) in characters, default unbounded. A row is read in one step once its text is all
   * there, so this bounds that step: a longer row is refused (LimitError `maxRowLength`) as soon as that much of
   * it is held unfinished, and the unfinished text is never parsed more than once per chunk.
   */
  readonly maxRowLength?: number;
}

const STREAM_OPTIONS: OptionNames<ZincStreamOptions> = { limits: true, maxRowLength: true };
const DECODE_STREAM_OPTIONS: OptionNames<ZincStreamOptions & DecodeOptions> = { ...STREAM_OPTIONS, plain: true };

/** A chunk of a Zinc stream: text, or UTF-8 bytes (a multi-byte char may be split across chunks). */
export type ZincChunk = string | Uint8Array;

type State = 'header' | 'rows' | 'done' | 'failed';

/**
 * An incremental Zinc grid reader (a state machine in the style of ws's Receiver): push chunks with
 * any boundaries, get the header and then rows as soon as their line is complete. It holds only the
 * unfinished line, so a grid of any length streams through in flat memory; limits are enforced as
 * the text arrives. Lines are parsed only up to the last newline seen, so a token is never cut.
 */
export class ZincStreamReader {
  readonly #limits: DecodeLimits;
  readonly #maxRow: number;
  #decoder: InstanceType<typeof TextDecoder> | undefined;
  #pending = '';
  #state: State = 'header';
  // The rows of the grid, whatever chunk they come in.
  #compact = new CompactRows(DictShape.EMPTY);
  #version = 3;
  #rows = 0;
  #lines = 0;
  #started = false;

  constructor(options?: ZincStreamOptions) {
    if (options !== undefined) checkOptionNames('Zinc stream reader options', options, STREAM_OPTIONS);
    this.#limits = resolveLimits(options?.limits);
    this.#maxRow = options?.maxRowLength ?? Number.POSITIVE_INFINITY;
  }

  /** Rows read so far. */
  get rowCount(): number {
    return this.#rows;
  }

  /** Feed a chunk; returns the events it completes (often none or many). */
  push(chunk: ZincChunk): ZincStreamEvent[] {
    const text =
      typeof chunk === 'string' ? chunk : (this.#decoder ??= new TextDecoder()).decode(chunk, { stream: true });
    return this.#feed(text, false);
  }

  /** Signal the end of the stream; returns the last events. Throws if the grid is incomplete. */
  end(): ZincStreamEvent[] {
    const tail = this.#decoder === undefined ? '' : this.#decoder.decode();
    return this.#feed(tail, true);
  }

  #feed(text: string, final: boolean): ZincStreamEvent[] {
    if (this.#state === 'failed') throw new Error('zinc: stream reader used after an error');
    let buf = this.#pending.length === 0 ? text : this.#pending + text;
    if (!this.#started && buf.length > 0) {
      this.#started = true;
      if (buf.charCodeAt(0) === 0xfeff) buf = buf.slice(1);
    }
    if (buf.length > this.#limits.maxLength) {
      this.#state = 'failed';
      limitExceeded('zinc', 'maxLength', this.#limits.maxLength);
    }
    // Parse only whole lines until the end: a newline is always a token boundary in Zinc.
    const limit = final ? buf.length : buf.lastIndexOf('\n') + 1;
    const events: ZincStreamEvent[] = [];
    if (limit === 0 && !final) {
      if (buf.length > this.#maxRow) this.#rowTooLong();
      this.#pending = buf;
      return events;
    }
    const r = new ZincReader(buf, { end: limit, limits: this.#limits, lineOffset: this.#lines, columnar: false });
    try {
      this.#run(r, !final, events);
      if (final) r.expectEnd();
    } catch (e) {
      this.#state = 'failed';
      throw e;
    }
    const used = r.pos;
    // An unfinished row (or header) already longer than a row may be: refused before more of it arrives.
    if (buf.length - used > this.#maxRow) this.#rowTooLong();
    for (let i = buf.indexOf('\n'); i >= 0 && i < used; i = buf.indexOf('\n', i + 1)) this.#lines++;
    this.#pending = used >= buf.length ? '' : buf.slice(used);
    return events;
  }

  #rowTooLong(): never {
    this.#state = 'failed';
    return rowTooLong('zinc', this.#maxRow);
  }

  #run(r: ZincReader, partial: boolean, events: ZincStreamEvent[]): void {
    const maxRows = this.#limits.maxRows;
    const headerStart = r.pos;
    try {
      if (this.#state === 'header') {
        r.setStreamState(partial, 3, 0);
        let h: ReturnType<ZincReader['readHeader']>;
        try {
          h = r.readHeader();
        } catch (e) {
          if (e === NeedMoreInput.INSTANCE) r.pos = headerStart;
          throw e;
        }
        this.#compact = new CompactRows(DictShape.of(h.cols.map((c) => c.name)));
        this.#version = r.version;
        this.#state = 'rows';
        events.push({ type: 'header', meta: h.meta, cols: h.cols });
      }
      if (this.#state === 'rows') {
        r.setStreamState(partial, this.#version, 1);
        const compact = this.#compact;
        for (;;) {
          const start = r.pos;
          let row: Dict | undefined;
          try {
            row = r.readRow(compact);
          } catch (e) {
            if (e === NeedMoreInput.INSTANCE) r.pos = start;
            throw e;
          }
          if (row === undefined) {
            this.#state = 'done';
            break;
          }
          if (r.pos - start > this.#maxRow) rowTooLong('zinc', this.#maxRow);
          if (++this.#rows > maxRows) limitExceeded('zinc', 'maxRows', maxRows);
          events.push({ type: 'row', row });
        }
      }
      if (this.#state === 'done' && partial) r.expectEnd();
    } catch (e) {
      if (e !== NeedMoreInput.INSTANCE) throw e;
    }
  }
}

/**
 * Read a Zinc grid from an async (or sync) iterable of chunks — a Node stream, a web ReadableStream,
 * a fetch body — yielding the header, then each row as soon as it is complete.
 */
export async function* readZincStream(
  source: AsyncIterable<ZincChunk> | Iterable<ZincChunk>,
  options?: ZincStreamOptions,
): AsyncGenerator<ZincStreamEvent, void, undefined> {
  const reader = new ZincStreamReader(options);
  for await (const chunk of source) yield* reader.push(chunk);
  yield* reader.end();
}

/**
 * Read a whole grid from chunks without holding the text: rows are kept as they arrive (a `ts,val`
 * history in typed columns, see {@link HisRows}).
 */
export async function decodeZincStream(
  source: AsyncIterable<ZincChunk> | Iterable<ZincChunk>,
  options?: ZincStreamOptions & ValDecodeOptions,
): Promise<Grid>;
/** With `plain`: the rows as plain objects ({@link toPlain}), each converted as it arrives. */
export async function decodeZincStream(
  source: AsyncIterable<ZincChunk> | Iterable<ZincChunk>,
  options: ZincStreamOptions & PlainDecodeOptions,
): Promise<PlainObject[]>;
export async function decodeZincStream(
  source: AsyncIterable<ZincChunk> | Iterable<ZincChunk>,
  options?: ZincStreamOptions & DecodeOptions,
): Promise<Grid | PlainObject[]>;
export async function decodeZincStream(
  source: AsyncIterable<ZincChunk> | Iterable<ZincChunk>,
  options?: ZincStreamOptions & DecodeOptions,
): Promise<Grid | PlainObject[]> {
  if (options !== undefined) checkOptionNames('Zinc stream reader options', options, DECODE_STREAM_OPTIONS);
  // The row reader takes no `plain` (it would refuse it): that one is this function's.
  const { plain, ...streamOptions } = options ?? {};
  if (plain !== undefined && plain !== false) {
    const out: PlainObject[] = [];
    for await (const e of readZincStream(source, streamOptions))
      if (e.type === 'row') out.push(asPlainAsked(e.row, plain) as PlainObject);
    return out;
  }
  let meta = Dict.EMPTY;
  let cols: readonly GridCol[] = [];
  let his: HisColumnsBuilder | undefined;
  let rows: Dict[] | undefined;
  let first = true;
  for await (const e of readZincStream(source, streamOptions)) {
    if (e.type === 'header') {
      meta = e.meta;
      cols = e.cols;
      continue;
    }
    if (first) {
      first = false;
      if (cols.length === 2 && cols[0]?.name === 'ts' && cols[1]?.name === 'val') his = hisBuilderForRow(e.row);
    }
    if (his !== undefined && addHisRow(his, e.row)) continue;
    if (rows === undefined) {
      rows = [];
      if (his !== undefined) {
        const src = his.build();
        for (let i = 0; i < src.size; i++) rows.push(src.row(i));
        his = undefined;
      }
    }
    rows.push(e.row);
  }
  if (rows === undefined && his !== undefined) return Grid.fromTrustedParts(meta, cols, his.build());
  return Grid.fromTrustedParts(meta, cols, rows ?? []);
}
