// `haystack convert` in-process: files and standard streams, formats by flag or extension, single values, errors.

import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJson, decodeTrioDicts, decodeZinc, type Grid } from '../../src/core/index.js';
import { diffVals } from '../support/hayson-compare.js';
import { type CliRun, runCliCaptured } from '../support/run-cli.js';
import { sharedAvailable, sharedPath } from '../support/shared.js';

function convert(args: readonly string[], cwd: string, stdin = ''): Promise<CliRun> {
  return runCliCaptured(['convert', ...args], cwd, {}, stdin);
}

const GRID_ZINC =
  'ver:"3.0" projName:"test"\ndis dis:"Equip Name",equip,siteRef,area\n"RTU-1",M,@153c-699a "HQ",45°F\n"RTU-2",,@153c-699b,N\n';

let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'haystack-convert-'));
  await writeFile(path.join(dir, 'in.zinc'), GRID_ZINC);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('formats from file extensions', () => {
  it('zinc -> json -> trio -> zinc keeps the entities; json3 by flag; csv by extension', async () => {
    const grid = decodeZinc(GRID_ZINC) as Grid;
    expect(await convert(['in.zinc', 'out.json'], dir)).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(diffVals(decodeJson(await readFile(path.join(dir, 'out.json'), 'utf8')), grid)).toBeUndefined();

    expect((await convert(['out.json', 'out.trio'], dir)).code).toBe(0);
    const trio = decodeTrioDicts(await readFile(path.join(dir, 'out.trio'), 'utf8'));
    expect(diffVals(Object.freeze(trio), Object.freeze([...grid.rows]))).toBeUndefined();

    expect((await convert(['out.trio', 'back.zinc'], dir)).code).toBe(0);
    const back = decodeZinc(await readFile(path.join(dir, 'back.zinc'), 'utf8')) as Grid;
    expect(diffVals(Object.freeze([...back.rows]), Object.freeze([...grid.rows]))).toBeUndefined();

    expect((await convert(['--to', 'json3', 'in.zinc', 'v3.json'], dir)).code).toBe(0);
    const v3 = await readFile(path.join(dir, 'v3.json'), 'utf8');
    expect(v3).toContain('"n:45 °F"');
    expect(diffVals(decodeJson(v3, { version: 3 }), grid)).toBeUndefined();

    expect((await convert(['in.zinc', 'out.csv'], dir)).code).toBe(0);
    expect(await readFile(path.join(dir, 'out.csv'), 'utf8')).toBe(
      'Equip Name,equip,siteRef,area\nRTU-1,✓,@153c-699a HQ,45°F\nRTU-2,,@153c-699b,\n',
    );
  });

  it('--from json3 reads JSON v3 from a .json file; the flags win over extensions', async () => {
    await writeFile(path.join(dir, 'legacy.json'), '{"site":"m:","area":"n:5000 ft²","dis":"s:a:b"}');
    const r = await convert(['--from', 'json3', '--to', 'zinc', 'legacy.json', 'legacy.txt'], dir);
    expect(r.code).toBe(0);
    expect(await readFile(path.join(dir, 'legacy.txt'), 'utf8')).toBe('{site area:5000ft² dis:"a:b"}\n');
  });
});

describe('standard streams', () => {
  it('reads stdin and writes stdout when IN and OUT are absent or -', async () => {
    const r = await convert(['--from', 'zinc', '--to', 'json', '-', '-'], dir, GRID_ZINC);
    expect(r.code).toBe(0);
    expect(diffVals(decodeJson(r.stdout), decodeZinc(GRID_ZINC))).toBeUndefined();
    expect(r.stdout.endsWith('\n')).toBe(true);
  });

  it('defaults to Zinc in and out', async () => {
    const r = await convert([], dir, '{a:M b:"x"}');
    expect(r).toEqual({ code: 0, stdout: '{a b:"x"}\n', stderr: '' });
  });

  it('converts a single Zinc value', async () => {
    expect((await convert(['--to', 'json'], dir, '45°F')).stdout).toBe('{"_kind":"number","val":45,"unit":"°F"}\n');
    expect((await convert(['--to', 'json'], dir, '[1,2]')).stdout).toBe('[1,2]\n');
    expect((await convert(['--to', 'json3'], dir, '{a:M}')).stdout).toBe('{"a":"m:"}\n');
    expect((await convert(['--to', 'trio'], dir, '{a:M}')).stdout).toBe('a\n');
    expect((await convert(['--to', 'csv'], dir, '45°F')).stdout).toBe('val\n45°F\n');
    expect((await convert(['--from', 'json', '--to', 'zinc'], dir, '{"_kind":"ref","val":"x"}')).stdout).toBe('@x\n');
  });

  it('reads a Trio document from stdin', async () => {
    const r = await convert(['--from', 'trio', '--to', 'zinc'], dir, 'dis:"A"\nsite\n---\ndis:"B"\n');
    expect(r.stdout).toBe('ver:"3.0"\ndis,site\n"A",M\n"B",\n');
  });
});

describe('invalid input', () => {
  it('exits 1 with IN:line:col: message on stderr and nothing on stdout', async () => {
    await writeFile(path.join(dir, 'bad.zinc'), 'ver:"3.0"\na,b\n1,@\n');
    const r = await convert(['bad.zinc'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^bad\.zinc:3:4: expected .+\n$/);

    const j = await convert(['--from', 'json'], dir, '{\n  "a": [1,\n  2 3]\n}');
    expect([j.code, j.stdout]).toEqual([1, '']);
    expect(j.stderr).toMatch(/^<stdin>:3:5: expected ',' or '\]' after an array element but found "3"\n$/);

    const t = await convert(['--from', 'trio', '--to', 'json'], dir, 'ok:1\nBad:2\n');
    expect([t.code, t.stdout, t.stderr]).toEqual([1, '', '<stdin>:2:1: expected a tag name but found "Bad"\n']);
  });

  it('does not create the output file when the input is invalid', async () => {
    const r = await convert(['--from', 'zinc', '-', 'never.json'], dir, '[1,');
    expect(r.code).toBe(1);
    await expect(readFile(path.join(dir, 'never.json'), 'utf8')).rejects.toThrow();
  });

  it('reports limits without a position', async () => {
    const r = await convert(['--to', 'json'], dir, `${'['.repeat(100)}${']'.repeat(100)}`);
    expect([r.code, r.stdout]).toEqual([1, '']);
    expect(r.stderr).toMatch(/^<stdin>: .*(maxDepth|deeper)/);
  });
});

describe('usage errors exit 2', () => {
  it.each([[['--from', 'xml']], [['--to', 'yaml']], [['--from', 'csv']], [['in.txt']], [['in.zinc', 'out.xml']]])(
    '%j',
    async (args) => {
      const r = await convert(args, dir);
      expect([r.code, r.stdout]).toEqual([2, '']);
      expect(r.stderr).toMatch(/^haystack convert: /);
    },
  );

  it('a missing input file exits 1', async () => {
    const r = await convert(['missing.zinc'], dir);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      1,
      '',
      'haystack convert: cannot read missing.zinc: no such file or folder (ENOENT)\n',
    ]);
  });

  it('a folder as input exits 1 naming it, as the other commands do', async () => {
    await mkdir(path.join(dir, 'folder.zinc'), { recursive: true });
    const r = await convert(['folder.zinc'], dir);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      1,
      '',
      'haystack convert: cannot read folder.zinc: a folder, not a file (EISDIR)\n',
    ]);
  });
});

describe.skipIf(!sharedAvailable('datasets/alpha/alpha.zinc'))('the Alpha dataset', { timeout: 60_000 }, () => {
  it('converts between Zinc, JSON and Trio without losing an entity', async () => {
    const src = sharedPath('datasets/alpha/alpha.zinc');
    expect((await convert([src, 'alpha.json'], dir)).code).toBe(0);
    expect((await convert(['alpha.json', 'alpha.trio'], dir)).code).toBe(0);
    const zinc = decodeZinc(await readFile(src, 'utf8')) as Grid;
    const json = decodeJson(await readFile(path.join(dir, 'alpha.json'), 'utf8'));
    expect(diffVals(json, zinc)).toBeUndefined();
    const trio = decodeTrioDicts(await readFile(path.join(dir, 'alpha.trio'), 'utf8'));
    expect(diffVals(Object.freeze(trio), Object.freeze([...zinc.rows]))).toBeUndefined();
  });
});
