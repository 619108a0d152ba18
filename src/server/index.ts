// Public door of `haystack-ts/server`: Haystack HTTP server: app factory, ops, auth; placeholder until the server issue lands.

/** Name of this entry point, so the subpath export resolves to a real module before its code lands. */
export const MODULE = 'haystack-ts/server' as const;
