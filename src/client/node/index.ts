// Public door of `haystack-ts/client/node`: Node-only client helpers (TLS with a private CA or a client certificate).

export { createTlsFetch, type TlsFetch } from './tls-fetch.js';
export { type ClientPem, type ClientTlsInput, clientTlsOptions } from './tls-options.js';
