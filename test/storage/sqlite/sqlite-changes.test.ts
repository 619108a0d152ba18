// SQLite change notifications beyond the contract kit: sessions ended through another adapter over the file, which
// no log records, are told as `users` changes.

import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../../src/storage/sqlite/index.js';
import { changeRecorder, checkLogoutTold } from '../../support/change-recorder.js';
import { makeTempDir } from '../../support/temp-dir.js';

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
});
