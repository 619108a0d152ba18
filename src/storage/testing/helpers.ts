// Small helpers of the storage contract kit: add entities from records, read ids and mods back.

import { expect } from 'vitest';
import { Dict } from '../../core/grid/dict.js';
import { HDateTime } from '../../core/kinds/date-time.js';
import { Ref } from '../../core/kinds/ref.js';
import type { StorageAdapter } from '../adapter.js';

/** Add entities (each record should carry an `id` Ref) in one commit; returns them as stored. */
export async function addEntities(
  store: StorageAdapter,
  records: readonly Readonly<Record<string, unknown>>[],
): Promise<readonly Dict[]> {
  return store.commit(records.map((r) => ({ op: 'add', tags: Dict.of(r) })));
}

/** The id (without `@`) of a stored entity; fails the test when there is none. */
export function idOf(d: Dict | undefined): string {
  const id = d?.get('id');
  expect(id).toBeInstanceOf(Ref);
  return (id as Ref).id;
}

/** The `mod` of a stored entity; fails the test when there is none. */
export function modOf(d: Dict | undefined): HDateTime {
  const mod = d?.get('mod');
  expect(mod).toBeInstanceOf(HDateTime);
  return mod as HDateTime;
}

/** Ids of some entities, in order. */
export function idsOf(ds: readonly (Dict | undefined)[]): string[] {
  return ds.map(idOf);
}
