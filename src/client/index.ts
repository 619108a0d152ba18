// Public door of `haystack-ts/client`: HTTP and WebSocket Haystack client (isomorphic); placeholder until the client issue lands.

/** Name of this entry point, so the subpath export resolves to a real module before its code lands. */
export const MODULE = 'haystack-ts/client' as const;
