// haystack-py 0.1.10 (../shared/interop/haystack-py): its HTTP client against our server, our client and CLI against its server.

import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthError,
  CallError,
  dateRange,
  dateTimeRange,
  HaystackClient,
  type HisRange,
  ReconnectingWebSocketClient,
  TODAY,
  WebSocketClient,
  WebSocketPool,
  YESTERDAY,
} from '../../src/client/index.js';
import { decodeZinc } from '../../src/core/codec/zinc/index.js';
import { Grid } from '../../src/core/grid/grid.js';
import { HDate } from '../../src/core/kinds/date.js';
import { HDateTime } from '../../src/core/kinds/date-time.js';
import { Num } from '../../src/core/kinds/number.js';
import { Ref } from '../../src/core/kinds/ref.js';
import { type SecureFixture, startSecure } from '../server/security/support.js';
import {
  haystackPyPython,
  type PythonServer,
  pythonAvailable,
  runPython,
  startPythonServer,
} from '../support/python.js';
import { runCliCaptured } from '../support/run-cli.js';
import { sharedAvailable } from '../support/shared.js';

/** What hspy_client_session.py reports. */
interface ClientReport {
  readonly steps: Readonly<Record<string, { readonly ok: boolean; readonly value?: unknown; readonly error?: string }>>;
}

/** Every op hs_py.Client has (its close is `GET close` on leaving `async with`, checked by session count). */
const CLIENT_OPS = [
  'about',
  'ops',
  'formats',
  'read',
  'readLimit',
  'readByIds',
  'nav',
  'hisWrite',
  'hisRead',
  'hisReadBatch',
  'hisWriteBatch',
  'pointWrite',
  'pointWriteArray',
  'watchSub',
  'watchPoll',
  'watchUnsub',
  'watchClose',
  'invokeAction',
];

/** Every hisRead range form the client has: today, yesterday, a date, two dates, a dateTime, two dateTimes. */
function rangeForms(day: HDate): HisRange[] {
  const midnight = (d: HDate): HDateTime => HDateTime.parse(`${d.toString()}T00:00:00-05:00 New_York`);
  return [
    TODAY,
    YESTERDAY,
    day,
    dateRange(day, day.plusDays(1)),
    midnight(day),
    dateTimeRange(midnight(day), midnight(day.plusDays(2))),
  ];
}

describe.skipIf(!pythonAvailable() || !sharedAvailable('interop/haystack-py'))('haystack-py', () => {
  let python: string;
  beforeAll(async () => {
    python = await haystackPyPython();
  }, 600_000);

  describe('its HTTP client against haystack-ts', () => {
    let fx: SecureFixture;
    beforeAll(async () => {
      fx = await startSecure({
        server: {
          actions: [
            {
              name: 'ping',
              handler: (target, args) => Grid.fromDicts([{ pong: `${target.dis()} ${String(args.get('note'))}` }]),
            },
          ],
        },
      });
    });
    afterAll(async () => {
      await fx.close();
    });

    for (const format of ['json', 'zinc'] as const) {
      it(`${format}: every op it has works, and its GET close ends the session`, async () => {
        const out = await runPython(python, 'hspy_client_session.py', [fx.base, 'otto', 'otto-operator-pass', format]);
        const report = JSON.parse(out) as ClientReport;
        expect(Object.keys(report.steps)).toEqual(CLIENT_OPS);
        expect(Object.entries(report.steps).filter(([, s]) => !s.ok)).toEqual([]);
        const value = (step: string): unknown => report.steps[step]?.value;
        expect(value('about')).toBe('haystack-ts');
        expect(value('ops')).toEqual(expect.arrayContaining(['about', 'close', 'read', 'hisRead', 'watchSub']));
        expect(value('formats')).toEqual(expect.arrayContaining(['text/zinc', 'application/json']));
        expect(value('read')).toEqual(['s1', 's2']);
        expect(value('readLimit')).toBe(2);
        expect(value('readByIds')).toEqual(['s1', null]);
        expect(value('nav')).toEqual(expect.arrayContaining(['s1', 's2']));
        expect(value('hisRead')).toEqual(
          expect.arrayContaining([
            ['2024-01-03T09:00:00-05:00', 66.5],
            ['2024-01-03T09:30:00-05:00', 67],
          ]),
        );
        expect(value('hisReadBatch')).toMatchObject({ cols: ['ts', 'v0', 'v1'] });
        expect(value('pointWriteArray')).toEqual([[10, 70, 'hs-py']]);
        expect(value('watchSub')).toEqual({ watchId: true, rows: 2 });
        expect(value('watchPoll')).toBe(2);
        expect(value('invokeAction')).toBe('AHU-1 hi');
        // Its client closes with GET and ignores the answer: the session must be gone all the same.
        expect(await fx.users.listUserSessions('otto')).toEqual([]);
      }, 120_000);
    }
  });

  describe('our client and CLI against its FastAPI server', () => {
    let server: PythonServer;
    let url: string;
    const login = { username: 'alice', password: 'wonderland-pass' };
    beforeAll(async () => {
      server = await startPythonServer(python, 'hspy_server.py', [login.username, login.password]);
      url = `http://127.0.0.1:${server.port}/api/`;
    }, 60_000);
    afterAll(async () => {
      await server.stop();
    });

    for (const format of ['zinc', 'json', 'json3'] as const) {
      it(`${format}: about, read and hisRead over SCRAM, then close`, async () => {
        const methods: string[] = [];
        const client = new HaystackClient({
          url,
          ...login,
          format,
          onEvent: (e) => {
            if (e.type === 'request') methods.push(`${e.method} ${e.op}`);
          },
        });
        expect((await client.about()).get('productName')).toBe('hs-py');
        const sites = await client.read('site');
        expect(sites.rows.map((r) => r.id?.id).sort()).toEqual(['s1', 's2']);
        const his = await client.hisRead('temp', '2024-01-02');
        expect(his.column('val')).toEqual([new Num(70.5, '°F'), new Num(71.25, '°F')]);
        expect(new Ref('temp').equals(his.meta.get('id'))).toBe(true);
        await client.close();
        // It refuses POST for about and close: about goes as GET, close retries as GET after its 405.
        expect(methods).toEqual(['GET about', 'GET read', 'POST hisRead', 'POST close', 'GET close']);
      }, 60_000);
    }

    for (const format of ['zinc', 'json'] as const) {
      it(`${format}: every op method of the client, with each hisRead range form`, async () => {
        const c = new HaystackClient({ url, ...login, format });
        const names = (g: Grid, col: string): unknown[] => g.rows.map((r) => String(r.get(col)));
        expect(names(await c.ops(), 'name')).toEqual(
          expect.arrayContaining(['about', 'read', 'hisRead', 'hisWrite', 'pointWrite', 'watchSub', 'watchPoll']),
        );
        expect(names(await c.formats(), 'mime')).toEqual(expect.arrayContaining(['text/zinc', 'application/json']));
        expect((await c.read('site', { limit: 1 })).size).toBe(1);
        expect((await c.read('point and his')).rows.map((r) => r.id?.id).sort()).toEqual(['flow', 'temp']);
        // Its server drops unknown ids (a documented fault of its own) rather than answering a row of nulls.
        expect((await c.readByIds(['s1', '@flow'])).rows.map((r) => r.id?.id)).toEqual(['s1', 'flow']);
        expect(names(await c.nav(), 'dis').sort()).toEqual(['Alpha', 'Bravo']);

        const tz = 'New_York';
        const ts = (s: string): HDateTime => HDateTime.parse(`${s}-05:00 ${tz}`);
        await c.hisWrite('flow', [
          { ts: ts(`2024-02-0${format === 'zinc' ? 1 : 2}T08:00:00`), val: new Num(400, 'cfm') },
          { ts: ts(`2024-02-0${format === 'zinc' ? 1 : 2}T08:15:00`), val: new Num(425, 'cfm') },
        ]);
        const day = HDate.parse('2024-02-01');
        // Its server ignores the range (its own documented fault): each form is checked for being accepted.
        for (const range of rangeForms(day)) {
          const his = await c.hisRead('flow', range);
          expect(his.column('val')).toEqual(expect.arrayContaining([new Num(400, 'cfm'), new Num(425, 'cfm')]));
          expect(his.first?.get('ts')).toBeInstanceOf(HDateTime);
        }
        const streamed: unknown[] = [];
        for await (const e of c.hisReadStream('flow', day)) if (e.type === 'row') streamed.push(e.row.get('val'));
        expect(streamed).toEqual(expect.arrayContaining([new Num(425, 'cfm')]));
        expect((await c.hisReadMany(['flow'], day)).size).toBeGreaterThanOrEqual(2);

        await c.pointWrite('flow', 8, new Num(300, 'cfm'), { who: 'haystack-ts' });
        const array = await c.pointWriteArray('flow');
        expect(array.rows.find((r) => r.get('level')?.toString() === '8')?.get('val')).toEqual(new Num(300, 'cfm'));

        const watch = await c.watch(['temp', 's1']);
        expect(watch.id).toMatch(/\S/);
        expect(await watch.poll()).toEqual([]);
        expect((await watch.refresh()).map((r) => r.id?.id).sort()).toEqual(['s1', 'temp']);
        await watch.remove(['s1']);
        await watch.close();
        expect(watch.closed).toBe(true);

        // It has no actions: the answer is an error grid, a CallError with its message.
        const action = await c.invokeAction('temp', 'ping', { note: 'hi' }).catch((e: unknown) => e);
        expect(action).toBeInstanceOf(CallError);
        expect((action as CallError).message).toMatch(/invokeAction/);
        await c.close();
        expect(c.authenticated).toBe(false);
      }, 60_000);
    }

    it('the ops it lacks (defs, libs, filetypes) are CallErrors; a level-8 write with a duration is taken', async () => {
      const c = new HaystackClient({ url, ...login });
      for (const call of [() => c.defs(), () => c.libs(), () => c.filetypes()]) {
        const err = await call().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(CallError);
        expect((err as CallError).message).toMatch(/not supported/);
      }
      // A level-8 write with a duration is taken (its server keeps no expiry).
      await c.pointWrite('flow', 8, new Num(310, 'cfm'), { who: 'haystack-ts', duration: new Num(5, 'min') });
      const array = await c.pointWriteArray('flow');
      expect(array.rows.find((r) => r.get('level')?.toString() === '8')?.get('val')).toEqual(new Num(310, 'cfm'));
      await c.close();
    }, 60_000);

    describe('our WebSocketClient on its /api/ws', () => {
      const wsUrl = (): string => `ws://127.0.0.1:${server.port}/api/ws`;

      it('logs in with a password (every WebSocket client): its socket takes only a token, so over HTTP', async () => {
        const ws = new WebSocketClient({ url: wsUrl(), ...login });
        expect((await ws.about()).get('productName')).toBe('hs-py');
        await ws.close();
        // A wrong password is still an AuthError (from the HTTP exchange), not a bare socket close.
        const wrong = new WebSocketClient({ url: wsUrl(), username: login.username, password: 'not-it' });
        const err = await wrong.about().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(AuthError);
        await wrong.close();
        // The reconnecting client and the pool's channels log in the same way.
        const rc = new ReconnectingWebSocketClient({ url: wsUrl(), ...login });
        expect((await rc.read('site')).size).toBe(2);
        await rc.close();
        const pool = new WebSocketPool({ url: wsUrl(), ...login });
        const [about, sites] = await Promise.all([pool.channel('a').about(), pool.channel('b').read('site')]);
        expect(about.get('productName')).toBe('hs-py');
        expect(sites.size).toBe(2);
        await pool.close();
      }, 60_000);

      it('every op method, each hisRead range form, a batch and a polled watch', async () => {
        const ws = new WebSocketClient({ url: wsUrl(), ...login });
        const ids = (g: Grid): unknown[] => g.rows.map((r) => r.id?.id).sort();
        const names = (g: Grid, col: string): unknown[] => g.rows.map((r) => String(r.get(col)));
        expect(names(await ws.ops(), 'name')).toEqual(expect.arrayContaining(['about', 'read', 'hisRead', 'watchSub']));
        expect(names(await ws.formats(), 'mime')).toEqual(expect.arrayContaining(['text/zinc', 'application/json']));
        expect((await ws.read('site', { limit: 1 })).size).toBe(1);
        expect(ids(await ws.read('point and his'))).toEqual(['flow', 'temp']);
        expect(ids(await ws.readByIds(['s1', 'nope']))).toEqual(['s1']);
        expect(names(await ws.nav(), 'dis').sort()).toEqual(['Alpha', 'Bravo']);
        const day = HDate.parse('2024-01-02');
        const ts = (s: string): HDateTime => HDateTime.parse(`${s}-05:00 New_York`);
        // Its server ignores the range (its own documented fault): each form is checked for being accepted.
        for (const range of rangeForms(day)) {
          const his = await ws.hisRead('temp', range);
          expect(his.column('val')).toEqual([new Num(70.5, '°F'), new Num(71.25, '°F')]);
        }
        // It has no batch hisRead: it answers the first point's history.
        expect((await ws.hisReadMany(['temp'], day)).size).toBe(2);
        await ws.hisWrite('flow', [{ ts: ts('2024-02-03T08:00:00'), val: new Num(450, 'cfm') }]);
        await ws.pointWrite('flow', 9, new Num(320, 'cfm'), { who: 'haystack-ts ws' });
        const array = await ws.pointWriteArray('flow');
        // Its array has level and val only (no who).
        expect(array.rows.find((r) => r.get('level')?.toString() === '9')?.get('val')).toEqual(new Num(320, 'cfm'));
        expect(await ws.invokeAction('temp', 'ping').catch((e: unknown) => e)).toBeInstanceOf(CallError);
        const [about, sites] = await ws.batch([
          { op: 'about', grid: Grid.EMPTY },
          { op: 'read', grid: Grid.fromDicts([{ filter: 'site' }]) },
        ]);
        expect(about?.first?.get('productName')).toBe('hs-py');
        expect(sites?.size).toBe(2);
        // Its FastAPI server pushes nothing: a watch over the socket is polled.
        const watch = await ws.watch(['temp', 's1']);
        expect(watch.id).toMatch(/\S/);
        expect(await watch.poll()).toEqual([]);
        expect((await watch.refresh()).map((r) => r.id?.id).sort()).toEqual(['s1', 'temp']);
        await watch.remove(['s1']);
        await watch.close();
        await ws.close();
      }, 60_000);
    });

    it('the CLI prints about, read and his from it', async () => {
      const env = { HAYSTACK_URL: url, HAYSTACK_USER: login.username, HAYSTACK_PASSWORD: login.password };
      const cwd = tmpdir();
      const about = await runCliCaptured(['about'], cwd, env);
      expect(about.stderr).toBe('');
      expect(about.code).toBe(0);
      expect((decodeZinc(about.stdout) as Grid).first?.get('productName')).toBe('hs-py');
      const read = await runCliCaptured(['read', 'site'], cwd, env);
      expect(read.code).toBe(0);
      expect((decodeZinc(read.stdout) as Grid).size).toBe(2);
      const his = await runCliCaptured(['his', '@temp', '2024-01-02', '--to', 'csv'], cwd, env);
      expect(his.stderr).toBe('');
      expect(his.code).toBe(0);
      expect(his.stdout.trim().split('\n')).toHaveLength(3);
    }, 60_000);
  });
});
