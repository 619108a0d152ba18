// `haystack import` and `haystack export` over a SQLite store: entities and history in, and back out the same.

import { existsSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { exportStore } from '../../src/app/index.js';
import { Dict, decodeJson, decodeTrioDicts, MARKER, Num, Ref } from '../../src/core/index.js';
import { createMemoryStore } from '../../src/storage/memory/index.js';
import { runCliCaptured, spawnCli } from '../support/run-cli.js';
import { makeTempDir } from '../support/temp-dir.js';

const dir = makeTempDir('hs-transfer-');
afterAll(() => {
  dir.remove();
});

const STORE = ['--store', 'sqlite:t.db'];
// p1 has no kind, so that its history can hold Numbers and a Str (a quoted CSV cell) side by side.
const TRIO =
  'id: @s1\ndis: "Site, One"\nsite\n---\nid: @p1\npoint\nhis\ntz: "UTC"\nsiteRef: @s1\n---\nid: @p2\npoint\nsiteRef: @s1\n';
const CSV =
  'ts,val\n2024-01-01T00:00:00Z UTC,1kW\n2024-01-01T01:00:00Z UTC,2.5kW\n"2024-01-02T00:00:00Z UTC","""on, off"""\n';

describe('haystack import and export', () => {
  it('imports entities and history, and exports them back', async () => {
    writeFileSync(dir.file('site.trio'), TRIO);
    writeFileSync(dir.file('p1.csv'), CSV);
    const imp = await runCliCaptured(['import', 'site.trio', ...STORE], dir.path);
    // It names the store it wrote: `--store` has a default, and the file lands in the working folder.
    expect([imp.code, imp.stdout, imp.stderr]).toEqual([
      0,
      `imported 3 entities into sqlite ${dir.file('t.db')}\n`,
      '',
    ]);
    // Importing again updates in place.
    expect((await runCliCaptured(['import', 'site.trio', ...STORE], dir.path)).code).toBe(0);
    const his = await runCliCaptured(['import', 'p1.csv', '--his', '@p1', ...STORE], dir.path);
    expect(his.stdout).toBe(`imported 3 history samples into sqlite ${dir.file('t.db')}\n`);

    const trio = await runCliCaptured(['export', ...STORE], dir.path);
    const back = decodeTrioDicts(trio.stdout);
    expect(back.map((d) => d.id?.id)).toEqual(['p1', 'p2', 's1']);
    expect(back[2]?.get('dis')).toBe('Site, One');

    const json = await runCliCaptured(['export', '--filter', 'point', '--to', 'json', ...STORE], dir.path);
    expect((decodeJson(json.stdout) as Dict[]).map((d) => d.id?.id)).toEqual(['p1', 'p2']);

    const csv = await runCliCaptured(['export', '--his', '2024-01-01,2024-01-02', ...STORE], dir.path);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('id,ts,val');
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['@p1', '@p1', '@p1']);

    // The exported history reads back into another store.
    writeFileSync(dir.file('p1-out.csv'), csv.stdout);
    await runCliCaptured(['import', 'site.trio', '--store', 'sqlite:u.db'], dir.path);
    const again = await runCliCaptured(['import', 'p1-out.csv', '--his', 'p1', '--store', 'sqlite:u.db'], dir.path);
    expect(again.stdout).toBe(`imported 3 history samples into sqlite ${dir.file('u.db')}\n`);
    const out2 = await runCliCaptured(['export', '--his', '2024-01-01,2024-01-02', '--store', 'sqlite:u.db'], dir.path);
    expect(out2.stdout).toBe(csv.stdout);
    expect(csv.stdout).toContain(`,${String(new Num(2.5, 'kW'))}`);
  });

  it("imports only the point's own rows of an id,ts,val export of several points", async () => {
    const trio = 'id: @a\npoint\nhis\nkind: "Number"\ntz: "UTC"\n---\nid: @b\npoint\nhis\nkind: "Number"\ntz: "UTC"\n';
    const store = ['--store', 'sqlite:two.db'];
    writeFileSync(dir.file('two.trio'), trio);
    writeFileSync(dir.file('a.csv'), 'ts,val\n2024-01-01T00:00:00Z UTC,1\n2024-01-01T01:00:00Z UTC,2\n');
    writeFileSync(dir.file('b.csv'), 'ts,val\n2024-01-01T00:00:00Z UTC,10\n');
    expect((await runCliCaptured(['import', 'two.trio', ...store], dir.path)).code).toBe(0);
    expect((await runCliCaptured(['import', 'a.csv', '--his', 'a', ...store], dir.path)).code).toBe(0);
    expect((await runCliCaptured(['import', 'b.csv', '--his', 'b', ...store], dir.path)).code).toBe(0);
    const all = await runCliCaptured(['export', '--his', '2024-01-01', ...store], dir.path);
    writeFileSync(dir.file('all.csv'), all.stdout);

    const copy = ['--store', 'sqlite:two-copy.db'];
    expect((await runCliCaptured(['import', 'two.trio', ...copy], dir.path)).code).toBe(0);
    const a = await runCliCaptured(['import', 'all.csv', '--his', '@a', ...copy], dir.path);
    expect(a.stdout).toBe(`imported 2 history samples into sqlite ${dir.file('two-copy.db')}\n`);
    const b = await runCliCaptured(['import', 'all.csv', '--his', 'b', ...copy], dir.path);
    expect(b.stdout).toBe(`imported 1 history sample into sqlite ${dir.file('two-copy.db')}\n`);
    const back = await runCliCaptured(['export', '--his', '2024-01-01', ...copy], dir.path);
    expect(back.stdout).toBe(all.stdout);
  });

  it("exports history over days of each point's own time zone, as hisRead resolves the range", async () => {
    const trio =
      'id: @ny\npoint\nhis\nkind: "Number"\ntz: "New_York"\n---\nid: @utc\npoint\nhis\nkind: "Number"\ntz: "UTC"\n';
    // 2024-01-01 in New York runs 05:00Z to 05:00Z the next day; in UTC, 00:00Z to 00:00Z.
    const csv =
      'ts,val\n2024-01-01T03:00:00Z UTC,1\n2024-01-01T06:00:00Z UTC,2\n2024-01-02T04:00:00Z UTC,3\n2024-01-02T06:00:00Z UTC,4\n';
    const store = ['--store', 'sqlite:tz.db'];
    writeFileSync(dir.file('tz.trio'), trio);
    writeFileSync(dir.file('tz.csv'), csv);
    expect((await runCliCaptured(['import', 'tz.trio', ...store], dir.path)).code).toBe(0);
    for (const id of ['ny', 'utc']) {
      expect((await runCliCaptured(['import', 'tz.csv', '--his', id, ...store], dir.path)).code).toBe(0);
    }
    const out = await runCliCaptured(['export', '--his', '2024-01-01', ...store], dir.path);
    expect(out.stdout.trim().split('\n')).toEqual([
      'id,ts,val',
      '@ny,2024-01-01T01:00:00-05:00 New_York,2',
      '@ny,2024-01-01T23:00:00-05:00 New_York,3',
      '@utc,2024-01-01T03:00:00Z UTC,1',
      '@utc,2024-01-01T06:00:00Z UTC,2',
    ]);
  });

  it("resolves yesterday in the point's zone at the given time", async () => {
    const store = createMemoryStore();
    const ny = Dict.of({ id: new Ref('ny'), point: MARKER, his: MARKER, kind: 'Number', tz: 'New_York' });
    await store.commit([{ op: 'add', tags: ny }]);
    const at = (iso: string, val: number): { ts: number; val: Num } => ({ ts: Date.parse(iso), val: new Num(val) });
    await store.hisWrite('ny', [
      at('2024-03-01T04:00:00Z', 1),
      at('2024-03-01T06:00:00Z', 2),
      at('2024-03-02T04:59:00Z', 3),
    ]);
    let text = '';
    // 2024-03-02T03:00Z is still 2024-03-01 in New York: its yesterday is 2024-02-29 there, holding sample 1 only.
    const n = await exportStore(store, {
      his: 'yesterday',
      now: Date.parse('2024-03-02T03:00:00Z'),
      write: (t) => {
        text += t;
      },
    });
    expect(n).toBe(1);
    expect(text).toBe('id,ts,val\n@ny,2024-02-29T23:00:00-05:00 New_York,1\n');
    await expect(exportStore(store, { his: 'soon', write: () => undefined })).rejects.toMatchObject({
      code: 'HS_ERR_INVALID_VALUE',
    });
    await store.close();
  });

  it('stops on Ctrl-C, exiting 130 and saying how much was committed, rather than running on', async () => {
    writeFileSync(dir.file('stop.trio'), TRIO);
    const store = ['--store', 'sqlite:stop.db'];
    const ctrlC = AbortSignal.abort();
    const imp = await runCliCaptured(['import', 'stop.trio', ...store], dir.path, {}, '', ctrlC);
    expect([imp.code, imp.stdout, imp.stderr]).toEqual([
      130,
      '',
      'haystack import: stopped; 0 entities were committed\n',
    ]);
    expect((await runCliCaptured(['import', 'stop.trio', ...store], dir.path)).code).toBe(0);
    const exp = await runCliCaptured(['export', ...store], dir.path, {}, '', ctrlC);
    expect([exp.code, exp.stdout, exp.stderr]).toEqual([130, '', 'haystack export: stopped\n']);
    const back = await runCliCaptured(['export', ...store], dir.path);
    expect(decodeTrioDicts(back.stdout)).toHaveLength(3);
  });

  it('fails clearly on a missing file, an unknown point and a bad range', async () => {
    const missing = await runCliCaptured(['import', 'nope.trio', ...STORE], dir.path);
    expect([missing.code, missing.stderr]).toEqual([
      1,
      'haystack import: cannot read nope.trio: no such file or folder (ENOENT)\n',
    ]);
    writeFileSync(dir.file('x.csv'), CSV);
    const unknown = await runCliCaptured(['import', 'x.csv', '--his', 'ghost', ...STORE], dir.path);
    expect([unknown.code, unknown.stderr]).toEqual([
      1,
      'haystack import: --his @ghost: no such point in the store (import its entity first)\n',
    ]);
    expect((await runCliCaptured(['export', '--his', 'soon', ...STORE], dir.path)).code).toBe(2);
    // A misspelt store path is not an empty store: export refuses it and leaves no file behind.
    for (const args of [[], ['--his', 'today']]) {
      const typo = await runCliCaptured(['export', ...args, '--store', 'sqlite:typo.db'], dir.path);
      expect([typo.code, typo.stdout]).toEqual([1, '']);
      expect(typo.stderr).toContain('no store file');
      expect(existsSync(dir.file('typo.db'))).toBe(false);
    }
    // A history CSV without --his: the message names the file, not serve's --data.
    const csv = await runCliCaptured(['import', 'x.csv', ...STORE], dir.path);
    expect([csv.code, csv.stderr]).toEqual([
      2,
      'haystack import: x.csv: entities come from a .zinc, .json or .trio file\n',
    ]);
  });

  it('exits 1 on what the data or the store holds, 2 on a malformed argument (README "Exit codes")', async () => {
    const store = ['--store', 'sqlite:codes.db'];
    writeFileSync(dir.file('codes.trio'), TRIO);
    writeFileSync(dir.file('codes.csv'), CSV);
    writeFileSync(dir.file('no-val.csv'), 'ts,value\n2024-01-01T00:00:00Z UTC,1\n');
    writeFileSync(dir.file('bad-ts.csv'), 'ts,val\n2024-01-01,1\n');
    writeFileSync(dir.file('list.json'), '[1, 2]');
    writeFileSync(dir.file('bad.trio'), 'id: @x\ndis: "open\n');
    expect((await runCliCaptured(['import', 'codes.trio', ...store], dir.path)).code).toBe(0);
    const run = async (...args: string[]): Promise<[number, string]> => {
      const r = await runCliCaptured([...args, ...store], dir.path);
      return [r.code, r.stderr];
    };
    // Run time (1): a point without history, a file whose content is wrong (a parse error keeps its position).
    expect(await run('import', 'codes.csv', '--his', 'p2')).toEqual([
      1,
      'haystack import: @p2 is not a historized point (no his tag)\n',
    ]);
    expect(await run('import', 'no-val.csv', '--his', 'p1')).toEqual([
      1,
      'haystack import: no-val.csv: a history CSV needs ts and val columns\n',
    ]);
    expect((await run('import', 'bad-ts.csv', '--his', 'p1'))[0]).toBe(1);
    expect(await run('import', 'list.json', '--his', 'p1')).toEqual([1, 'haystack import: list.json holds no grid\n']);
    const [code, stderr] = await run('import', 'bad.trio');
    expect([code, stderr]).toEqual([1, expect.stringMatching(/^haystack import: bad\.trio: trio 2:\d+: /)]);
    // Usage (2): a file of a kind the command does not read, a malformed id, filter or store, before any store opens.
    expect(await run('import', 'codes.trio', '--his', 'p1')).toEqual([
      2,
      'haystack import: codes.trio: history comes from a .csv, .zinc or .json file\n',
    ]);
    expect(await run('import', 'codes.csv', '--his', 'p 1')).toEqual([
      2,
      'haystack import: --his: Invalid Ref id "p 1"\n',
    ]);
    const filter = await run('export', '--filter', 'site and (');
    expect(filter[0]).toBe(2);
    expect(filter[1]).toMatch(/^haystack export: invalid filter at line 1, column \d+/);
    for (const bad of ['bogus:x', 'sqlite:', '1x']) {
      const r = await runCliCaptured(['export', '--store', bad], dir.path);
      expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(/^haystack export: --store /)]);
    }
    // A bare file name, as the README's sqlite:PATH examples tempt one to type, is answered with what to write.
    const bare = await runCliCaptured(['export', '--store', 'copy.db'], dir.path);
    expect([bare.code, bare.stderr]).toEqual([2, expect.stringMatching(/; a SQLite file is sqlite:copy\.db\n$/)]);
  });

  it('refuses --store memory, which would report an import or export of a store gone when the command ends', async () => {
    writeFileSync(dir.file('mem.trio'), TRIO);
    const message = (command: string): string =>
      `haystack ${command}: --store memory keeps nothing after the command: use a store that lasts, such as sqlite:PATH\n`;
    const imp = await spawnCli(['import', 'mem.trio', '--store', 'memory'], dir.path);
    expect(imp).toEqual({ code: 1, stdout: '', stderr: message('import') });
    const exp = await spawnCli(['export', '--store', 'memory'], dir.path);
    expect(exp).toEqual({ code: 1, stdout: '', stderr: message('export') });
  }, 60_000);
});
