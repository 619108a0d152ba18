// Command-line mistakes (unknown command or option, missing or extra argument) exit 2, as the commands' own usage
// errors do, so a script can tell them from a failed run (exit 1, e.g. `defs check` findings).

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliCaptured, spawnCli } from '../support/run-cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'haystack-usage-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('haystack usage errors', () => {
  it.each([
    ['an unknown command', ['raed', 'site'], /unknown command 'raed'[\s\S]*Did you mean read\?/],
    ['an unknown subcommand', ['user', 'lst'], /unknown command 'lst'/],
    // Commander's line alone leaves the user to guess where the options are listed.
    ['an unknown option', ['read', 'site', '--bogus'], /unknown option '--bogus'\n\(haystack read --help lists/],
    ['an unknown option of a subcommand', ['user', 'add', 'x', '--rol', 'viewer'], /\(haystack user add --help lists/],
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

  // Nothing listens on port 9: these fail before any connection, as usage errors do.
  const NOWHERE = { HAYSTACK_URL: 'http://127.0.0.1:9/api/', HAYSTACK_USER: '' };
  it.each([
    [
      '--duration at a level other than 8',
      ['write', '@p', '70°F', '--level', '9', '--duration', '30min'],
      'haystack write: --duration applies to level 8 only, not --level 9\n',
    ],
    [
      '--level without a VALUE, with --array',
      ['write', '@p', '--array', '--level', '8'],
      'haystack write: --level, --who and --duration need a VALUE to write\n',
    ],
  ])(
    'write with %s exits 2 before calling the server',
    async (_what, args, message) => {
      expect(await spawnCli(args, dir, NOWHERE)).toEqual({ code: 2, stdout: '', stderr: message });
    },
    60_000,
  );

  it.each([
    [
      ['about', '-u', 'admin'],
      'Password for admin: \nhaystack about: no password for admin: stdin has ended; set $HAYSTACK_PASSWORD\n',
    ],
    [
      ['user', 'add', 'bob', '--store', 'sqlite:nobody.db'],
      'New password for bob: \nhaystack user: no password for bob: stdin has ended; set $HAYSTACK_NEW_PASSWORD or use --generate-password\n',
    ],
  ])(
    '%j with no password and stdin at its end names the command and the variable',
    async (args, stderr) => {
      expect(await spawnCli(args, dir, NOWHERE)).toEqual({ code: 2, stdout: '', stderr });
      // No user was added: no store file was made either.
      expect(existsSync(path.join(dir, 'nobody.db'))).toBe(false);
    },
    60_000,
  );

  it.each([
    [
      ['about', '--url', '127.0.0.1:8080/api/'],
      {},
      '--url must be an http:// or https:// URL, e.g. http://127.0.0.1:8080/api/, not "127.0.0.1:8080/api/"',
    ],
    [
      ['user', 'list', '--url', 'notaurl'],
      {},
      '--url must be an http:// or https:// URL, e.g. http://127.0.0.1:8080/api/, not "notaurl"',
    ],
    [
      ['read', 'site'],
      { HAYSTACK_URL: 'ftp://host/api/' },
      '$HAYSTACK_URL must be an http:// or https:// URL, e.g. http://127.0.0.1:8080/api/, not "ftp://host/api/"',
    ],
  ])(
    '%j with a URL that is not one is a usage error that names where it came from',
    async (args, env, message) => {
      const r = await spawnCli(args, dir, { HAYSTACK_USER: '', ...env });
      expect(r).toEqual({ code: 2, stdout: '', stderr: `haystack ${String(args[0])}: ${message}\n` });
    },
    60_000,
  );
});
