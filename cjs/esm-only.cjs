// CommonJS entry of every haystack-ts subpath: the package is ES modules only, so say how to load it instead of
// letting Node report `No "exports" main defined`. Node >= 20.19 (and >= 22.12) loads the ESM build through
// `module-sync` first.
'use strict';

const err = new Error(
  'haystack-ts is an ES module package and cannot be loaded with require() on this Node version. ' +
    "From CommonJS use a dynamic import: `const hs = await import('haystack-ts')` (or 'haystack-ts/client', " +
    '\'haystack-ts/server\', ...), or make your file ESM (.mjs, or "type": "module" in package.json).',
);
err.code = 'ERR_REQUIRE_ESM';
throw err;
