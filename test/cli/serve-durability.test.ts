// Durability: `haystack serve` killed with SIGKILL in the middle of a stream of hisWrite and pointWrite calls keeps
// every write it acknowledged, and starts again on the same SQLite file.

import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dateTimeRange, HaystackClient } from '../../src/client/index.js';
import { HDateTime, Num, Ref } from '../../src/core/index.js';
import { type SpawnedServe, spawnServe } from '../support/serve-cli.js';
import { makeTempDir } from '../support/temp-dir.js';

const dir = makeTempDir('hs-durability-');
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  dir.remove();
});

const POINT = new Ref('p1');
const T0 = Date.UTC(2025, 0, 1);

// Start `haystack serve` on the SQLite file as a child process (so it can be SIGKILLed); resolves once it listens.
async function startServer(): Promise<SpawnedServe> {
  const started = await spawnServe(
    ['--no-auth', '--port', '0', '--store', 'sqlite:store.db', '--data', 'point.zinc'],
    dir.path,
  );
  children.push(started.child);
  return started;
}

describe('haystack serve on SQLite, killed mid-stream', () => {
  it('keeps every acknowledged hisWrite and pointWrite', async () => {
    writeFileSync(
      path.join(dir.path, 'point.zinc'),
      'ver:"3.0"\nid,dis,point,his,writable,kind,tz\n@p1,"P1",M,M,M,"Number","UTC"\n',
    );
    const first = await startServer();
    const client = new HaystackClient({ url: first.url });
    const ackedHis: number[] = [];
    const ackedLevels = new Map<number, number>();
    const exited = new Promise<void>((resolve) => {
      first.child.once('exit', () => {
        resolve();
      });
    });
    let n = 0;
    const state = { killed: false };
    // Four writers in parallel; the kill comes while some of their calls are in flight.
    const writer = async (): Promise<void> => {
      while (!state.killed) {
        const i = n++;
        try {
          if (i % 2 === 0) {
            await client.hisWrite(POINT, [{ ts: HDateTime.fromEpochMs(T0 + i * 1000), val: new Num(i) }]);
            ackedHis.push(i);
          } else {
            const level = 1 + (i % 16);
            await client.pointWrite(POINT, level, new Num(i), { who: 'durability' });
            ackedLevels.set(level, Math.max(ackedLevels.get(level) ?? -1, i));
          }
        } catch {
          return; // the server is gone: unacknowledged
        }
        if (ackedHis.length + ackedLevels.size >= 40) {
          state.killed = true;
          first.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all([writer(), writer(), writer(), writer()]);
    await exited;
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(ackedHis.length).toBeGreaterThan(5);

    const second = await startServer();
    try {
      const again = new HaystackClient({ url: second.url });
      const his = await again.hisRead(
        POINT,
        dateTimeRange(HDateTime.fromEpochMs(T0), HDateTime.fromEpochMs(T0 + (n + 1) * 1000)),
      );
      const stored = new Set(his.rows.map((r) => (r.get('val') as Num).val));
      for (const i of ackedHis) expect(stored.has(i), `hisWrite ${String(i)}`).toBe(true);
      // Each level holds the last value acknowledged for it, or one written later whose answer the kill cut off.
      const levels = await again.pointWriteArray(POINT);
      for (const [level, i] of ackedLevels) {
        const row = levels.rows.find((r) => (r.get('level') as Num).val === level);
        expect((row?.get('val') as Num | undefined)?.val ?? -1, `level ${String(level)}`).toBeGreaterThanOrEqual(i);
      }
    } finally {
      second.child.kill('SIGKILL');
    }
  }, 120_000);
});
