// A memory store shares repeated short Strs and plain Refs among its entities, and nothing else changes.

import { describe, expect, it } from 'vitest';
import { dict, MARKER, Ref } from '../../../src/core/index.js';
import { createMemoryStore } from '../../../src/storage/memory/index.js';
import { ValuePool } from '../../../src/storage/memory/value-pool.js';

describe('memory store value sharing', () => {
  it('stores one instance of equal short Strs and Refs without dis', async () => {
    const store = createMemoryStore();
    const make = (i: number) =>
      dict({
        id: new Ref(`p${i}`),
        point: MARKER,
        kind: ['Num', 'ber'].join(''),
        siteRef: new Ref('s'),
        dis: `Point ${i}`,
      });
    const [a, b] = await store.commit([0, 1].map((i) => ({ op: 'add' as const, tags: make(i) })));
    expect(a?.get('siteRef')).toBe(b?.get('siteRef'));
    expect(a?.get('kind')).toBe(b?.get('kind'));
    expect(a?.get('mod')).toBe(b?.get('mod'));
    const [read] = await store.readByIds(['p0']);
    expect(read?.equals(a)).toBe(true);
    expect(read?.get('dis')).toBe('Point 0');
  });

  it('keeps a Ref display name and long Strs as given', () => {
    const pool = new ValuePool();
    const withDis = new Ref('s', 'Site');
    expect(pool.intern(withDis)).toBe(withDis);
    expect(pool.intern(new Ref('s'))).not.toBe(withDis);
    const long = 'x'.repeat(40);
    expect(pool.intern(long)).toBe(long);
  });
});
