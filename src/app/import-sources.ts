// What `haystack import` reads, one record at a time from the file, so that a file of any size passes in flat memory:
// Zinc grid rows (the stream reader), Trio records (a slice of whole records at a time), JSON list elements or grid
// rows (the Hayson stream reader), CSV history lines. Each source can be opened again: import
// reads the file once to check it and once more to write it.

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { jsonDictStream } from '../core/codec/json/index.js';
import { decodeTrioDicts } from '../core/codec/trio/index.js';
import { decodeZincValue, encodeZincValue, type ZincStreamEvent, ZincStreamReader } from '../core/codec/zinc/index.js';
import { describeErrno } from '../core/errno-text.js';
import { HaystackError, ParseError, ValueError } from '../core/errors.js';
import type { Dict } from '../core/grid/dict.js';
import { HDateTime } from '../core/kinds/date-time.js';
import type { Val } from '../core/kinds/kind.js';
import { NA } from '../core/kinds/marker.js';
import { Ref } from '../core/kinds/ref.js';
import { checkValueKind } from '../server/ops/value-kind.js';
import type { HisItem } from '../storage/adapter.js';

/** Records of a file, read again from its start on every call. */
export type RecordSource<T> = () => AsyncIterable<T>;

// A streamed file is bounded by the text held at once, not by its rows.
const STREAM_LIMITS = { maxRows: Number.MAX_SAFE_INTEGER };
// Trio text decoded at once: whole records up to about this many characters.
const TRIO_SLICE_CHARS = 1 << 20;

/** A file that cannot be read or decoded, named, as `HS_ERR_STARTUP` (what loading a seed file reports too). */
export function fileError(file: string, err: unknown): HaystackError {
  if (err instanceof HaystackError && err.code === 'HS_ERR_STARTUP') return err;
  const code = (err as { code?: unknown }).code;
  if (!(err instanceof HaystackError) && typeof code === 'string') {
    return new HaystackError('HS_ERR_STARTUP', `cannot read ${file}: ${describeErrno(err)}`, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new HaystackError('HS_ERR_STARTUP', `${file}: ${message}`, { cause: err });
}

/**
 * The entities of a data file a chunk at a time: a Zinc grid's rows as each chunk of the file is read, Trio and JSON
 * records one by one. Undefined for a file that is read whole: another extension, or a Zinc file that holds no grid
 * (a list of dicts).
 */
export async function entityChunks(full: string, file: string): Promise<RecordSource<readonly Dict[]> | undefined> {
  const ext = path.extname(full).toLowerCase();
  if (ext === '.trio') return singly(trioRecords(full, file));
  if (ext === '.json') return singly(jsonEntities(full, file));
  return ext === '.zinc' && (await startsWithGrid(full)) ? zincRowChunks(full, file) : undefined;
}

/** The records of chunked `source` one by one. */
export function eachOf<T>(source: RecordSource<readonly T[]>): RecordSource<T> {
  return async function* each() {
    for await (const chunk of source()) yield* chunk;
  };
}

function singly<T>(source: RecordSource<T>): RecordSource<readonly T[]> {
  return async function* each() {
    for await (const d of source()) yield [d];
  };
}

// A Zinc file may hold a list of dicts rather than a grid: only a grid is read row by row.
async function startsWithGrid(full: string): Promise<boolean> {
  let fh: Awaited<ReturnType<typeof open>> | undefined;
  try {
    fh = await open(full);
    const head = Buffer.alloc(256);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return /^\uFEFF?\s*ver\s*:/.test(head.toString('utf8', 0, bytesRead));
  } catch {
    // Unreadable: the whole-file path reports it.
    return false;
  } finally {
    await fh?.close();
  }
}

// The rows of a Zinc grid file, those of each chunk read at once: an async step per row (two generators) cost more
// than decoding it.
function zincRowChunks(full: string, file: string): RecordSource<readonly Dict[]> {
  return async function* chunks() {
    const reader = new ZincStreamReader({ limits: STREAM_LIMITS });
    const rowsOf = (events: readonly ZincStreamEvent[]): Dict[] => {
      const rows: Dict[] = [];
      for (const e of events) if (e.type === 'row') rows.push(e.row);
      return rows;
    };
    try {
      for await (const chunk of createReadStream(full) as AsyncIterable<Buffer>) {
        const rows = rowsOf(reader.push(chunk));
        if (rows.length > 0) yield rows;
      }
      const rows = rowsOf(reader.end());
      if (rows.length > 0) yield rows;
    } catch (err) {
      throw fileError(file, err);
    }
  };
}

/** The records of a Trio file, decoded a slice of whole records at a time (errors name the file's line). */
export function trioRecords(full: string, file: string): RecordSource<Dict> {
  return async function* records() {
    let slice = '';
    let sliceLine = 1;
    let line = 0;
    const decode = (text: string, first: number): Dict[] => {
      try {
        return decodeTrioDicts(text, STREAM_LIMITS);
      } catch (err) {
        // Lines within the slice, made lines of the file.
        if (err instanceof ParseError)
          throw fileError(file, new ParseError('trio', err.line + first - 1, err.column, err.reason, { cause: err }));
        throw fileError(file, err);
      }
    };
    try {
      for await (const text of fileLines(full)) {
        line++;
        // A line starting with "-" at column 0 separates records (continuation lines are indented): cut there.
        if (text.charCodeAt(0) === 45 && slice.length >= TRIO_SLICE_CHARS) {
          yield* decode(slice, sliceLine);
          slice = '';
          sliceLine = line;
        }
        slice += `${text}\n`;
      }
    } catch (err) {
      throw fileError(file, err);
    }
    yield* decode(slice, sliceLine);
  };
}

/**
 * The entities of a Haystack JSON (Hayson) file, a list of dicts or a grid, one at a time as the file is read
 * (errors name the file's line and column).
 */
export function jsonEntities(full: string, file: string): RecordSource<Dict> {
  return async function* entities() {
    const reader = jsonDictStream(STREAM_LIMITS);
    try {
      for await (const chunk of createReadStream(full, { encoding: 'utf8' }) as AsyncIterable<string>) {
        yield* reader.push(chunk);
      }
      yield* reader.end();
    } catch (err) {
      throw fileError(file, err);
    }
  };
}

/**
 * The samples of point `pointId` in a CSV history file (`ts,val` columns in any order, values in Zinc form), a line
 * at a time. With an `id` column too (what `export --his` writes), only the rows of that point.
 */
export function csvHistory(full: string, file: string, point: Dict): RecordSource<HisItem> {
  const pointId = point.id?.id ?? '';
  return async function* samples() {
    let ts = -1;
    let val = -1;
    let id = -1;
    let line = 0;
    try {
      for await (const text of fileLines(full)) {
        line++;
        if (text.trim() === '') continue;
        const cells = csvCells(text);
        if (ts < 0) {
          const header = cells.map((h) => h.trim().replace(/^\uFEFF/, ''));
          ts = header.indexOf('ts');
          val = header.indexOf('val');
          if (ts < 0 || val < 0) throw new ValueError(`${file}: a history CSV needs ts and val columns`);
          id = header.indexOf('id');
          continue;
        }
        // An export of several points: writing every row into this one would mix their histories.
        if (id >= 0 && !namesPoint(parseCell(cells[id] ?? ''), pointId)) continue;
        yield hisItem(parseCell(cells[ts] ?? ''), parseCell(cells[val] ?? ''), `${file} line ${String(line)}`, point);
      }
    } catch (err) {
      if (err instanceof HaystackError) throw err;
      throw fileError(file, err);
    }
  };
}

/** The samples of a Zinc grid with `ts` and `val` columns for `point`, a row at a time. */
export function zincHistory(full: string, file: string, point: Dict): RecordSource<HisItem> {
  const rows = eachOf(zincRowChunks(full, file));
  return async function* samples() {
    let n = 0;
    for await (const r of rows()) yield hisItem(r.get('ts'), r.get('val'), `${file} row ${String(++n)}`, point);
  };
}

// The lines of a text file (LF or CRLF), the file closed however the caller stops reading.
async function* fileLines(full: string): AsyncGenerator<string> {
  const input = createReadStream(full, 'utf8');
  try {
    yield* createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  } finally {
    input.destroy();
  }
}

/**
 * A history sample of `point` from a row's `ts` (a DateTime) and `val` (not null, of the point's kind and unit as the
 * hisWrite op wants, or NA); `where` names the row for errors.
 */
export function hisItem(ts: Val | undefined, val: Val | undefined, where: string, point: Dict): HisItem {
  if (!(ts instanceof HDateTime)) throw new ValueError(`History ${where}: ts is not a DateTime`);
  if (val === null || val === undefined) throw new ValueError(`History ${where}: no val`);
  // A store takes any value: without the op's check a Str such as `12x` would land in a Number point's history.
  if (val !== NA) checkValueKind(point, val, `History ${where}: val ${valText(val)}`);
  return { ts: ts.epochMs, val };
}

// A value as it would be written in Zinc, shortened, for an error message.
function valText(val: Val): string {
  const text = encodeZincValue(val);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

// RFC 4180 cells of one line: quoted cells may hold commas and doubled quotes (no line breaks inside cells).
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let cell = '';
      i++;
      while (i < line.length) {
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            cell += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        cell += line.charAt(i);
        i++;
      }
      cells.push(cell);
      i = line.indexOf(',', i) < 0 ? line.length + 1 : line.indexOf(',', i) + 1;
    } else {
      const end = line.indexOf(',', i);
      cells.push(line.slice(i, end < 0 ? line.length : end).trim());
      i = end < 0 ? line.length + 1 : end + 1;
    }
  }
  return cells;
}

// An id cell names the point as a Ref (`@p1`, what export writes) or as its bare id.
function namesPoint(cell: Val, pointId: string): boolean {
  return cell instanceof Ref ? cell.id === pointId : cell === pointId;
}

function parseCell(cell: string): Val {
  try {
    return decodeZincValue(cell);
  } catch {
    return cell;
  }
}
