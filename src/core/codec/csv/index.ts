// CSV codec door: the writer (CSV is lossy, so there is no reader).

export { type CsvEncodeOptions, encodeCsv } from './csv-writer.js';
