// Every format in and out: Accept picks Zinc, JSON v4, JSON v3, Trio or CSV; request bodies in each readable one.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeJson } from '../../src/core/codec/json/index.js';
import { decodeTrio, encodeTrio } from '../../src/core/codec/trio/index.js';
import { decodeZincGrid } from '../../src/core/codec/zinc/index.js';
import { Grid } from '../../src/core/grid/grid.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { call, type Fixture, gridOf, ids, startFixture } from './support/server-fixture.js';

let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => {
  await f.close();
});

const byIds = Grid.fromDicts([{ id: new Ref('s2') }, { id: new Ref('s1') }]);

describe('responses by Accept', () => {
  it('Zinc when there is no Accept, or */*', async () => {
    for (const accept of [undefined, '*/*', 'text/zinc']) {
      const x = await call(f, 'read?filter=site', accept === undefined ? {} : { accept });
      expect(x.headers.get('content-type')).toBe('text/zinc; charset=utf-8');
      expect(ids(decodeZincGrid(x.text)).sort()).toEqual(['s1', 's2']);
    }
  });

  it('JSON v4 for application/json, JSON v3 when asked by version', async () => {
    const v4 = await call(f, 'read?filter=site', { accept: 'application/json' });
    expect(v4.headers.get('content-type')).toContain('application/json');
    expect(v4.text).toContain('"_kind"');
    expect(ids(gridOf(v4)).sort()).toEqual(['s1', 's2']);
    const v3 = await call(f, 'read?filter=site', { accept: 'application/vnd.haystack+json;version=3' });
    expect(v3.headers.get('content-type')).toContain('version=3');
    expect(v3.text).toContain('"r:s1');
    expect(ids(gridOf(v3)).sort()).toEqual(['s1', 's2']);
  });

  it('Trio and CSV', async () => {
    const trio = await call(f, 'read?filter=site', { accept: 'text/trio' });
    expect(trio.headers.get('content-type')).toContain('text/trio');
    expect(ids(decodeTrio(trio.text)).sort()).toEqual(['s1', 's2']);
    const csv = await call(f, 'read?filter=site', { accept: 'text/csv' });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.text.split('\n')[0]).toContain('id');
    expect(csv.text).toContain('Alpha');
  });

  it('takes the best q-value', async () => {
    const x = await call(f, 'about', { accept: 'text/zinc;q=0.5, application/json' });
    expect(x.headers.get('content-type')).toContain('application/json');
  });

  it("answers Java's default Accept (q=.2, a lone *) in Zinc, not 406", async () => {
    // What HttpURLConnection sends when the caller sets no Accept, as haystack-java's HClient does not.
    const x = await call(f, 'about', { accept: 'text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2' });
    expect(x.status).toBe(200);
    expect(x.headers.get('content-type')).toBe('text/zinc; charset=utf-8');
  });

  it('sends error grids as Zinc when the format cannot carry grid meta', async () => {
    const x = await call(f, 'read?filter=site%20and%20and', { accept: 'text/csv' });
    expect(x.headers.get('content-type')).toContain('text/zinc');
    expect(gridOf(x).isError).toBe(true);
  });
});

describe('Haystack JSON media types (HttpApi content negotiation)', () => {
  const VND = 'application/vnd.haystack+json';

  it('answers in the JSON type asked for, v4 unless version=3', async () => {
    const cases: [string, string, 'v4' | 'v3'][] = [
      [VND, `${VND}; charset=utf-8`, 'v4'],
      [`${VND};version=4`, `${VND}; version=4; charset=utf-8`, 'v4'],
      [`${VND}; version=3`, `${VND}; version=3; charset=utf-8`, 'v3'],
      ['application/json;version=3', 'application/json; version=3; charset=utf-8', 'v3'],
      ['application/json', 'application/json; charset=utf-8', 'v4'],
    ];
    for (const [accept, contentType, version] of cases) {
      const x = await call(f, 'read?filter=site', { accept });
      expect(x.status, accept).toBe(200);
      expect(x.headers.get('content-type'), accept).toBe(contentType);
      expect(x.text.includes('"_kind"'), accept).toBe(version === 'v4');
      expect(ids(gridOf(x)).sort()).toEqual(['s1', 's2']);
    }
  });

  it('labels error grids the same way', async () => {
    const x = await call(f, 'read?filter=site%20and%20and', { accept: VND });
    expect(x.headers.get('content-type')).toBe(`${VND}; charset=utf-8`);
    expect(gridOf(x).isError).toBe(true);
  });

  it('labels answers from the response cache by what each client asked', async () => {
    const cached = await startFixture({ responseCache: true });
    try {
      for (const [accept, contentType] of [
        ['application/json', 'application/json; charset=utf-8'],
        [VND, `${VND}; charset=utf-8`],
        ['application/json', 'application/json; charset=utf-8'],
      ] as const) {
        const x = await call(cached, 'read?filter=site', { accept });
        expect(x.headers.get('content-type')).toBe(contentType);
        expect(ids(gridOf(x)).sort()).toEqual(['s1', 's2']);
      }
    } finally {
      await cached.close();
    }
  });

  it('HEAD: the same status and Content-Type as GET, no body', async () => {
    const x = await call(f, 'read?filter=site', { method: 'HEAD', accept: `${VND};version=4` });
    expect(x.status).toBe(200);
    expect(x.headers.get('content-type')).toBe(`${VND}; version=4; charset=utf-8`);
    expect(x.text).toBe('');
  });

  it('406 for a Haystack type or JSON version the server does not write, on GET and HEAD', async () => {
    for (const accept of [`${VND};version=5`, 'application/json;version=2', 'application/vnd.haystack+turtle']) {
      for (const method of ['GET', 'HEAD']) {
        const x = await call(f, 'about', { method, accept });
        expect(x.status, `${method} ${accept}`).toBe(406);
      }
    }
  });

  it("reads Haxall's application/vnd.haystack+<filetype> spellings", async () => {
    const zinc = await call(f, 'about', { accept: 'application/vnd.haystack+zinc' });
    expect(zinc.headers.get('content-type')).toBe('application/vnd.haystack+zinc; charset=utf-8');
    expect(decodeZincGrid(zinc.text).first?.get('productName')).toBe('haystack-ts');
    const body = await call(f, 'read', {
      body: 'ver:"3.0"\nid\n@s2\n@s1\n',
      contentType: 'application/vnd.haystack+zinc; charset=utf-8',
    });
    expect(ids(gridOf(body))).toEqual(['s2', 's1']);
  });
});

describe('request bodies by Content-Type', () => {
  const cases: [string, string][] = [
    ['text/zinc; charset=utf-8', 'ver:"3.0"\nid\n@s2\n@s1\n'],
    ['application/json', encodeJson(byIds)],
    ['application/vnd.haystack+json; version=3', encodeJson(byIds, { version: 3 })],
    ['application/vnd.haystack+json', encodeJson(byIds)],
    ['application/vnd.haystack+json;version=4', encodeJson(byIds)],
    ['application/json; version=3', encodeJson(byIds, { version: 3 })],
    ['application/vnd.haystack+json;version=3.0', encodeJson(byIds, { version: 3 })],
    ['text/trio', encodeTrio(byIds)],
  ];
  for (const [contentType, body] of cases) {
    it(`reads ${contentType}`, async () => {
      const x = await call(f, 'read', { body, contentType });
      expect(x.status).toBe(200);
      expect(ids(gridOf(x))).toEqual(['s2', 's1']);
    });
  }

  it('reads JSON v3 labelled plain application/json by its shape, small or sliced', async () => {
    const x = await call(f, 'read', { body: encodeJson(byIds, { version: 3 }), contentType: 'application/json' });
    expect(x.status).toBe(200);
    expect(ids(gridOf(x))).toEqual(['s2', 's1']);
    // Past one slice (256 K characters), through the stepped readers.
    const many = Grid.fromDicts(Array.from({ length: 20_000 }, (_, i) => ({ id: new Ref(i % 2 === 0 ? 's1' : 's2') })));
    const big = encodeJson(many, { version: 3 });
    expect(big.length).toBeGreaterThan(256 * 1024);
    const y = await call(f, 'read', { body: big, contentType: 'application/json; charset=utf-8' });
    expect(y.status).toBe(200);
    expect(gridOf(y).rows.length).toBe(20_000);
    // Labelled v4 by name, it is not guessed at.
    const v4 = await call(f, 'read', {
      body: encodeJson(byIds, { version: 3 }),
      contentType: 'application/vnd.haystack+json; version=4',
    });
    expect(v4.status).toBe(400);
  });

  it('reads Zinc labelled text/plain, as haystack-java posts it', async () => {
    for (const contentType of ['text/plain; charset=utf-8', 'text/plain']) {
      const x = await call(f, 'read', { body: 'ver:"3.0"\nid\n@s2\n@s1\n', contentType });
      expect(x.status).toBe(200);
      expect(ids(gridOf(x))).toEqual(['s2', 's1']);
    }
    const latin1 = await call(f, 'read', { body: 'ver:"3.0"\nid\n@s1\n', contentType: 'text/plain; charset=latin1' });
    expect(latin1.status).toBe(415);
  });

  it('415 for CSV, which the server writes but does not read', async () => {
    const x = await call(f, 'read', { body: 'id\n@s1\n', contentType: 'text/csv' });
    expect(x.status).toBe(415);
  });

  it('400 for malformed JSON with the parse error', async () => {
    const x = await call(f, 'read', { body: '{"_kind":"grid",', contentType: 'application/json' });
    expect(x.status).toBe(400);
    expect(gridOf(x).meta.get('errCode')).toBe('HS_ERR_PARSE');
  });
});

describe('formats', () => {
  it('lists every media type, CSV as send-only', async () => {
    const g = gridOf(await call(f, 'formats'));
    const mimes = g.rows.map((r) => r.get('mime'));
    expect(mimes).toEqual(expect.arrayContaining(['text/zinc', 'application/json', 'text/trio', 'text/csv']));
    const csv = g.rows.find((r) => r.get('mime') === 'text/csv');
    expect(csv?.has('receive')).toBe(false);
    expect(csv?.has('send')).toBe(true);
  });
});
