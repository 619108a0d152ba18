// Values JSONB cannot hold as written (a -0 number, NUL and lone surrogates in strings) read back exactly from PostgreSQL.

import { afterAll, expect, it } from 'vitest';
import { dict, equals, Num, ref } from '../../../src/core/index.js';
import { openPostgresStore } from '../../../src/storage/postgres/index.js';
import { TEST_PG_URL, testSchemas } from '../../support/postgres.js';

const schemas = testSchemas('exact');
afterAll(() => schemas.dropAll());

it('keeps -0, NUL and a lone surrogate exactly, and still finds the entity by its tags', async () => {
  const store = await openPostgresStore({ url: TEST_PG_URL, schema: schemas.next(), poolSize: 2 });
  try {
    // One entity per case: any one of them alone must take the exact path.
    const tags = dict({ id: ref('z'), x: new Num(-0), list: [new Num(-0, 'kW')] });
    await store.commit([
      { op: 'add', tags },
      { op: 'add', tags: dict({ id: ref('s'), s: 'a\u0000b\ud800' }) },
    ]);
    const [back, str] = await store.readByIds(['z', 's']);
    expect(Object.is((back?.get('x') as Num | undefined)?.val, -0)).toBe(true);
    expect(equals(back?.get('list') ?? null, tags.get('list') ?? null)).toBe(true);
    expect(str?.get('s')).toBe('a\u0000b\ud800');
    const found = await store.read({ filter: 'x == 0' });
    expect(found.map((d) => d.id?.id)).toEqual(['z']);
  } finally {
    await store.close();
  }
});
