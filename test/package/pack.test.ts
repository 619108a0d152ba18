// The published tarball installs into an empty project, its entry points import (require() says to use import()),
// it ships no source maps without sources, and its bin prints usage.
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared.js';

const run = promisify(execFile);
/** What `npm pack` needs from the repository to build and pack (node_modules is linked, not copied). */
const PACKAGE_SOURCES = [
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'src',
  // npm run build (prepack) bundles the web UI with scripts/build-ui.ts.
  'scripts',
  'cjs',
  'README.md',
  'CHANGELOG.md',
  'LICENSE',
];
const NPM_TIMEOUT_MS = 240_000;

/** The environment without the outer npm run's settings, so the nested npm behaves as if typed by hand. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.toLowerCase().startsWith('npm_')) env[k] = v;
  return env;
}

/** Runs a command; on failure the error carries its full output (tsc errors from prepack land on stdout). */
async function sh(cmd: string, args: readonly string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await run(cmd, args, { cwd, env: cleanEnv(), timeout: NPM_TIMEOUT_MS, maxBuffer: 16 << 20 });
    return stdout;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`, { cause: err });
  }
}

describe('npm pack tarball', () => {
  let work = '';
  let project = '';
  let tarballFiles: string[] = [];
  let clone = '';

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'haystack-ts-pack-'));
    project = path.join(work, 'project');
    // A copy of the package sources, so that prepack's build never rewrites the repository's dist/ while other
    // tests (the README test) run the CLI from it.
    clone = path.join(work, 'clone');
    await mkdir(clone);
    for (const entry of PACKAGE_SOURCES)
      await cp(path.join(REPO_ROOT, entry), path.join(clone, entry), { recursive: true });
    await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(clone, 'node_modules'), 'dir');
    // prepack builds dist/ first, so the tarball reflects the current sources.
    await sh('npm', ['pack', '--pack-destination', work], clone);
    const tarball = (await readdir(work)).find((f) => f.endsWith('.tgz'));
    if (tarball === undefined) throw new Error(`npm pack wrote no tarball into ${work}`);
    tarballFiles = (await sh('tar', ['tzf', path.join(work, tarball)], work)).trim().split('\n');
    await mkdir(project);
    await writeFile(
      path.join(project, 'package.json'),
      '{ "name": "pack-check", "private": true, "type": "module" }\n',
    );
    // The optional SQLite driver compiles from source for minutes; importing the entry points does not need it.
    await sh(
      'npm',
      ['install', '--no-audit', '--no-fund', '--prefer-offline', '--omit=optional', path.join(work, tarball)],
      project,
    );
  }, NPM_TIMEOUT_MS * 2);

  afterAll(async () => {
    if (work !== '') await rm(work, { recursive: true, force: true });
  });

  it.each([
    'haystack-ts',
    'haystack-ts/client',
    'haystack-ts/client/node',
    'haystack-ts/ontology',
    'haystack-ts/server',
  ])(
    'import(%s) resolves from an installed project',
    async (specifier) => {
      const script = `const m = await import(${JSON.stringify(specifier)}); console.log(Object.keys(m).length);`;
      const out = await sh(process.execPath, ['--input-type=module', '-e', script], project);
      expect(Number(out.trim())).toBeGreaterThan(0);
    },
    60_000,
  );

  it('ships the storage contract kit with types, for backends outside the package', async () => {
    const script = "console.log(import.meta.resolve('haystack-ts/storage/testing'))";
    const url = (await sh(process.execPath, ['--input-type=module', '-e', script], project)).trim();
    expect(url).toMatch(/\/dist\/storage\/testing\/index\.js$/);
    expect(existsSync(new URL(url.replace(/\.js$/, '.d.ts')))).toBe(true);
  }, 60_000);

  it('the declarations of the browser entry points type-check without Node types', async () => {
    // A browser project: DOM types, no @types/node, and declarations checked (skipLibCheck off).
    const browser = [
      "import { dict, encodeZinc, MARKER, parseFilter } from 'haystack-ts';",
      "import { HaystackClient, WebSocketClient } from 'haystack-ts/client';",
      "import { Namespace } from 'haystack-ts/ontology';",
      'const d = dict({ point: MARKER });',
      'document.title = encodeZinc(d) + String(parseFilter("point").matches(d));',
      "export const clients = [new HaystackClient({ url: location.origin + '/api/' }), WebSocketClient, Namespace];",
      '',
    ].join('\n');
    await writeFile(path.join(project, 'browser.ts'), browser);
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022',
        module: 'ESNext',
        moduleResolution: 'bundler',
        lib: ['ES2022', 'DOM', 'DOM.Iterable'],
        types: [],
        strict: true,
        noEmit: true,
        skipLibCheck: false,
      },
      files: ['browser.ts'],
    };
    await writeFile(path.join(project, 'tsconfig.browser.json'), JSON.stringify(tsconfig));
    const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    // Fails with the declaration that names a Node type (e.g. `import("util").TextEncoder`).
    await sh(process.execPath, [tsc, '-p', 'tsconfig.browser.json'], project);
  }, 120_000);

  it.each([
    ['sqlite', "(await import('haystack-ts/storage/sqlite')).openSqliteStore({ path: 'x.db' })", 'better-sqlite3'],
    [
      'postgres',
      "(await import('haystack-ts/storage/postgres')).openPostgresStore({ url: 'postgres://127.0.0.1:1/x' })",
      'pg',
    ],
    ['redis', "(await import('haystack-ts/storage/redis')).openRedisStore({ url: 'redis://127.0.0.1:1' })", 'ioredis'],
  ])(
    'the %s store without its optional driver says how to install it',
    async (_name, open, driver) => {
      // The project was installed with --omit=optional, so no store driver is there.
      const script = `try { await ${open}; console.log('opened'); } catch (e) { console.log(e.name, e.code, e.message); }`;
      const out = await sh(process.execPath, ['--input-type=module', '-e', script], project);
      expect(out).toMatch(/^StorageError HS_ERR_STORAGE /);
      expect(out).toContain(`npm install ${driver}@`);
    },
    60_000,
  );

  it('require() from CommonJS loads it where Node has require(esm), else fails saying to use import()', async () => {
    const script = `try { require('haystack-ts/client'); console.log('loaded'); } catch (e) { console.log(e.code, e.message); }`;
    const out = await sh(process.execPath, ['-e', script], project);
    // Node >= 20.19 and >= 22.12 load the ESM build through the module-sync condition; older ones get the explanation.
    if ((process.features as { readonly require_module?: boolean }).require_module === true) {
      expect(out.trim()).toBe('loaded');
      return;
    }
    expect(out).toMatch(/^ERR_REQUIRE_ESM /);
    expect(out).toContain("import('haystack-ts')");
  }, 60_000);

  it('ships JavaScript, declarations and package metadata, but no source maps without their sources', () => {
    expect(tarballFiles).toContain('package/dist/core/index.js');
    expect(tarballFiles).toContain('package/dist/core/index.d.ts');
    expect(tarballFiles).toContain('package/cjs/esm-only.cjs');
    expect(tarballFiles.filter((f) => f.endsWith('.map') || f.endsWith('.tsbuildinfo'))).toEqual([]);
  });

  it('SIGTERM to `npm start` (what Docker and systemd send) reaches the server, which stops and frees its port', async () => {
    // --ignore-scripts skips prestart's build: npm pack has just built the clone's dist/.
    const child = spawn('npm', ['start', '--ignore-scripts', '--', '--port', '0', '--demo-days', '0', '--quiet'], {
      cwd: clone,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString('utf8');
        const m = /listening on (\S+)/.exec(out);
        if (m?.[1] !== undefined) resolve(m[1]);
      });
      child.once('exit', (code) => {
        reject(new Error(`npm start exited ${String(code)} before listening:\n${out}`));
      });
    });
    expect((await fetch(`${url}about`)).status).toBe(200);
    const exited = new Promise<void>((resolve) =>
      child.once('exit', () => {
        resolve();
      }),
    );
    child.kill('SIGTERM');
    await exited;
    expect(out).toContain('haystack serve: stopped');
    await expect(fetch(`${url}about`)).rejects.toThrow();
  }, 60_000);

  it('npx haystack --help prints usage', async () => {
    const out = await sh('npx', ['haystack', '--help'], project);
    expect(out).toMatch(/Usage: haystack/);
  }, 60_000);
});
