// The real `haystack` process whose reader goes away (`| head -1`): it ends quietly with status 0.

import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { cliNodeArgs } from '../support/run-cli.js';
import { REPO_ROOT, sharedPath } from '../support/shared.js';

describe('haystack with a closed stdout', () => {
  const input = sharedPath('datasets/alpha/alpha.zinc');
  // `his` goes through the same process-wide handler, but needs a running server: convert and read stand for it.
  it.each([
    ['convert', [input, '--to', 'json']],
    ['read', ['point', '--data', input, '--to', 'json']],
  ])(
    '%s ... | head -c 100 ends with status 0 and nothing on stderr',
    async (command, args) => {
      const child = spawn(process.execPath, cliNodeArgs([command, ...args]), {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
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
      // Starting a real Node process (through tsx when dist/ is not built) takes seconds on a busy machine.
    },
    60_000,
  );
});
