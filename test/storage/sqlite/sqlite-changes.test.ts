// SQLite change notifications beyond the contract kit: sessions ended through another adapter over the file, which
// no log records, are told as `users` changes; the per-user counts that tell them go with their user.

import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/storage/sqlite/index.js';
import { changeRecorder, checkLogoutTold } from '../../support/change-recorder.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { seedUser } from '../../support/user-notice.js';

const dir = makeTempDir('hs-sqlite-changes-');
afterAll(() => {
  dir.remove();
});

describe('SQLite change notifications', () => {
  it('report sessions ended through another adapter (a logout, a password change) as users changes', async () => {
    const path = dir.file('logout.db');
    // Polls that never come round: syncChanges reads what was committed.
    const listening = await openSqliteStore({ path, changePollMs: 2 ** 31 - 1 });
    const writer = await openSqliteStore({ path, changePollMs: 2 ** 31 - 1 });
    try {
      const rec = changeRecorder();
      await listening.subscribeChanges(rec.listener);
      await checkLogoutTold({ listening, writer, rec });
      // Every session of the user ended at once is told as well.
      expect(await writer.users.deleteUserSessions('otto')).toBe(1);
      await listening.syncChanges();
      expect(rec.changes.filter((c) => c.kind === 'users')).toHaveLength(2);
    } finally {
      await listening.close();
      await writer.close();
    }
  });

  it('keep no count of ended sessions for a deleted user, whether the user or their sessions go first', async () => {
    const path = dir.file('deleted.db');
    const listening = await openSqliteStore({ path, changePollMs: 2 ** 31 - 1 });
    const writer = await openSqliteStore({ path, changePollMs: 2 ** 31 - 1 });
    const raw = new Database(path, { readonly: true });
    const counts = (): unknown[] => raw.prepare('SELECT username, n FROM session_end ORDER BY username').all();
    try {
      const rec = changeRecorder();
      await listening.subscribeChanges(rec.listener);
      for (const name of ['ann', 'vera', 'otto']) await seedUser(writer.users, name);
      await listening.syncChanges();
      const told = async (name: string): Promise<number> => {
        await listening.syncChanges();
        return rec.changes.filter((c) => c.kind === 'users' && c.usernames.includes(name)).length;
      };
      const before = { ann: await told('ann'), vera: await told('vera'), otto: await told('otto') };
      // A user who stays keeps counting.
      expect(await writer.users.deleteSession('ann-1')).toBe(true);
      expect(await told('ann')).toBe(before.ann + 1);
      // An older release's order: the user (told), then their sessions, which no process serves any more.
      const older = new Database(path);
      older.prepare('DELETE FROM user WHERE username = ?').run('vera');
      older.close();
      expect(await told('vera')).toBe(before.vera + 1);
      expect(counts()).toEqual([{ username: 'ann', n: 1 }]);
      expect(await writer.users.deleteUserSessions('vera')).toBe(2);
      // A session first (a logout), then the user with the rest of their sessions, in one step.
      expect(await writer.users.deleteSession('otto-1')).toBe(true);
      expect(await told('otto')).toBe(before.otto + 1);
      await writer.users.deleteUser('otto');
      expect(await told('otto')).toBe(before.otto + 2);
      expect(await writer.users.listUserSessions('otto')).toEqual([]);
      expect(counts()).toEqual([{ username: 'ann', n: 1 }]);
      // A user who stays keeps counting.
      expect(await writer.users.purgeExpiredSessions(Date.now() + 120_000)).toBe(1);
      expect(counts()).toEqual([{ username: 'ann', n: 2 }]);
    } finally {
      raw.close();
      await listening.close();
      await writer.close();
    }
  });
});
