// A schema written by an older version is brought forward at start: version 3 kept tag presence in a GIN over the
// whole JSONB; version 4 fills each entity's tag names and answers presence from them; version 5 drops the tag rows of
// entities' ids, which filters read from the entity row.

import { afterAll, expect, it } from 'vitest';
import { dict, MARKER, ref } from '../../../src/core/index.js';
import { openPostgresStore, PG_SCHEMA_VERSION } from '../../../src/storage/postgres/index.js';
import { adminQuery, TEST_PG_URL, testSchemas } from '../../support/postgres.js';

const schemas = testSchemas('migrate');
afterAll(() => schemas.dropAll());

// A schema holding a site and an equip, taken back to an older version by `downgrade` (SQL run in it).
async function olderSchema(downgrade: string): Promise<string> {
  const schema = schemas.next();
  const first = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 2 });
  await first.commit([
    { op: 'add', tags: dict({ id: ref('s'), site: MARKER, dis: 'S' }) },
    { op: 'add', tags: dict({ id: ref('e'), equip: MARKER, siteRef: ref('s') }) },
  ]);
  await first.close();
  await adminQuery(`SET search_path = "${schema}"; ${downgrade}`);
  return schema;
}

it('fills tag names for entities a version 3 schema holds, and filters find them by presence', async () => {
  // Back to version 3 as that version left it.
  const schema = await olderSchema(`ALTER TABLE entity DROP COLUMN names;
    CREATE INDEX entity_tags ON entity USING gin (data);
    DELETE FROM schema_version WHERE version >= 4`);
  const store = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 2 });
  try {
    const v = await adminQuery<{ readonly v: number }>(`SELECT max(version) AS v FROM "${schema}".schema_version`);
    expect(v[0]?.v).toBe(PG_SCHEMA_VERSION);
    const names = await adminQuery<{ readonly id: string; readonly names: string[] }>(
      `SELECT id, names FROM "${schema}".entity ORDER BY id`,
    );
    expect(names.map((r) => [r.id, [...r.names].sort()])).toEqual([
      ['e', ['equip', 'id', 'mod', 'siteRef']],
      ['s', ['dis', 'id', 'mod', 'site']],
    ]);
    expect((await store.read({ filter: 'site' })).map((d) => d.id?.id)).toEqual(['s']);
    expect((await store.read({ filter: 'equip and siteRef->site' })).map((d) => d.id?.id)).toEqual(['e']);
    expect((await store.read({ filter: 'not site' })).map((d) => d.id?.id)).toEqual(['e']);
  } finally {
    await store.close();
  }
});

it('drops the id tag rows a version 4 schema holds, and answers filters on id from the entity row', async () => {
  // Back to version 4 as that version left it: a tag row for every entity's id.
  const schema = await olderSchema(`INSERT INTO tag (rid, name, elem, kind, ref) SELECT rid, 'id', 0, 7, id FROM entity;
    DELETE FROM schema_version WHERE version >= 5`);
  const store = await openPostgresStore({ url: TEST_PG_URL, schema, poolSize: 2, scanCacheEntities: 0 });
  try {
    const v = await adminQuery<{ readonly v: number }>(`SELECT max(version) AS v FROM "${schema}".schema_version`);
    expect(v[0]?.v).toBe(PG_SCHEMA_VERSION);
    const idRows = await adminQuery<{ readonly n: number }>(
      `SELECT count(*)::int AS n FROM "${schema}".tag WHERE name = 'id'`,
    );
    expect(idRows[0]?.n).toBe(0);
    const ids = async (filter: string): Promise<unknown[]> => (await store.read({ filter })).map((d) => d.id?.id);
    expect(await ids('id == @s')).toEqual(['s']);
    expect(await ids('id > @e')).toEqual(['s']);
    expect(await ids('id != @s')).toEqual(['e']);
    expect(await ids('siteRef->id == @s')).toEqual(['e']);
    expect(await ids('id->site')).toEqual(['s']);
    expect(await ids('not id->equip')).toEqual(['s']);
  } finally {
    await store.close();
  }
});
