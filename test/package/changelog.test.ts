// CHANGELOG.md follows Keep a Changelog: a reader looking for what changed in a release finds each kind of change
// under one heading, so a release names each of the format's headings at most once.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/shared.js';

const KINDS = ['Added', 'Changed', 'Deprecated', 'Removed', 'Fixed', 'Security'];

/** The `### ` headings of each `## ` release section, in order. */
function releases(markdown: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('## ')) {
      current = [];
      out.set(line.slice(3).trim(), current);
    } else if (line.startsWith('### ') && current !== undefined) {
      current.push(line.slice(4).trim());
    }
  }
  return out;
}

describe('CHANGELOG.md', () => {
  const sections = releases(readFileSync(path.join(REPO_ROOT, 'CHANGELOG.md'), 'utf8'));

  it('has an Unreleased section', () => {
    expect([...sections.keys()]).toContain('[Unreleased]');
  });

  it.each([...sections.keys()])('%s names each kind of change once, from the Keep a Changelog list', (release) => {
    const headings = sections.get(release) ?? [];
    expect(headings.filter((h) => !KINDS.includes(h))).toEqual([]);
    expect(headings.filter((h, i) => headings.indexOf(h) !== i)).toEqual([]);
  });
});
