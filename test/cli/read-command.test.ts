// `haystack read`: filters a local file's entities, resolves -> within the file, reports bad filters with a position.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/program.js';
import { decodeZincGrid } from '../../src/core/index.js';
import { sharedAvailable, sharedPath } from '../support/shared.js';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function run(args: readonly string[], cwd: string): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (c: Buffer) => out.push(c));
  stderr.on('data', (c: Buffer) => err.push(c));
  const io: CliIo = { stdin: new PassThrough(), stdout, stderr, env: {}, cwd, signal: new AbortController().signal };
  const code = await runCli(args, io);
  return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

const dir = mkdtempSync(path.join(tmpdir(), 'haystack-read-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const ZINC = `ver:"3.0" source:"test"
id,dis,site,equip,point,siteRef,equipRef,curVal,constructor
@s1,"Alpha",M,,,,,,
@s2,"Bravo",M,,,,,,
@e1,"AHU-1",,M,,@s1,,,
@e2,"AHU-2",,M,,@s2,,,
@p1,"Temp 1",,,M,@s1,@e1,72.5°F,
@p2,"Temp 2",,,M,@s2,@e2,70°F,
@p3,"Odd",,,M,@gone,,,"yes"
`;
writeFileSync(path.join(dir, 'data.zinc'), ZINC);

const ids = (zinc: string): string[] => decodeZincGrid(zinc).rows.map((r) => r.id?.id ?? '?');

describe('haystack read', () => {
  it('prints the matching entities as a Zinc grid, with -> resolved within the file', async () => {
    const r = await run(['read', '--data', 'data.zinc', 'point and siteRef->dis == "Alpha"'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(ids(r.stdout)).toEqual(['p1']);
    const grid = decodeZincGrid(r.stdout);
    // Only the columns the matches use, in the file's order.
    expect(grid.cols.map((c) => c.name)).toEqual(['id', 'dis', 'point', 'siteRef', 'equipRef', 'curVal']);
  });

  it('follows multi-step paths and leaves dangling refs unmatched', async () => {
    expect(ids((await run(['read', '--data', 'data.zinc', 'equipRef->siteRef->dis == "Bravo"'], dir)).stdout)).toEqual([
      'p2',
    ]);
    expect(ids((await run(['read', '--data', 'data.zinc', 'point and not siteRef->dis'], dir)).stdout)).toEqual(['p3']);
    expect(ids((await run(['read', '--data', 'data.zinc', 'constructor'], dir)).stdout)).toEqual(['p3']);
  });

  it('prints an empty grid when nothing matches, and stops at --limit', async () => {
    const none = await run(['read', '--data', 'data.zinc', 'foo'], dir);
    expect(none.code).toBe(0);
    expect(ids(none.stdout)).toEqual([]);
    const two = await run(['read', '--data', 'data.zinc', '--limit', '2', 'id'], dir);
    expect(ids(two.stdout)).toEqual(['s1', 's2']);
    const zero = await run(['read', '--data', 'data.zinc', '--limit', '0', 'id'], dir);
    expect(ids(zero.stdout)).toEqual([]);
  });

  it('exits 2 (a command-line mistake) with the position and a message on stderr for an invalid filter', async () => {
    const r = await run(['read', '--data', 'data.zinc', 'point and == 3'], dir);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('line 1, column 11');
    expect(r.stderr).toContain('  point and == 3\n            ^');
  });

  it('exits non-zero with a message for a missing file, bad data, a bad --limit or an unknown --to', async () => {
    writeFileSync(path.join(dir, 'bad.zinc'), 'ver:"3.0"\nid\n@a b c\n');
    const missing = await run(['read', '--data', 'nope.zinc', 'site'], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.zinc');
    const bad = await run(['read', '--data', 'bad.zinc', 'site'], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('bad.zinc');
    expect((await run(['read', '--data', 'data.zinc', '--limit', '-1', 'site'], dir)).code).toBe(2);
    expect((await run(['read', '--data', 'data.zinc', '--to', 'xml', 'site'], dir)).code).toBe(2);
    expect((await run(['read', 'site'], dir)).code).not.toBe(0);
  });

  it('reads JSON data and writes JSON v4 and v3', async () => {
    const zinc = await run(['read', '--data', 'data.zinc', '--to', 'json', 'site'], dir);
    expect(zinc.code).toBe(0);
    writeFileSync(path.join(dir, 'data.json'), zinc.stdout);
    const back = await run(['read', '--data', 'data.json', 'site and dis == "Bravo"'], dir);
    expect(back.code).toBe(0);
    expect(ids(back.stdout)).toEqual(['s2']);
    const v4 = JSON.parse(zinc.stdout) as { rows: { id: { val: string } }[] };
    expect(v4.rows.map((r) => r.id.val)).toEqual(['s1', 's2']);
    const v3 = JSON.parse((await run(['read', '--data', 'data.zinc', '--to', 'json3', 'site'], dir)).stdout) as {
      rows: { id: string }[];
    };
    expect(v3.rows.map((r) => r.id)).toEqual(['r:s1', 'r:s2']);
  });

  it('reads Trio data and writes Trio and CSV', async () => {
    const trio = await run(['read', '--data', 'data.zinc', '--to', 'trio', 'point'], dir);
    expect(trio.code).toBe(0);
    expect(trio.stdout).toContain('id:@p1');
    writeFileSync(
      path.join(dir, 'data.trio'),
      (await run(['read', '--data', 'data.zinc', '--to', 'trio', 'id'], dir)).stdout,
    );
    const back = await run(['read', '--data', 'data.trio', 'point and siteRef->dis == "Bravo"'], dir);
    expect(back.code).toBe(0);
    expect(ids(back.stdout)).toEqual(['p2']);
    const csv = await run(['read', '--data', 'data.zinc', '--to', 'csv', 'site'], dir);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split(/\r?\n/)[0]).toBe('id,dis,site');
    expect(csv.stdout).toContain('Bravo');
  });

  it('refuses a data file whose format it cannot tell', async () => {
    writeFileSync(path.join(dir, 'data.txt'), ZINC);
    const r = await run(['read', '--data', 'data.txt', 'site'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('data.txt');
  });

  it.skipIf(!sharedAvailable('datasets/alpha/alpha.zinc'))('reads the Alpha dataset', async () => {
    const r = await run(
      [
        'read',
        '--data',
        sharedPath('datasets/alpha/alpha.zinc'),
        'point and his and siteRef->dis == "Alpha" and kind == "Number"',
      ],
      dir,
    );
    expect(r.code).toBe(0);
    const rows = decodeZincGrid(r.stdout).rows;
    expect(rows.length).toBeGreaterThan(1000);
    expect(rows.every((d) => d.has('point') && d.has('his') && d.get('kind') === 'Number')).toBe(true);
  });
});
