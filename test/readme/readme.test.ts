// README.md cannot rot: every fenced block is classified in readme-blocks.ts, and the runnable ones run as written
// (only port 8080 rewritten) in a throwaway clone against servers started as the README starts them.

import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppOutput, type RunningApp, startApp } from '../../src/app/index.js';
import { tsxNodeArgs } from '../support/run-cli.js';
import { REPO_ROOT } from '../support/shared.js';
import { type BlockPlan, README_BLOCKS, type ReadmeServer } from './readme-blocks.js';

const run = promisify(execFile);
// A block runs up to ~15 `npm run haystack` processes (npm + node start-up each): on a loaded 2-core machine that
// took over a minute, so the ceiling is generous; a hung command still fails the block.
const BLOCK_TIMEOUT_MS = 150_000;
const ADMIN = { HS_SUPERUSER_USERNAME: 'admin', HS_SUPERUSER_PASSWORD: 'a long secret' };

/** One fenced block of the README. */
interface Block {
  readonly lang: string;
  readonly text: string;
  readonly line: number;
  readonly key: string;
}

/** `lang: first line`, with a shell line's trailing `# comment` and runs of spaces dropped (edits there are free). */
function blockKey(lang: string, first: string): string {
  const line = lang === 'sh' ? first.replace(/\s+#\s.*$/, '') : first;
  return `${lang}: ${line.replace(/\s+/g, ' ')}`;
}

/** The fenced blocks of a Markdown text, with the line of their opening fence. */
function fencedBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i] ?? '');
    if (open === null) continue;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !/^```\s*$/.test(lines[j] ?? '')) body.push(lines[j++] ?? '');
    const lang = open[1] === '' ? 'text' : (open[1] ?? 'text');
    const first = body.find((l) => l.trim() !== '')?.trim() ?? '';
    blocks.push({ lang, text: `${body.join('\n')}\n`, line: i + 1, key: blockKey(lang, first) });
    i = j;
  }
  return blocks;
}

const blocks = fencedBlocks(readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8'));

/** The environment of a person's shell: none of the outer npm run's settings, no HAYSTACK_* from the caller. */
function shellEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.toLowerCase().startsWith('npm_') && !k.startsWith('HAYSTACK_') && !k.startsWith('HS_')) env[k] = v;
  }
  return env;
}

/** The newest modification time under `dir` (files only). */
function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return latest;
}

/** True when dist/ was built after the last change to src/ (the README's setup ends with `npm run build`). */
function distFresh(): boolean {
  try {
    return statSync(path.join(REPO_ROOT, 'dist', 'cli', 'main.js')).mtimeMs >= newest(path.join(REPO_ROOT, 'src'));
  } catch {
    return false;
  }
}

const quiet: AppOutput = { notice: () => undefined, log: () => undefined, warn: () => undefined };

describe('README.md', () => {
  let clone = '';
  const servers = new Map<ReadmeServer, RunningApp>();

  beforeAll(async () => {
    if (!distFresh()) {
      process.stderr.write('README test: dist/ is older than src/; running npm run build first\n');
      await run('npm', ['run', 'build'], { cwd: REPO_ROOT, env: shellEnv(), timeout: 240_000 });
    }
    // A clone of our own: what the README's commands write (certs/, haystack.db) stays out of the repository.
    clone = await mkdtemp(path.join(tmpdir(), 'haystack-readme-'));
    for (const entry of ['package.json', 'node_modules', 'dist', 'src', 'tsconfig.json']) {
      await symlink(path.join(REPO_ROOT, entry), path.join(clone, entry));
    }
  }, 300_000);

  afterAll(async () => {
    for (const app of servers.values()) await app.close();
    if (clone !== '') await rm(clone, { recursive: true, force: true });
  });

  /** The server a block talks to, started on first use the way the README starts it. */
  async function server(kind: ReadmeServer): Promise<RunningApp> {
    const running = servers.get(kind);
    if (running !== undefined) return running;
    const tls =
      kind === 'tls'
        ? {
            cert: readFileSync(path.join(clone, 'certs', 'server.pem'), 'utf8'),
            key: readFileSync(path.join(clone, 'certs', 'server-key.pem'), 'utf8'),
            ca: readFileSync(path.join(clone, 'certs', 'ca.pem'), 'utf8'),
            clientOptional: true,
          }
        : undefined;
    const app = await startApp(
      {
        host: '127.0.0.1',
        port: 0,
        store: 'memory',
        // A week and a day of history covers every range the README reads (yesterday, the last 7 days).
        seed: { kind: 'demo', days: 8 },
        security: {
          host: '127.0.0.1',
          auth: kind !== 'open',
          ...(tls === undefined ? {} : { tls }),
          allowPlaintext: false,
          idleTtlMs: 30 * 60_000,
          maxLifetimeMs: 720 * 60_000,
          env: kind === 'open' ? {} : ADMIN,
        },
        quiet: true,
        // The README's watch waits for the next change: the simulator moves values faster here than its 5 s.
        simulatorIntervalMs: 100,
        cwd: clone,
      },
      quiet,
    );
    servers.set(kind, app);
    return app;
  }

  it('classifies every block in test/readme/readme-blocks.ts, and lists no block the README lacks', () => {
    const unknown = blocks.filter((b) => README_BLOCKS[b.key] === undefined).map((b) => `line ${b.line}: ${b.key}`);
    expect(
      unknown,
      'README blocks with no entry in test/readme/readme-blocks.ts (add one: run or skip, with a reason)',
    ).toEqual([]);
    const keys = new Set(blocks.map((b) => b.key));
    expect(
      Object.keys(README_BLOCKS).filter((k) => !keys.has(k)),
      'entries for blocks no longer in README.md',
    ).toEqual([]);
  });

  const runnable = blocks.filter((b) => {
    const plan = README_BLOCKS[b.key];
    return plan !== undefined && 'run' in plan;
  });

  it.each(runnable.map((b) => [`line ${b.line}: ${b.key}`, b] as const))(
    '%s',
    async (_name, block) => {
      const plan = README_BLOCKS[block.key] as Extract<BlockPlan, { run: string }>;
      let text = block.text;
      if (plan.server !== undefined) {
        const { port } = (await server(plan.server)).address;
        text = text.replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`).replaceAll('localhost:8080', `localhost:${port}`);
      }
      const result =
        plan.run === 'sh'
          ? await shell(text, clone)
          : await typescript(text, clone, `block-${block.line}.ts`, plan.untilLines);
      expect(result.code, `README line ${block.line} failed:\n${result.output}`).toBe(0);
      if (plan.run === 'ts' && plan.prints !== undefined) {
        const printed = result.output.split('\n');
        expect(
          printed.filter((l) => plan.prints?.includes(l)),
          `README line ${block.line} printed`,
        ).toEqual(plan.prints);
      }
    },
    BLOCK_TIMEOUT_MS,
  );
});

/** What a block printed, and how it exited. */
interface BlockRun {
  readonly code: number;
  readonly output: string;
}

async function settle(p: Promise<{ stdout: string; stderr: string }>): Promise<BlockRun> {
  try {
    const { stdout, stderr } = await p;
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (err) {
    const e = err as { code?: unknown; stdout?: string; stderr?: string; message?: string };
    return {
      code: typeof e.code === 'number' ? e.code : 1,
      output: `${e.stdout ?? ''}${e.stderr ?? ''}${e.message ?? ''}`,
    };
  }
}

/** Run a shell block as one script, stopping at the first failing command, with stdin closed (no prompts). */
function shell(text: string, cwd: string): Promise<BlockRun> {
  return settle(
    run('bash', ['-e', '-o', 'pipefail', '-c', text], {
      cwd,
      env: shellEnv(),
      timeout: BLOCK_TIMEOUT_MS - 5000,
      maxBuffer: 16 << 20,
    }),
  );
}

/**
 * Run a TypeScript block through tsx as a module file in the clone (so `haystack-ts` resolves to the package itself);
 * with `untilLines`, until it has printed that many lines (then it is stopped, as its reader would with Ctrl-C).
 */
async function typescript(text: string, cwd: string, name: string, untilLines?: number): Promise<BlockRun> {
  const file = path.join(cwd, name);
  await writeFile(file, text);
  if (untilLines !== undefined) return runUntilLines(file, cwd, untilLines);
  return settle(
    run(process.execPath, tsxNodeArgs(file), {
      cwd,
      env: shellEnv(),
      timeout: BLOCK_TIMEOUT_MS - 5000,
      maxBuffer: 16 << 20,
    }),
  );
}

/** Run a TypeScript file that runs until stopped: it passes once it has printed `lines` lines, and is stopped then. */
function runUntilLines(file: string, cwd: string, lines: number): Promise<BlockRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, tsxNodeArgs(file), { cwd, env: shellEnv() });
    let output = '';
    let printed = 0;
    let done = false;
    const finish = (result: BlockRun): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill('SIGTERM');
      resolve(result);
    };
    const timer = setTimeout(() => {
      finish({ code: 1, output: `${output}\nprinted ${printed} of ${lines} lines before the timeout` });
    }, BLOCK_TIMEOUT_MS - 5000);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      printed = output.split('\n').length - 1;
      if (printed >= lines) finish({ code: 0, output });
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
    });
    child.on('exit', (code) => {
      finish({ code: code === 0 ? 1 : (code ?? 1), output: `${output}\nended after ${printed} of ${lines} lines` });
    });
  });
}
