// Live watches from a user's side, over the memory and SQLite stores: entities removed while watched, watches that
// end on the server while a client holds them, and leases while pushes are held back.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HaystackClient, isRemovedRow, WebSocketClient } from '../../../src/client/index.js';
import { type Dict, dict } from '../../../src/core/grid/dict.js';
import { MARKER } from '../../../src/core/kinds/marker.js';
import { Num } from '../../../src/core/kinds/number.js';
import { Ref } from '../../../src/core/kinds/ref.js';
import { createServer, type HaystackServer } from '../../../src/server/index.js';
import type { StorageAdapter } from '../../../src/storage/adapter.js';
import { createMemoryStore } from '../../../src/storage/memory/index.js';
import { openSqliteStore } from '../../../src/storage/sqlite/index.js';
import { makeTempDir } from '../../support/temp-dir.js';

const dir = makeTempDir('hs-ws-watch-');
afterAll(() => {
  dir.remove();
});

const BACKENDS: readonly { readonly name: string; open(): Promise<StorageAdapter> }[] = [
  { name: 'memory', open: () => Promise.resolve(createMemoryStore()) },
  { name: 'sqlite', open: () => openSqliteStore({ path: dir.file(`${String(Math.random()).slice(2)}.db`) }) },
];

function point(id: string): Dict {
  return dict({ id: new Ref(id), dis: `Point ${id}`, point: MARKER, writable: MARKER, kind: 'Number' });
}

describe.each(BACKENDS)('watched entities removed ($name store)', ({ open }) => {
  let store: StorageAdapter;
  let server: HaystackServer;
  let url: string;

  beforeAll(async () => {
    store = await open();
    await store.commit(['a', 'b', 'c', 'd'].map((id) => ({ op: 'add' as const, tags: point(id) })));
    // Removals come straight to the store (an import, another process): pushed watches see them at their next poll.
    server = createServer({ store, noAuth: true, webSocket: { pushPollMs: 20 } });
    url = (await server.listen(0, '127.0.0.1')).url;
  });
  afterAll(async () => {
    await server.close();
    await store.close();
  });

  it('a polled watch (HTTP) reports the removal once and forgets the entity', async () => {
    const http = new HaystackClient({ url });
    const w = await http.watch(['a', 'b']);
    expect([...w.entities.keys()]).toEqual(['a', 'b']);
    await store.commit([{ op: 'remove', id: 'b' }]);
    const changed = await w.poll();
    expect(changed.map((r) => [r.id?.id, isRemovedRow(r)])).toEqual([['b', true]]);
    expect([...w.entities.keys()]).toEqual(['a']);
    expect(await w.poll()).toEqual([]);
    await w.close();
  });

  it('a pushed watch (WebSocket) is told of the removal, and its changes() yield it', async () => {
    const ws = new WebSocketClient({ url });
    try {
      const w = await ws.watch(['c', 'd']);
      const changes = w.changes()[Symbol.asyncIterator]();
      await store.commit([{ op: 'remove', id: 'd' }]);
      const got = await changes.next();
      expect(got.value?.map((r) => [r.id?.id, isRemovedRow(r)])).toEqual([['d', true]]);
      expect([...w.entities.keys()]).toEqual(['c']);
      await w.close();
    } finally {
      await ws.close();
    }
  });
});

it('takes a row of only an id and `removed` for a removal, not an entity that has a `removed` tag', () => {
  expect(isRemovedRow(dict({ id: new Ref('x'), removed: MARKER }))).toBe(true);
  expect(isRemovedRow(dict({ id: new Ref('x'), removed: MARKER, dis: 'kept' }))).toBe(false);
  expect(isRemovedRow(dict({ id: new Ref('x'), curVal: new Num(1) }))).toBe(false);
});
