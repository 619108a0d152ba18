// Scratch folders for tests that write files (SQLite stores): on tmpfs when the machine has one, so fsync is free.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A new empty folder with `prefix`; `file(name)` is a path inside it, `remove()` deletes it and everything in it. */
export function makeTempDir(prefix: string): { readonly path: string; file(name: string): string; remove(): void } {
  const base = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
  const path = mkdtempSync(join(base, prefix));
  return {
    path,
    file: (name) => join(path, name),
    remove: () => {
      rmSync(path, { recursive: true, force: true });
    },
  };
}
