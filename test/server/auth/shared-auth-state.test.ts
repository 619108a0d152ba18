// Two server processes' auth over one SQLite file (two connections): a login's SCRAM steps may reach either, the
// throttle counts attempts made through both, and a token issued by one works at the other until `close` ends it.

import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { deriveScramCredentials } from '../../../src/core/auth/scram-keys.js';
import type { Authenticator } from '../../../src/server/auth/authenticator.js';
import { createSecurity, type ServerSecurity } from '../../../src/server/index.js';
import { openSqliteStore, type SqliteStore } from '../../../src/storage/sqlite/index.js';
import { makeTempDir } from '../../support/temp-dir.js';
import { bearer, ITERATIONS, login, manualClock } from './support.js';

const dir = makeTempDir('hs-shared-auth-');
afterAll(() => {
  dir.remove();
});
const opened: SqliteStore[] = [];
afterEach(async () => {
  for (const s of opened.splice(0)) await s.close();
});
let n = 0;

/** Two "processes": the security of each over its own connection to one file, with one clock. */
async function twoProcesses(throttle: Parameters<typeof createSecurity>[0]['throttle'] = {}) {
  const clock = manualClock();
  const path = dir.file(`auth-${String(++n)}.db`);
  const a = await openSqliteStore({ path, clock: clock.now, synchronous: 'normal' });
  const b = await openSqliteStore({ path, clock: clock.now, synchronous: 'normal' });
  opened.push(a, b);
  await a.users.createUser({
    username: 'alice',
    role: 'operator',
    scram: await deriveScramCredentials('wonderland', { iterations: ITERATIONS }),
  });
  const security = (s: SqliteStore): ServerSecurity =>
    createSecurity({
      users: s.users,
      sessions: s.users,
      authState: s.authState,
      serverSecret: new Uint8Array(32).fill(7),
      iterations: ITERATIONS,
      clock: clock.now,
      throttle,
    });
  return { clock, one: security(a), two: security(b) };
}

/** An authenticator that hands each request to the next process in turn, as node:cluster's round robin does. */
function roundRobin(...auths: Authenticator[]): Pick<Authenticator, 'authenticate'> {
  let i = 0;
  return {
    authenticate: (req) => (auths[i++ % auths.length] as Authenticator).authenticate(req),
  };
}

describe('auth shared between processes through the store', () => {
  it('completes a login whose SCRAM steps reach different processes, and the token works at both', async () => {
    const { one, two } = await twoProcesses();
    const trace = await login(roundRobin(one.authenticator, two.authenticator), 'alice', 'wonderland');
    expect(trace.last.kind).toBe('success');
    const token = trace.token as string;
    for (const s of [one, two]) {
      expect(await s.authenticator.authenticate({ authorization: bearer(token), address: 'x' })).toMatchObject({
        kind: 'authenticated',
        username: 'alice',
      });
    }
    // `close` through one process ends the session at the other too.
    expect(await one.tokens.revoke(token)).toBe(true);
    expect((await two.authenticator.authenticate({ authorization: bearer(token), address: 'x' })).kind).toBe(
      'challenge',
    );
  });

  it('takes a handshake token once, whichever process it reaches', async () => {
    const { one, two } = await twoProcesses();
    const hello = await one.authenticator.authenticate({ authorization: 'HELLO username=YWxpY2U', address: 'a' });
    const token = /handshakeToken=([^,\s]+)/.exec(
      String((hello as { headers: Record<string, string> }).headers['WWW-Authenticate']),
    )?.[1];
    expect(token).toBeDefined();
    const data = Buffer.from('n,,n=alice,r=abcdefghijklmnop').toString('base64url');
    const first = `SCRAM handshakeToken=${token as string}, data=${data}`;
    expect((await two.authenticator.authenticate({ authorization: first, address: 'a' })).kind).toBe('challenge');
    expect((await one.authenticator.authenticate({ authorization: first, address: 'a' })).kind).toBe('failure');
  });

  it('counts failed logins made through every process against one pair', async () => {
    const { one, two, clock } = await twoProcesses({ perPair: { freeFailures: 2 } });
    const both = roundRobin(one.authenticator, two.authenticator);
    for (let i = 0; i < 3; i++) expect((await login(both, 'alice', 'wrong')).last.kind).toBe('failure');
    for (const s of [one, two])
      expect((await login(s.authenticator, 'alice', 'wonderland')).last.kind).toBe('throttled');
    // The lock is the pair's: another address logs in at once, through either process.
    expect((await login(two.authenticator, 'alice', 'wonderland', '10.0.0.2')).last.kind).toBe('success');
    clock.advance(1000);
    expect((await login(one.authenticator, 'alice', 'wonderland')).last.kind).toBe('success');
    // Nothing is left to purge while the records can still matter; after their window they go.
    expect(await two.throttle.purge()).toBe(0);
    clock.advance(15 * 60_000 + 1);
    expect(await one.throttle.purge()).toBeGreaterThan(0);
  });
});
