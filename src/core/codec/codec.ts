// What a codec is (the registry in media-types.ts lists them), and helpers the codec modules share. Each codec
// lives beside its reader and writer, so that code needing one format (the client loads JSON on demand) imports
// only that one.

import { ParseError } from '../errors.js';
import { Dict } from '../grid/dict.js';
import { Grid, type GridCol } from '../grid/grid.js';
import { kindOf, type Val } from '../kinds/kind.js';
import type { DecodeLimits } from './limits.js';
import type { FormatName } from './negotiate.js';
import type { DecodeSteps } from './steps.js';

/** One format: how it is named on the wire and on disk, and its reader and writer. */
export interface Codec {
  /** Short name, as `haystack convert --from/--to` takes it. */
  readonly name: FormatName;
  /** Display name. */
  readonly dis: string;
  /** The media type this format is sent as (without parameters other than a JSON version). */
  readonly mediaType: string;
  /** The Content-Type header value for a response or request body in this format. */
  readonly contentType: string;
  /** File extensions, without the dot (the first is the one to write). */
  readonly extensions: readonly string[];
  /** False for the formats that drop grid meta and column meta (Trio, CSV). */
  readonly carriesMeta: boolean;
  /** Decode text into a value (a Grid for Trio); absent for write-only formats (CSV). */
  readonly decode?: (text: string, limits?: Partial<DecodeLimits>) => Val;
  /** Decode text that must be a grid (ParseError otherwise); absent for write-only formats. */
  readonly decodeGrid?: (text: string, limits?: Partial<DecodeLimits>) => Grid;
  /**
   * Decode a grid in steps that pause after each `sliceChars` of text (see {@link DecodeSteps}), for a caller
   * that must not hold its thread for the whole text; absent where the format has no stepped reader. A row
   * (record, grid header) longer than `maxRowChars` is refused with a LimitError before it is decoded whole.
   */
  readonly decodeGridSteps?: (
    text: string,
    limits: Partial<DecodeLimits>,
    sliceChars: number,
    maxRowChars?: number,
  ) => DecodeSteps<Grid>;
  /** Encode any value; grid-only formats (Trio, CSV) take a Dict as one row, a List of Dicts as rows, and anything else as a one-cell grid of column `val`. */
  readonly encode: (val: Val) => string;
  /** Encode a grid. */
  readonly encodeGrid: (grid: Grid) => string;
  /** Write a grid in pieces, as its rows come (a server streaming a long history); absent where a format cannot. */
  readonly pieces?: GridPieces;
}

/**
 * A grid written in pieces: {@link GridPieces.head}, then {@link GridPieces.rows} for each run of rows in order, then
 * {@link GridPieces.tail}. Joined, the pieces are the text `encodeGrid` writes for the whole grid, byte for byte.
 */
export interface GridPieces {
  /** The text before the first row: the grid's meta and columns. */
  head(meta: Dict, cols: readonly GridCol[]): string;
  /** A run of rows, as a grid of the head's columns; `first` when no row was written before it. */
  rows(grid: Grid, first: boolean): string;
  /** The text after the last row. */
  readonly tail: string;
}

/**
 * A value as a grid, for formats that only hold grids: a Grid as is, a Dict as its one row, a List
 * of Dicts as rows, anything else as a one-row grid with one column `val` (as Haxall's Etc.toGrid).
 */
export function valToGrid(val: Val): Grid {
  if (val instanceof Grid) return val;
  if (val instanceof Dict) return Grid.fromDicts([val]);
  if (Array.isArray(val) && val.length > 0 && (val as readonly Val[]).every((v) => v instanceof Dict)) {
    return Grid.fromDicts(val as readonly Dict[]);
  }
  return Grid.make({ cols: ['val'], rows: val === null ? [] : [{ val }] });
}

/** A decoder that must find a grid: a ParseError of `format` otherwise. */
export function gridOf(format: string, decode: (text: string, limits?: Partial<DecodeLimits>) => Val) {
  return (text: string, limits?: Partial<DecodeLimits>): Grid => {
    const v = decode(text, limits);
    if (v instanceof Grid) return v;
    throw new ParseError(format, 1, 1, `expected a grid but found a ${kindOf(v)}`);
  };
}
