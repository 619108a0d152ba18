// Client side of the Haystack auth handshake (Auth chapter): HELLO, SCRAM exchange, then a bearer token. Loaded on
// first use through client-auth.ts, so that a browser app pays for SCRAM only when it logs in; the HTTP side (and its
// client errors) stays with the caller, so that this chunk shares no client module with the up-front code.

import {
  type AuthChallenge,
  formatAuthorization,
  parseAuthenticationInfo,
  parseWwwAuthenticate,
} from '../core/auth/auth-header.js';
import { ScramClient } from '../core/auth/scram-client.js';
import { AuthError } from '../core/errors.js';
import type { ClientCredentials } from './client-auth.js';

type ScramChallenge = Extract<AuthChallenge, { scheme: 'SCRAM' }>;

// A refused step as its status means it: 403 is the Auth chapter's failed exchange, 429 a throttle with its wait.
function loginFailure(res: Response): AuthError {
  const status = `(HTTP ${res.status})`;
  if (res.status === 403) return new AuthError(`Login failed: the username or password was refused ${status}`);
  if (res.status !== 429) return new AuthError(`Login failed ${status}`);
  const after = res.headers.get('retry-after');
  return new AuthError(`Login failed: too many attempts${after === null ? '' : `, try again in ${after} s`} ${status}`);
}

/**
 * The handshake of client-auth.ts's `loginWithScram` (see there), which loads this module on first use, over `get`:
 * one GET with that Authorization, the HELLO's answer already checked to be a login answer (200, 401, 403 or 429).
 */
export async function scramLogin(
  credentials: ClientCredentials,
  get: (authorization: string, hello?: true) => Promise<Response>,
): Promise<string | undefined> {
  const challenge = (res: Response): ScramChallenge => {
    // Auth chapter: a failed exchange answers 403; anything but a 401 SCRAM challenge ends the login.
    if (res.status !== 401) throw loginFailure(res);
    const header = res.headers.get('www-authenticate');
    const scram = header === null ? undefined : parseWwwAuthenticate(header).find((c) => c.scheme === 'SCRAM');
    if (scram?.scheme !== 'SCRAM') throw new AuthError('Server offers no SCRAM authentication');
    return scram;
  };

  const { username, password } = credentials;
  const hello = await get(formatAuthorization({ scheme: 'HELLO', username }), true);
  if (hello.ok) return undefined;
  const first = challenge(hello);
  const scram = ScramClient.create({ username, password, hash: first.hash });
  const serverFirstRes = await get(
    formatAuthorization({ scheme: 'SCRAM', handshakeToken: first.handshakeToken, data: scram.clientFirstMessage() }),
  );
  const serverFirst = challenge(serverFirstRes);
  if (serverFirst.data === undefined) throw new AuthError('Login failed');
  const clientFinal = await scram.clientFinalMessage(serverFirst.data);
  const done = await get(
    formatAuthorization({ scheme: 'SCRAM', handshakeToken: serverFirst.handshakeToken, data: clientFinal }),
  );
  if (done.status !== 200) throw loginFailure(done);
  const infoHeader = done.headers.get('authentication-info');
  if (infoHeader === null) throw new AuthError('Login failed: no Authentication-Info');
  const info = parseAuthenticationInfo(infoHeader);
  // RFC 5802: the client verifies ServerSignature before trusting the outcome.
  if (info.data === undefined) throw new AuthError('Login failed: server did not prove itself');
  scram.verifyServerFinal(info.data);
  return info.authToken;
}
