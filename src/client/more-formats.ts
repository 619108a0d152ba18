// The formats the client reads besides Zinc, in one module that it imports on first use (one lazy chunk).

export { CSV_CODEC } from '../core/codec/csv/csv-codec.js';
export { JSON_CODEC, JSON3_CODEC } from '../core/codec/json/json-codec.js';
export { TRIO_CODEC } from '../core/codec/trio/trio-codec.js';
