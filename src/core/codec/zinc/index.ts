// Public door of the Zinc codec: whole-text and streaming readers and writers, and the value reader other formats reuse.

export { HisColumnsBuilder, HisRows, type HisRowsParts, type HisValKind } from './his-columns.js';
export { decodeZinc, decodeZincGrid, decodeZincValue, ZincReader, type ZincReaderOptions } from './zinc-reader.js';
export {
  decodeZincStream,
  readZincStream,
  type ZincChunk,
  type ZincStreamEvent,
  type ZincStreamHeader,
  type ZincStreamOptions,
  ZincStreamReader,
  type ZincStreamRow,
} from './zinc-stream.js';
export { encodeZincChunks, encodeZincStream, type ZincEncodeStreamOptions } from './zinc-stream-writer.js';
export {
  encodeZinc,
  encodeZincBytes,
  encodeZincGrid,
  encodeZincHeader,
  encodeZincRow,
  encodeZincRows,
  encodeZincValue,
  RowWriter as ZincRowWriter,
} from './zinc-writer.js';
