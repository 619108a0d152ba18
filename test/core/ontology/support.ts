// Shared fixtures of the ontology tests: the standard libs of ../shared/defs, and small libs written in Trio.

import { decodeTrioDicts } from '../../../src/core/codec/trio/index.js';
import type { LibSource, Namespace } from '../../../src/core/ontology/index.js';
import { loadDefLibs, loadDefsNamespace } from '../../../src/server/index.js';
import { sharedPath } from '../../support/shared.js';

let standard: Promise<Namespace> | undefined;

/** The namespace of ph, phScience, phIoT and phIct, compiled once per test file. */
export function standardNamespace(): Promise<Namespace> {
  standard ??= loadDefsNamespace(sharedPath('defs'));
  return standard;
}

/** The declared dicts of lib ph from ../shared/defs/ph. */
export async function phLib(): Promise<LibSource> {
  const [ph] = await loadDefLibs(sharedPath('defs/ph'));
  if (ph === undefined) throw new Error('no lib ph');
  return { dicts: ph.defs, source: 'ph' };
}

/** A lib from Trio text (its lib meta included). */
export function trioLib(text: string): LibSource {
  return { dicts: decodeTrioDicts(text), source: 'test' };
}

/** A lib named `name` depending on `depends`, with the defs of `body` (Trio). */
export function lib(name: string, depends: readonly string[], body: string): LibSource {
  const deps = depends.map((d) => `^lib:${d}`).join(', ');
  return trioLib(`def: ^lib:${name}\ndoc: "Test lib ${name}"\nversion: "1.0"\ndepends: [${deps}]\n---\n${body}`);
}
