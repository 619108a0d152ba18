// What `haystack` loads before it knows the command: `--help`, `--version` and usage errors must not pay for the
// app layer, the clients or their packages (undici, OpenTelemetry, prom-client, pino), which took the start of every
// CLI call from about 0.4 s to over 1 s; nor core's codecs, filters, values and ontology (92 modules of core, 31 of
// ours in all now). Each command imports its implementation (`*-action.ts`) inside its action.

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { INPUT_FORMAT_NAMES, INPUT_FORMATS, OUTPUT_FORMATS } from '../../src/cli/output.js';
import { CODECS } from '../../src/core/index.js';
import { spawnCli } from '../support/run-cli.js';
import { REPO_ROOT } from '../support/shared.js';
import { makeTempDir } from '../support/temp-dir.js';

const dir = makeTempDir('haystack-startup-');
// A resolve hook that writes down every module the process resolves (node, or tsx before it, resolved it for a load).
writeFileSync(
  dir.file('hooks.mjs'),
  `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  appendFileSync(process.env.HAYSTACK_TEST_MODULES, resolved.url + '\\n');
  return resolved;
}
`,
);
writeFileSync(
  dir.file('register.mjs'),
  `import { register } from 'node:module';\nregister('./hooks.mjs', import.meta.url);\n`,
);

afterAll(() => {
  dir.remove();
});

// The settings the help text names come from leaf modules of the app layer; anything else of it is an action's.
const HELP_APP_MODULES = /\/(src|dist)\/app\/(serve-defaults|stores\/[a-z-]+)\.[jt]s$/;

// The packages the CLI may run on (undici, prom-client, pino, OpenTelemetry, ws...), but for the argument parser.
const RUNTIME_PACKAGES = new Set(
  Object.keys((JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson).dependencies),
);

interface PackageJson {
  readonly dependencies: Readonly<Record<string, string>>;
}

/** The modules of this repository and of its runtime packages that a run resolved, which a start-up must not. */
function heavyModules(urls: readonly string[]): string[] {
  return urls.filter((url) => {
    // Development packages (tsx and esbuild, which run the sources when dist/ is not built) are the test's own.
    const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
    if (pkg !== undefined) return pkg !== 'commander' && RUNTIME_PACKAGES.has(pkg);
    if (/\/(src|dist)\/(client|server|storage|ui)\//.test(url)) return true;
    // Of core, help needs the format names and the error classes, not the codecs, filters, values or ontology.
    if (
      /\/(src|dist)\/core\/(index\.[jt]s$|(codec\/(?!negotiate\.)|filter|ontology|grid|kinds|auth|tz|ws)\b)/.test(url)
    )
      return true;
    return /\/(src|dist)\/app\//.test(url) && !HELP_APP_MODULES.test(url);
  });
}

describe.concurrent('haystack start-up', () => {
  it.each<[string, readonly string[], number]>([
    ['--version', ['--version'], 0],
    ['--help', ['--help'], 0],
    ["a command's --help", ['read', '--help'], 0],
    ["a subcommand's --help", ['defs', 'check', '--help'], 0],
    ['an unknown command', ['raed', 'site'], 2],
    ['a usage error of serve', ['serve', '--workers', '0'], 2],
  ])('%s loads neither the app layer, the clients nor the codecs', async (_what, args, code) => {
    const list = dir.file(`modules-${args.join('_')}.txt`);
    writeFileSync(list, '');
    const r = await spawnCli(args, dir.path, {
      NODE_OPTIONS: `--import ${pathToFileURL(dir.file('register.mjs')).href}`,
      HAYSTACK_TEST_MODULES: list,
    });
    const urls = readFileSync(list, 'utf8').split('\n').filter(Boolean);
    expect(r.code).toBe(code);
    // The hook saw the CLI's own modules: an empty list would pass for a hook that never ran.
    expect(urls.some((u) => /\/(src|dist)\/cli\/program\.[jt]s$/.test(u))).toBe(true);
    expect(heavyModules(urls)).toEqual([]);
  });
});

// Help names the formats from these lists, written down where the codecs are not loaded: they must say what the
// commands then accept.
describe('the format names help gives', () => {
  it('are those of the codecs: every one for --to, those with a reader for --from and --data', () => {
    expect(OUTPUT_FORMATS).toBe(CODECS.map((c) => c.name).join(', '));
    expect(INPUT_FORMAT_NAMES).toEqual(CODECS.filter((c) => c.decode !== undefined).map((c) => c.name));
    expect(INPUT_FORMATS).toBe(INPUT_FORMAT_NAMES.join(', '));
  });
});
