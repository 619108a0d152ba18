// Def libraries from a folder: what a folder that cannot be read gives a library user (a typed error, not Node's).

import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HaystackError } from '../../src/core/errors.js';
import { defsProblem, loadDefLibs, loadDefsNamespace } from '../../src/server/namespace/load-def-libs.js';
import { makeTempDir } from '../support/temp-dir.js';

describe('loadDefLibs and loadDefsNamespace', () => {
  it('name a folder that cannot be read in a HaystackError, with the system code', async () => {
    const dir = makeTempDir('hs-defs-');
    try {
      const nope = path.join(dir.path, 'nope');
      for (const load of [loadDefLibs, loadDefsNamespace]) {
        const err = await load(nope).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(HaystackError);
        expect(err).toMatchObject({ code: 'HS_ERR_STARTUP', message: `${nope}: cannot read it (ENOENT)` });
        // What serve and defs print after `--defs `: the folder once.
        expect(defsProblem(nope, err)).toBe(`${nope}: cannot read it (ENOENT)`);
      }
    } finally {
      dir.remove();
    }
  });
});
