// Dependency layers of PRODUCT.md section 2, checked by `npm run layers` (dependency-cruiser).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-only-core',
      comment:
        'src/core is pure and isomorphic: it imports nothing outside src/core (no npm packages, no node: modules).',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { pathNot: '^src/core/' },
    },
    {
      name: 'core-no-node-builtins',
      comment: 'src/core runs in browsers: no Node builtins.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'client-only-core',
      comment: 'src/client imports only src/core (plus npm packages), never server, storage, cli or ui.',
      severity: 'error',
      from: { path: '^src/client/' },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/client/'] },
    },
    {
      name: 'client-no-static-node-builtins',
      comment:
        'src/client is isomorphic (fetch, WebSocket): Node-only extras must be loaded with a dynamic import, or live in src/client/node/ (its own entry point, haystack-ts/client/node). Type-only imports are erased.',
      severity: 'error',
      from: { path: '^src/client/', pathNot: '^src/client/node/' },
      to: { dependencyTypes: ['core'], dependencyTypesNot: ['type-only'], dynamic: false },
    },
    {
      name: 'isomorphic-client-not-node-client',
      comment:
        'The isomorphic client (haystack-ts/client) never imports src/client/node/ (undici, node:tls): browsers bundle it.',
      severity: 'error',
      from: { path: '^src/client/', pathNot: '^src/client/node/' },
      to: { path: '^src/client/node/' },
    },
    {
      name: 'ui-only-client-and-core',
      comment:
        'src/ui (the web UI, bundled for browsers) calls the server only through the isomorphic client: it imports src/client and src/core, never server, storage, app or cli.',
      severity: 'error',
      from: { path: '^src/ui/' },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/client/', '^src/ui/'] },
    },
    {
      name: 'ui-not-node',
      comment: 'src/ui runs in browsers: no Node builtins, and not the Node-only client (src/client/node/).',
      severity: 'error',
      from: { path: '^src/ui/' },
      to: { path: '^src/client/node/' },
    },
    {
      name: 'ui-no-node-builtins',
      comment: 'src/ui runs in browsers: no Node builtins (type-only imports are erased).',
      severity: 'error',
      from: { path: '^src/ui/' },
      to: { dependencyTypes: ['core'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'server-only-core-and-storage',
      comment: 'src/server imports src/core and src/storage only: never client, cli or ui.',
      severity: 'error',
      from: { path: '^src/server/' },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/storage/', '^src/server/'] },
    },
    {
      name: 'app-composes-server-storage-core',
      comment:
        'src/app composes a running server from src/server, storage backends and src/core: never client, cli or ui.',
      severity: 'error',
      from: { path: '^src/app/' },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/storage/', '^src/server/', '^src/app/'] },
    },
    {
      name: 'only-tests-use-storage-testing',
      comment:
        'src/storage/testing (haystack-ts/storage/testing) imports vitest and fast-check, optional peers: no other shipped code imports it.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/storage/testing/' },
      to: { path: '^src/storage/testing/' },
    },
    {
      name: 'cli-only-app-client-core',
      comment:
        'src/cli parses arguments and prints: it imports src/app, src/client and src/core, never src/server or src/storage directly.',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/client/', '^src/app/', '^src/cli/'] },
    },
    {
      name: 'nothing-imports-app-but-cli',
      comment: 'The app layer sits on top: only src/cli (and src/app itself) imports it.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/cli/', '^src/app/'] },
      to: { path: '^src/app/' },
    },
    {
      name: 'storage-only-core',
      comment: 'src/storage (contract and backends) imports src/core and itself only.',
      severity: 'error',
      from: { path: '^src/storage/' },
      to: { path: '^src/', pathNot: ['^src/core/', '^src/storage/'] },
    },
    {
      name: 'backend-not-other-backend',
      comment:
        'A backend src/storage/<backend>/ imports the contract files directly in src/storage/, the shared SQL compiler in src/storage/sql/ and the shared in-process indexes in src/storage/indexed/, but never another backend.',
      severity: 'error',
      from: { path: '^src/storage/([^/]+)/', pathNot: ['^src/storage/sql/', '^src/storage/indexed/'] },
      to: {
        path: '^src/storage/[^/]+/',
        pathNot: ['^src/storage/$1/', '^src/storage/sql/', '^src/storage/indexed/'],
      },
    },
    {
      name: 'no-circular',
      comment: 'No import cycles. Cycles made only of type-only imports are erased at compile time and allowed.',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'Every import must resolve (a missing file or an undeclared package).',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: 'no-undeclared-package',
      comment: 'src/ may only import npm packages declared in package.json.',
      severity: 'error',
      from: { path: '^src/' },
      // A package that is both a dev and a peer dependency (vitest for the contract kit) is also labelled npm-no-pkg.
      to: { dependencyTypes: ['npm-no-pkg', 'npm-unknown'], dependencyTypesNot: ['npm-peer'] },
    },
    {
      name: 'src-not-to-dev-dep',
      comment:
        'Shipped code must not import devDependencies (they are absent when users install the package). src/storage/testing (the contract test kit) imports vitest and fast-check, which are also optional peer dependencies. src/ui imports preact, htm and uplot, which esbuild bundles into dist/ui at build time: the package ships the bundle, not the imports.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/storage/testing/', '^src/ui/'] },
      to: { dependencyTypes: ['npm-dev'], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
