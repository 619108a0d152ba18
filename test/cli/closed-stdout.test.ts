// The real `haystack` process whose reader goes away (`| head -1`): it ends quietly with status 0.

import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../support/shared.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

describe('haystack with a closed stdout', () => {
  it('convert ... | head -c 100 ends with status 0 and nothing on stderr', async () => {
    const input = sharedPath('datasets/alpha/alpha.zinc');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'src/cli/main.ts'), 'convert', input, '--to', 'json'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString('utf8');
    });
    // Read one chunk, then close the pipe as `head` does.
    await new Promise<void>((resolve) => {
      child.stdout.once('data', () => {
        resolve();
      });
    });
    child.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    // Starting a real Node process with the TypeScript loader takes seconds on a busy machine.
  }, 60_000);
});
