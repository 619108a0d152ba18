// How the README test treats each fenced block of README.md: run it (as a shell script or a TypeScript file,
// against which server), or not, and why. A block missing here fails the test: classify every new block.

/** The servers the test starts in-process, as the README's own commands start them. */
export type ReadmeServer =
  /** `npm start`: `haystack serve --no-auth` with the demo building. */
  | 'open'
  /** `HS_SUPERUSER_USERNAME=admin HS_SUPERUSER_PASSWORD='a long secret' npm run serve`. */
  | 'auth'
  /** The same with `--tls-cert certs/server.pem --tls-key certs/server-key.pem --tls-ca certs/ca.pem --tls-client-optional`. */
  | 'tls';

/** What the test does with one block. */
export type BlockPlan =
  /** Run the block as one bash script (`set -e`) in the clone, with port 8080 rewritten to `server`'s port. */
  | { readonly run: 'sh'; readonly server?: ReadmeServer }
  /**
   * Run the block as a TypeScript module with tsx in the clone, with port 8080 rewritten to `server`'s port. With
   * `untilLines`, a block that runs until stopped (Ctrl-C) passes once it has printed that many lines, and is stopped.
   */
  | {
      readonly run: 'ts';
      readonly server?: ReadmeServer;
      readonly untilLines?: number;
      /** The lines the block's comments say it prints, in order (its output holds them). */
      readonly prints?: readonly string[];
    }
  /** Do not run it, for this reason. */
  | { readonly skip: string };

/**
 * Every block of README.md, keyed by its language and first line (a shell line without its trailing `# comment`).
 * Changing a block's first line, or adding a block, means updating or adding its entry here.
 */
export const README_BLOCKS: Readonly<Record<string, BlockPlan>> = {
  'sh: git clone <this repository> haystack-ts && cd haystack-ts': {
    skip: 'sets up the clone the test runs in: CI (.ci/run) runs npm ci and npm run build before npm test; the test runs npm run build itself when dist/ is older than src/',
  },
  'sh: npm start': {
    skip: 'runs until stopped; the test starts the same server (serve --no-auth, demo building) in-process on an OS-chosen port',
  },
  'text: haystack serve: store sqlite /path/to/haystack-ts/haystack.db: 435 entities, kept from before (nothing seeded)':
    {
      skip: 'sample output of npm start',
    },
  'sh: curl http://127.0.0.1:8080/': { run: 'sh', server: 'open' },
  'sh: export HAYSTACK_URL=http://127.0.0.1:8080/api/': { run: 'sh', server: 'open' },
  'sh: npm install haystack-ts': {
    skip: 'installs the published package from the registry; test/package/pack.test.ts installs the packed tarball that way',
  },
  "ts: import { dict, equals, MARKER, num, ref } from 'haystack-ts';": { run: 'ts', prints: ['72.5°F', 'true'] },
  "sh: HS_SUPERUSER_USERNAME=admin HS_SUPERUSER_PASSWORD='a long secret' npm run serve": {
    skip: 'runs until stopped; the test starts the same server (first admin "admin" / "a long secret") in-process on an OS-chosen port',
  },
  'text: haystack serve: created user "admin" (role admin); its password is in /path/to/haystack.db.admin-password, readable by its owner only':
    {
      skip: 'sample output of a first start without HS_SUPERUSER_*',
    },
  "ts: import { HaystackClient } from 'haystack-ts/client';": { run: 'ts', server: 'auth' },
  "sh: export HAYSTACK_URL=http://127.0.0.1:8080/api/ HAYSTACK_USER=admin HAYSTACK_PASSWORD='a long secret'": {
    run: 'sh',
    server: 'auth',
  },
  'sh: npm run -s haystack -- certs certs': { run: 'sh' },
  'sh: npm run serve -- --tls-cert certs/server.pem --tls-key certs/server-key.pem --tls-ca certs/ca.pem --tls-client-optional':
    {
      skip: 'runs until stopped; the test starts the same HTTPS server (the certificates of the block before, admin / "a long secret") in-process on an OS-chosen port',
    },
  'sh: curl --cacert certs/ca.pem --cert certs/client.pem --key certs/client-key.pem https://localhost:8080/api/about':
    {
      run: 'sh',
      server: 'tls',
    },
  "sh: npm run -s haystack -- read --url http://127.0.0.1:8080/api/ 'site or equip or point' --to trio > building.trio":
    { run: 'sh', server: 'open' },
  "sh: npm run -s haystack -- serve --workers 2 --store 'postgres://postgres@127.0.0.1:5432/test?schema=north'": {
    skip: 'runs until stopped; test/app/serve-workers-shared.test.ts starts the same cluster (serve --workers 2 on PostgreSQL and Redis, own schema or prefix, port 0) and checks it across the workers',
  },
  'sh: npm run -s haystack -- read --url http://127.0.0.1:8080/api/ site --to trio > sites.trio': {
    run: 'sh',
    server: 'open',
  },
  "ts: import { HDateTime } from 'haystack-ts';": { run: 'ts', server: 'auth' },
  // It streams pushed changes until stopped: its first line, then the first pushed change, and it is stopped.
  "ts: import { WebSocketClient } from 'haystack-ts/client';": { run: 'ts', server: 'auth', untilLines: 2 },
  'sh: npm run serve -- --metrics --log-level debug': {
    skip: 'runs until stopped; test/app/observability/serve-observability.test.ts starts the same server (--metrics, --metrics-listen on an OS-chosen port) and scrapes every series',
  },
  'text: src/': { skip: 'the source layout, not a command' },
};
