// What `haystack import` reads, one record at a time from the file, so that a file of any size passes in flat memory:
// Zinc grid rows (the stream reader), Trio records (a slice of whole records at a time), JSON list elements or grid
// rows (cut out by bracket depth, each decoded alone), CSV history lines. Each source can be opened again: import
// reads the file once to check it and once more to write it.

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { decodeJson } from '../core/codec/json/index.js';
import { decodeTrioDicts } from '../core/codec/trio/index.js';
import { decodeZincValue, type ZincStreamEvent, ZincStreamReader } from '../core/codec/zinc/index.js';
import { HaystackError, ParseError, ValueError } from '../core/errors.js';
import { Dict } from '../core/grid/dict.js';
import { Grid } from '../core/grid/grid.js';
import { HDateTime } from '../core/kinds/date-time.js';
import type { Val } from '../core/kinds/kind.js';
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
    return new HaystackError('HS_ERR_STARTUP', `cannot read ${file}: ${code}`, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new HaystackError('HS_ERR_STARTUP', `${file}: ${message}`, { cause: err });
}

/** The rows of a Zinc grid file, each as soon as its line is read (errors name the file's line and column). */
export function zincRows(full: string, file: string): RecordSource<Dict> {
  const chunks = zincRowChunks(full, file);
  return async function* rows() {
    for await (const rs of chunks()) yield* rs;
  };
}

/**
 * The rows of a Zinc grid file, those of each chunk read at once: an async step per row (two generators) cost
 * more than decoding it.
 */
export function zincRowChunks(full: string, file: string): RecordSource<readonly Dict[]> {
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
 * The entities of a Haystack JSON (Hayson) file, a list of dicts or a grid, one element at a time: a scan by bracket
 * depth cuts out each list element or `rows` element, which is decoded on its own (errors name the file's line);
 * the rest of the file (meta, cols) is checked at the end as the grid or list it must be.
 */
export function jsonEntities(full: string, file: string): RecordSource<Dict> {
  return async function* entities() {
    const cut = new JsonElements();
    try {
      for await (const chunk of createReadStream(full, { encoding: 'utf8' }) as AsyncIterable<string>) {
        for (const e of cut.push(chunk)) yield jsonDict(e, file);
      }
    } catch (err) {
      throw fileError(file, err);
    }
    const rest = cut.end();
    let shape: unknown;
    try {
      shape = decodeJson(rest.text);
    } catch (err) {
      throw fileError(file, err);
    }
    if (
      !(shape instanceof Grid || (Array.isArray(shape) && shape.length === 0)) ||
      rest.grid !== shape instanceof Grid
    ) {
      throw fileError(file, new ValueError('holds no grid or list of dicts'));
    }
  };
}

function jsonDict(e: { readonly text: string; readonly line: number; readonly col: number }, file: string): Dict {
  let v: unknown;
  try {
    v = decodeJson(e.text);
  } catch (err) {
    if (err instanceof ParseError) {
      const col = err.line === 1 ? err.column + e.col - 1 : err.column;
      throw fileError(file, new ParseError('json', err.line + e.line - 1, col, err.reason, { cause: err }));
    }
    throw fileError(file, err);
  }
  if (!(v instanceof Dict)) throw fileError(file, new ValueError(`line ${String(e.line)}: an element is not a dict`));
  return v;
}

// Cuts the elements out of a JSON list, or out of the `rows` member of a top-level object, as the text arrives; the
// text around them (the brackets, meta, cols) is kept to be checked at the end. Strings are skipped whole, so
// brackets and quotes inside them do not count.
class JsonElements {
  #depth = 0;
  #inString = false;
  #escape = false;
  // Depth at which elements are cut: 1 in a top-level list, 2 in a grid's rows; 0 until known.
  #target = 0;
  #grid = false;
  #lastKey = '';
  #key: string | undefined;
  #rest = '';
  #element: string | undefined;
  #elementLine = 0;
  #elementCol = 0;
  #line = 1;
  #col = 0;

  push(text: string): { text: string; line: number; col: number }[] {
    const out: { text: string; line: number; col: number }[] = [];
    let from = 0;
    const flush = (to: number): void => {
      if (this.#element !== undefined) this.#element += text.slice(from, to);
      else this.#rest += text.slice(from, to);
      from = to;
    };
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) {
        this.#line++;
        this.#col = 0;
      } else this.#col++;
      if (this.#inString) {
        if (this.#escape) this.#escape = false;
        else if (c === 92) this.#escape = true;
        else if (c === 34) {
          this.#inString = false;
          if (this.#key !== undefined) {
            this.#key += text.slice(from, i);
            this.#lastKey = this.#key;
            this.#key = undefined;
            flush(i);
          }
        }
        continue;
      }
      const inElement = this.#element !== undefined;
      const atTarget = this.#target > 0 && this.#depth === this.#target;
      // The separators between elements are left out of the rest, which must read as an empty list or grid.
      if (!inElement && atTarget && c === 44) {
        flush(i);
        from = i + 1;
        continue;
      }
      // An element starts at its first character at the cutting depth (not a separator or space).
      if (!inElement && atTarget && c !== 93 && c !== 32 && c !== 10 && c !== 13 && c !== 9) {
        flush(i);
        this.#element = '';
        this.#elementLine = this.#line;
        this.#elementCol = this.#col;
      }
      if (c === 34) {
        this.#inString = true;
        // A key of the top-level object: remembered, to find `rows`.
        if (this.#grid && this.#depth === 1 && this.#element === undefined) {
          flush(i + 1);
          this.#key = '';
        }
      } else if (c === 123 || c === 91) {
        if (this.#depth === 0) {
          this.#grid = c === 123;
          if (!this.#grid) this.#target = 1;
        } else if (
          this.#grid &&
          this.#depth === 1 &&
          c === 91 &&
          this.#lastKey === 'rows' &&
          this.#element === undefined
        )
          this.#target = 2;
        this.#depth++;
      } else if (c === 125 || c === 93) {
        this.#depth--;
        if (this.#target > 0 && this.#depth === this.#target - 1 && this.#element === undefined) this.#target = -1;
      }
      // An element ends where the depth is back at the cutting depth, before a separator or the closing bracket.
      if (this.#element !== undefined && this.#depth === this.#target) {
        const next = i + 1 < text.length ? text.charCodeAt(i + 1) : -1;
        const closes = c === 125 || c === 93;
        if (closes || next === 44 || next === 93 || next === 32 || next === 10 || next === 13 || next === 9) {
          flush(i + 1);
          out.push({ text: this.#element, line: this.#elementLine, col: this.#elementCol });
          this.#element = undefined;
        }
      } else if (this.#element !== undefined && this.#depth < this.#target) {
        // The closing bracket of the list right after a scalar element: the element ends before it.
        this.#element += text.slice(from, i);
        from = i;
        out.push({ text: this.#element, line: this.#elementLine, col: this.#elementCol });
        this.#element = undefined;
        this.#target = -1;
      }
    }
    // A key cut by the chunk's end: its text so far, kept in `#rest` too by the flush below.
    if (this.#key !== undefined) this.#key += text.slice(from);
    flush(text.length);
    return out;
  }

  end(): { text: string; grid: boolean } {
    if (this.#element !== undefined) this.#rest += this.#element;
    return { text: this.#rest, grid: this.#grid };
  }
}

/** The samples of a CSV history file (`ts,val` columns in any order, values in Zinc form), a line at a time. */
export function csvHistory(full: string, file: string): RecordSource<HisItem> {
  return async function* samples() {
    let ts = -1;
    let val = -1;
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
          continue;
        }
        yield hisItem(parseCell(cells[ts] ?? ''), parseCell(cells[val] ?? ''), `${file} line ${String(line)}`);
      }
    } catch (err) {
      if (err instanceof HaystackError) throw err;
      throw fileError(file, err);
    }
  };
}

/** The samples of a Zinc grid with `ts` and `val` columns, a row at a time. */
export function zincHistory(full: string, file: string): RecordSource<HisItem> {
  const rows = zincRows(full, file);
  return async function* samples() {
    let n = 0;
    for await (const r of rows()) yield hisItem(r.get('ts'), r.get('val'), `${file} row ${String(++n)}`);
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

/** A history sample from a row's `ts` (a DateTime) and `val` (not null); `where` names the row for errors. */
export function hisItem(ts: Val | undefined, val: Val | undefined, where: string): HisItem {
  if (!(ts instanceof HDateTime)) throw new ValueError(`History ${where}: ts is not a DateTime`);
  if (val === null || val === undefined) throw new ValueError(`History ${where}: no val`);
  return { ts: ts.epochMs, val };
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

function parseCell(cell: string): Val {
  try {
    return decodeZincValue(cell);
  } catch {
    return cell;
  }
}
