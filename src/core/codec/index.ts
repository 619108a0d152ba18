// Codecs door: every wire format (Zinc, JSON v4 and v3, Trio, CSV), the shared limits and the media-type registry.

export * from './csv/index.js';
export * from './json/index.js';
export * from './limits.js';
export * from './media-types.js';
export * from './steps.js';
export * from './trio/index.js';
export * from './zinc/index.js';
