// Zinc and JSON v4 answers are written into output buffers lent per response: a buffer is reused only once the
// response that held it has been handed to the socket, so two responses in flight never share one.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HaysonRowMemo } from '../../src/core/codec/json/hayson-row-memo.js';
import { encodeJson } from '../../src/core/codec/json/index.js';
import { hisRowsOf } from '../../src/core/codec/zinc/his-columns.js';
import { decodeZincGrid, encodeZincGrid } from '../../src/core/codec/zinc/index.js';
import { ZincCellMemo } from '../../src/core/codec/zinc/zinc-cell-memo.js';
import { Dict } from '../../src/core/grid/dict.js';
import { Grid } from '../../src/core/grid/grid.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { BodyPool } from '../../src/server/http/body-pool.js';
import { JSON_CODEC, ZINC_CODEC } from '../../src/server/http/wire.js';
import { createHandler, type HaystackHandler } from '../../src/server/index.js';
import { createMemoryStore } from '../../src/storage/memory/index.js';
import { BUILDING } from './support/server-fixture.js';

const grid = (dis: string): Grid =>
  Grid.make({ cols: ['id', 'dis', 'site'], rows: [Dict.of({ id: new Ref('a'), dis, site: MARKER })] });
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

describe('BodyPool', () => {
  it('lends a buffer to one response at a time, and reuses it once given back', () => {
    const pool = new BodyPool(new ZincCellMemo(16), new HaysonRowMemo(16));
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
    const pool = new BodyPool(new ZincCellMemo(16), new HaysonRowMemo(16));
    const a = pool.acquire();
    pool.release(a);
    pool.release(a);
    expect(pool.free).toBe(1);
    const first = pool.acquire();
    const second = pool.acquire();
    expect(second).not.toBe(first);
  });

  it('says its bytes are lent, so that a cache keeps a copy', () => {
    const lease = new BodyPool(new ZincCellMemo(16), new HaysonRowMemo(16)).acquire();
    expect(lease.encoding.transient).toBe(true);
    expect(text(lease.encoding.encodeBytes?.(grid('A')) as Uint8Array)).toBe(encodeZincGrid(grid('A')));
  });

  it('writes JSON v4 into the same buffer, and serves JSON only with a JSON memo', () => {
    const pool = new BodyPool(new ZincCellMemo(16), new HaysonRowMemo(16));
    expect([pool.serves(ZINC_CODEC), pool.serves(JSON_CODEC)]).toEqual([true, true]);
    const lease = pool.acquire();
    const json = lease.encodingFor(JSON_CODEC);
    expect(json?.transient).toBe(true);
    const bytes = json?.encodeBytes?.(grid('A')) as Uint8Array;
    expect(text(bytes)).toBe(encodeJson(grid('A')));
    // The Zinc encoding writes over the same buffer: JSON bytes are lent, not kept.
    const zinc = lease.encodingFor(ZINC_CODEC)?.encodeBytes?.(grid('B')) as Uint8Array;
    expect(zinc.buffer).toBe(bytes.buffer);
    const zincOnly = new BodyPool(new ZincCellMemo(16));
    expect([zincOnly.serves(ZINC_CODEC), zincOnly.serves(JSON_CODEC)]).toEqual([true, false]);
    expect(zincOnly.acquire().encodingFor(JSON_CODEC)).toBeUndefined();
  });

  it('writes a columnar history into the lent buffer too, in both formats', () => {
    const his = decodeZincGrid('ver:"3.0"\nts,val\n2024-01-01T00:00:00Z UTC,1kW\n2024-01-01T01:00:00Z UTC,2.5kW\n');
    expect(hisRowsOf(his)).toBeDefined();
    const lease = new BodyPool(new ZincCellMemo(16), new HaysonRowMemo(16)).acquire();
    const first = lease.encoding.encodeBytes?.(grid('A')) as Uint8Array;
    const lent = first.buffer;
    const zinc = lease.encoding.encodeBytes?.(his) as Uint8Array;
    expect(zinc.buffer).toBe(lent);
    expect(text(zinc)).toBe(encodeZincGrid(his));
    const json = lease.encodingFor(JSON_CODEC)?.encodeBytes?.(his) as Uint8Array;
    expect(json.buffer).toBe(lent);
    expect(text(json)).toBe(encodeJson(his));
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

  it.each(['text/zinc', 'application/json'])(
    '%s: does not reuse the buffer of a response the socket has not taken yet',
    async (accept) => {
      const fetchText = async (path: string, hold = false): Promise<string> =>
        (await fetch(`${origin}/api/${path}`, { headers: hold ? { accept, 'x-hold': '1' } : { accept } })).text();
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
    },
  );
});

describe('output buffers and the response cache', () => {
  it('keeps a copy in the cache, not the buffer lent to the response', async () => {
    const store = createMemoryStore();
    await store.commit(BUILDING.map((tags) => ({ op: 'add' as const, tags: Dict.of(tags) })));
    const server = http.createServer(createHandler({ store, noAuth: true, responseCache: true }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
    try {
      for (const accept of ['text/zinc', 'application/json']) {
        const get = async (path: string): Promise<string> =>
          (await fetch(`${origin}/api/${path}`, { headers: { accept } })).text();
        const want = await get('read?filter=site');
        // Other answers written into the same buffers, then the cached one again.
        for (const q of ['nav', 'read?filter=point', 'nav?navId=@s1', 'read?filter=equip']) await get(q);
        expect(await get('read?filter=site')).toBe(want);
      }
    } finally {
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    }
  });
});
