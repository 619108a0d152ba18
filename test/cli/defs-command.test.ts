// `haystack defs`: print, subtypes, supertypes, reflect and check over the standard libs, from a directory or a server.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeZincGrid } from '../../src/core/codec/zinc/zinc-reader.js';
import type { Grid } from '../../src/core/grid/grid.js';
import { Sym } from '../../src/core/kinds/symbol.js';
import { type Fixture, startFixture } from '../server/support/server-fixture.js';
import { runCliCaptured, spawnCli } from '../support/run-cli.js';
import { sharedAvailable, sharedPath } from '../support/shared.js';

const dir = mkdtempSync(path.join(tmpdir(), 'haystack-defs-cli-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const defNames = (g: Grid): string[] => g.rows.map((r) => (r.get('def') as Sym).val);

describe.skipIf(!sharedAvailable('defs'))('haystack defs', () => {
  const defs = sharedPath('defs');

  it('subtypes and supertypes of a def, direct or --all, in any --to format', async () => {
    const sub = await runCliCaptured(['defs', 'subtypes', 'airHandlingEquip', '--defs', defs], dir);
    expect(sub.code).toBe(0);
    expect(defNames(decodeZincGrid(sub.stdout))).toEqual(expect.arrayContaining(['ahu', 'fcu']));
    const sup = await runCliCaptured(['defs', 'supertypes', '^ahu', '--all', '--to', 'zinc'], dir, {
      HAYSTACK_DEFS: defs,
    });
    expect(defNames(decodeZincGrid(sup.stdout)).slice(0, 2)).toEqual(['airHandlingEquip', 'equip']);
    const all = await runCliCaptured(['defs', 'subtypes', 'equip', '--all', '--defs', defs], dir);
    expect(defNames(decodeZincGrid(all.stdout))).toContain('rtu');
  });

  it('prints the normalized defs, by filter', async () => {
    const r = await runCliCaptured(['defs', '--defs', defs, '--filter', 'def==^site'], dir);
    const g = decodeZincGrid(r.stdout);
    expect(defNames(g)).toEqual(['site']);
    expect(String(g.row(0).get('lib'))).toBe('^lib:phIoT');
  });

  it('reflects and checks the entities of a file; check exits 1 on findings', async () => {
    const file = path.join(dir, 'ahu.trio');
    writeFileSync(
      file,
      'id: @ahu\ndis: "AHU-1"\nahu\nequip\nsiteRef: @s\n---\nid: @p\npoint\ntemp\nsensor\nacmeFlag\nequipRef: @ahu\n',
    );
    const reflect = await runCliCaptured(['defs', 'reflect', '--data', 'ahu.trio', '--defs', defs], dir);
    expect(reflect.code).toBe(0);
    const rows = decodeZincGrid(reflect.stdout).rows;
    expect(rows[0]?.get('entityTypes')).toEqual([new Sym('ahu')]);
    const check = await runCliCaptured(['defs', 'check', '--data', 'ahu.trio', '--defs', defs], dir);
    expect(check.code).toBe(1);
    const issues = decodeZincGrid(check.stdout).rows.map((r) => `${String(r.get('issue'))}:${String(r.get('tag'))}`);
    const csv = await runCliCaptured(['defs', 'check', '--data', 'ahu.trio', '--defs', defs, '--to', 'csv'], dir);
    expect(csv.stdout.split('\n')[0]).toBe('id,issue,tag,def,msg');
    expect(issues).toEqual(['unknownTag:acmeFlag', 'missingTag:siteRef', 'missingTag:kind']);
    writeFileSync(path.join(dir, 'ok.trio'), 'id: @s\nsite\ndis: "S"\n');
    expect((await runCliCaptured(['defs', 'check', '--data', 'ok.trio', '--defs', defs], dir)).code).toBe(0);
  });

  it('fails with a message: no namespace, unknown def, bad libs, missing data', async () => {
    const none = await runCliCaptured(['defs', 'subtypes', 'equip'], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--defs/);
    expect((await runCliCaptured(['defs', 'subtypes', 'nope', '--defs', defs], dir)).code).toBe(1);
    expect((await runCliCaptured(['defs', 'reflect', '--defs', defs], dir)).code).toBe(2);
    const bad = path.join(dir, 'bad');
    rmSync(bad, { recursive: true, force: true });
    const missing = await runCliCaptured(['defs', 'subtypes', 'equip', '--defs', bad], dir);
    expect(missing.code).toBe(1);
  });

  it('names the Trio file of a lib with a syntax error, with its line and column', async () => {
    const libs = path.join(dir, 'syntax');
    mkdirSync(path.join(libs, 'acme'), { recursive: true });
    writeFileSync(path.join(libs, 'acme', 'lib.trio'), 'def: ^lib:acme\ndoc: "Acme"\nversion: "1"\n');
    writeFileSync(path.join(libs, 'acme', 'tags.trio'), 'def: ^acmeTag\nis: ^marker\ndoc: "unterminated\n');
    const r = await runCliCaptured(['defs', 'subtypes', 'marker', '--defs', libs], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${path.join(libs, 'acme', 'tags.trio')}: trio 3:19:`);
    // The file's path says where it is: the folder is not named a second time before it.
    expect(r.stderr.split(libs).length - 1).toBe(1);
  });

  it('fails on a --defs folder with no libs rather than using an empty namespace', async () => {
    const empty = path.join(dir, 'empty');
    mkdirSync(path.join(empty, 'notALib'), { recursive: true });
    const r = await runCliCaptured(['defs', 'subtypes', 'marker', '--defs', empty], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No def libs/);
  });

  describe('--url: a server defs op', () => {
    let f: Fixture;
    beforeAll(async () => {
      f = await startFixture({ defs });
    });
    afterAll(async () => {
      await f.close();
    });

    it('prints the server defs, and queries the namespace they make', async () => {
      const all = await runCliCaptured(['defs', '--url', f.base, '--filter', 'def==^ahu'], dir);
      expect(all.code).toBe(0);
      expect(defNames(decodeZincGrid(all.stdout))).toEqual(['ahu']);
      const sub = await runCliCaptured(['defs', 'supertypes', 'ahu', '--url', f.base], dir);
      expect(sub.code).toBe(0);
      expect(defNames(decodeZincGrid(sub.stdout))).toEqual(['airHandlingEquip']);
    });
  });

  describe('--url: a server without def libs', () => {
    let f: Fixture;
    beforeAll(async () => {
      f = await startFixture();
    });
    afterAll(async () => {
      await f.close();
    });

    it('prints its defs, but will not query or check with them: they have no lib ph', async () => {
      expect((await runCliCaptured(['defs', '--url', f.base], dir)).code).toBe(0);
      writeFileSync(path.join(dir, 'site.trio'), 'id: @s\nsite\ndis: "S"\n');
      const check = await runCliCaptured(['defs', 'check', '--data', 'site.trio', '--url', f.base], dir);
      expect(check.code).toBe(1);
      expect(check.stdout).toBe('');
      expect(check.stderr).toMatch(/no lib ph.*--defs/);
    });

    it('--url on the command line wins over $HAYSTACK_DEFS; --url with --defs is a usage error', async () => {
      const r = await spawnCli(['defs', '--url', f.base, '--filter', 'def==^ahu'], dir, { HAYSTACK_DEFS: defs });
      // This server has no libs: the answer is its own (empty), not the standard libs of the environment's folder.
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(defNames(decodeZincGrid(r.stdout))).toEqual([]);
      const both = await spawnCli(['defs', '--url', f.base, '--defs', defs], dir);
      expect(both).toEqual({ code: 2, stdout: '', stderr: 'haystack defs: give --defs or --url, not both\n' });
    }, 60_000);
  });
});
