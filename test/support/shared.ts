// Locates the read-only shared fixtures folder (../shared beside the repo root) for tests and benchmarks.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the repository root (two levels above this file). */
export const REPO_ROOT: string = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** Absolute path of the shared fixtures folder, `../shared` relative to the repo root. */
export const SHARED_ROOT: string = path.resolve(REPO_ROOT, '../shared');

const warned = new Set<string>();

/** Resolves `rel` (e.g. `conformance/zinc.json`) inside the shared fixtures folder. */
export function sharedPath(rel: string): string {
  return path.resolve(SHARED_ROOT, rel);
}

/**
 * True when the shared folder (or the file `rel` inside it) exists. When missing: throws in CI
 * (`process.env.CI` set) so a broken checkout never passes silently; otherwise warns loudly once and
 * returns false so the caller can skip (`describe.skipIf(!sharedAvailable('x.json'))`).
 */
export function sharedAvailable(rel = ''): boolean {
  const target = sharedPath(rel);
  if (existsSync(target)) return true;
  const message = `shared fixtures missing: ${target} (expected ../shared beside the repo root ${REPO_ROOT})`;
  if (process.env.CI) throw new Error(`${message}; CI requires them`);
  if (!warned.has(target)) {
    warned.add(target);
    console.warn(`\n!!!!! SKIPPING: ${message} !!!!!\n`);
  }
  return false;
}

/**
 * Reads and parses a JSON file from the shared folder as `T` (unchecked: the fixture's shape is the caller's claim);
 * throws when it is missing (check `sharedAvailable` first).
 */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed loader is the point
export function loadSharedJson<T>(rel: string): T {
  return JSON.parse(loadSharedText(rel)) as T;
}

/** Reads a text file from the shared folder; throws when it is missing (check `sharedAvailable` first). */
export function loadSharedText(rel: string): string {
  const file = sharedPath(rel);
  if (!existsSync(file)) {
    sharedAvailable(rel);
    throw new Error(`shared fixture not found: ${file}`);
  }
  return readFileSync(file, 'utf8');
}
