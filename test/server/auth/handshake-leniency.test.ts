// The authenticator accepts what real clients send (repeated HELLO token, any base64 form) and keeps every guard.

import { describe, expect, it } from 'vitest';
import { parseAuthenticationInfo, parseWwwAuthenticate } from '../../../src/core/auth/auth-header.js';
import { ScramClient } from '../../../src/core/auth/scram-client.js';
import type { Authenticator, AuthResult } from '../../../src/server/auth/authenticator.js';
import { RANDOM_TOKEN_LENGTH, randomToken } from '../../../src/server/auth/random-token.js';
import { addUser, authFixture, bearer, login } from './support.js';

/** How a client spells base64 in its headers and SCRAM messages. */
type Spelling = 'url' | 'url-padded' | 'std' | 'std-padded';

function b64(bytes: Uint8Array | string, spelling: Spelling): string {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
  const std = buf.toString('base64');
  const url = buf.toString('base64url');
  const padding = '='.repeat((4 - (url.length % 4)) % 4);
  switch (spelling) {
    case 'url':
      return url;
    case 'url-padded':
      return url + padding;
    case 'std':
      return std.replace(/=+$/, '');
    case 'std-padded':
      return std;
  }
}

// Re-spell the proof of a client-final-message (RFC 5802 writes it padded standard base64).
function respellProof(clientFinal: string, spelling: Spelling): string {
  const i = clientFinal.indexOf(',p=') + 3;
  return clientFinal.slice(0, i) + b64(Buffer.from(clientFinal.slice(i), 'base64'), spelling);
}

function challengeOf(r: AuthResult) {
  const header = r.kind === 'challenge' ? r.headers['WWW-Authenticate'] : undefined;
  const [c] = parseWwwAuthenticate(header ?? '');
  if (c?.scheme !== 'SCRAM') throw new Error(`no SCRAM challenge: ${r.kind}`);
  return c;
}

interface ExchangeOptions {
  /** Which handshakeToken the last step repeats. */
  readonly finalToken: 'hello' | 'latest';
  readonly spelling: Spelling;
  readonly username?: string;
  readonly password?: string;
}

/** HELLO, client-first, client-final with the chosen token and base64 spelling; every answer. */
async function exchange(auth: Authenticator, opts: ExchangeOptions): Promise<AuthResult[]> {
  const send = (authorization: string) => auth.authenticate({ authorization, address: '10.0.0.9' });
  const username = opts.username ?? 'alice';
  const hello = await send(`HELLO username=${b64(username, opts.spelling)}`);
  const t1 = challengeOf(hello).handshakeToken ?? '';
  const client = ScramClient.create({ username, password: opts.password ?? 'wonderland' });
  // phable's order: data first, then the token.
  const first = await send(`SCRAM data=${b64(client.clientFirstMessage(), opts.spelling)}, handshakeToken=${t1}`);
  const serverFirst = challengeOf(first);
  const finalMsg = respellProof(await client.clientFinalMessage(serverFirst.data ?? ''), opts.spelling);
  const token = opts.finalToken === 'hello' ? t1 : (serverFirst.handshakeToken ?? '');
  const final = await send(`SCRAM handshakeToken=${token}, data=${b64(finalMsg, opts.spelling)}`);
  return [hello, first, final];
}

describe('Authenticator: liberal in what it accepts', () => {
  for (const spelling of ['url', 'url-padded', 'std', 'std-padded'] as const) {
    for (const finalToken of ['hello', 'latest'] as const) {
      it(`logs in with ${spelling} base64 and the ${finalToken} handshake token in the last step`, async () => {
        const { auth } = await authFixture();
        const [, , final] = await exchange(auth, { finalToken, spelling });
        expect(final?.kind).toBe('success');
        const info = parseAuthenticationInfo(
          final?.kind === 'success' ? (final.headers['Authentication-Info'] ?? '') : '',
        );
        expect((await auth.authenticate({ authorization: bearer(info.authToken), address: 'b' })).kind).toBe(
          'authenticated',
        );
      });
    }
  }

  it('a username whose standard base64 holds "/" logs in in every spelling (phable sends "Zoë" as Wm/Dqw)', async () => {
    const { auth, users } = await authFixture();
    await addUser(users, 'Zoë', 'wonderland');
    expect(b64('Zoë', 'std')).toContain('/');
    for (const spelling of ['url', 'url-padded', 'std', 'std-padded'] as const) {
      const [, , final] = await exchange(auth, { finalToken: 'latest', spelling, username: 'Zoë' });
      expect(final?.kind).toBe('success');
    }
  });

  it('a wrong password still fails whichever token the last step repeats', async () => {
    const { auth } = await authFixture();
    for (const finalToken of ['hello', 'latest'] as const) {
      const [, , final] = await exchange(auth, { finalToken, spelling: 'std', password: 'not-it' });
      expect(final).toMatchObject({ kind: 'failure', status: 403 });
    }
  });

  it('either token of an exchange works once: after the last step, both are dead', async () => {
    const { auth } = await authFixture();
    const send = (authorization: string) => auth.authenticate({ authorization, address: 'a' });
    const t1 = challengeOf(await send(`HELLO username=${b64('alice', 'url')}`)).handshakeToken ?? '';
    const client = ScramClient.create({ username: 'alice', password: 'wonderland' });
    const sf = challengeOf(await send(`SCRAM handshakeToken=${t1}, data=${b64(client.clientFirstMessage(), 'url')}`));
    const t2 = sf.handshakeToken ?? '';
    expect(t2).not.toBe(t1);
    const finalData = b64(await client.clientFinalMessage(sf.data ?? ''), 'url');
    expect((await send(`SCRAM handshakeToken=${t2}, data=${finalData}`)).kind).toBe('success');
    for (const token of [t1, t2]) {
      expect(await send(`SCRAM handshakeToken=${token}, data=${finalData}`)).toMatchObject({ status: 403 });
    }
  });

  it('a token of another exchange (a foreign one) does not complete this one', async () => {
    const { auth } = await authFixture();
    const send = (authorization: string) => auth.authenticate({ authorization, address: 'a' });
    const start = async () => {
      const t1 = challengeOf(await send(`HELLO username=${b64('alice', 'url')}`)).handshakeToken ?? '';
      const client = ScramClient.create({ username: 'alice', password: 'wonderland' });
      const sf = challengeOf(await send(`SCRAM handshakeToken=${t1}, data=${b64(client.clientFirstMessage(), 'url')}`));
      return { t1, client, sf };
    };
    const mine = await start();
    const theirs = await start();
    // My valid proof, sent under the other exchange's tokens: its nonce and AuthMessage differ.
    const finalData = b64(await mine.client.clientFinalMessage(mine.sf.data ?? ''), 'url');
    expect(await send(`SCRAM handshakeToken=${theirs.t1}, data=${finalData}`)).toMatchObject({ status: 403 });
    expect(await send(`SCRAM handshakeToken=${theirs.sf.handshakeToken ?? ''}, data=${finalData}`)).toMatchObject({
      status: 403,
    });
  });

  it('an unknown user is still answered like a known one, in every base64 spelling', async () => {
    const { auth } = await authFixture();
    const shape = (r: AuthResult | undefined) => (r === undefined ? '' : `${r.kind}:${'status' in r ? r.status : ''}`);
    for (const spelling of ['url', 'std-padded'] as const) {
      const known = await exchange(auth, { finalToken: 'hello', spelling, password: 'wrong' });
      const send = (authorization: string) => auth.authenticate({ authorization, address: '10.0.0.9' });
      const hello = await send(`HELLO username=${b64('nobody', spelling)}`);
      const t1 = challengeOf(hello).handshakeToken ?? '';
      const client = ScramClient.create({ username: 'nobody', password: 'wrong' });
      const first = await send(`SCRAM data=${b64(client.clientFirstMessage(), spelling)}, handshakeToken=${t1}`);
      const sf = challengeOf(first);
      expect(sf.data).toMatch(/^r=[^,]+,s=[^,]+,i=4096$/);
      const final = await send(
        `SCRAM handshakeToken=${t1}, data=${b64(await client.clientFinalMessage(sf.data ?? ''), spelling)}`,
      );
      expect([hello, first, final].map(shape)).toEqual(known.map(shape));
    }
  });
});

describe('issued tokens', () => {
  it('handshake and auth tokens are 43 letters and digits', async () => {
    const { auth } = await authFixture();
    for (let i = 0; i < 5; i++) {
      const trace = await login(auth, 'alice', 'wonderland');
      for (const r of trace.results.slice(0, 2)) expect(challengeOf(r).handshakeToken).toMatch(/^[A-Za-z0-9]{43}$/);
      expect(trace.token).toMatch(/^[A-Za-z0-9]{43}$/);
    }
  });

  it('randomToken draws every character of [A-Za-z0-9] with no visible bias and never repeats', () => {
    const counts = new Map<string, number>();
    const seen = new Set<string>();
    const n = 2000;
    for (let i = 0; i < n; i++) {
      const t = randomToken();
      expect(t).toHaveLength(RANDOM_TOKEN_LENGTH);
      seen.add(t);
      for (const c of t) counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(seen.size).toBe(n);
    expect(counts.size).toBe(62);
    // 86,000 draws over 62 symbols: about 1,387 each; a modulo bias of 256 % 62 would put 4 symbols ~25% high.
    const expected = (n * RANDOM_TOKEN_LENGTH) / 62;
    for (const count of counts.values()) expect(Math.abs(count - expected) / expected).toBeLessThan(0.15);
  });
});
