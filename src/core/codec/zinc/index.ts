// Public door of the Zinc codec: whole-text and streaming readers and writers, and the value reader other formats reuse.

export { HisColumnsBuilder, HisRows, type HisValKind } from './his-columns.js';
export { decodeZinc, decodeZincGrid, decodeZincValue, ZincReader, type ZincReaderOptions } from './zinc-reader.js';
export {
  encodeZinc,
  encodeZincGrid,
  encodeZincHeader,
  encodeZincRow,
  RowWriter as ZincRowWriter,
  zincVal as encodeZincValue,
} from './zinc-writer.js';
