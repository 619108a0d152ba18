// Reading Trio def libraries from a directory: one sub-directory per lib (or one lib directly), each with lib.trio.

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeTrioDicts } from '../../core/codec/trio/index.js';
import { ValueError } from '../../core/errors.js';
import type { Dict } from '../../core/grid/dict.js';
import { Namespace, type NamespaceOptions } from '../../core/ontology/namespace.js';
import { type DefLib, defName } from './namespace.js';

async function readLib(dir: string): Promise<DefLib | undefined> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.trio')).sort();
  if (files.length === 0) return undefined;
  const dicts: Dict[] = [];
  const texts = await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8')));
  for (const text of texts) dicts.push(...decodeTrioDicts(text));
  const libDef = dicts.find((d) => defName(d)?.startsWith('lib:') === true);
  if (libDef === undefined) throw new ValueError(`No lib def in ${dir}`);
  return { name: (defName(libDef) as string).slice(4), def: libDef, defs: dicts, source: dir };
}

/** The libs under `dir`: the directory itself when it holds Trio files, else each sub-directory that does. */
export async function loadDefLibs(dir: string): Promise<DefLib[]> {
  const own = await readLib(dir);
  if (own !== undefined) return [own];
  const entries = (await readdir(dir, { withFileTypes: true }))
    .filter((e) => e.isDirectory())
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const libs = await Promise.all(entries.map((e) => readLib(path.join(dir, e.name))));
  return libs.filter((l): l is DefLib => l !== undefined);
}

/** The namespace of the libs under `dir` (see {@link loadDefLibs}), compiled by the Normalization chapter. */
export async function loadDefsNamespace(dir: string, options: NamespaceOptions = {}): Promise<Namespace> {
  const libs = await loadDefLibs(dir);
  return Namespace.fromLibs(
    libs.map((l) => ({ dicts: l.defs, source: l.source ?? l.name })),
    options,
  );
}
