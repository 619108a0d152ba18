// Zinc answers are written into output buffers lent per response: a buffer is reused only once the response that
// held it has been handed to the socket, so two responses in flight never share one.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeZincGrid } from '../../src/core/codec/zinc/index.js';
import { ZincCellMemo } from '../../src/core/codec/zinc/zinc-cell-memo.js';
import { Dict } from '../../src/core/grid/dict.js';
import { Grid } from '../../src/core/grid/grid.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { ZincBodyPool } from '../../src/server/http/zinc-body-pool.js';
import { createHandler, type HaystackHandler } from '../../src/server/index.js';
import { createMemoryStore } from '../../src/storage/memory/index.js';
import { BUILDING } from './support/server-fixture.js';

const grid = (dis: string): Grid =>
  Grid.make({ cols: ['id', 'dis', 'site'], rows: [Dict.of({ id: new Ref('a'), dis, site: MARKER })] });
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

describe('ZincBodyPool', () => {
  it('lends a buffer to one response at a time, and reuses it once given back', () => {
    const pool = new ZincBodyPool(new ZincCellMemo(16));
    const a = pool.acquire();
    const b = pool.acquire();
    expect(b).not.toBe(a);
    const bytesA = a.encoding.encodeBytes?.(grid('A')) as Uint8Array;
    b.encoding.encodeBytes?.(grid('B'));
    // Another lease writing does not touch bytes still lent.
    expect(text(bytesA)).toBe(encodeZincGrid(grid('A')));
    pool.release(a);
    expect(pool.acquire()).toBe(a);
  });

  it('never holds a lease twice: a second release is ignored', () => {
    const pool = new ZincBodyPool(new ZincCellMemo(16));
    const a = pool.acquire();
    pool.release(a);
    pool.release(a);
    expect(pool.free).toBe(1);
    const first = pool.acquire();
    const second = pool.acquire();
    expect(second).not.toBe(first);
  });

  it('says its bytes are lent, so that a cache keeps a copy', () => {
    const lease = new ZincBodyPool(new ZincCellMemo(16)).acquire();
    expect(lease.encoding.transient).toBe(true);
    expect(text(lease.encoding.encodeBytes?.(grid('A')) as Uint8Array)).toBe(encodeZincGrid(grid('A')));
  });
});

// A server whose responses marked `x-hold` are not handed to the socket until the test lets them go: what a client
// slow to read looks like to the handler, whose buffer is then still in use.
interface Held {
  readonly body: Buffer;
  readonly copy: Buffer;
  readonly send: () => void;
}

describe('output buffers of a server', () => {
  let server: http.Server;
  let handler: HaystackHandler;
  let origin: string;
  const held: Held[] = [];
  const buffers: ArrayBufferLike[] = [];
  beforeAll(async () => {
    const store = createMemoryStore();
    await store.commit(BUILDING.map((tags) => ({ op: 'add' as const, tags: Dict.of(tags) })));
    handler = createHandler({ store, noAuth: true, responseCache: false });
    server = http.createServer((req, res) => {
      const end = res.end.bind(res) as (body: Buffer, cb?: () => void) => void;
      res.end = ((body: Buffer, cb?: () => void) => {
        buffers.push(body.buffer);
        if (req.headers['x-hold'] === undefined) end(body, cb);
        else
          held.push({
            body,
            copy: Buffer.from(body),
            send: () => {
              end(body, cb);
            },
          });
        return res;
      }) as typeof res.end;
      handler(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  });
  afterAll(async () => {
    for (const h of held.splice(0)) h.send();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  });

  const fetchText = async (path: string, hold = false): Promise<string> =>
    (await fetch(`${origin}/api/${path}`, hold ? { headers: { 'x-hold': '1' } } : {})).text();

  it('does not reuse the buffer of a response the socket has not taken yet', async () => {
    const want = await fetchText('read?filter=site');
    held.length = 0;
    buffers.length = 0;
    const first = fetchText('read?filter=site', true);
    await expect.poll(() => held.length).toBe(1);
    const kept = held[0] as Held;
    // Meanwhile other answers are written, of other sizes and contents.
    for (const q of ['nav', 'read?filter=point', 'read?filter=equip', 'nav?navId=@s1', 'about', 'ops']) {
      await fetchText(q);
      expect(buffers.at(-1)).not.toBe(kept.body.buffer);
    }
    expect(kept.body.equals(kept.copy)).toBe(true);
    held.length = 0;
    kept.send();
    expect(await first).toBe(want);
    // Given back once sent: the next answers may write into it again.
    buffers.length = 0;
    for (let i = 0; i < 4; i++) await fetchText('nav');
    expect(buffers).toContain(kept.body.buffer);
  });
});

describe('output buffers and the response cache', () => {
  it('keeps a copy in the cache, not the buffer lent to the response', async () => {
    const store = createMemoryStore();
    await store.commit(BUILDING.map((tags) => ({ op: 'add' as const, tags: Dict.of(tags) })));
    const server = http.createServer(createHandler({ store, noAuth: true, responseCache: true }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
    const get = async (path: string): Promise<string> => (await fetch(`${origin}/api/${path}`)).text();
    try {
      const want = await get('read?filter=site');
      // Other answers written into the same buffers, then the cached one again.
      for (const q of ['nav', 'read?filter=point', 'nav?navId=@s1', 'read?filter=equip']) await get(q);
      expect(await get('read?filter=site')).toBe(want);
    } finally {
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    }
  });
});
