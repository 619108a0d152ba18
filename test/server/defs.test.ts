// defs, libs, ops and filetypes: the server's own lib without a namespace, and a configured namespace.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dict } from '../../src/core/grid/dict.js';
import { Grid } from '../../src/core/grid/grid.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { Sym } from '../../src/core/kinds/symbol.js';
import type { DefLib } from '../../src/server/index.js';
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

  it('libs is the server lib', async () => {
    expect(defNames(await get(f, 'libs'))).toEqual(['lib:haystackTs']);
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
