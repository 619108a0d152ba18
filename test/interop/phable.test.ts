// phable 0.1.29 (a Python client for SkySpark and Haxall, ../shared/interop/phable) against our server over SCRAM.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { credentialsForPassword } from '../../src/server/auth/passwords.js';
import { ITERATIONS, type SecureFixture, startSecure } from '../server/security/support.js';
import { PHABLE_SRC, pythonAvailable, runPython } from '../support/python.js';
import { sharedAvailable } from '../support/shared.js';

/** What phable_session.py reports. */
interface PhableReport {
  readonly logins: number;
  readonly loginErrors: readonly string[];
  readonly steps: Readonly<Record<string, { readonly ok: boolean; readonly value?: unknown; readonly error?: string }>>;
}

const LOGINS = 20;

describe.skipIf(!pythonAvailable() || !sharedAvailable('interop/phable'))('phable against haystack-ts', () => {
  let fx: SecureFixture;
  beforeAll(async () => {
    fx = await startSecure();
  });
  afterAll(async () => {
    await fx.close();
  });

  for (const format of ['json', 'zinc'] as const) {
    it(`${format}: ${LOGINS} logins in a row, then about, read, his, pointWrite and close`, async () => {
      const out = await runPython('python3', 'phable_session.py', [
        PHABLE_SRC,
        fx.base,
        'otto',
        'otto-operator-pass',
        format,
        String(LOGINS),
      ]);
      const report = JSON.parse(out) as PhableReport;
      expect(report.loginErrors).toEqual([]);
      expect(report.logins).toBe(LOGINS);
      const failed = Object.entries(report.steps).filter(([, s]) => !s.ok);
      expect(failed).toEqual([]);
      const value = (step: string): unknown => report.steps[step]?.value;
      expect(value('about')).toBe('haystack-ts');
      expect(value('read')).toBe('s1');
      expect(value('readAll')).toBe(2);
      expect(value('readByIds')).toEqual(['s1', 'temp']);
      expect(value('hisRead')).toEqual([
        ['2024-01-02T10:00:00-05:00', 70.5],
        ['2024-01-02T10:15:00-05:00', 71.25],
      ]);
      expect(value('pointWriteArray')).toEqual([[8, 68, 'phable']]);
      // close revoked the token: the next call with it was refused.
      expect(value('afterClose')).toBe(401);
      // Every session phable opened was closed.
      expect(await fx.users.listUserSessions('otto')).toEqual([]);
    }, 120_000);
  }

  it('logs in a user whose name phable spells with "/" in standard base64 ("Zoë" is Wm/Dqw)', async () => {
    const scram = await credentialsForPassword('zoe-operator-pass', ITERATIONS);
    await fx.users.createUser({ username: 'Zoë', role: 'operator', scram });
    const out = await runPython('python3', 'phable_session.py', [
      PHABLE_SRC,
      fx.base,
      'Zoë',
      'zoe-operator-pass',
      'json',
      '2',
    ]);
    const report = JSON.parse(out) as PhableReport;
    expect(report.loginErrors).toEqual([]);
    expect(report.logins).toBe(2);
    expect(report.steps.about?.value).toBe('haystack-ts');
  }, 120_000);
});
