// `npm run bench`: runs every benchmark in bench/ one after the other, each in its own process so that one
// benchmark's heap and JIT state never colour the next. Run: npm run bench [-- NAME...] (e.g. -- zinc filter),
// or npm run bench -- --list. Each benchmark runs with its defaults; run one by hand (npx tsx bench/NAME.ts ARGS)
// to pass it arguments.

import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
const SELF = path.basename(fileURLToPath(import.meta.url));

const all = readdirSync(BENCH_DIR)
  .filter((f) => f.endsWith('.ts') && f !== SELF)
  .map((f) => f.slice(0, -'.ts'.length))
  .sort();

const args = process.argv.slice(2);
if (args.includes('--list')) {
  for (const name of all) process.stdout.write(`${name}\n`);
  process.exit(0);
}
const names = args.filter((a) => all.includes(a));
const unknown = args.filter((a) => !all.includes(a));
if (unknown.length > 0) {
  process.stderr.write(`bench: no benchmark named ${unknown.join(', ')} (there are: ${all.join(', ')})\n`);
  process.exit(2);
}
const chosen = names.length > 0 ? names : all;

/** Runs one benchmark file with tsx in a child process, inheriting stdout/stderr; resolves with its exit code. */
function runOne(name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(BENCH_DIR, `${name}.ts`)], {
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      resolve(code ?? (signal === null ? 1 : 128));
    });
  });
}

const failed: string[] = [];
for (const name of chosen) {
  process.stdout.write(`\n=== bench/${name}.ts ===\n`);
  const code = await runOne(name);
  if (code !== 0) failed.push(`${name} (exit ${code})`);
}
process.stdout.write(
  `\n${chosen.length - failed.length} of ${chosen.length} benchmarks ran${failed.length === 0 ? '' : `; failed: ${failed.join(', ')}`}\n`,
);
process.exitCode = failed.length === 0 ? 0 : 1;
