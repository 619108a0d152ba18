// Reading Trio def libraries from a directory: one sub-directory per lib (or one lib directly), each with lib.trio.

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { TrioReader } from '../../core/codec/trio/index.js';
import { describeErrno } from '../../core/errno-text.js';
import { HaystackError, ParseError, ValueError } from '../../core/errors.js';
import type { Dict } from '../../core/grid/dict.js';
import { DefError } from '../../core/ontology/def-error.js';
import { Namespace, type NamespaceOptions } from '../../core/ontology/namespace.js';
import { type DefLib, defName } from './namespace.js';

// Namespaces (Libs): "There must be a file named lib/lib.trio which specifies exactly one dict for the lib's
// metadata"; the other Trio files hold the defs. A meta elsewhere would make the lib's name depend on file order.
const LIB_FILE = 'lib.trio';

async function readLib(dir: string): Promise<DefLib | undefined> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.trio')).sort();
  if (files.length === 0) return undefined;
  const dicts: Dict[] = [];
  const origins: string[] = [];
  let libDef: Dict | undefined;
  const texts = await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8')));
  texts.forEach((text, i) => {
    const name = files[i] as string;
    const file = path.join(dir, name);
    try {
      // Each def's file and line, so that the problems of a lib of many files say where to look.
      const reader = new TrioReader(text);
      for (let d = reader.readDict(); d !== undefined; d = reader.readDict()) {
        const at = `${file}:${reader.recordLine}`;
        if (defName(d)?.startsWith('lib:') === true) {
          if (name !== LIB_FILE) throw misplacedMeta(d, at);
          libDef ??= d;
        }
        dicts.push(d);
        origins.push(at);
      }
    } catch (err) {
      // A lib is several files: the position alone does not say which one is broken.
      if (err instanceof ParseError) throw new HaystackError('HS_ERR_PARSE', `${file}: ${err.message}`, { cause: err });
      throw err;
    }
  });
  if (libDef === undefined) {
    const where = files.includes(LIB_FILE)
      ? `${path.join(dir, LIB_FILE)} holds no`
      : `${dir} has no ${LIB_FILE} with its`;
    throw libProblem(dir, `${where} lib meta (def: ^lib:<name>)`, undefined);
  }
  return { name: (defName(libDef) as string).slice(4), def: libDef, defs: dicts, source: dir, origins };
}

function misplacedMeta(d: Dict, at: string): DefError {
  const name = defName(d) as string;
  return libProblem(name, `^${name} is a lib meta outside ${LIB_FILE}: it belongs in ${LIB_FILE}`, at);
}

function libProblem(symbol: string, message: string, at: string | undefined): DefError {
  const where = at === undefined ? {} : { at };
  return new DefError([
    {
      kind: 'invalid',
      symbol,
      message: at === undefined ? message : `${message} (${at})`,
      severity: 'error',
      ...where,
    },
  ]);
}

/**
 * The libs under `dir`: the directory itself when it holds Trio files, else each sub-directory that does. A folder
 * or file that cannot be read is a `HS_ERR_STARTUP` error naming it and the system's code; a lib whose meta is not in
 * its lib.trio is a {@link DefError} naming the file and line.
 */
export async function loadDefLibs(dir: string): Promise<DefLib[]> {
  try {
    return await readLibs(dir);
  } catch (err) {
    const { code, path: at } = err as { code?: unknown; path?: unknown };
    if (err instanceof HaystackError || typeof code !== 'string') throw err;
    const where = typeof at === 'string' ? at : dir;
    throw new HaystackError('HS_ERR_STARTUP', `${where}: cannot read it: ${describeErrno(err)}`, { cause: err });
  }
}

async function readLibs(dir: string): Promise<DefLib[]> {
  const own = await readLib(dir);
  if (own !== undefined) return [own];
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const libs = await Promise.all(entries.map((e) => readLib(path.join(dir, e.name))));
  return libs.filter((l): l is DefLib => l !== undefined);
}

/**
 * The namespace of the libs under `dir` (see {@link loadDefLibs}), compiled by the Normalization chapter. A
 * directory without libs is a {@link ValueError}.
 */
export async function loadDefsNamespace(dir: string, options: NamespaceOptions = {}): Promise<Namespace> {
  const libs = await loadDefLibs(dir);
  // An empty namespace would make every tag unknown: most likely the wrong directory.
  if (libs.length === 0) throw new ValueError(`No def libs (Trio files) in ${dir} or its sub-directories`);
  return compileDefLibs(libs, options);
}

/** Compile libs read by {@link loadDefLibs}, each def's problems naming its file and line. */
export function compileDefLibs(libs: readonly DefLib[], options: NamespaceOptions = {}): Namespace {
  return Namespace.fromLibs(
    libs.map((l) => ({ dicts: l.defs, source: l.source ?? l.name, origins: l.origins })),
    options,
  );
}

/**
 * What went wrong reading the libs under `dir` (an error of {@link loadDefLibs} or {@link loadDefsNamespace}), for a
 * message after `--defs `: the error's own message when it names the file or folder at fault (a path under `dir`),
 * else `dir` and the message.
 */
export function defsProblem(dir: string, err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.includes(dir) ? message : `${dir}: ${message}`;
}
