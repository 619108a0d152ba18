// phable 0.1.29 (a Python client for SkySpark and Haxall, ../shared/interop/phable) against our server over SCRAM.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { populateDemo } from '../../src/app/demo/demo-building.js';
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
      // phable 0.1.29 neither raises on nor hides an answer a limit cut short: the `incomplete` dict reaches it.
      expect(value('readCut')).toEqual([1, ['dis', 'limit']]);
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

/** What phable_methods.py reports: each step's value, or what phable raised (type, HTTP status or error grid). */
interface MethodsReport {
  readonly steps: Readonly<
    Record<string, { readonly ok: boolean; readonly value?: unknown; readonly error?: unknown }>
  >;
}

/** An error as phable_methods.py reports it. */
const raised = (type: string, more: Readonly<Record<string, unknown>> = {}): { error: unknown } => ({
  error: { type, ...more },
});
const callError = (errCode: string): { error: unknown } => ({
  error: expect.objectContaining({ type: 'CallError', errCode }),
});

describe.skipIf(!pythonAvailable() || !sharedAvailable('interop/phable'))(
  'phable, every method, on the demo building',
  () => {
    let fx: SecureFixture;
    beforeAll(async () => {
      // The fixture clock: 2024-06-01T12:00Z, 08:00 in New York; two days of 15-minute history up to it.
      fx = await startSecure({ populate: (store, now) => populateDemo(store, { now, days: 2 }) });
    });
    afterAll(async () => {
      await fx.close();
    });

    for (const [format, vav] of [
      ['json', 'vav1-01'],
      ['zinc', 'vav1-02'],
    ] as const) {
      it(`${format}: reads, his reads of every range form, his and point writes, and the errors it raises`, async () => {
        const out = await runPython('python3', 'phable_methods.py', [
          PHABLE_SRC,
          fx.base,
          format,
          'otto',
          'otto-operator-pass',
          'vera',
          'vera-viewer-pass',
          new Date(fx.clock.now()).toISOString(),
          vav,
        ]);
        const report = JSON.parse(out) as MethodsReport;
        const seen = Object.fromEntries(
          Object.entries(report.steps).map(([k, v]) => [k, v.ok ? { value: v.value } : { error: v.error }]),
        );
        const zat = `hudson.${vav}.zat`;
        const his = (rows: number, first: string, last: string, id: string | null, cols: string[] | null = null) => ({
          value: { rows, first, last, id, cols },
        });
        const dayBefore = ['2024-05-31T00:00:00-04:00', '2024-05-31T23:45:00-04:00'] as const;
        expect(seen).toEqual({
          about: { value: { productName: 'haystack-ts', serverName: expect.any(String) } },
          read: { value: 'hudson' },
          readMissing: raised('UnknownRecError'),
          readMissingUnchecked: { value: {} },
          readAll: { value: ['flatirons', 'hudson'] },
          readAllLimit: { value: 5 },
          readAllNone: { value: 0 },
          readById: { value: 'Zone Temp' },
          // An unknown id answers a row of nulls (Ops chapter, Read). phable's read_by_id looks for no row at all:
          // its JSON reader keeps the row (an empty dict back), its Zinc reader drops all-null rows (an error).
          readByIdMissing: format === 'json' ? { value: {} } : raised('UnknownRecError'),
          readByIdMissingUnchecked: { value: {} },
          readByIds: { value: [zat, 'hudson', 'flatirons.ahu1.dat'] },
          readByIdsUnknown: raised('UnknownRecError'),
          readBadFilter: callError('HS_ERR_PARSE'),
          hisReadDate: his(96, ...dayBefore, zat),
          // "date,date" runs to midnight after the last date (Ops chapter), so this reads up to now.
          hisReadDateRange: his(129, '2024-05-31T00:00:00-04:00', '2024-06-01T08:00:00-04:00', zat),
          hisReadDateTimeRange: his(4, '2024-05-31T09:00:00-04:00', '2024-05-31T09:45:00-04:00', zat),
          hisReadDateTimeRangeOpen: his(5, '2024-06-01T07:00:00-04:00', '2024-06-01T08:00:00-04:00', zat),
          hisReadUtcRange: his(4, '2024-05-31T09:00:00-04:00', '2024-05-31T09:45:00-04:00', zat),
          // New York bounds for a Denver point: the same instants, answered in Denver time.
          hisReadOtherZone: his(4, '2024-05-31T07:00:00-06:00', '2024-05-31T07:45:00-06:00', 'flatirons.ahu1.dat'),
          hisReadByIds: his(96, ...dayBefore, null, [zat, `hudson.${vav}.airflow`]),
          hisReadByIdsDateTimeRange: his(4, '2024-05-31T09:00:00-04:00', '2024-05-31T09:45:00-04:00', null, [
            zat,
            `hudson.${vav}.airflow`,
          ]),
          hisReadByIdsTwoZones: callError('HS_ERR_BAD_REQUEST'),
          hisReadUnknown: callError('HS_ERR_UNKNOWN_REC'),
          hisWriteById: { value: 0 },
          hisWriteByIdRead: {
            value: [
              ['2020-03-02T08:00:00-05:00', 71.5],
              ['2020-03-02T08:15:00-05:00', 72],
            ],
          },
          hisWriteByIds: { value: 0 },
          hisWriteByIdsRead: { value: { v0: [71.5, 72, 70, 70.5], v1: [['2020-03-02T10:00:00-05:00', 550]] } },
          hisWriteByIdsTwoZones: callError('HS_ERR_BAD_REQUEST'),
          hisWriteByIdsTwoZonesRead: { value: 4 },
          hisWriteUnknown: callError('HS_ERR_UNKNOWN_REC'),
          pointWriteArrayBefore: { value: { 17: [expect.any(Number), 'demo'] } },
          pointWriteLevel10: { value: 0 },
          pointWriteLevel8Duration: { value: 0 },
          pointWriteLevel1: { value: 0 },
          pointWriteArray: {
            value: { 8: [68, 'phable-8'], 10: [70, 'phable-10'], 17: [expect.any(Number), 'demo'] },
          },
          // Level 8 for 30 min from the server's now.
          pointWriteExpires: { value: ['2024-06-01T08:30:00-04:00'] },
          pointWriteRelease: { value: 0 },
          pointWriteArrayAfter: { value: { 10: [70, 'phable-10'], 17: [expect.any(Number), 'demo'] } },
          pointWriteCurVal: { value: 70 },
          pointWriteBadLevel: callError('HS_ERR_BAD_REQUEST'),
          pointWriteWrongKind: callError('HS_ERR_BAD_REQUEST'),
          pointWriteNotWritable: callError('HS_ERR_BAD_REQUEST'),
          pointWriteUnknown: callError('HS_ERR_UNKNOWN_REC'),
          callOps: { value: expect.arrayContaining(['about', 'close', 'hisRead', 'pointWrite', 'read', 'watchSub']) },
          callFormats: { value: expect.arrayContaining(['application/json', 'text/zinc']) },
          callNav: { value: ['flatirons', 'hudson'] },
          // Requests the server does not take get HTTP statuses (HttpApi), which phable raises as urllib's HTTPError.
          callUnknownOp: raised('HTTPError', { status: 404 }),
          viewerRead: { value: 2 },
          viewerPointWriteArray: { value: true },
          viewerPointWrite: raised('HTTPError', { status: 403 }),
          viewerHisWrite: raised('HTTPError', { status: 403 }),
          haxallEval: raised('HTTPError', { status: 404 }),
          haxallCommit: raised('HTTPError', { status: 404 }),
          wrongPassword: raised('AuthError'),
          close: { value: 0 },
          afterClose: raised('HTTPError', { status: 401 }),
        });
        // Every session phable opened (its own, the viewer's, the failed login's none) was closed.
        expect(await fx.users.listUserSessions('otto')).toEqual([]);
        expect(await fx.users.listUserSessions('vera')).toEqual([]);
      }, 120_000);
    }
  },
);
