// A real server on an OS-chosen port over a memory store with a small building, a test clock, and a fetch helper.

import { decodeJson } from '../../../src/core/codec/json/index.js';
import { decodeZinc, encodeZinc } from '../../../src/core/codec/zinc/index.js';
import { Dict } from '../../../src/core/grid/dict.js';
import { Grid } from '../../../src/core/grid/grid.js';
import { MARKER } from '../../../src/core/kinds/marker.js';
import { Num } from '../../../src/core/kinds/number.js';
import { Ref } from '../../../src/core/kinds/ref.js';
import { createServer, type HaystackServer, type HaystackServerOptions } from '../../../src/server/index.js';
import { createMemoryStore, type MemoryStore } from '../../../src/storage/memory/index.js';
import { createTestClock, type TestClock } from '../../../src/storage/testing/test-clock.js';

/** The building every server test starts with. */
export const BUILDING: readonly Record<string, unknown>[] = [
  { id: new Ref('s1'), dis: 'Alpha', site: MARKER, tz: 'New_York', area: new Num(1000, 'ft²') },
  { id: new Ref('s2'), dis: 'Bravo', site: MARKER, tz: 'Chicago' },
  { id: new Ref('ahu1'), dis: 'AHU-1', equip: MARKER, ahu: MARKER, siteRef: new Ref('s1') },
  { id: new Ref('vav1'), dis: 'VAV-1', equip: MARKER, vav: MARKER, siteRef: new Ref('s1'), equipRef: new Ref('ahu1') },
  {
    id: new Ref('temp'),
    dis: 'AHU-1 Temp',
    point: MARKER,
    his: MARKER,
    kind: 'Number',
    unit: '°F',
    tz: 'New_York',
    siteRef: new Ref('s1'),
    equipRef: new Ref('ahu1'),
  },
  {
    id: new Ref('sp'),
    dis: 'AHU-1 Setpoint',
    point: MARKER,
    writable: MARKER,
    kind: 'Number',
    unit: '°F',
    tz: 'New_York',
    siteRef: new Ref('s1'),
    equipRef: new Ref('ahu1'),
  },
  {
    id: new Ref('occ'),
    dis: 'VAV-1 Occupied',
    point: MARKER,
    his: MARKER,
    kind: 'Bool',
    tz: 'New_York',
    siteRef: new Ref('s1'),
    equipRef: new Ref('vav1'),
  },
  { id: new Ref('meter'), dis: 'Site meter', point: MARKER, kind: 'Number', siteRef: new Ref('s1') },
  { id: new Ref('loose'), dis: 'Loose equip', equip: MARKER },
];

/** A started server and what tests need to drive it. */
export interface Fixture {
  readonly server: HaystackServer;
  readonly store: MemoryStore;
  readonly clock: TestClock;
  /** Base URL of the API, ending in `/`. */
  readonly base: string;
  close(): Promise<void>;
}

/** Start a server on port 0 over a fresh store holding {@link BUILDING}. */
export async function startFixture(options: Partial<HaystackServerOptions> = {}): Promise<Fixture> {
  const clock = createTestClock();
  const store = createMemoryStore({ clock: clock.now });
  await store.commit(BUILDING.map((r) => ({ op: 'add', tags: Dict.of(r) })));
  const server = createServer({ store, noAuth: true, clock: clock.now, tz: 'New_York', ...options });
  const addr = await server.listen(0, '127.0.0.1');
  return {
    server,
    store,
    clock,
    base: addr.url,
    close: async () => {
      await server.close();
      await store.close();
    },
  };
}

/** A raw HTTP exchange. */
export interface Exchange {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** Fetch `op` (with query) from the fixture; `body` is sent with POST. */
export async function call(
  f: Fixture,
  opAndQuery: string,
  init: { method?: string; body?: string; contentType?: string; accept?: string } = {},
): Promise<Exchange> {
  const headers: Record<string, string> = {};
  if (init.contentType !== undefined) headers['content-type'] = init.contentType;
  if (init.accept !== undefined) headers.accept = init.accept;
  const res = await fetch(f.base + opAndQuery, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** Decode a response body by its Content-Type (Zinc or JSON) into a grid. */
export function gridOf(x: Exchange): Grid {
  const ct = x.headers.get('content-type') ?? '';
  const v = ct.includes('json')
    ? decodeJson(x.text, ct.includes('version=3') ? { version: 3 } : {})
    : decodeZinc(x.text);
  if (!(v instanceof Grid)) throw new Error(`Not a grid: ${x.text.slice(0, 200)}`);
  return v;
}

/** POST a grid as Zinc to `op` and decode the answer. */
export async function post(f: Fixture, op: string, grid: Grid): Promise<Grid> {
  return gridOf(await call(f, op, { body: encodeZinc(grid), contentType: 'text/zinc; charset=utf-8' }));
}

/** GET `op?query` and decode the answer. */
export async function get(f: Fixture, opAndQuery: string): Promise<Grid> {
  return gridOf(await call(f, opAndQuery));
}

/** Ids (without `@`) of a grid's rows, null where a row has no id. */
export function ids(g: Grid): (string | null)[] {
  return g.rows.map((r) => (r.get('id') instanceof Ref ? (r.get('id') as Ref).id : null));
}
