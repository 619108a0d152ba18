// Def libraries from a folder: what a folder that cannot be read gives a library user (a typed error, not Node's),
// and when a server given such a folder says so.

import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HaystackError } from '../../src/core/errors.js';
import { DefError } from '../../src/core/ontology/index.js';
import { createServer } from '../../src/server/index.js';
import { defsProblem, loadDefLibs, loadDefsNamespace } from '../../src/server/namespace/load-def-libs.js';
import { createMemoryStore } from '../../src/storage/memory/index.js';
import { sharedAvailable, sharedPath } from '../support/shared.js';
import { makeTempDir } from '../support/temp-dir.js';

describe('loadDefLibs and loadDefsNamespace', () => {
  it('name a folder that cannot be read in a HaystackError, with the system code', async () => {
    const dir = makeTempDir('hs-defs-');
    try {
      const nope = path.join(dir.path, 'nope');
      for (const load of [loadDefLibs, loadDefsNamespace]) {
        const err = await load(nope).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(HaystackError);
        expect(err).toMatchObject({
          code: 'HS_ERR_STARTUP',
          message: `${nope}: cannot read it: no such file or folder (ENOENT)`,
        });
        // What serve and defs print after `--defs `: the folder once.
        expect(defsProblem(nope, err)).toBe(`${nope}: cannot read it: no such file or folder (ENOENT)`);
      }
    } finally {
      dir.remove();
    }
  });

  it('name the file and line of each bad def of a lib of several files', async () => {
    const dir = makeTempDir('hs-defs-');
    try {
      writeFileSync(dir.file('lib.trio'), 'def: ^lib:mine\ndoc: "Mine"\nversion: "1.0"\ndepends: [^lib:ph]\n');
      // The duplicate's record starts after a comment and a blank line.
      writeFileSync(dir.file('tags.trio'), 'def: ^widget\nis: ^marker\n---\n// again\n\ndef: ^widget\nis: ^marker\n');
      const [mine] = await loadDefLibs(dir.path);
      expect(mine?.origins).toEqual([
        `${dir.file('lib.trio')}:1`,
        `${dir.file('tags.trio')}:1`,
        `${dir.file('tags.trio')}:6`,
      ]);
      const err = await loadDefsNamespace(dir.path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DefError);
      const dup = (err as DefError).problems.find((p) => p.kind === 'duplicate');
      expect(dup?.at).toBe(`${dir.file('tags.trio')}:6`);
      expect(dup?.message).toContain(`first at ${dir.file('tags.trio')}:1`);
    } finally {
      dir.remove();
    }
  });

  // Namespaces (Libs): the meta is the dict of lib/lib.trio; the other files hold defs. Taken from any file, the meta
  // of `a.trio` sorted before lib.trio's and named the lib.
  it('take the lib meta from lib.trio only: one elsewhere is an error naming its file and line', async () => {
    const dir = makeTempDir('hs-defs-');
    try {
      writeFileSync(dir.file('lib.trio'), 'def: ^lib:mine\ndoc: "Mine"\nversion: "1.0"\ndepends: [^lib:ph]\n');
      writeFileSync(
        dir.file('a.trio'),
        'def: ^widget\nis: ^marker\n---\ndef: ^lib:other\ndoc: "Other"\nversion: "1"\n',
      );
      const err = await loadDefLibs(dir.path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DefError);
      expect((err as DefError).problems).toEqual([
        {
          kind: 'invalid',
          symbol: 'lib:other',
          at: `${dir.file('a.trio')}:4`,
          message: `^lib:other is a lib meta outside lib.trio: it belongs in lib.trio (${dir.file('a.trio')}:4)`,
          severity: 'error',
        },
      ]);
      // Without lib.trio, a meta in another file is no lib: the folder is named.
      rmSync(dir.file('lib.trio'));
      writeFileSync(dir.file('a.trio'), 'def: ^lib:other\ndoc: "Other"\nversion: "1"\n');
      const none = await loadDefLibs(dir.path).catch((e: unknown) => e);
      expect(none).toBeInstanceOf(DefError);
      expect((none as Error).message).toContain(`${dir.file('a.trio')}:1`);
      writeFileSync(dir.file('a.trio'), 'def: ^widget\nis: ^marker\n');
      const missing = await loadDefLibs(dir.path).catch((e: unknown) => e);
      expect((missing as Error).message).toBe(`${dir.path} has no lib.trio with its lib meta (def: ^lib:<name>)`);
      writeFileSync(dir.file('lib.trio'), 'def: ^widget2\nis: ^marker\n');
      const empty = await loadDefLibs(dir.path).catch((e: unknown) => e);
      expect((empty as Error).message).toBe(`${dir.file('lib.trio')} holds no lib meta (def: ^lib:<name>)`);
    } finally {
      dir.remove();
    }
  });

  it.skipIf(!sharedAvailable('defs'))('read the standard libs, each meta from its lib.trio', async () => {
    const DEFS_DIR = sharedPath('defs');
    const libs = await loadDefLibs(DEFS_DIR);
    expect(libs.map((l) => [l.name, l.origins?.[l.defs.indexOf(l.def)]])).toEqual(
      ['ph', 'phIct', 'phIoT', 'phScience'].map((n) => [n, `${path.join(DEFS_DIR, n, 'lib.trio')}:10`]),
    );
  });
});

describe('createServer({ defs: DIR })', () => {
  it('fails listen() with the typed error of a wrong folder, before binding', async () => {
    const dir = makeTempDir('hs-defs-');
    const store = createMemoryStore();
    try {
      const nope = path.join(dir.path, 'nope');
      const server = createServer({ store, noAuth: true, defs: nope });
      const err = await server.listen(0).catch((e: unknown) => e);
      expect(err).toMatchObject({
        code: 'HS_ERR_STARTUP',
        message: `${nope}: cannot read it: no such file or folder (ENOENT)`,
      });
      expect(server.http.listening).toBe(false);
      // A broken Trio file is named with its line, at start rather than at the first defs call.
      writeFileSync(dir.file('lib.trio'), 'def: ^lib:broken\ndoc: "unclosed\n');
      const broken = createServer({ store, noAuth: true, defs: dir.path });
      const parse = await broken.listen(0).catch((e: unknown) => e);
      expect(parse).toBeInstanceOf(HaystackError);
      expect((parse as Error).message).toContain('lib.trio');
      expect(broken.http.listening).toBe(false);
      // A good folder is loaded once and then served.
      writeFileSync(dir.file('lib.trio'), 'def: ^lib:mine\ndoc: "Mine"\nversion: "1.0"\n');
      const good = createServer({ store, noAuth: true, defs: dir.path });
      const addr = await good.listen(0);
      const libs = await fetch(`${addr.url}libs`, { headers: { accept: 'text/csv' } });
      expect(await libs.text()).toContain('lib:mine');
      await good.close();
    } finally {
      await store.close();
      dir.remove();
    }
  });
});
