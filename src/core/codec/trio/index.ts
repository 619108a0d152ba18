// Trio codec door: the reader (records as dicts or a grid) and the writer.

export { decodeTrio, decodeTrioDicts, decodeTrioSteps, type TrioOrigin, TrioReader } from './trio-reader.js';
export { encodeTrio, encodeTrioDict } from './trio-writer.js';
