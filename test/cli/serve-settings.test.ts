// `haystack serve` settings that cannot work, given to the real process: refused before a store file or an admin is made.

import { existsSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../support/run-cli.js';
import { makeTempDir } from '../support/temp-dir.js';

const dir = makeTempDir('haystack-serve-settings-');
afterAll(() => {
  dir.remove();
});

describe('haystack serve with a setting that cannot work', () => {
  it.each([
    ['--tz', ['--tz', 'Mars/Base'], 'haystack serve: --tz: unknown time zone "Mars/Base"\n'],
    ['--ui', ['--ui', 'no-ui-here'], `haystack serve: --ui ${dir.file('no-ui-here')} has no index.html\n`],
  ])(
    'a bad %s exits 2 before it makes the store file and prints an admin password',
    async (_flag, args, stderr) => {
      const serve = ['serve', '--port', '0', '--store', 'sqlite:fresh.db', '--demo-days', '0', ...args];
      const r = await spawnCli(serve, dir.path, {}, '', /listening on/);
      expect(r).toEqual({ code: 2, stdout: '', stderr });
      expect(existsSync(dir.file('fresh.db'))).toBe(false);
    },
    60_000,
  );
});
