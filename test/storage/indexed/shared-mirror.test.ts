// The version question of a shared store's mirror, with the store's answers held back by the test (the one place a
// real server cannot be made to pause between two reads): a read never trusts a question sent before it started,
// and reads that wait share the next one. The backends' own tests (pg-mirror, the Redis store's) cover the rest
// against real servers.

import { describe, expect, it } from 'vitest';
import { Dict, MARKER, Ref } from '../../../src/core/index.js';
import { compileQuery } from '../../../src/storage/indexed/query-plan.js';
import { type MirrorHead, type MirrorSource, SharedMirror } from '../../../src/storage/indexed/shared-mirror.js';

// A store of entities whose head questions wait until the test answers them, each with the version the store had
// when it was asked (as a statement sees the snapshot it started in).
function heldSource() {
  const entities = new Map<string, Dict>();
  let version = 0;
  let epoch = 'one';
  const pending: (() => void)[] = [];
  const source: MirrorSource = {
    head: () =>
      new Promise<MirrorHead>((resolve) => {
        const asked = version;
        pending.push(() => {
          resolve({ version: asked, nextExpiry: null, epoch });
        });
      }),
    changesSince: () => Promise.resolve({ version, changed: [...entities] }),
    count: () => Promise.resolve(entities.size),
    chunk: (after, n) => {
      const rows = [...entities]
        .filter(([id]) => id > after)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .slice(0, n);
      return Promise.resolve({ rows, next: rows.length < n ? null : (rows[rows.length - 1]?.[0] ?? null) });
    },
  };
  return {
    source,
    /** Empty the store and start its versions again, under `newEpoch`. */
    reset(newEpoch: string): void {
      entities.clear();
      version = 0;
      epoch = newEpoch;
    },
    add(id: string): void {
      entities.set(id, Dict.of({ id: new Ref(id), site: MARKER }));
      version++;
    },
    /** Answer the oldest question. */
    answer(): void {
      const answer = pending.shift();
      if (answer === undefined) throw new Error('no question is waiting');
      answer();
    },
    get waiting(): number {
      return pending.length;
    },
  };
}

// Let every settled promise run its reactions.
const drain = (): Promise<void> =>
  new Promise<void>((resolve) => {
    setImmediate(resolve);
  });

const sites = (d: Dict[]): string[] => d.map((x) => x.id?.id ?? '?');

// A mirror of `store`, loaded: its fill's head question answered.
async function filledMirror(store: ReturnType<typeof heldSource>): Promise<SharedMirror> {
  const mirror = new SharedMirror(store.source, { entities: 100, chunk: 10, clock: Date.now });
  const fill = mirror.warm();
  await drain();
  store.answer();
  await fill;
  return mirror;
}

describe('the shared mirror', () => {
  it('answers a read with a question sent after the read began, shared with the reads that wait beside it', async () => {
    const store = heldSource();
    store.add('a');
    const mirror = await filledMirror(store);
    expect(mirror.stats()).toMatchObject({ entities: 1, loads: 1 });

    const first = mirror.current();
    await drain();
    expect(store.waiting).toBe(1);
    // A commit lands while the first question is on the wire; reads made after it must see it.
    store.add('b');
    const second = mirror.current();
    const third = mirror.current();
    await drain();
    expect(store.waiting).toBe(1);
    store.answer();
    // The first read began before the commit: the answer to its question, asked before the commit, holds for it.
    const one = await first;
    expect(one?.head.version).toBe(1);
    expect(sites(one?.entities.read(compileQuery('site'), 10) ?? [])).toEqual(['a']);
    await drain();
    // The two that began after it cannot use that answer: they share one new question.
    expect(store.waiting).toBe(1);
    expect(mirror.stats().heads).toBe(2);
    store.answer();
    const [two, three] = await Promise.all([second, third]);
    for (const view of [two, three]) {
      expect(view?.head.version).toBe(2);
      expect(sites(view?.entities.read(compileQuery('site'), 10) ?? [])).toEqual(['a', 'b']);
    }
  });

  it('answers nothing until loaded, and not at all when off', async () => {
    const store = heldSource();
    store.add('a');
    const off = new SharedMirror(store.source, { entities: 0, chunk: 10, clock: Date.now });
    expect(await off.current()).toBeUndefined();
    await off.warm();
    expect(off.stats()).toMatchObject({ loads: 0, heads: 0 });
    const mirror = new SharedMirror(store.source, { entities: 100, chunk: 10, clock: Date.now });
    // The first read starts the fill and is told to read from the store.
    expect(await mirror.current()).toBeUndefined();
    expect(mirror.stats().filling).toBe(true);
    await drain();
    store.answer();
    await mirror.warm();
    expect(mirror.stats()).toMatchObject({ loads: 1, filling: false });
    await mirror.stop();
    expect(await mirror.current()).toBeUndefined();
  });

  it('fills again when the store goes back to an older version, or another store takes its place', async () => {
    const store = heldSource();
    store.add('a');
    store.add('b');
    const mirror = await filledMirror(store);
    expect(mirror.stats()).toMatchObject({ entities: 2, version: 2 });
    // A read answered by the store (undefined) while the mirror fills again, then one by the mirror.
    const refilled = async (): Promise<string[]> => {
      const read = mirror.current();
      await drain();
      store.answer();
      expect(await read).toBeUndefined();
      expect(mirror.stats().filling).toBe(true);
      await drain();
      store.answer();
      await mirror.warm();
      const next = mirror.current();
      await drain();
      store.answer();
      return sites((await next)?.entities.read(compileQuery('site'), 10) ?? []);
    };
    // Restored from an older backup: the same store, at a version behind the mirror's.
    store.reset('one');
    store.add('c');
    expect(await refilled()).toEqual(['c']);
    expect(mirror.stats()).toMatchObject({ loads: 2, version: 1 });
    // Deleted and made again, then written past the mirror's version: only its epoch tells.
    store.reset('two');
    for (const id of ['d', 'e', 'f']) store.add(id);
    expect(await refilled()).toEqual(['d', 'e', 'f']);
    expect(mirror.stats()).toMatchObject({ loads: 3, version: 3 });
  });
});
