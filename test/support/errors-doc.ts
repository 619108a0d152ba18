// docs/errors.md from the one error table: every code with its HTTP status, Haystack type and meaning, and every
// error class. `npm run docs:errors` rewrites the file; test/core/errors-doc.test.ts fails when it is stale.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as client from '../../src/client/index.js';
import * as core from '../../src/core/index.js';
import * as server from '../../src/server/index.js';
import * as storage from '../../src/storage/index.js';
import { REPO_ROOT } from './shared.js';

/** Where the generated page lives. */
export const ERRORS_DOC = path.join(REPO_ROOT, 'docs/errors.md');

const ENTRY_POINTS: readonly (readonly [string, Record<string, unknown>])[] = [
  ['haystack-ts', core],
  ['haystack-ts/client', client],
  ['haystack-ts/server', server],
  ['haystack-ts/storage', storage],
];

/** The doc comment above each code in src/core/errors.ts, by code. */
function codeDocs(): Map<string, string> {
  const source = readFileSync(path.join(REPO_ROOT, 'src/core/errors.ts'), 'utf8');
  const docs = new Map<string, string>();
  for (const m of source.matchAll(/\/\*\* (.+?) \*\/\n\s+(HS_ERR_\w+):/g)) docs.set(m[2] ?? '', m[1] ?? '');
  return docs;
}

/** The error classes each entry point exports, with their literal names. */
function errorClasses(): string[] {
  const rows: string[] = [];
  for (const [entry, mod] of ENTRY_POINTS) {
    for (const [exported, value] of Object.entries(mod).sort(([a], [b]) => a.localeCompare(b))) {
      if (typeof value !== 'function' || !(value.prototype instanceof Error || value === core.HaystackError)) continue;
      const name = (value as { errorName?: unknown }).errorName;
      if (typeof name !== 'string' || name !== exported) continue;
      const parent = Object.getPrototypeOf(value) as { errorName?: unknown };
      const base = typeof parent.errorName === 'string' ? parent.errorName : 'Error';
      rows.push(`| \`${name}\` | \`${entry}\` | ${base} |`);
    }
  }
  return rows;
}

/** The page's text. */
export function renderErrorsDoc(): string {
  const docs = codeDocs();
  const codes = Object.entries(core.ERROR_CODES).map(
    ([code, { status, type }]) => `| \`${code}\` | ${status} | ${type} | ${docs.get(code) ?? ''} |`,
  );
  return [
    '# Error codes',
    '',
    '<!-- Generated from src/core/errors.ts by `npm run docs:errors`; do not edit by hand. -->',
    '',
    'Every error haystack-ts throws is a `HaystackError` with a stable `code` (messages may change between',
    'versions; codes do not). Error grids of a haystack-ts server carry the code as `errCode`, which a client',
    'reads back as `CallError.remoteCode`. The HTTP status applies where an error becomes an HTTP answer',
    "(HttpApi: an op's own error answers 200 with the error grid unless `errorStatus: 'http'`).",
    '',
    '| code | HTTP status | Haystack `errType` | meaning |',
    '| --- | --- | --- | --- |',
    ...codes,
    '',
    '## Error classes',
    '',
    '`name` is a literal per class (minified builds keep it), and `instanceof` also recognizes errors thrown by',
    'another copy of the package through a `Symbol.for("haystack-ts.error")` brand.',
    '',
    '| class | entry point | extends |',
    '| --- | --- | --- |',
    ...errorClasses(),
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) writeFileSync(ERRORS_DOC, renderErrorsDoc());
