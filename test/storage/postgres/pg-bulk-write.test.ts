// Large commits go through COPY (entities and tag rows, in COPY text format) while small ones bind arrays: both must
// store the same rows and read back the same entities, whatever the values hold (tabs, newlines, backslashes, NUL,
// lone surrogates, -0, nested Dicts and Lists).

import fc from 'fast-check';
import { afterAll, expect, it } from 'vitest';
import { type Dict, dict, equals, MARKER, Num, ref } from '../../../src/core/index.js';
import type { CommitDiff } from '../../../src/storage/index.js';
import { openPostgresStore, type PostgresStore } from '../../../src/storage/postgres/index.js';
import { arbDict } from '../../support/arbitraries.js';
import { adminQuery, TEST_PG_URL, testSchemas } from '../../support/postgres.js';

const schemas = testSchemas('bulk');
afterAll(() => schemas.dropAll());

const NOW = Date.UTC(2025, 5, 1, 12);

// Entities of arbitrary tags (their own id and mod left out: the store sets those), and a few written by hand.
function entities(): Dict[] {
  const random = fc.sample(arbDict({ maxDepth: 2 }), { numRuns: 150, seed: 1515 });
  const made = random.map((d, i) => {
    const tags: Record<string, unknown> = {};
    for (const [k, v] of d) if (k !== 'id' && k !== 'mod') tags[k] = v;
    return dict({ ...tags, id: ref(`b${String(i)}`), point: MARKER, bulkDis: `E ${String(i)}`, bulkN: new Num(i) });
  });
  made.push(
    dict({ id: ref('h1'), dis: 'tab\there\nnew line\r\\back\\slash', unit: '\\N', s: '\\.' }),
    dict({ id: ref('h2'), s: 'a\u0000b\ud800', x: new Num(-0), l: [ref('b1'), ref('h1'), ref('b1')] }),
    dict({ id: ref('h3'), nested: dict({ a: 'x\ty', r: ref('h1') }), n: new Num(1e21, '°F') }),
  );
  return made;
}

async function rowsOf(schema: string): Promise<unknown[]> {
  const ents = await adminQuery(
    `SELECT id, data::text AS data, raw, tag_order, names, version FROM "${schema}".entity ORDER BY id`,
  );
  const tags = await adminQuery(
    `SELECT e.id, t.name, t.elem, t.kind, t.num, t.aux, t.unit, t.str, t.ref FROM "${schema}".tag t
     JOIN "${schema}".entity e ON e.rid = t.rid ORDER BY e.id, t.name, t.elem, t.ref`,
  );
  return [ents, tags];
}

function open(schema: string): Promise<PostgresStore> {
  return openPostgresStore({ url: TEST_PG_URL, schema, clock: () => NOW, poolSize: 2 });
}

it('stores the same rows by COPY (one large commit) as by bound arrays (one entity per commit)', async () => {
  const bulkSchema = schemas.next();
  const oneSchema = schemas.next();
  const bulk = await open(bulkSchema);
  const one = await open(oneSchema);
  try {
    const all = entities();
    const adds: CommitDiff[] = all.map((tags) => ({ op: 'add', tags }));
    const written = await bulk.commit(adds);
    for (const d of adds) await one.commit([d]);
    const back = await bulk.readByIds(written.map((d) => (d.id as { id: string }).id));
    expect(back.length).toBe(all.length);
    back.forEach((d, i) => {
      const w = written[i] as Dict;
      expect(d?.names).toEqual(w.names);
      expect(d !== undefined && equals(d, w)).toBe(true);
    });
    // The versions differ (one commit against many): compare everything else.
    const strip = ([ents, tags]: unknown[]): unknown[] => [
      (ents as Record<string, unknown>[]).map(({ version: _v, ...rest }) => rest),
      tags,
    ];
    const before = await rowsOf(bulkSchema);
    // Enough rows that the large commit took the COPY path (at least 64 new entities, 512 tag rows).
    expect((before[1] as unknown[]).length).toBeGreaterThan(512);
    expect(strip(before)).toEqual(strip(await rowsOf(oneSchema)));
    // An entity's id is its row's: neither path writes a tag row for it.
    expect((before[1] as { readonly name: string }[]).filter((t) => t.name === 'id')).toEqual([]);

    // A large update: new tag rows by COPY for entities that already have rids.
    const updates = (ds: readonly Dict[]): CommitDiff[] =>
      ds.map((d) => ({
        op: 'update',
        id: (d.id as { id: string }).id,
        mod: d.get('mod') as never,
        changes: dict({ upd: 'x\ty', n2: new Num(7, 'kW'), siteRef: ref('h1') }),
      }));
    await bulk.commit(updates(written));
    for (const u of updates((await one.readByIds(written.map((d) => (d.id as { id: string }).id))) as Dict[])) {
      await one.commit([u]);
    }
    expect(strip(await rowsOf(bulkSchema))).toEqual(strip(await rowsOf(oneSchema)));
    const found = await bulk.read({ filter: 'siteRef == @h1 and upd == "x\\ty"' });
    expect(found.length).toBe(all.length);
  } finally {
    await bulk.close();
    await one.close();
  }
});

it('takes a commit too large for the reply deadline of one statement', async () => {
  // A deadline every statement of this commit outlasts: a bulk commit (a data file seeded in one) may take longer
  // per statement than a server that stopped answering is waited for, and is not failed as unavailable.
  const schema = schemas.next();
  const store = await openPostgresStore({ url: TEST_PG_URL, schema, queryTimeoutMs: 1, scanCacheEntities: 0 });
  try {
    const adds: CommitDiff[] = Array.from({ length: 3_000 }, (_, i) => ({
      op: 'add',
      tags: dict({ id: ref(`p${String(i)}`), point: MARKER, his: MARKER, dis: `Point ${String(i)}` }),
    }));
    expect(await store.commit(adds)).toHaveLength(adds.length);
  } finally {
    await store.close();
  }
  expect(await adminQuery(`SELECT count(*)::int AS n FROM "${schema}".entity`)).toEqual([{ n: 3_000 }]);
});
