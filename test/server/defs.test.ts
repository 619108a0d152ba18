// defs, libs, ops and filetypes: the server's own lib without a namespace, and a configured namespace.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dict } from '../../src/core/grid/dict.js';
import { Grid } from '../../src/core/grid/grid.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { Sym } from '../../src/core/kinds/symbol.js';
import { Uri } from '../../src/core/kinds/uri.js';
import type { DefLib } from '../../src/server/index.js';
import type { OpContext, OpDef, OpRegistry } from '../../src/server/op.js';
import { createOpRegistry } from '../../src/server/op-registry.js';
import { opsOp } from '../../src/server/ops/defs.js';
import { ANONYMOUS_ADMIN } from '../../src/server/principal.js';
import { sharedAvailable, sharedPath } from '../support/shared.js';
import { type Fixture, get, post, startFixture } from './support/server-fixture.js';

const defNames = (g: Grid): string[] => g.rows.map((r) => (r.get('def') as Sym).val);

describe('without a namespace: the server describes itself', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  it('libs is the server lib, with the metadata a lib declares (Namespaces chapter)', async () => {
    const libs = await get(f, 'libs');
    expect(defNames(libs)).toEqual(['lib:haystackTs']);
    const lib = libs.row(0);
    expect(String(lib.get('doc'))).toContain('haystack-ts');
    // "an absolute URI used to map symbols to URIs"; "a series of integers separated by dot".
    const base = lib.get('baseUri');
    expect(base).toBeInstanceOf(Uri);
    expect((base as Uri).val).toMatch(/^https:\/\/[^/]+\/.*\/$/);
    expect(lib.get('version')).toMatch(/^\d+(\.\d+)*$/);
    expect(lib.get('depends')).toEqual([]);
  });

  it('filetypes are the formats it speaks', async () => {
    const g = await get(f, 'filetypes');
    expect(defNames(g)).toEqual(expect.arrayContaining(['filetype:zinc', 'filetype:json']));
    const zinc = g.rows.find((r) => String(r.get('def')) === '^filetype:zinc');
    expect(zinc?.get('mime')).toBe('text/zinc');
  });

  it('defs lists every def, by filter and limit', async () => {
    const all = await get(f, 'defs');
    expect(all.size).toBeGreaterThan(16);
    expect(all.rows.every((r) => (r.get('lib') as Sym).val === 'lib:haystackTs')).toBe(true);
    const readOnly = await post(f, 'defs', Grid.fromDicts([{ filter: 'noSideEffects' }]));
    expect(defNames(readOnly)).toContain('op:read');
    expect(defNames(readOnly)).not.toContain('op:hisWrite');
    const two = await get(f, 'defs?limit=2');
    expect(two.size).toBe(2);
  });

  it('reads an empty or blank filter as none, as Haxall does (the filter is optional on these ops)', async () => {
    for (const op of ['defs', 'libs', 'filetypes', 'ops']) {
      const every = await get(f, op);
      expect(every.size).toBeGreaterThan(0);
      expect((await post(f, op, Grid.fromDicts([{ filter: '' }]))).size).toBe(every.size);
      expect((await get(f, `${op}?filter=%20`)).size).toBe(every.size);
    }
  });
});

describe('with a configured namespace', () => {
  const lib: DefLib = {
    name: 'demo',
    def: Dict.of({ def: new Sym('lib:demo'), lib: new Sym('lib:demo'), version: '1.0' }),
    defs: [
      Dict.of({ def: new Sym('lib:demo'), lib: new Sym('lib:demo'), version: '1.0' }),
      Dict.of({ def: new Sym('op:read'), lib: new Sym('lib:demo'), noSideEffects: MARKER, doc: 'Read from demo' }),
      Dict.of({ def: new Sym('filetype:zinc'), lib: new Sym('lib:demo'), mime: 'text/zinc' }),
      Dict.of({ def: new Sym('widget'), lib: new Sym('lib:demo'), is: new Sym('marker') }),
    ],
  };
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ defs: [lib] });
  });
  afterAll(async () => {
    await f.close();
  });

  it('serves the namespace defs, the server lib adding only what the namespace lacks', async () => {
    expect(defNames(await get(f, 'libs'))).toEqual(['lib:demo', 'lib:haystackTs']);
    const ops = await get(f, 'ops');
    const read = ops.rows.find((r) => String(r.get('def')) === '^op:read');
    expect(read?.get('doc')).toBe('Read from demo');
    expect(defNames(ops)).toContain('op:hisRead');
    const widget = await get(f, `defs?filter=${encodeURIComponent('"def==^widget"')}`);
    expect(defNames(widget)).toEqual(['widget']);
  });
});

describe.skipIf(!sharedAvailable('defs'))('with the standard libs of ../shared/defs', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ defs: sharedPath('defs') });
  });
  afterAll(async () => {
    await f.close();
  });

  it('libs are ph, phIct, phIoT, phScience and the server lib', async () => {
    expect(defNames(await get(f, 'libs'))).toEqual([
      'lib:haystackTs',
      'lib:ph',
      'lib:phIct',
      'lib:phIoT',
      'lib:phScience',
    ]);
  });

  it('filetypes come from ph, every def carries its lib', async () => {
    const g = await get(f, 'filetypes');
    expect(defNames(g)).toEqual(expect.arrayContaining(['filetype:zinc', 'filetype:json', 'filetype:trio']));
    expect(g.rows.every((r) => (r.get('lib') as Sym).val === 'lib:ph')).toBe(true);
  });

  it('filetypes are only the formats the server speaks (HttpApi: clients learn the MIME types from them)', async () => {
    const g = await get(f, 'filetypes');
    expect(defNames(g)).toEqual(['filetype:csv', 'filetype:json', 'filetype:trio', 'filetype:zinc']);
    // The namespace keeps the others: defs still lists them.
    const turtle = await get(f, `defs?filter=${encodeURIComponent('"def==^filetype:turtle"')}`);
    expect(defNames(turtle)).toEqual(['filetype:turtle']);
  });

  it('ops are the ph op defs of the ops the server has, its own lib adding the rest', async () => {
    const g = await get(f, 'ops');
    const read = g.rows.find((r) => String(r.get('def')) === '^op:read');
    expect(read?.get('lib')).toEqual(new Sym('lib:ph'));
    // formats (a Haystack 3 op) is not in ph, so the server's lib declares it.
    const formats = g.rows.find((r) => String(r.get('def')) === '^op:formats');
    expect(formats?.get('lib')).toEqual(new Sym('lib:haystackTs'));
  });

  it('defs by filter across libs', async () => {
    const ahu = await get(f, `defs?filter=${encodeURIComponent('"def==^ahu"')}`);
    expect(defNames(ahu)).toEqual(['ahu']);
    expect((ahu.row(0).get('lib') as Sym).val).toBe('lib:phIoT');
    expect((await get(f, 'defs')).size).toBeGreaterThan(500);
  });
});

describe.skipIf(!sharedAvailable('defs'))('read: ^symbol terms in the namespace of the standard libs', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startFixture({ defs: sharedPath('defs'), responseCache: true });
    // Subtypes tagged without their supertypes' tags: an rtu is an ahu is an equip (Reflection: inheritance).
    await f.server.handler.store.commit([
      { op: 'add', tags: Dict.of({ id: new Ref('boiler1'), boiler: MARKER, hot: MARKER, water: MARKER }) },
    ]);
  });
  afterAll(async () => {
    await f.close();
  });
  const ids = (g: Grid): string[] => g.rows.map((r) => (r.get('id') as Ref).id).sort();
  const read = async (filter: string): Promise<Grid> => get(f, `read?filter=${encodeURIComponent(filter)}`);

  it('match subtypes of the symbol (Filters: such terms are evaluated in a namespace), as Haxall does', async () => {
    expect(ids(await read('^equip'))).toEqual(['ahu1', 'boiler1', 'loose', 'vav1']);
    expect(ids(await read('^airHandlingEquip and siteRef->dis == "Alpha"'))).toEqual(['ahu1']);
    expect(ids(await read('^hot-water'))).toEqual(['boiler1']);
    expect(ids(await read('^liquid'))).toEqual(['boiler1']);
    expect(ids(await read('^notADef'))).toEqual([]);
  });

  it('a cached answer goes when an entity of a subtype comes', async () => {
    const before = await get(f, 'read?filter=%5EairHandlingEquip');
    expect(ids(before)).toEqual(['ahu1']);
    await f.server.handler.store.commit([{ op: 'add', tags: Dict.of({ id: new Ref('rtu1'), rtu: MARKER }) }]);
    expect(ids(await get(f, 'read?filter=%5EairHandlingEquip'))).toEqual(['ahu1', 'rtu1']);
  });
});

describe('the defs an op selects, kept per namespace and registry', () => {
  const opDef = (name: string): Dict => Dict.of({ def: new Sym(`op:${name}`), lib: new Sym('lib:demo') });
  const op = (name: string, doc: string): OpDef => ({
    name,
    doc,
    noSideEffects: true,
    requiredRole: 'viewer',
    handler: () => Grid.EMPTY,
  });
  const ctxFor = (defs: readonly Dict[], ops: OpRegistry): OpContext =>
    ({
      ops,
      principal: ANONYMOUS_ADMIN,
      server: { limits: { maxFilterLength: 1000 } },
      namespace: () => Promise.resolve({ defs }),
    }) as unknown as OpContext;
  const call = async (ctx: OpContext, req = Grid.EMPTY): Promise<Grid> => opsOp.handler(req, ctx) as Promise<Grid>;

  it('answers each registry its own ops over the same namespace, by filter and limit', async () => {
    const defs = Object.freeze([opDef('a'), opDef('b'), opDef('c')]);
    const one = createOpRegistry([op('a', 'first A'), op('b', 'B')]);
    const two = createOpRegistry([op('b', 'other B'), op('c', 'C')]);
    for (let i = 0; i < 2; i++) {
      const g1 = await call(ctxFor(defs, one));
      expect(g1.rows.map((r) => [r.get('name'), r.get('summary')])).toEqual([
        ['a', 'first A'],
        ['b', 'B'],
      ]);
      const g2 = await call(ctxFor(defs, two));
      expect(g2.rows.map((r) => [r.get('name'), r.get('summary')])).toEqual([
        ['b', 'other B'],
        ['c', 'C'],
      ]);
      const limited = await call(ctxFor(defs, two), Grid.fromDicts([{ limit: new Num(1) }]));
      expect(defNames(limited)).toEqual(['op:b']);
      const filtered = await call(ctxFor(defs, one), Grid.fromDicts([{ filter: 'def==^op:b' }]));
      expect(defNames(filtered)).toEqual(['op:b']);
    }
  });

  it('walks a namespace whose defs array may change (not frozen) on every call', async () => {
    const defs = [opDef('a')];
    const ops = createOpRegistry([op('a', 'A'), op('b', 'B')]);
    expect(defNames(await call(ctxFor(defs, ops)))).toEqual(['op:a']);
    defs.push(opDef('b'));
    expect(defNames(await call(ctxFor(defs, ops)))).toEqual(['op:a', 'op:b']);
  });
});
