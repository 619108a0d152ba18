// Seeding a store from a data file in batches (what `serve --data` does for the memory store) writes the same
// entities as the all-at-once path, for every format, and reports bad files the same way.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { seedStore } from '../../src/app/index.js';
import { HaystackError } from '../../src/core/index.js';
import { createMemoryStore } from '../../src/storage/memory/index.js';

const dir = mkdtempSync(path.join(tmpdir(), 'hs-seed-batches-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  writeFileSync(path.join(dir, name), text);
  return name;
}

// More rows than one batch holds, so that several commits are made.
const ROWS = 9000;
const zincGrid = `ver:"3.0"\nid,dis,point,equipRef\n${Array.from(
  { length: ROWS },
  (_, i) => `@p${i},"Point ${i}",M,${i % 2 === 0 ? '@e1' : ''}`,
).join('\n')}\n`;

async function seeded(name: string, inBatches: boolean) {
  const store = createMemoryStore();
  const result = await seedStore(store, { kind: 'file', file: name }, dir, { inBatches });
  const all = await store.read({ filter: 'id' });
  return { result, all, store };
}

describe('seeding a file in batches', () => {
  it('writes the same entities as one commit does, across several batches', async () => {
    const name = file('grid.zinc', zincGrid);
    const whole = await seeded(name, false);
    const batched = await seeded(name, true);
    expect(batched.result.summary).toBe(`${ROWS} entities from grid.zinc`);
    expect(batched.all.length).toBe(ROWS);
    const byId = new Map(whole.all.map((d) => [d.id?.id, d]));
    for (const d of batched.all) {
      const w = byId.get(d.id?.id);
      expect(w?.remove('mod').equals(d.remove('mod'))).toBe(true);
    }
    expect((await batched.store.read({ filter: 'equipRef == @e1' })).length).toBe(ROWS / 2);
  });

  it('reads a Zinc list of dicts, Trio and JSON files too', async () => {
    const zincList = file('list.zinc', '[{id:@a dis:"A" site}, {id:@b dis:"B" equip siteRef:@a}]\n');
    const trio = file('recs.trio', 'id: @a\ndis: "A"\nsite\n---\nid: @b\nequip\nsiteRef: @a\n');
    const ref = (val: string) => ({ _kind: 'ref', val });
    const json = file(
      'recs.json',
      JSON.stringify([
        { id: ref('a'), site: { _kind: 'marker' } },
        { id: ref('b'), siteRef: ref('a') },
      ]),
    );
    for (const name of [zincList, trio, json]) {
      const { all } = await seeded(name, true);
      expect(all.map((d) => d.id?.id)).toEqual(['a', 'b']);
      expect(all[1]?.get('siteRef')?.toString()).toBe('@a');
    }
  });

  it('refuses a file bad past its first batch with HS_ERR_STARTUP naming the line', async () => {
    const name = file('bad.zinc', `${zincGrid}@x,"broken\n`);
    const err = await seeded(name, true).catch((e: unknown) => e);
    expect(err instanceof HaystackError && err.code).toBe('HS_ERR_STARTUP');
    expect((err as Error).message).toContain(`bad.zinc: zinc ${ROWS + 3}:`);
  });

  it('refuses an id given twice in different batches with HS_ERR_STARTUP', async () => {
    const name = file('dup.zinc', `${zincGrid}@p1,"again",M,\n`);
    const err = await seeded(name, true).catch((e: unknown) => e);
    expect(err instanceof HaystackError && err.code).toBe('HS_ERR_STARTUP');
    expect((err as Error).message).toContain('@p1 already exists');
  });
});
