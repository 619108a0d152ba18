// Rows of a sparse Zinc grid hold only their non-null cells yet behave as any Dict of the same tags, share the
// grid's shape, and survive every change a Dict allows.

import { describe, expect, it } from 'vitest';
import { Dict, decodeZincGrid, encodeZinc, MARKER, num, Ref, readZincStream } from '../../../src/core/index.js';

const COLS = Array.from({ length: 40 }, (_, i) => `c${i}`);

// Row r has a value in every column whose index is a multiple of (r % 7) + 1, so rows come in 7 layouts.
function sparseGrid(rows: number): string {
  const lines = ['ver:"3.0"', COLS.join(',')];
  for (let r = 0; r < rows; r++) {
    const step = (r % 7) + 1;
    lines.push(COLS.map((_, i) => (i % step === 0 ? (i % 2 === 0 ? `"r${r}c${i}"` : 'M') : '')).join(','));
  }
  return `${lines.join('\n')}\n`;
}

function expected(r: number): Dict {
  const step = (r % 7) + 1;
  const tags: [string, unknown][] = [];
  for (let i = 0; i < COLS.length; i += step) tags.push([`c${i}`, i % 2 === 0 ? `r${r}c${i}` : MARKER]);
  return Dict.of(tags);
}

describe('sparse Zinc rows', () => {
  it('read as the Dicts of their non-null cells, in column order', () => {
    const g = decodeZincGrid(sparseGrid(30));
    for (let r = 0; r < 30; r++) {
      const row = g.row(r);
      const want = expected(r);
      expect(row.equals(want)).toBe(true);
      expect(want.equals(row)).toBe(true);
      expect(row.hash()).toBe(want.hash());
      expect(row.size).toBe(want.size);
      expect([...row.keys()]).toEqual([...want.keys()]);
      expect([...row].map(([k, v]) => [k, v])).toEqual([...want].map(([k, v]) => [k, v]));
      expect(row.get('c0')).toBe(`r${r}c0`);
      expect(row.has('c1')).toBe(r % 7 === 0);
      expect(row.get('c1')).toBe(r % 7 === 0 ? MARKER : null);
      expect(row.get('nope')).toBeNull();
      expect(row.shape).toBe(g.row(0).shape);
      expect(row.valueAt(row.shape.slot('c0'))).toBe(`r${r}c0`);
      expect(row.valueAt(row.shape.slot('c39'))).toBe(want.get('c39') ?? undefined);
    }
  });

  it('change like any Dict: set, remove, merge keep the other tags and the order', () => {
    const row = decodeZincGrid(sparseGrid(2)).row(1);
    const set = row.set('c2', num(5)).set('c3', MARKER).set('extra', new Ref('x'));
    expect([...set.keys()]).toEqual([...row.keys(), 'c3', 'extra']);
    expect(set.get('c2')).toEqual(num(5));
    const removed = row.remove('c0');
    expect(removed.has('c0')).toBe(false);
    expect(removed.size).toBe(row.size - 1);
    expect(row.remove('c1')).toBe(row);
    expect(row.merge({ c0: null, c4: 'x' }).equals(row.remove('c0').set('c4', 'x'))).toBe(true);
    expect(row.toObject()).toEqual(expected(1).toObject());
  });

  it('encode back to the same text, and read the same from a stream', async () => {
    const text = sparseGrid(50);
    const g = decodeZincGrid(text);
    expect(encodeZinc(g)).toBe(text);
    const streamed: Dict[] = [];
    const chunks = [text.slice(0, 777), text.slice(777)];
    const source = chunks.map((c) => new TextEncoder().encode(c));
    for await (const e of readZincStream(source)) if (e.type === 'row') streamed.push(e.row);
    expect(streamed.length).toBe(50);
    streamed.forEach((row, r) => {
      expect(row.equals(expected(r))).toBe(true);
    });
  });

  it('stay correct when every row has cells of its own (more layouts than are cached)', () => {
    const n = 1500;
    const cols = Array.from({ length: 12 }, (_, i) => `k${i}`);
    const lines = ['ver:"3.0"', cols.join(',')];
    // Row r has the cells of the bits of r: every row a different set.
    for (let r = 1; r <= n; r++) lines.push(cols.map((_, i) => ((r >> i) & 1 ? String(r) : '')).join(','));
    const g = decodeZincGrid(`${lines.join('\n')}\n`);
    for (let r = 1; r <= n; r++) {
      const row = g.row(r - 1);
      const names = cols.filter((_, i) => (r >> i) & 1);
      expect([...row.keys()]).toEqual(names);
      for (const k of names) expect(row.get(k)).toEqual(num(r));
    }
  });
});
