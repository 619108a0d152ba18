// The README's lists of the `haystack` commands and of the `serve` options say they are complete ("lists them
// all", "lists the options"): every command `haystack --help` prints, and every option of `serve --help`, is in them.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCliCaptured } from '../support/run-cli.js';
import { REPO_ROOT } from '../support/shared.js';

const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

/** The backticked words of the first parenthesis after `lead` in the README (one sentence, across its line breaks). */
function listAfter(lead: string): string[] {
  const at = readme.indexOf(lead);
  expect(at, `README has no "${lead}"`).toBeGreaterThanOrEqual(0);
  const open = readme.indexOf('(', at + lead.length);
  const list = readme.slice(open, readme.indexOf(')', open));
  return [...list.matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? '');
}

describe('README.md and the haystack command', () => {
  it('names every command `haystack --help` lists', async () => {
    const help = await runCliCaptured(['--help'], REPO_ROOT);
    expect(help.code).toBe(0);
    const section = help.stdout.slice(help.stdout.indexOf('Commands:'));
    const commands = [...section.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1]).filter((c) => c !== 'help');
    expect(commands.length).toBeGreaterThan(10);
    const named = listAfter('`haystack --help` lists them all');
    expect(commands.filter((c) => c !== undefined && !named.includes(c))).toEqual([]);
    expect(named.filter((c) => !commands.includes(c))).toEqual([]);
  });

  it('mentions every option `haystack serve --help` lists', async () => {
    const help = await runCliCaptured(['serve', '--help'], REPO_ROOT);
    expect(help.code).toBe(0);
    const options = [...help.stdout.matchAll(/^ {2}(?:-\w, )?(--[a-z][a-z-]*)/gm)]
      .map((m) => m[1] ?? '')
      .filter((o) => o !== '--help');
    expect(options.length).toBeGreaterThan(20);
    expect(options.filter((o) => !new RegExp(`${o}(?![a-z-])`).test(readme))).toEqual([]);
  });
});
