// The state of a SCRAM exchange between its requests, as text, so a store shared by server processes can hold it.

import type { ScramCredentials } from '../../core/auth/scram-keys.js';
import type { ScramServerHandshake } from '../../core/auth/scram-server.js';

/** What the server remembers of a login between HELLO, the client-first and the client-final message. */
export interface Pending {
  /** The username announced in HELLO. */
  readonly username: string;
  /** The user's credentials (or an unknown name's fake ones) as of HELLO. */
  readonly credentials: ScramCredentials;
  /** The user existed at HELLO (an unknown user's exchange can never succeed). */
  readonly known: boolean;
  /** Set once the client-first-message has been answered. */
  readonly scram: ScramServerHandshake | undefined;
  /** Address of the client that said HELLO (owner of the handshake record). */
  readonly address: string;
}

interface PendingJson {
  readonly username: string;
  readonly hash: ScramCredentials['hash'];
  readonly salt: string;
  readonly iterations: number;
  readonly storedKey: string;
  readonly serverKey: string;
  readonly known: boolean;
  readonly scram: ScramServerHandshake | null;
  readonly address: string;
}

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

/** The exchange as JSON text (byte arrays in base64). */
export function encodePending(p: Pending): string {
  const json: PendingJson = {
    username: p.username,
    hash: p.credentials.hash,
    salt: b64(p.credentials.salt),
    iterations: p.credentials.iterations,
    storedKey: b64(p.credentials.storedKey),
    serverKey: b64(p.credentials.serverKey),
    known: p.known,
    scram: p.scram ?? null,
    address: p.address,
  };
  return JSON.stringify(json);
}

/** The exchange back from {@link encodePending}'s text (which only the server writes). */
export function decodePending(text: string): Pending {
  const j = JSON.parse(text) as PendingJson;
  return {
    username: j.username,
    credentials: {
      hash: j.hash,
      salt: bytes(j.salt),
      iterations: j.iterations,
      storedKey: bytes(j.storedKey),
      serverKey: bytes(j.serverKey),
    },
    known: j.known,
    scram: j.scram ?? undefined,
    address: j.address,
  };
}
