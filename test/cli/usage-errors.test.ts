// Command-line mistakes (unknown command or option, missing or extra argument) exit 2, as the commands' own usage
// errors do, so a script can tell them from a failed run (exit 1, e.g. `defs check` findings).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../support/run-cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'haystack-usage-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('haystack usage errors', () => {
  it.each([
    ['an unknown command', ['raed', 'site'], /unknown command 'raed'[\s\S]*Did you mean read\?/],
    ['an unknown subcommand', ['user', 'lst'], /unknown command 'lst'/],
    ['an unknown option', ['read', 'site', '--bogus'], /unknown option '--bogus'/],
    ['a missing argument', ['read'], /missing required argument 'filter'/],
    ['a missing option value', ['read', 'site', '--data'], /option '--data <file>' argument missing/],
    ['too many arguments', ['defs', 'nope'], /too many arguments/],
    ['no command', [], /Usage: haystack/],
    ['a group without its subcommand', ['user'], /Usage: haystack user/],
  ])('%s exits 2 with a message on stderr', async (_what, args, message) => {
    const r = await runCliCaptured(args, dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  it('a usage error of a command of its own exits 2 too', async () => {
    expect((await runCliCaptured(['convert', '--to', 'bogus'], dir)).code).toBe(2);
  });

  it.each([[['--help']], [['read', '--help']], [['user', 'add', '--help']], [['--version']]])(
    '%j exits 0 with its text on stdout',
    async (args) => {
      const r = await runCliCaptured(args, dir);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toBe('');
    },
  );
});
