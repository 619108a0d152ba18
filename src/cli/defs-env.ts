// Where `haystack defs` finds its libs when `--defs` is not given: apart, so that the command and its action share it.

/** Environment variable naming the def libs directory when `--defs` is not given. */
export const DEFS_ENV = 'HAYSTACK_DEFS';
