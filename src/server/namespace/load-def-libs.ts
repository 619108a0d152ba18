// Reading Trio def libraries from a directory: one sub-directory per lib (or one lib directly), each with lib.trio.

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeTrioDicts } from '../../core/codec/trio/index.js';
import { ValueError } from '../../core/errors.js';
import { Dict } from '../../core/grid/dict.js';
import { Sym } from '../../core/kinds/symbol.js';
import { type DefLib, defName } from './namespace.js';

async function readLib(dir: string): Promise<DefLib | undefined> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.trio')).sort();
  if (files.length === 0) return undefined;
  const raw: Dict[] = [];
  for (const f of files) raw.push(...decodeTrioDicts(await readFile(path.join(dir, f), 'utf8')));
  const libDef = raw.find((d) => defName(d)?.startsWith('lib:') === true);
  if (libDef === undefined) throw new ValueError(`No lib def in ${dir}`);
  const libName = (defName(libDef) as string).slice(4);
  const libSym = new Sym(`lib:${libName}`);
  // Every def carries the lib that declares it, as Haxall's namespace reports them.
  const defs = raw.filter((d) => defName(d) !== undefined).map((d) => (d.has('lib') ? d : d.set('lib', libSym)));
  return { name: libName, def: defs.find((d) => defName(d) === `lib:${libName}`) ?? Dict.of(libDef), defs };
}

/** The libs under `dir`: the directory itself when it holds Trio files, else each sub-directory that does. */
export async function loadDefLibs(dir: string): Promise<DefLib[]> {
  const own = await readLib(dir);
  if (own !== undefined) return [own];
  const libs: DefLib[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (!e.isDirectory()) continue;
    const lib = await readLib(path.join(dir, e.name));
    if (lib !== undefined) libs.push(lib);
  }
  return libs;
}
