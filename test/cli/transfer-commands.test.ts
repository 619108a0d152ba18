// `haystack import` and `haystack export` over a SQLite store: entities and history in, and back out the same.

import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { type Dict, decodeJson, decodeTrioDicts, Num } from '../../src/core/index.js';
import { runCliCaptured } from '../support/run-cli.js';
import { makeTempDir } from '../support/temp-dir.js';

const dir = makeTempDir('hs-transfer-');
afterAll(() => {
  dir.remove();
});

const STORE = ['--store', 'sqlite:t.db'];
const TRIO =
  'id: @s1\ndis: "Site, One"\nsite\n---\nid: @p1\npoint\nhis\nkind: "Number"\ntz: "UTC"\nsiteRef: @s1\n---\nid: @p2\npoint\nsiteRef: @s1\n';
const CSV =
  'ts,val\n2024-01-01T00:00:00Z UTC,1kW\n2024-01-01T01:00:00Z UTC,2.5kW\n"2024-01-02T00:00:00Z UTC","""on, off"""\n';

describe('haystack import and export', () => {
  it('imports entities and history, and exports them back', async () => {
    writeFileSync(dir.file('site.trio'), TRIO);
    writeFileSync(dir.file('p1.csv'), CSV);
    const imp = await runCliCaptured(['import', 'site.trio', ...STORE], dir.path);
    expect([imp.code, imp.stdout, imp.stderr]).toEqual([0, 'imported 3 entities\n', '']);
    // Importing again updates in place.
    expect((await runCliCaptured(['import', 'site.trio', ...STORE], dir.path)).code).toBe(0);
    const his = await runCliCaptured(['import', 'p1.csv', '--his', '@p1', ...STORE], dir.path);
    expect(his.stdout).toBe('imported 3 history samples\n');

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
    expect(again.stdout).toBe('imported 3 history samples\n');
    const out2 = await runCliCaptured(['export', '--his', '2024-01-01,2024-01-02', '--store', 'sqlite:u.db'], dir.path);
    expect(out2.stdout).toBe(csv.stdout);
    expect(csv.stdout).toContain(`,${String(new Num(2.5, 'kW'))}`);
  });

  it('fails clearly on a missing file, an unknown point and a bad range', async () => {
    expect((await runCliCaptured(['import', 'nope.trio', ...STORE], dir.path)).code).toBe(1);
    writeFileSync(dir.file('x.csv'), CSV);
    const unknown = await runCliCaptured(['import', 'x.csv', '--his', 'ghost', ...STORE], dir.path);
    expect(unknown.code).toBe(1);
    expect((await runCliCaptured(['export', '--his', 'soon', ...STORE], dir.path)).code).toBe(2);
  });
});
