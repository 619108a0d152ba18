// `haystack import` streams its file: Zinc and Trio entities and CSV history are read a record at a time, checked to
// the end before anything is written (a malformed file names its line and writes nothing), then written in batches.

import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { importEntities, importHistory } from '../../src/app/index.js';
import { Dict, encodeJson, Grid, MARKER, Num, Ref } from '../../src/core/index.js';
import { createMemoryStore } from '../../src/storage/memory/index.js';
import { openSqliteStore } from '../../src/storage/sqlite/index.js';
import { makeTempDir } from '../support/temp-dir.js';

const dir = makeTempDir('hs-import-');
afterAll(() => {
  dir.remove();
});

let files = 0;
const store = () => openSqliteStore({ path: dir.file(`s${String(++files)}.db`), synchronous: 'normal' });
const pad = (i: number): string => String(i).padStart(5, '0');
// Long enough that 12,000 records pass 1 MB, so the Trio reader decodes the file in several slices.
const DIS = 'x'.repeat(80);

function trio(n: number): string {
  let text = '';
  for (let i = 0; i < n; i++) text += `${i === 0 ? '' : '---\n'}id: @p${pad(i)}\ndis: "${DIS} ${String(i)}"\npoint\n`;
  return text;
}

describe('haystack import, streamed', () => {
  it('imports a large Trio file in several batches, with progress after each', async () => {
    writeFileSync(dir.file('big.trio'), trio(12_000));
    const s = await store();
    const seen: [number, number | undefined][] = [];
    const n = await importEntities(s, 'big.trio', dir.path, (done, total) => seen.push([done, total]));
    expect(n).toBe(12_000);
    expect(await s.count()).toBe(12_000);
    expect(seen).toHaveLength(12);
    expect(seen[0]).toEqual([1000, 12_000]);
    expect(seen[11]).toEqual([12_000, 12_000]);
    const [last] = await s.readByIds(['p11999']);
    expect(last?.get('dis')).toBe(`${DIS} 11999`);
    await s.close();
  });

  it('refuses a malformed Trio file, naming the line of the file, and writes nothing', async () => {
    // The bad line lies past the first 1 MB slice: its line number is counted from the start of the file.
    const lines = `${trio(12_000)}---\nid: @bad\ncurVal: 12"\n`;
    writeFileSync(dir.file('bad.trio'), lines);
    const badLine = lines.split('\n').length - 1;
    const s = await store();
    await expect(importEntities(s, 'bad.trio', dir.path)).rejects.toThrow(
      new RegExp(`bad\\.trio: trio ${String(badLine)}:`),
    );
    expect(await s.count()).toBe(0);
    await s.close();
  });

  it('streams Zinc entities, and refuses a malformed row by its line without writing', async () => {
    let zinc = 'ver:"3.0"\nid,dis,point\n';
    for (let i = 0; i < 2500; i++) zinc += `@z${pad(i)},"Zinc ${String(i)}",M\n`;
    writeFileSync(dir.file('ok.zinc'), zinc);
    writeFileSync(dir.file('bad.zinc'), `${zinc}@zbad,"unterminated,M\n`);
    const s = await store();
    await expect(importEntities(s, 'bad.zinc', dir.path)).rejects.toThrow(/bad\.zinc: zinc 2503:/);
    expect(await s.count()).toBe(0);
    expect(await importEntities(s, 'ok.zinc', dir.path)).toBe(2500);
    expect((await s.readByIds(['z02499']))[0]?.get('dis')).toBe('Zinc 2499');
    await s.close();
  });

  it('imports a Zinc file holding a list of dicts, read whole as the seed reads it', async () => {
    writeFileSync(dir.file('list.zinc'), '[{id:@l1 dis:"L1" site}, {id:@l2 dis:"L2" equip siteRef:@l1}]\n');
    const s = await store();
    expect(await importEntities(s, 'list.zinc', dir.path)).toBe(2);
    expect((await s.read({ filter: 'equip and siteRef == @l1' })).map((d) => d.get('dis'))).toEqual(['L2']);
    await s.close();
  });

  it('streams JSON lists and grids element by element, across chunk boundaries, as the whole-file decoder reads them', async () => {
    const dicts = Array.from({ length: 2500 }, (_, i) =>
      Dict.of({ id: new Ref(`j${pad(i)}`), dis: `brackets ] } [ { and "quotes", ${String(i)}`, n: new Num(i) }),
    );
    writeFileSync(dir.file('list.json'), `[\n${dicts.map((d) => encodeJson(d)).join(',\n')}\n]\n`);
    const s = await store();
    expect(await importEntities(s, 'list.json', dir.path)).toBe(2500);
    const back = await s.read({ filter: 'n' });
    expect(back.map((d) => d.get('dis'))).toEqual(dicts.map((d) => d.get('dis')));
    // A grid whose "rows" key straddles the file reader's first 64 KiB chunk, rows before meta in another.
    const grid = encodeJson(Grid.fromDicts(dicts.slice(0, 10)));
    const at = grid.indexOf('"rows"');
    const padded = `${grid.slice(0, at)}"pad":"${'p'.repeat(65_536 - at - 10)}",${grid.slice(at)}`;
    expect(padded.indexOf('"rows"')).toBeLessThan(65_536);
    expect(padded.indexOf('"rows"') + 6).toBeGreaterThan(65_536);
    writeFileSync(dir.file('grid.json'), padded);
    const g = await store();
    expect(await importEntities(g, 'grid.json', dir.path)).toBe(10);
    await g.close();
    // Malformed: named by line and column in the file, nothing written.
    writeFileSync(dir.file('bad.json'), `[\n${encodeJson(dicts[0] as Dict)},\n{"id": tru}\n]`);
    writeFileSync(dir.file('scalar.json'), '[1, 2]');
    writeFileSync(dir.file('dict.json'), encodeJson(dicts[0] as Dict));
    // Elements without the comma between them: JSON no reader accepts (a bracket scan once let it through).
    writeFileSync(dir.file('comma.json'), `[\n${encodeJson(dicts[0] as Dict)}\n${encodeJson(dicts[1] as Dict)}\n]`);
    const e = await store();
    await expect(importEntities(e, 'bad.json', dir.path)).rejects.toThrow(/^bad\.json: json 3:11: /);
    await expect(importEntities(e, 'scalar.json', dir.path)).rejects.toThrow(
      'scalar.json: json 1:2: expected an object (a dict)',
    );
    await expect(importEntities(e, 'dict.json', dir.path)).rejects.toThrow(
      'dict.json: json 1:1: expected a grid (_kind "grid")',
    );
    await expect(importEntities(e, 'comma.json', dir.path)).rejects.toThrow(
      /^comma\.json: json 3:1: expected ',' or ']' after an array element/,
    );
    expect(await e.count()).toBe(0);
    await e.close();
    await s.close();
  });

  it('streams CSV history, and refuses a bad line without writing any sample', async () => {
    const s = await store();
    writeFileSync(dir.file('p.trio'), 'id: @p\npoint\nhis\nkind: "Number"\nunit: "kW"\ntz: "UTC"\n');
    await importEntities(s, 'p.trio', dir.path);
    let csv = 'ts,val\r\n';
    for (let i = 0; i < 25_000; i++)
      csv += `${new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString()} UTC,${String(i)}kW\r\n`;
    writeFileSync(dir.file('bad.csv'), `${csv}not a time,1kW\r\n`);
    await expect(importHistory(s, 'p', 'bad.csv', dir.path)).rejects.toThrow(
      'History bad.csv line 25002: ts is not a DateTime',
    );
    expect(await s.hisCount('p')).toBe(0);
    writeFileSync(dir.file('ok.csv'), csv);
    const seen: number[] = [];
    expect(await importHistory(s, 'p', 'ok.csv', dir.path, (done) => seen.push(done))).toBe(25_000);
    expect(seen).toEqual([10_000, 20_000, 25_000]);
    expect(await s.hisCount('p')).toBe(25_000);
    await expect(importHistory(s, 'ghost', 'ok.csv', dir.path)).rejects.toMatchObject({ code: 'HS_ERR_UNKNOWN_REC' });
    await s.close();
  });

  it('refuses samples the hisWrite op would refuse: another kind or unit, or a point without his', async () => {
    const s = createMemoryStore();
    await s.commit([
      {
        op: 'add',
        tags: Dict.of({ id: new Ref('n'), point: MARKER, his: MARKER, kind: 'Number', unit: 'kW', tz: 'UTC' }),
      },
      { op: 'add', tags: Dict.of({ id: new Ref('b'), point: MARKER, his: MARKER, kind: 'Bool', tz: 'UTC' }) },
      { op: 'add', tags: Dict.of({ id: new Ref('nohis'), point: MARKER, kind: 'Number', tz: 'UTC' }) },
    ]);
    const ts = '2024-01-01T00:00:00Z UTC';
    const cases: [string, string, string][] = [
      // A cell that is not Zinc is read as a Str: it must not land in a Number point's history.
      ['n', `ts,val\n${ts},1kW\n2024-01-01T01:00:00Z UTC,twelve\n`, 'History str.csv line 3: val "twelve" is a str'],
      ['n', `ts,val\n${ts},1kW\n2024-01-01T01:00:00Z UTC,1000W\n`, "has unit W but the point's unit is kW"],
      ['b', `ts,val\n${ts},T\n2024-01-01T01:00:00Z UTC,1\n`, "val 1 is a number but the point's kind is Bool"],
    ];
    for (const [id, csv, message] of cases) {
      writeFileSync(dir.file('str.csv'), csv);
      await expect(importHistory(s, id, 'str.csv', dir.path)).rejects.toThrow(message);
      expect(await s.hisCount(id)).toBe(0);
    }
    await expect(importHistory(s, 'nohis', 'str.csv', dir.path)).rejects.toThrow('@nohis is not a historized point');
    // NA marks a sample in error, whatever the point's kind (Kinds chapter), as the hisWrite op takes it.
    writeFileSync(dir.file('na.csv'), `ts,val\n${ts},NA\n2024-01-01T01:00:00Z UTC,2kW\n`);
    expect(await importHistory(s, 'n', 'na.csv', dir.path)).toBe(2);
    await s.close();
  });

  it('refuses an id given twice or an id that is not a Ref before writing, wherever the batches fall', async () => {
    const rows = (n: number): string =>
      Array.from({ length: n }, (_, i) => `@d${pad(i)},"D ${String(i)}",M`).join('\n');
    const head = 'ver:"3.0"\nid,dis,point\n';
    // The second @d00005 in the first batch of 1,000, then in a later one (it was once merged in as an update).
    const cases: [string, string, RegExp][] = [
      [
        'dup1.zinc',
        `${head}${rows(1500)}\n@d00005,"again",M\n`,
        /^dup1\.zinc: @d00005 is given twice \(records 6 and 1501\)/,
      ],
      [
        'dup2.zinc',
        `${head}${rows(900)}\n@d00005,"again",M\n`,
        /^dup2\.zinc: @d00005 is given twice \(records 6 and 901\)/,
      ],
      ['str.zinc', `${head}${rows(1500)}\n"d99999","str",M\n`, /^str\.zinc: record 1501: the id tag must be a Ref/],
    ];
    for (const [name, text, message] of cases) {
      writeFileSync(dir.file(name), text);
      const s = await store();
      await expect(importEntities(s, name, dir.path)).rejects.toThrow(message);
      expect(await s.count()).toBe(0);
      await s.close();
    }
  });

  it('stops between batches when its signal is aborted, the batches written kept whole', async () => {
    const s = await store();
    await s.commit([{ op: 'add', tags: Dict.of({ id: new Ref('q'), point: MARKER, his: MARKER, tz: 'UTC' }) }]);
    // 25,000 samples, a second apart: three batches.
    const at = (i: number): string => `${new Date(Date.UTC(2024, 0, 1) + i * 1000).toISOString()} UTC,${String(i)}`;
    writeFileSync(dir.file('q.csv'), ['ts,val', ...Array.from({ length: 25_000 }, (_, i) => at(i))].join('\n'));
    const ctrlC = new AbortController();
    // Ctrl-C while the first batch of 10,000 is being committed.
    const stop = (): void => {
      ctrlC.abort();
    };
    await expect(importHistory(s, 'q', 'q.csv', dir.path, stop, ctrlC.signal)).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(await s.hisCount('q')).toBe(10_000);
    writeFileSync(dir.file('stop.trio'), trio(2500));
    await expect(importEntities(s, 'stop.trio', dir.path, undefined, AbortSignal.abort())).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(await s.count()).toBe(1);
    await s.close();
  });

  it('says how much was committed when the store fails part way', async () => {
    writeFileSync(dir.file('mid.trio'), trio(2500));
    const s = createMemoryStore({ limits: { maxEntities: 1500 } });
    await expect(importEntities(s, 'mid.trio', dir.path)).rejects.toThrow(
      /^mid\.trio: stopped after 1000 of 2500 entities were committed: /,
    );
    expect(await s.count()).toBe(1000);
    await s.close();
  });
});
