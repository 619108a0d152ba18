// Public door of `haystack-ts/storage`: Storage adapter contract shared by every backend; placeholder until the storage issue lands.

/** Name of this entry point, so the subpath export resolves to a real module before its code lands. */
export const MODULE = 'haystack-ts/storage' as const;
