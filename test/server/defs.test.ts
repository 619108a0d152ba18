// defs, libs, ops and filetypes: the server's own lib without a namespace, and a configured namespace.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dict } from '../../src/core/grid/dict.js';
import { Grid } from '../../src/core/grid/grid.js';
import { MARKER } from '../../src/core/kinds/marker.js';
import { Sym } from '../../src/core/kinds/symbol.js';
import type { DefLib } from '../../src/server/index.js';
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
